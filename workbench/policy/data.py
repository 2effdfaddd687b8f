"""Knowledge-base loaders of the policy domain (the only place here that reads DuckDB).

Each returns a DataFrame ready for the pure functions in :mod:`workbench.policy.actions`,
:mod:`workbench.policy.barriers` and :mod:`workbench.policy.framework`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.kb import query
from workbench.policy.settings import DIMENSIONS

Db = str | os.PathLike[str] | None

_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


def parse_period(period: str | None) -> tuple[int, int] | None:
    """``'2014-2020' -> (2014, 2020)``, ``'2016' -> (2016, 2016)``, empty -> None (all years)."""
    if period is None or not str(period).strip():
        return None
    m = _PERIOD.match(str(period))
    if not m:
        raise ValidationError(f"period {period!r}: write YYYY or YYYY-YYYY, e.g. 2014-2020")
    lo, hi = int(m[1]), int(m[2] or m[1])
    if lo > hi:
        raise ValidationError(f"period {period!r}: the first year is after the last")
    return lo, hi


def _in(column: str, values: Iterable[str], params: list) -> str:
    vals = list(values)
    params.append(vals)
    return f"list_contains(?, {column})"


def load_actions(
    region: str | Iterable[str] | None = None,
    country: str | None = None,
    period: str | None = None,
    *,
    include_synthetic: bool = True,
    db: Db = None,
) -> pd.DataFrame:
    """Policy actions of a region (or regions) or a country, overlapping ``period`` (YYYY[-YYYY]).

    An action overlaps the period when its start..end years (or, without dates, its programming
    period) intersect it; actions with neither are left out when a period is given.
    """
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if region:
        wanted = [region] if isinstance(region, str) else list(region)
        # an operation stored once with locations in several regions belongs to each of them
        # (its amounts are shared by workbench.policy.locations.apportion)
        where.append(
            f"({_in('region', wanted, params)} OR action_id IN (SELECT action_id FROM"
            f" operation_locations WHERE {_in('region', wanted, params)}))"
        )
    if country:
        where.append("country = ?")
        params.append(country)
    if not include_synthetic:
        where.append("NOT synthetic")
    span = parse_period(period)
    if span:
        where.append(
            "coalesce(year(start_date), try_cast(substr(programming_period, 1, 4) AS INTEGER)) <= ?"
            " AND coalesce(year(end_date), year(start_date),"
            " try_cast(substr(programming_period, 6, 4) AS INTEGER)) >= ?"
        )
        params += [span[1], span[0]]
    sql = f"SELECT * FROM policy_actions WHERE {' AND '.join(where)} ORDER BY action_id"
    return query(sql, params, db=db)


def _load_register(
    table: str,
    id_column: str,
    regions: Iterable[str] | None,
    include_synthetic: bool,
    db: Db,
    extra: str | None = None,
) -> pd.DataFrame:
    """Rows of a per-region register table (``dimensions`` as Python lists)."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if regions is not None:
        where.append(_in("region", regions, params))
    if not include_synthetic:
        where.append("NOT synthetic")
    if extra:
        where.append(extra)
    df = query(
        f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY region, {id_column}",
        params,
        db=db,
    )
    df["dimensions"] = df["dimensions"].map(lambda d: list(d) if d is not None else [])
    return df


def load_barriers(
    regions: Iterable[str] | None = None, *, include_synthetic: bool = True, db: Db = None
) -> pd.DataFrame:
    """Barrier register rows (``dimensions`` as Python lists), newest version only: a barrier
    superseded by a dashboard edit (``supersedes``, migration 0070) is left out; the imported row
    stays in the table, unchanged, citing its file."""
    newest = "barrier_id NOT IN (SELECT supersedes FROM barriers WHERE supersedes IS NOT NULL)"
    return _load_register("barriers", "barrier_id", regions, include_synthetic, db, newest)


def load_instruments(
    regions: Iterable[str] | None = None, *, include_synthetic: bool = True, db: Db = None
) -> pd.DataFrame:
    """Instruments in force (current policy framework)."""
    return _load_register("policy_instruments", "instrument_id", regions, include_synthetic, db)


