"""Loaders: region x sector panels and structural indicators from the knowledge base.

Everything is read through :func:`workbench.kb.query` (short read-only connections).  The
``observations`` table has columns dataset_id, region, period, value, flag and one column per
dataset dimension (unit, nace_r2, age, ...).  ``filters`` pick one value of each extra dimension; a
dimension left with several values is an error (it would double-count), not a silent sum.
Which datasets a report uses is data: the ``sources`` section of ``evidence.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence.matrix import _listing
from workbench.evidence.nuts import harmonise_to_2021
from workbench.kb import names, query

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BASE_COLUMNS = ("dataset_id", "region", "period", "value", "flag")


def source_config(source: str) -> dict[str, Any]:
    """The named source set of ``evidence.yml`` (``demo``, ``eurostat``)."""
    sources = load_defaults("evidence")["sources"]
    if source not in sources:
        raise ValidationError(
            f"unknown data source {source!r}; evidence.yml defines {sorted(sources)}"
        )
    return sources[source]


def preferred_employment(cfg: Mapping[str, Any], available: Sequence[str]) -> dict[str, Any] | None:
    """The first ``employment_preferred`` entry of a source whose dataset is in the knowledge base.

    Lets the S3 profile use employment by NACE division (Eurostat SBS ``sbs_r_nuts06_r2``) when the
    user imported it, and the source's default employment (LFS sector groups) otherwise.
    """
    for candidate in cfg.get("employment_preferred") or []:
        if candidate["dataset_id"] in available:
            return dict(candidate)
    return None


def available_datasets(db: str | None = None) -> list[str]:
    """Dataset ids present in the knowledge base."""
    return query("SELECT dataset_id FROM datasets ORDER BY 1", db=db)["dataset_id"].tolist()


def _observation_columns(db: str | None) -> list[str]:
    return query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'observations'",
        db=db,
    )["column_name"].tolist()


def observations(
    dataset_id: str, *, filters: Mapping[str, str] | None = None, db: str | None = None
) -> pd.DataFrame:
    """Rows of one dataset: region, period, value, flag and its dimension columns, filtered.

    Unknown dataset ids and filter columns raise :class:`ValidationError`.
    """
    known = available_datasets(db)
    if dataset_id not in known:
        raise ValidationError(
            f"dataset {dataset_id!r} is not in the knowledge base; available: {_listing(known, len(known))}"
        )
    cols = _observation_columns(db)
    dims = query("SELECT dimensions FROM datasets WHERE dataset_id = ?", [dataset_id], db=db)[
        "dimensions"
    ].iat[0]
    dims = [
        d for d in (list(dims) if dims is not None else []) if d in cols and d not in BASE_COLUMNS
    ]
    where, params = ["dataset_id = ?"], [dataset_id]
    for col, val in (filters or {}).items():
        if not _IDENT.match(col) or col not in cols:
            raise ValidationError(
                f"filter column {col!r} is not a dimension of the observations table"
            )
        where.append(f'"{col}" = ?')
        params.append(str(val))
    select = ", ".join(["region", "period", "value", "flag", *[f'"{d}"' for d in dims]])
    out = query(f"SELECT {select} FROM observations WHERE {' AND '.join(where)}", params, db=db)
    if out.empty:
        raise ValidationError(
            f"dataset {dataset_id!r} has no rows for filters {dict(filters or {})}"
        )
    out.attrs["dimensions"] = dims
    return out


def _is_region(code: str, level: int, aggregates: Sequence[str]) -> bool:
    return len(code) == 2 + level and code[:2].isalpha() and code[:2] not in aggregates


def _check_unique(df: pd.DataFrame, keys: list[str], dims: list[str], dataset_id: str) -> None:
    if df.duplicated(keys).any():
        several = [d for d in dims if d in df.columns and d not in keys and df[d].nunique() > 1]
        detail = "; ".join(f"{d}: {sorted(df[d].dropna().unique())[:8]}" for d in several)
        raise ValidationError(
            f"dataset {dataset_id!r} has several rows per {', '.join(keys)}; choose one value with "
            f"filters for: {detail or 'unknown dimensions'}"
        )


def employment_panel(
    source: str = "demo",
    *,
    level: int = 2,
    db: str | None = None,
    spec: Mapping[str, Any] | None = None,
    nuts_from: str | None = None,
) -> pd.DataFrame:
    """Long table period, region, sector, value, flag of the source's employment dataset.

    NUTS ``level`` regions only (aggregates such as EU28 and sector totals such as TOTAL/NRP left
    out); converted to NUTS 2021 when the source says ``nuts_from`` (JRC matrices; codes the
    matrices do not know, e.g. NUTS 2010 SI01, are dropped and listed in ``attrs["unknown_regions"]``).
    ``spec`` (dataset_id, sector_column, filters) and ``nuts_from`` override the source's settings.
    Missing values stay NaN (``attrs["missing_cells"]`` counts them in the source data; after a NUTS
    conversion, new regions without full coverage are left out and counted in
    ``attrs["incomplete_after_conversion"]``); analysis functions decide how to treat them.
    """
    cfg: dict[str, Any] = (
        dict(source_config(source))
        if spec is None
        else {"employment": dict(spec), "nuts_from": nuts_from}
    )
    if spec is None and nuts_from is not None:
        cfg["nuts_from"] = nuts_from
    if spec is None and (preferred := preferred_employment(cfg, available_datasets(db))):
        cfg["employment"] = preferred  # e.g. NACE-division employment (SBS) when imported
        if nuts_from is None and "nuts_from" in preferred:
            cfg["nuts_from"] = preferred["nuts_from"]
    emp = cfg["employment"]
    agg_s = set(load_defaults("evidence")["aggregate_sectors"])
    agg_r = list(load_defaults("evidence")["aggregate_region_prefixes"])
    raw = observations(emp["dataset_id"], filters=emp.get("filters"), db=db)
    sector_col = emp.get("sector_column", "nace_r2")
    if sector_col not in raw.columns:
        raise ValidationError(f"dataset {emp['dataset_id']!r} has no sector column {sector_col!r}")
    raw = raw[~raw[sector_col].isin(agg_s)]
    if emp.get("sector_pattern"):
        raw = raw[raw[sector_col].astype(str).str.match(emp["sector_pattern"])]
    raw = raw[[_is_region(str(r), level, agg_r) for r in raw["region"]]]
    if raw.empty:
        raise ValidationError(f"dataset {emp['dataset_id']!r} has no NUTS {level} rows")
    long = raw.rename(columns={sector_col: "sector"})
    _check_unique(
        long, ["period", "region", "sector"], raw.attrs.get("dimensions", []), emp["dataset_id"]
    )
    long = long[["period", "region", "sector", "value", "flag"]].reset_index(drop=True)
    missing_cells = int(long["value"].isna().sum())
    unknown: list[str] = []
    incomplete = 0
    if cfg.get("nuts_from"):
        conv = harmonise_to_2021(
            long, str(cfg["nuts_from"]), keys=["period", "sector"], unknown="drop", level=level
        )
        unknown = list(conv.attrs["unknown"])
        incomplete = len(conv.attrs["incomplete"])
        long = conv[["period", "region", "sector", "value"]].assign(flag=None)
    long.attrs.update(
        dataset_id=emp["dataset_id"],
        source=source if spec is None else "custom",
        nuts_from=cfg.get("nuts_from"),
        unknown_regions=unknown,
        incomplete_after_conversion=incomplete,
        missing_cells=missing_cells,
    )
    return long


def matrix_for(panel: pd.DataFrame, period: str) -> pd.DataFrame:
    """Region x sector matrix of one period of an :func:`employment_panel` (NaN where missing)."""
    sel = panel[panel["period"] == str(period)]
    if sel.empty:
        periods = sorted(panel["period"].unique())
        raise ValidationError(f"no data for period {period!r}; periods are {periods}")
    m = sel.pivot(index="region", columns="sector", values="value")
    m.index.name, m.columns.name = "region", "sector"
    return m.astype(float)


def indicator_table(
    source: str = "demo", period: str | None = None, *, db: str | None = None, level: int = 2
) -> pd.DataFrame:
    """Region x indicator table (gdp_per_head, population_density, rd_intensity ...) for a period.

    For each indicator the latest period <= ``period`` present in the data is used (``attrs``
    records which); indicators whose dataset is not in the knowledge base are skipped and listed in
    ``attrs["missing_indicators"]``.
    """
    cfg = source_config(source)
    known = set(available_datasets(db))
    agg_r = list(load_defaults("evidence")["aggregate_region_prefixes"])
    cols: dict[str, pd.Series] = {}
    used: dict[str, dict[str, str]] = {}
    missing: list[str] = []
    for name, spec in (cfg.get("indicators") or {}).items():
        if spec["dataset_id"] not in known:
            missing.append(name)
            continue
        obs = observations(spec["dataset_id"], filters=spec.get("filters"), db=db)
        obs = obs[[_is_region(str(r), level, agg_r) for r in obs["region"]]].dropna(
            subset=["value"]
        )
        _check_unique(
            obs, ["period", "region"], obs.attrs.get("dimensions", []), spec["dataset_id"]
        )
        if cfg.get("nuts_from"):
            obs = harmonise_to_2021(
                obs[["period", "region", "value"]],
                str(cfg["nuts_from"]),
                keys=["period"],
                kind=spec.get("kind", "intensive"),
                unknown="drop",
                level=level,
            )
        periods = sorted(obs["period"].astype(str).unique())
        chosen = [p for p in periods if period is None or p <= str(period)]
        if not chosen:
            missing.append(name)
            continue
        p = chosen[-1]
        cols[name] = obs[obs["period"].astype(str) == p].set_index("region")["value"].astype(float)
        used[name] = {"dataset_id": spec["dataset_id"], "period": p}
    out = pd.DataFrame(cols)
    out.index.name = "region"
    out.attrs.update(used=used, missing_indicators=missing)
    return out


def sector_labels(db: str | None = None) -> dict[str, str]:
    """NACE code -> name (KB ``sectors`` table completed with the shipped NACE labels and aggregates)."""
    return names.sector_labels(db)


def region_names(db: str | None = None) -> dict[str, str]:
    """NUTS code -> Latin-script name (KB ``regions`` table over the shipped GISCO NUTS 2021 names)."""
    return names.region_names(db)
