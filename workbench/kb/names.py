"""Names for codes, everywhere a person reads: NUTS regions, NACE sectors and Eurostat flags.

Lookup order (later wins):

* regions: the shipped GISCO NUTS 2021 names (``workbench/defaults/nuts2021_names.csv``, levels 0-2),
  then the knowledge base's ``regions`` table (Latin-script name); countries (two-letter codes) by
  their English short names (``workbench/defaults/country_names.csv``: "Greece (EL)", not the
  GISCO level-0 "Elláda"), since the reports are written in English;
* sectors: the demo package's NACE divisions file (``workbench/demo/nace_r2_divisions.csv``), the
  knowledge base's ``sectors`` table, then ``workbench/defaults/nace_labels.csv`` (sections in
  sentence case and the Eurostat aggregates ``B-E``, ``G-I``, ``M_N``, ``O-Q``, ``R-U`` ...).

Codes stay in the data next to the names: reports show ``"Name (CODE)"`` or ``"CODE Name"``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from workbench.errors import KBBusyError
from workbench.kb.access import KBMissingError, query

DEFAULTS = Path(__file__).resolve().parents[1] / "defaults"
NUTS_NAMES_FILE = DEFAULTS / "nuts2021_names.csv"
COUNTRY_NAMES_FILE = DEFAULTS / "country_names.csv"
NACE_LABELS_FILE = DEFAULTS / "nace_labels.csv"
NACE_DIVISIONS_FILE = Path(__file__).resolve().parents[1] / "demo" / "nace_r2_divisions.csv"
Db = str | os.PathLike[str] | None

#: Eurostat's observation flags ("Flags and special values", Eurostat dissemination codelist OBS_FLAG)
FLAG_MEANINGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}


def flag_meaning(flag: str) -> str:
    """A flag as published ("bu", letter by letter) in words: "break in time series; low
    reliability"; a letter outside :data:`FLAG_MEANINGS` is named as an unknown flag."""
    return "; ".join(FLAG_MEANINGS.get(ch, f"unknown flag {ch!r}") for ch in flag.strip())


@lru_cache(maxsize=1)
def _nuts_defaults() -> dict[str, str]:
    df = pd.read_csv(NUTS_NAMES_FILE, dtype=str, keep_default_na=False)
    return dict(zip(df["code"], df["name"], strict=True))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Country code (EU protocol order codes: ``EL``, ``UK``) -> English short name (EU
    Interinstitutional Style Guide, country list), e.g. ``"MK"`` -> ``"North Macedonia"``."""
    df = pd.read_csv(COUNTRY_NAMES_FILE, dtype=str, keep_default_na=False)
    return dict(zip(df["code"], df["name"], strict=True))


@lru_cache(maxsize=1)
def _nace_defaults() -> pd.DataFrame:
    return pd.read_csv(NACE_LABELS_FILE, dtype=str, keep_default_na=False).set_index("code")


@lru_cache(maxsize=1)
def _nace_divisions() -> dict[str, str]:
    df = pd.read_csv(NACE_DIVISIONS_FILE, dtype=str, keep_default_na=False)
    return {c: n for c, n in zip(df["code"], df["name"], strict=True) if n}


def _kb_pairs(sql: str, db: Db) -> dict[str, str]:
    try:
        df = query(sql, db=db)
    except (duckdb.CatalogException, duckdb.IOException, KBMissingError, KBBusyError):
        # no such table / no KB file yet / a writer holds it: the shipped names still serve
        return {}
    return {str(c): str(n) for c, n in zip(df.iloc[:, 0], df.iloc[:, 1], strict=True) if n}


def region_names(db: Db = None) -> dict[str, str]:
    """NUTS code -> Latin-script name: GISCO NUTS 2021 defaults, overridden by the KB's regions;
    countries by their English names (:func:`country_names`)."""
    names = dict(_nuts_defaults())
    names.update(
        _kb_pairs("SELECT code, coalesce(name_latn, name) FROM regions WHERE code IS NOT NULL", db)
    )
    names.update(country_names())
    return names


def sector_labels(db: Db = None) -> dict[str, str]:
    """NACE code -> label: demo divisions, the KB's sectors, then the defaults (sections, aggregates)."""
    labels = dict(_nace_divisions())
    labels.update(_kb_pairs("SELECT code, name FROM sectors WHERE code IS NOT NULL", db))
    labels.update(_nace_defaults()["label"].to_dict())
    return labels


def sector_short(code: str, labels: dict[str, str] | None = None) -> str:
    """Short sector name for a sentence: ``'G-I'`` -> ``'trade, transport, accommodation and food
    services'``; divisions fall back to their label (first letter lower case), unknown codes to the code."""
    defaults = _nace_defaults()
    if code in defaults.index:
        return str(defaults.at[code, "short"])
    label = (labels or _nace_divisions()).get(code)
    if not label:
        return code
    return label[0].lower() + label[1:] if not label[:2].isupper() else label.capitalize()


def region_label(code: str, names: dict[str, str] | None = None) -> str:
    """``'Jadranska Hrvatska (HR03)'``; the bare code when no name is known."""
    name = (names if names is not None else region_names()).get(code)
    return f"{name} ({code})" if name and name != code else code


def with_region_names(codes: pd.Series, names: dict[str, str] | None = None) -> pd.Series:
    """Names for a column of NUTS codes (the code itself where no name is known)."""
    names = names if names is not None else region_names()
    return codes.astype(str).map(lambda c: names.get(c, c))


@lru_cache(maxsize=1)
def _catalogue_titles() -> dict[str, str]:
    from workbench.config import load_defaults

    return {str(d["code"]): str(d["title"]) for d in load_defaults("catalogue")["datasets"]}


def dataset_title(dataset_id: str, title: str | None = None) -> str | None:
    """A dataset's title: ``title`` (as stored in ``datasets``) unless it is only the dataset's code
    (Eurostat files carry no title), else the data catalogue's (``catalogue.yml``) for
    ``eurostat:CODE``; None when neither is known."""
    code = dataset_id.split(":", 1)[-1]
    if title and str(title).strip() and str(title) not in {code, dataset_id}:
        return str(title).strip()
    if dataset_id.startswith("eurostat:"):
        return _catalogue_titles().get(code)
    return None


def dataset_label(dataset_id: str, title: str | None = None) -> str:
    """A dataset as a reader names it: "Gross domestic product at current market prices by NUTS 2
    region (eurostat:nama_10r_2gdp)"; the id alone when no title is known (see
    :func:`dataset_title`)."""
    name = dataset_title(dataset_id, title)
    return f"{name} ({dataset_id})" if name else dataset_id