def load_import_issues(
    dataset_id: str | None = None, level: str | None = None, *, db: Db = None
) -> pd.DataFrame:
    """Rows of policy files that were not imported or not mapped (``import_issues``)."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if dataset_id:
        where.append("dataset_id = ?")
        params.append(dataset_id)
    if level:
        where.append("level = ?")
        params.append(level)
    return query(
        f'SELECT * FROM import_issues WHERE {" AND ".join(where)} ORDER BY dataset_id, "row"',
        params,
        db=db,
    )


def known_regions(db: Db = None) -> pd.DataFrame:
    """Regions named anywhere in the policy tables, with a name from ``regions`` when known."""
    return query(
        "WITH r AS (SELECT region FROM policy_actions UNION SELECT region FROM barriers"
        " UNION SELECT region FROM policy_instruments)"
        " SELECT r.region, any_value(g.name) AS name FROM r LEFT JOIN regions g ON g.code = r.region"
        " WHERE r.region IS NOT NULL GROUP BY r.region ORDER BY r.region",
        db=db,
    )


def load_strengths(regions: Iterable[str], *, db: Db = None) -> pd.DataFrame:
    """Dimension strengths of regions (region, dimension, specialised, indicator, value, threshold).

    Rules from ``policy.yml`` ``gaps``: for each ``strength_indicators`` entry, the region's latest
    value of observations with that unit is compared with the ``strength_quantile`` of all regions'
    latest values; specialisation = hosting at least ``min_clusters_for_specialisation`` clusters.
    """
    conf = load_defaults("policy")["gaps"]
    regions = list(regions)
    rows = []
    for dim, spec in (conf.get("strength_indicators") or {}).items():
        if dim not in DIMENSIONS:
            raise ValidationError(f"policy.yml gaps.strength_indicators: unknown dimension {dim!r}")
        latest = (
            query(
                "SELECT region, arg_max(value, period) AS value FROM observations"
                " WHERE unit = ? AND value IS NOT NULL GROUP BY region",
                [spec["unit"]],
                db=db,
            )
            if _has_column("observations", "unit", db)
            else pd.DataFrame(columns=["region", "value"])
        )
        if latest.empty:
            continue
        thr = float(latest["value"].quantile(float(conf["strength_quantile"])))
        for _, r in latest[latest["region"].isin(regions)].iterrows():
            rows.append({"region": r["region"], "dimension": dim, "specialised": bool(r["value"] >= thr),
                         "indicator": spec["unit"], "value": float(r["value"]), "threshold": thr})  # fmt: skip
    n_min = int(conf["min_clusters_for_specialisation"])
    clusters = query(
        "SELECT region, count(*) AS n FROM clusters WHERE list_contains(?, region) GROUP BY region",
        [regions],
        db=db,
    )
    counts = dict(zip(clusters["region"], clusters["n"], strict=True))
    for reg in regions:
        n = int(counts.get(reg, 0))
        rows.append({"region": reg, "dimension": "specialisation", "specialised": n >= n_min,
                     "indicator": "cluster organisations", "value": float(n), "threshold": float(n_min)})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["region", "dimension", "specialised", "indicator", "value", "threshold"]
    )


def _has_column(table: str, column: str, db: Db) -> bool:
    found = query(
        "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, column],
        db=db,
    )
    return bool(found["n"].iloc[0])


def dataset_ids(*frames: pd.DataFrame) -> list[str]:
    """Distinct ``dataset_id`` values of frames (for ``report.use_datasets``), in order of appearance."""
    out: list[str] = []
    for f in frames:
        if f is not None and "dataset_id" in f:
            for d in f["dataset_id"].dropna():
                if d not in out:
                    out.append(d)
    return out


def load_operation_locations(action_ids: Iterable[str], *, db: Db = None) -> pd.DataFrame:
    """Locations of operations (``operation_locations``: action_id, location_code, location_name, region)."""
    return query(
        "SELECT * FROM operation_locations WHERE list_contains(?, action_id) ORDER BY action_id, source_row",
        [list(action_ids)],
        db=db,
    )


def load_population(codes: Iterable[str], *, db: Db = None) -> dict[str, float]:
    """Latest population per region code (observations matching ``policy.yml operations.population``)."""
    conf = load_defaults("policy")["operations"]["population"]
    filters = {"unit": conf["unit"], **(conf.get("filters") or {})}
    cols = [c for c in filters if _has_column("observations", c, db)]
    if "unit" not in cols:
        return {}
    where = " AND ".join(f'"{c}" = ?' for c in cols)
    frame = query(
        f"SELECT region, arg_max(value, period) AS value FROM observations WHERE {where}"
        " AND value IS NOT NULL AND list_contains(?, region) GROUP BY region",
        [*(filters[c] for c in cols), list(codes)],
        db=db,
    )
    return dict(zip(frame["region"], frame["value"].astype(float), strict=True))


def load_data_quality(
    dataset_ids: Iterable[str], *, db: Db = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data doctor's stored findings and the applied corrections of datasets."""
    ids = list(dataset_ids)
    checks = query(
        "SELECT dataset_id, check_name, severity, message, n_rows FROM data_checks"
        " WHERE list_contains(?, dataset_id) ORDER BY dataset_id, severity DESC, check_name",
        [ids],
        db=db,
    )
    corrections = query(
        "SELECT dataset_id, correction_file, correction_id, changes, n_rows, reason FROM data_corrections"
        " WHERE list_contains(?, dataset_id) ORDER BY dataset_id, correction_id",
        [ids],
        db=db,
    )
    return checks, corrections
