"""NUTS version harmonisation (2013 / 2016 -> 2021) through the JRC conversion matrices.

The JRC NUTS converter (Pigaiani & Batista 2022, JRC.B.3; files ``n2_cm_v2013_v2021.csv``,
``n2_cm_v2016_v2021.csv``, ``n3_cm_v2016_v2021.csv``) has one row per overlapping pair of an old and
a new region with the overlap's area (``areaKm``), population 2018 / 2011 (``pop18``, ``pop11``) and
artificial surface.  With w_on the chosen weight of the overlap of old region o and new region n:

- extensive variables (counts such as employment):  x_n = sum_o x_o * w_on / sum_n' w_on'
  (each old region is split in proportion to the weight of its pieces);
- intensive variables (rates, per-head values):      x_n = sum_o x_o * w_on / sum_o w_on
  (weighted mean of the old regions that make up the new one).

A new region's value needs its old regions: its *coverage* is the share of its weight whose old
region has a value; rows below ``min_coverage`` (default 1: all pieces present) are left out and
listed in ``result.attrs["incomplete"]``.  Codes not in the matrix that are valid NUTS 2021 codes
(countries outside the JRC matrices, e.g. MK00, TR10) are kept unchanged; other codes (e.g. the NUTS
2010 codes SI01/SI02 that Eurostat still lists for early years) raise or are dropped
(``unknown="drop"``, listed in ``attrs["unknown"]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from workbench.config import real_data_dir
from workbench.errors import ValidationError
from workbench.evidence.matrix import _listing
from workbench.evidence.settings import setting

WEIGHTS = ("areaKm", "pop18", "pop11", "artif_surf18", "artif_surf12")
FILES = {
    ("2013", 2): "n2_cm_v2013_v2021.csv",
    ("2016", 2): "n2_cm_v2016_v2021.csv",
    ("2016", 3): "n3_cm_v2016_v2021.csv",
}


def classifications_dir() -> Path:
    """Folder of the NUTS/NACE code lists and JRC matrices (``real_data_dir()/classifications``)."""
    return real_data_dir() / "classifications"


@cache
def _read_matrix(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype={0: str, 1: str}, encoding="utf-8")


def conversion_table(
    from_version: str,
    *,
    level: int = 2,
    weight: str | None = None,
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """The JRC conversion matrix as from_code, to_code, weight, share_of_from, share_of_to.

    ``share_of_from`` = w_on / sum_n' w_on' (part of the old region going to the new one),
    ``share_of_to`` = w_on / sum_o' w_o'n (part of the new region coming from the old one).
    """
    key = (str(from_version), int(level))
    if key not in FILES:
        raise ValidationError(
            f"no JRC matrix for NUTS {from_version} level {level}; available: {sorted(FILES)}"
        )
    wcol = setting("nuts", "weight") if weight is None else weight
    if wcol not in WEIGHTS:
        raise ValidationError(f"weight must be one of {WEIGHTS}, not {wcol!r}")
    path = Path(directory) if directory is not None else classifications_dir()
    file = path / FILES[key]
    if not file.exists():
        raise ValidationError(f"JRC conversion matrix not found: {file}")
    raw = _read_matrix(str(file))
    old = f"code_v{from_version}"
    for col in (old, "code_v2021", wcol):
        if col not in raw.columns:
            raise ValidationError(
                f"{file}: column {col!r} missing; columns are {list(raw.columns)}"
            )
    t = pd.DataFrame(
        {
            "from_code": raw[old].str.strip(),
            "to_code": raw["code_v2021"].str.strip(),
            "weight": raw[wcol].astype(float),
        }
    )
    bad = t[(t["weight"] < 0) | t["weight"].isna()]
    if len(bad):
        r = bad.index[0]
        raise ValidationError(
            f"{file}: line {r + 2}, column {wcol!r}: negative or missing weight {raw.at[r, wcol]!r}"
        )
    from_tot = t.groupby("from_code")["weight"].transform("sum")
    to_tot = t.groupby("to_code")["weight"].transform("sum")
    zero = t["from_code"][from_tot == 0].unique()
    if len(zero):
        raise ValidationError(
            f"{file}: old region(s) with zero total {wcol}: {_listing(zero, len(zero))}"
        )
    t["share_of_from"] = t["weight"] / from_tot
    t["share_of_to"] = np.where(to_tot > 0, t["weight"] / to_tot.where(to_tot > 0, 1.0), 0.0)
    t.attrs.update(file=str(file), weight=wcol, from_version=str(from_version))
    return t


def code_changes(
    from_version: str,
    *,
    level: int = 2,
    weight: str | None = None,
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """Mapping of code changes: from_code, to_code, share_of_from, share_of_to, change.

    change: ``unchanged`` (1:1, same code), ``recoded`` (1:1, new code), ``split`` (the old region
    is divided), ``merged`` (the new region combines old ones), ``split+merged`` (both); tiny
    boundary corrections of the JRC geometry count as splits/merges and show as small shares.
    """
    t = conversion_table(from_version, level=level, weight=weight, directory=directory)
    n_to = t.groupby("from_code")["to_code"].transform("nunique")
    n_from = t.groupby("to_code")["from_code"].transform("nunique")
    change = np.select(
        [
            (n_to == 1) & (n_from == 1) & (t["from_code"] == t["to_code"]),
            (n_to == 1) & (n_from == 1),
            (n_to > 1) & (n_from > 1),
            n_to > 1,
        ],
        ["unchanged", "recoded", "split+merged", "split"],
        default="merged",
    )
    out = t[["from_code", "to_code", "share_of_from", "share_of_to"]].copy()
    out["change"] = change
    return out


@cache
def nuts2021_codes(directory: str | None = None) -> frozenset[str]:
    """All NUTS 2021 codes (levels 0-3) in the GISCO list ``NUTS_AT_2021.csv``."""
    path = (Path(directory) if directory else classifications_dir()) / "NUTS_AT_2021.csv"
    if not path.exists():
        raise ValidationError(f"NUTS 2021 code list not found: {path}")
    codes = pd.read_csv(path, usecols=["NUTS_ID"], dtype=str, encoding="utf-8")[
        "NUTS_ID"
    ].str.strip()
    return frozenset(codes)


def harmonise_to_2021(
    data: pd.DataFrame,
    from_version: str,
    *,
    region: str = "region",
    value: str = "value",
    keys: Sequence[str] | None = None,
    kind: Literal["extensive", "intensive"] = "extensive",
    weight: str | None = None,
    level: int = 2,
    unknown: Literal["raise", "drop"] = "raise",
    min_coverage: float = 1.0,
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """Convert a long table from NUTS ``from_version`` (2013/2016) regions to NUTS 2021 regions.

    ``keys``: the other columns that identify an observation (default: every column except
    ``region``, ``value`` and ``flag``; flags cannot be combined and are dropped).  Returns the same
    key columns, ``region`` (2021 code), ``value`` and ``coverage``.  See the module docstring.
    """
    if kind not in ("extensive", "intensive"):
        raise ValidationError(f"kind must be 'extensive' or 'intensive', not {kind!r}")
    for col in (region, value):
        if col not in data.columns:
            raise ValidationError(f"column {col!r} not found; columns are {list(data.columns)}")
    key_cols = (
        [c for c in data.columns if c not in (region, value, "flag")]
        if keys is None
        else list(keys)
    )
    table = conversion_table(from_version, level=level, weight=weight, directory=directory)
    d = data[[*key_cols, region, value]].copy()
    d[region] = d[region].astype(str)
    d[value] = pd.to_numeric(d[value], errors="coerce")
    if d.duplicated([*key_cols, region]).any():
        dup = d.loc[d.duplicated([*key_cols, region]), region].unique()
        raise ValidationError(
            f"harmonise_to_2021: duplicated observations for region(s) {_listing(dup, len(dup))}"
        )
    codes = pd.Index(d[region].unique())
    in_table = codes.isin(table["from_code"])
    valid_2021 = codes.isin(list(nuts2021_codes(str(directory) if directory else None)))
    keep_as_is = codes[~in_table & valid_2021]
    unknown_codes = sorted(codes[~in_table & ~valid_2021])
    if unknown_codes and unknown == "raise":
        raise ValidationError(
            f"region code(s) neither in the JRC NUTS {from_version}->2021 matrix nor valid NUTS 2021: "
            f"{_listing(unknown_codes, len(unknown_codes))} (pass unknown='drop' to leave them out)"
        )
    direct = d[d[region].isin(keep_as_is)].dropna(subset=[value]).assign(coverage=1.0)

    conv = d[d[region].isin(codes[in_table])].merge(table, left_on=region, right_on="from_code")
    present = conv[value].notna()
    factor = conv["share_of_from"] if kind == "extensive" else conv["weight"]
    conv["_num"] = (conv[value] * factor).where(present, 0.0)
    conv["_w"] = conv["weight"].where(present, 0.0)
    conv["_cov"] = conv["share_of_to"].where(present, 0.0)
    g = conv.groupby([*key_cols, "to_code"], dropna=False, sort=False)
    agg = g[["_num", "_w", "_cov"]].sum().reset_index()
    if kind == "intensive":
        agg["_num"] = agg["_num"] / agg["_w"].where(agg["_w"] > 0, np.nan)
    agg["coverage"] = agg["_cov"].clip(upper=1.0)
    tol = 1e-9
    incomplete = agg[agg["coverage"] < min_coverage - tol]
    agg = agg[agg["coverage"] >= min_coverage - tol]
    converted = agg.rename(columns={"to_code": region, "_num": value})[
        [*key_cols, region, value, "coverage"]
    ]
    clash = converted.merge(direct[[*key_cols, region]], on=[*key_cols, region])
    if len(clash):
        regs = clash[region].unique()
        raise ValidationError(
            f"harmonise_to_2021: region(s) both converted and given directly: {_listing(regs, len(regs))}"
        )
    out = pd.concat([converted, direct[[*key_cols, region, value, "coverage"]]], ignore_index=True)
    out = out.sort_values([*key_cols, region], ignore_index=True)
    out.attrs.update(
        from_version=str(from_version),
        weight=table.attrs["weight"],
        kind=kind,
        unknown=unknown_codes,
        kept_unchanged=sorted(keep_as_is),
        incomplete=incomplete.rename(columns={"to_code": region})[
            [*key_cols, region, "coverage"]
        ].reset_index(drop=True),
    )
    return out
