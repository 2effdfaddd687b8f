"""The data doctor: runs the checks of :mod:`workbench.quality.checks` on knowledge-base datasets.

* after every import, inside the import's transaction (:func:`check_after_import`): findings are
  stored in ``data_checks`` as part of the dataset's provenance and shown in every report using it;
* on demand (``workbench check --kb`` / ``workbench check FILE``): :func:`check_kb`, :func:`check_file`
  (a file is imported into a temporary knowledge base first: the real import path, nothing changed).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.config import load_defaults
from workbench.quality import checks as C
from workbench.quality.checks import Finding

_CORE_OBS = {"dataset_id", "region", "period", "value", "flag"}


@dataclass
class DoctorReport:
    """Findings of one doctor run and a per-dataset summary."""

    findings: list[Finding]
    summary: pd.DataFrame  # dataset_id, title, rows, warnings, infos, flagged_rows, flagged_share
    seconds: float = 0.0
    source: str = ""
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)

    def table(self) -> pd.DataFrame:
        """One row per finding (what the CSV holds)."""
        return pd.DataFrame(
            [{"dataset_id": f.dataset_id, "check": f.check, "severity": f.severity,
              "rows": f.n_rows, "share": f.share, "message": f.message} for f in self.findings],
            columns=["dataset_id", "check", "severity", "rows", "share", "message"],
        )  # fmt: skip

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


@cache
def _matrix_versions(folder: str) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for name in ("n2_cm_v2013_v2021.csv", "n2_cm_v2016_v2021.csv"):
        path = Path(folder) / name
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, usecols=[0, 1])
        for col in frame.columns:
            version = col.rsplit("v", 1)[-1]
            out.setdefault(version, set()).update(frame[col].dropna())
    return {k: frozenset(v) for k, v in out.items()}


def nuts_versions(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """NUTS version -> codes: the ``regions`` table plus the JRC conversion matrices when present."""
    from workbench.config import real_data_dir

    versions: dict[str, set[str]] = {
        k: set(v) for k, v in _matrix_versions(str(real_data_dir() / "classifications")).items()
    }
    for code, version in con.execute("SELECT code, nuts_version FROM regions").fetchall():
        versions.setdefault(str(version), set()).add(code)
    return {k: frozenset(v) for k, v in versions.items() if v}


def _rates() -> dict[str, float]:

    return {k: float(v) for k, v in load_defaults("policy")["eur_rates"].items()}


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def _action_findings(
    con: duckdb.DuckDBPyConnection, dataset_id: str, notes: dict[str, Any], conf: dict[str, Any],
    versions: dict[str, frozenset[str]],
) -> list[Finding]:  # fmt: skip
    actions = _df(con, "SELECT * FROM policy_actions WHERE dataset_id = ?", [dataset_id])
    if actions.empty:
        return []
    locations = _df(con, "SELECT * FROM operation_locations WHERE dataset_id = ?", [dataset_id])
    dups = _df(con, "SELECT * FROM import_issues WHERE dataset_id = ? AND rule LIKE 'duplicate row%'",
               [dataset_id])  # fmt: skip
    file_rows = int((notes.get("operations") or {}).get("rows") or len(actions))
    rates = _rates()
    out = C.repeated_operations(dataset_id, actions, locations, file_rows)
    out += C.duplicate_rows(dataset_id, actions, dups, file_rows)
    cur = conf["currency_labels"]
    out += C.currency_labels(dataset_id, actions, rates, min_rows=int(cur["min_rows_per_currency"]),
                             max_ratio=float(cur["max_median_ratio"]))  # fmt: skip
    out += C.amount_outliers(dataset_id, actions, rates, threshold=float(conf["outliers"]["modified_z"]),
                             min_rows=int(conf["outliers"]["min_rows"]))  # fmt: skip
    out += C.action_coverage(
        dataset_id, actions, warn_share=float(conf["coverage"]["warn_missing_share"])
    )
    codes = (
        set(actions["region"].dropna()) | set(locations["region"].dropna())
        if len(locations)
        else set(actions["region"].dropna())
    )
    declared = set(actions["nuts_version"].dropna()) if "nuts_version" in actions else set()
    if len(declared) == 1 and not declared <= set(versions):
        # one declared version the version tables do not hold (the Greek list: NUTS 2010): its codes
        # cannot be told apart from a mix, and the importer says which version they are
        return out
    out += C.mixed_nuts_versions(dataset_id, codes, versions, len(actions))
    return out


def _observation_findings(
    con: duckdb.DuckDBPyConnection, dataset_id: str, n_obs: int, dims: list[str],
    conf: dict[str, Any], versions: dict[str, frozenset[str]], span: _Span | None = None,
    grid: SeriesGrid | None = None,
) -> list[Finding]:  # fmt: skip
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'observations'").fetchall()}  # fmt: skip
    series_cols = [d for d in dims if d in columns and d not in _CORE_OBS]
    if span is not None:  # stored by series only: the same checks without the view
        fast = _series_observation_findings(
            con, dataset_id, span, n_obs, series_cols, conf, versions, grid
        )
        if fast is not None:
            return fast
    flags = _df(con, "SELECT flag, count(*) AS n FROM observations WHERE dataset_id = ? "
                "AND flag IS NOT NULL AND trim(flag) <> '' GROUP BY flag", [dataset_id])  # fmt: skip
    fv = conf["flagged_values"]
    out = C.flagged_values(dataset_id, flags, n_obs, warn_flags=fv["warn_flags"],
                           warn_share=float(fv["warn_share"]))  # fmt: skip
    cells = _df(con, "SELECT DISTINCT region, period FROM observations WHERE dataset_id = ? "
                "AND value IS NOT NULL AND length(region) = 4", [dataset_id])  # fmt: skip
    out += C.observation_coverage(
        dataset_id, cells, warn_share=float(conf["coverage"]["warn_missing_share"])
    )
    series = (
        "concat_ws(' ', " + ", ".join(f'"{c}"' for c in series_cols) + ")" if series_cols else "''"
    )
    z = float(conf["outliers"]["modified_z"])
    changes = _df(con, f"""
        WITH o AS (SELECT region, {series} AS series, period, value FROM observations
                   WHERE dataset_id = ? AND value > 0 AND NOT ends_with(region, 'Z')),
        c AS (SELECT *, lag(value) OVER (PARTITION BY region, series ORDER BY period) AS previous FROM o),
        d AS (SELECT *, ln(value / previous) AS d FROM c WHERE previous > 0),
        m AS (SELECT median(d) AS med FROM d),
        s AS (SELECT med, median(abs(d - med)) AS mad FROM d, m GROUP BY med)
        SELECT region, series, period, value, previous, d, (SELECT count(*) FROM d) AS n_changes,
               0.6745 * (d - med) / mad AS modified_z
        FROM d, s WHERE mad > 0 AND abs(0.6745 * (d - med) / mad) > ?
        ORDER BY abs(modified_z) DESC, region, series, period LIMIT 500""", [dataset_id, z])  # fmt: skip
    out += _change_finding(dataset_id, changes, n_obs, z)
    codes = [r[0] for r in con.execute(
        "SELECT DISTINCT region FROM observations WHERE dataset_id = ?", [dataset_id]).fetchall()]  # fmt: skip
    out += C.mixed_nuts_versions(dataset_id, codes, versions, n_obs)
    return out


def _change_finding(dataset_id: str, changes: pd.DataFrame, n_obs: int, z: float) -> list[Finding]:
    """The observation outlier finding from the (at most 500) largest scored changes."""
    if not len(changes):
        return []
    n_changes = int(changes["n_changes"].iloc[0])
    # largest first, equal scores by region, series and period (e.g. Ireland's MIO_EUR and MIO_NAC
    # hold the same values: the storage order must not decide which one the message names)
    order = changes.assign(_abs=changes["modified_z"].abs()).sort_values(
        ["_abs", "region", "series", "period"],
        ascending=[False, True, True, True],
        kind="mergesort",
    )
    changes = order.drop(columns="_abs").reset_index(drop=True)
    top = changes.iloc[0]
    msg = (f"{len(changes):,}{'+' if len(changes) == 500 else ''} of {n_changes:,} year-on-year "
           f"changes are unusually large (modified z-score above {z:g}); largest: {top['region']} "
           f"{top['series']} {top['previous']:g} -> {top['value']:g} in {top['period']}.")  # fmt: skip
    return [Finding(dataset_id, "outliers", "info", msg, len(changes), len(changes) / n_obs,
                    changes.drop(columns=["d", "n_changes"]))]  # fmt: skip


@dataclass
class _Span:
    """A dataset stored by series whose series ids are exactly ``lo..hi`` (one import's range)."""

    lo: int
    hi: int


@dataclass
class SeriesGrid:
    """The cells an importer just stored by series, handed to :func:`check_after_import` so that
    the doctor need not read them back from ``observation_values``.

    ``lo..hi``: the dataset's series ids (new ones, taken by this import only); ``values``: one
    row per period (``periods``, sorted), one column per series in id order, ``-inf`` where the
    cell has no value (``:``), every cell present; ``flags``: ``flag``, ``n`` of the cells with a
    flag.
    """

    lo: int
    hi: int
    periods: list[str]
    values: np.ndarray
    flags: pd.DataFrame
    # :func:`grid_checks` of this grid, possibly still running in another thread (the importer
    # starts it before its INSERTs); None: the doctor runs them itself
    checks: Future[GridChecks] | None = field(default=None, repr=False, compare=False)


@dataclass
class GridPrep:
    """The parts of the observation checks that need only a :class:`SeriesGrid`'s ``values``
    (no connection, no series metadata): see :func:`prepare_grid`."""

    n_present: int  # cells on the grid (not NaN)
    filled: np.ndarray  # value IS NOT NULL (finite)
    last: np.ndarray  # each series' last positive value up to each period (NaN: none)
    pairs: np.ndarray  # period j + 1 positive with an earlier positive value (all series)
    present: np.ndarray  # series with at least one cell


def prepare_grid(grid: np.ndarray) -> GridPrep:
    """The connection-free work on a period x series grid (pure numpy, safe in another thread).

    ``last`` and ``pairs`` are over all series; the caller masks the series it scores (a series'
    ``last`` depends on its own column only, so masking afterwards gives the same pairs).
    """
    n_per = grid.shape[0]
    has_row = ~np.isnan(grid)
    n_present = int(np.count_nonzero(has_row))
    present = has_row.any(axis=0)
    del has_row
    filled = np.isfinite(grid)
    positive = grid > 0
    last = np.empty_like(grid)
    if n_per:
        last[0] = np.where(positive[0], grid[0], np.nan)
    for j in range(1, n_per):
        last[j] = last[j - 1]
        np.copyto(last[j], grid[j], where=positive[j])
    pairs = positive[1:]
    pairs &= last[:-1] > 0
    return GridPrep(n_present, filled, last, pairs, present)


def _series_span(con: duckdb.DuckDBPyConnection, dataset_id: str) -> _Span | None:
    """The dataset's series id range when no other series shares it, else None."""
    n, distinct, lo, hi = con.execute(
        "SELECT count(*), count(DISTINCT series_id), min(series_id), max(series_id) "
        "FROM observation_series WHERE dataset_id = ?", [dataset_id]).fetchone()  # fmt: skip
    if not n or distinct != n or hi - lo + 1 != n:
        return None
    (shared,) = con.execute(
        "SELECT count(*) FROM observation_series WHERE series_id BETWEEN ? AND ?", [lo, hi]
    ).fetchone()
    return _Span(int(lo), int(hi)) if shared == n else None


def _arrow(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> pa.Table:
    """A query's result as an Arrow table (DuckDB's fastest bulk export)."""
    con.execute("SELECT 1").fetchall()  # a DB-API result left unfinished would block con.sql
    return con.sql(sql, params=params).to_arrow_table()


def _quantile_median(values: np.ndarray) -> float:
    """DuckDB's ``median`` (quantile_cont 0.5): lo + (hi - lo) * (RN - FRN), RN = (n - 1) / 2."""
    rn = (len(values) - 1) * 0.5
    frn, crn = math.floor(rn), math.ceil(rn)
    lo, hi = _order_statistics(values, frn, crn)
    return lo if frn == crn else lo + (hi - lo) * (rn - frn)


def _order_statistics(values: np.ndarray, first: int, last: int) -> tuple[float, float]:
    """The ``first``-th and ``last``-th smallest of ``values`` (0-based, first <= last, no NaN),
    exactly as a full ``np.partition`` gives them, at a third of its CPU on millions of values.

    Selection by sampling (Floyd & Rivest 1975): a strided sample of about 20,000 values brackets
    the wanted ranks by [a, b]; one pass counts the values below a and keeps those in [a, b] (about
    1 % of them), which are then partitioned.  When the counts show that the bracket misses a rank
    (never seen on real data), the whole array is partitioned instead.
    """
    n = len(values)
    if n < 200_000:
        part = np.partition(values, [first, last])
        return float(part[first]), float(part[last])
    step = n // 20_000
    sample = np.sort(values[::step])
    m = len(sample)
    margin = 4 * math.isqrt(m)  # about 8 standard deviations of a sample rank
    a = sample[max(0, first * m // n - margin)]
    b = sample[min(m - 1, last * m // n + margin)]
    below = int(np.count_nonzero(values < a))
    middle = values[(values >= a) & (values <= b)]
    if below <= first and below + len(middle) > last:
        part = np.partition(middle, [first - below, last - below])
        return float(part[first - below]), float(part[last - below])
    part = np.partition(values, [first, last])
    return float(part[first]), float(part[last])


@dataclass
class GridChecks:
    """What the observation checks find from a :class:`SeriesGrid` alone (see :func:`grid_checks`):
    everything but the series keys of the largest changes and the NUTS version check."""

    dataset_id: str
    conf: dict[str, Any]
    region: np.ndarray  # each series' region (object, None: none), in series id order
    prep: GridPrep
    findings: list[Finding]  # flagged values, coverage
    # the (at most 500) largest scored changes; ``row``: the series' column on the grid
    changes: pd.DataFrame
    codes: list[str]  # region codes of the series with cells


def _by_region(region: np.ndarray) -> tuple[np.ndarray, list[Any], np.ndarray, np.ndarray]:
    """``region`` factorised (-1: no region), and per series: scored (a region not ending in 'Z',
    the view's ``NOT ends_with(region, 'Z')``) and a NUTS 2 cell (four characters)."""
    region_ix, names = pd.factorize(region)  # -1: no region
    names = list(names)
    scored = np.array([not str(n).endswith("Z") for n in names] + [False])
    cell = np.array([len(str(n)) == 4 for n in names] + [False])
    return region_ix, names, scored[region_ix], cell[region_ix]  # index -1: the appended False


def _ln(q: np.ndarray) -> np.ndarray:
    """``ln(q)`` in place of DuckDB's ``ln`` in the view query's ``ln(value / previous)``.

    numpy's log, in place: half the CPU of a round trip through DuckDB (4.5 M ratios, as in the
    import benchmark: about 0.07 against 0.17 CPU-s).  On this machine (AVX2, glibc) none of 4.5 M
    values differs from DuckDB's.  A last-bit difference on
    another CPU could move a modified z in its 16th digit: findings are reported rounded, and the
    test comparing this path with the view queries guards it.
    """
    return np.log(q, out=q)


def grid_checks(
    dataset_id: str,
    periods: list[str],
    grid: np.ndarray,
    counts: pd.DataFrame,
    region: np.ndarray,
    conf: dict[str, Any],
) -> GridChecks:
    """The observation checks on a period x series grid (pure: no knowledge base; safe in another
    thread), the same as the ``observations`` view queries of :func:`_observation_findings`:

    * flagged values: ``counts`` (flag, n) against the cells on the grid;
    * coverage: NUTS 2 region x period cells with a value;
    * outliers: consecutive positive values of a scored series in period order,
      d = ln(value / previous), modified z = 0.6745 (d - median d) / MAD (Iglewicz & Hoaglin 1993);
    * the region codes of the series with cells (for the NUTS version check).
    """
    prep = prepare_grid(grid)
    n_obs = prep.n_present
    n_series = grid.shape[1]
    region_ix, region_names, is_scored, is_cell = _by_region(region)
    flags = counts.loc[counts["flag"].notna(), ["flag", "n"]].reset_index(drop=True)
    fv = conf["flagged_values"]
    out = C.flagged_values(dataset_id, flags, n_obs, warn_flags=fv["warn_flags"],
                           warn_share=float(fv["warn_share"]))  # fmt: skip
    # coverage: region x period cells with a value, NUTS 2 codes (four characters)
    in_cells = np.flatnonzero(is_cell)
    order = in_cells[np.argsort(region_ix[in_cells], kind="stable")]
    cells = pd.DataFrame({"region": pd.Series(dtype=object), "period": pd.Series(dtype=object)})
    if len(order):
        regs = region_ix[order]
        starts = np.flatnonzero(np.r_[True, regs[1:] != regs[:-1]])
        seen = np.logical_or.reduceat(prep.filled[:, order], starts, axis=1)  # period x region
        r_ix, p_ix = np.nonzero(seen.T)
        cells = pd.DataFrame({"region": [region_names[regs[starts[i]]] for i in r_ix],
                              "period": [periods[i] for i in p_ix]})  # fmt: skip
    out += C.observation_coverage(
        dataset_id, cells, warn_share=float(conf["coverage"]["warn_missing_share"])
    )
    # outliers: consecutive positive values of a series in period order, d = ln(value / previous)
    z = float(conf["outliers"]["modified_z"])
    last = prep.last  # each series' last positive value up to each period (NaN: none)
    # period j (from the second) has a value and an earlier one, in a scored series
    has_pair = prep.pairs & is_scored
    with np.errstate(invalid="ignore", divide="ignore"):
        q = (grid[1:] / last[:-1])[has_pair]  # period-major order
    changes = pd.DataFrame()
    if len(q):
        d = _ln(q)  # in place: q is d now
        med = _quantile_median(d)
        deviation = np.abs(d - med)
        mad = _quantile_median(deviation)
        if mad > 0:  # |0.6745 * (d - med) / mad| = 0.6745 * |d - med| / mad, exactly
            deviation *= 0.6745
            deviation /= mad
            hit = np.flatnonzero(deviation > z)
            # where each pair is: period j - 1 (of the pair's second value j) and series row
            where = np.flatnonzero(has_pair)[hit]
            col, rows = where // n_series + 1, where % n_series
            # largest first; ties in series, then period order
            first = np.lexsort((col, rows, -deviation[hit]))[:500]
            hit, col, rows = hit[first], col[first], rows[first]
            changes = pd.DataFrame({
                "region": [region_names[region_ix[r]] for r in rows],
                "row": rows,
                "period": [periods[c] for c in col],
                "value": grid[col, rows], "previous": last[col - 1, rows],
                "d": d[hit], "n_changes": np.full(len(hit), len(d), dtype=np.int64),
                "modified_z": 0.6745 * (d[hit] - med) / mad,
            })  # fmt: skip
    codes = [region_names[i] for i in np.unique(region_ix[prep.present]) if i >= 0]
    return GridChecks(dataset_id, conf, region, prep, out, changes, codes)


def start_grid_checks(
    dataset_id: str, grid: SeriesGrid, region: np.ndarray, conf: dict[str, Any]
) -> None:
    """Run :func:`grid_checks` of an importer's ``grid`` in another thread (``grid.checks``), while
    the importer inserts; ``region``: what it writes as each series' region.  The thread also reads
    the NUTS conversion tables (:func:`nuts_versions`) if this process has not yet.  Errors surface
    where the doctor awaits the result (inside the import's transaction, so it rolls back)."""
    from workbench.config import real_data_dir

    def work() -> GridChecks:
        checks = grid_checks(dataset_id, grid.periods, grid.values, grid.flags, region, conf)
        _matrix_versions(str(real_data_dir() / "classifications"))
        return checks

    pool = ThreadPoolExecutor(1, thread_name_prefix="doctor-grid")
    grid.checks = pool.submit(work)
    pool.shutdown(wait=False)  # the thread ends with its one task; the doctor awaits it


def _series_observation_findings(
    con: duckdb.DuckDBPyConnection, dataset_id: str, span: _Span, n_obs: int,
    series_cols: list[str], conf: dict[str, Any], versions: dict[str, frozenset[str]],
    given: SeriesGrid | None = None,
) -> list[Finding] | None:  # fmt: skip
    """The observation checks of a series-stored dataset: the same findings as the queries on the
    ``observations`` view, from one scan of its ``observation_values`` id range (no strings per cell,
    no window function: values are laid out on a period x series grid, see :func:`grid_checks`).

    None when the data holds something this path does not reproduce exactly (two series with the
    same region and key, a period twice in a series, NaN or infinite values): the caller then runs
    the view queries.  ``given``: the same grid from the importer (no read-back), its checks
    possibly already run in the importer's thread.
    """
    lo, hi = span.lo, span.hi
    n_series = hi - lo + 1
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'observation_series'"
    ).fetchall()}  # fmt: skip
    # a dimension the series table lacks is NULL in the view, which concat_ws leaves out
    cols = [c for c in series_cols if c in have]
    series = "concat_ws(' ', " + ", ".join(f'"{c}"' for c in cols) + ")" if cols else "''"
    scored = "(region IS NOT NULL AND NOT ends_with(region, 'Z'))"
    # distinct hashes: distinct keys (a hash collision only sends the check to the view queries)
    n_scored, n_keys = con.execute(
        f"SELECT count(*) FILTER (WHERE {scored}), count(DISTINCT hash(region, {series})) "
        f"FILTER (WHERE {scored}) FROM observation_series WHERE dataset_id = ?", [dataset_id]
    ).fetchone()  # fmt: skip
    if n_scored != n_keys:  # the view partitions by (region, key): it would join two series
        return None

    def region() -> np.ndarray:  # each series' region, in id order
        return np.asarray(con.execute(
            "SELECT region FROM observation_series WHERE dataset_id = ? ORDER BY series_id",
            [dataset_id]).fetchnumpy()["region"], dtype=object)  # fmt: skip

    checks: GridChecks | None = None
    if given is not None:
        if given.values.shape != (len(given.periods), n_series):
            return None  # not the grid of this span
        if given.checks is not None:  # run by the importer's thread while it inserted
            checks = given.checks.result()  # (its regions: those it wrote, as its values)
            if (checks.dataset_id, checks.conf, len(checks.region)) != (dataset_id, conf, n_series):
                checks = None  # not for this dataset, rules or series: run them again
        if checks is None:
            checks = grid_checks(
                dataset_id, given.periods, given.values, given.flags, region(), conf
            )
    else:
        # (period, id) sorted by the period's text: DuckDB orders VARCHAR by bytes, as Python
        known = sorted(con.execute(
            "SELECT p.period, p.period_id FROM observation_periods p WHERE p.period_id IN "
            "(SELECT DISTINCT period_id FROM observation_values WHERE series_id BETWEEN ? AND ?)",
            [lo, hi]).fetchall())  # fmt: skip
        periods = [p for p, _ in known]
        n_per = len(periods)
        counts = _df(con, "SELECT CASE WHEN flag IS NOT NULL AND trim(flag) <> '' THEN flag END "
                     "AS flag, count(*) AS n, count(*) FILTER (WHERE NOT isfinite(value)) AS odd "
                     "FROM observation_values WHERE series_id BETWEEN ? AND ? GROUP BY 1", [lo, hi])  # fmt: skip
        if counts["odd"].sum() or n_series * n_per > max(4 * n_obs, 2**20):
            return None  # NaN/inf (DuckDB orders NaN above all numbers), or too sparse for a grid
        got = _arrow(  # a cell without a value (':') is -inf on the grid, no cell at all NaN
            con, "SELECT (list_position($p, period_id) - 1)::BIGINT * $n + (series_id - $lo) AS cell, "
            "coalesce(value, '-inf'::DOUBLE) AS value "
            "FROM observation_values WHERE series_id BETWEEN $lo AND $hi",
            {"lo": lo, "hi": hi, "n": n_series, "p": [i for _, i in known]},
        )  # fmt: skip
        # row = period (sorted), column = series (in id order)
        grid = np.full((n_per, n_series), np.nan)
        grid.ravel()[got.column("cell").to_numpy()] = got.column("value").to_numpy()
        del got
        checks = grid_checks(dataset_id, periods, grid, counts, region(), conf)
    if checks.prep.n_present != n_obs:
        return None  # a period twice in a series: lag() would take either value
    out = list(checks.findings)
    changes = checks.changes
    if len(changes):  # the series keys of the (at most 500) largest changes
        ids = (changes["row"].to_numpy() + lo).tolist()
        keys = dict(con.execute(
            f"SELECT series_id, {series} FROM observation_series WHERE dataset_id = ? "
            "AND series_id IN (SELECT unnest(?))", [dataset_id, sorted(set(ids))]).fetchall())  # fmt: skip
        changes = changes.drop(columns="row")
        changes.insert(1, "series", [keys[i] for i in ids])
    out += _change_finding(dataset_id, changes, n_obs, float(conf["outliers"]["modified_z"]))
    out += C.mixed_nuts_versions(dataset_id, checks.codes, versions, n_obs)
    return out


def check_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    *,
    versions: dict[str, frozenset[str]] | None = None,
    conf: dict[str, Any] | None = None,
    grid: SeriesGrid | None = None,
) -> list[Finding]:
    """All checks that apply to one dataset (policy actions and/or observations).

    ``grid``: the cells an importer has just stored by series (:class:`SeriesGrid`), used instead
    of reading them back; the findings are the same.
    """
    conf = conf or load_defaults("quality")
    versions = nuts_versions(con) if versions is None else versions
    row = con.execute(
        "SELECT notes, dimensions FROM datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchone()
    try:
        notes = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        notes = {}
    notes = notes if isinstance(notes, dict) else {}
    findings = _action_findings(con, dataset_id, notes, conf, versions)
    (n_rows,) = con.execute(
        "SELECT count(*) FROM observation_rows WHERE dataset_id = ?", [dataset_id]
    ).fetchone()
    span = None if n_rows else _series_span(con, dataset_id)
    if span is None or grid is None or (grid.lo, grid.hi) != (span.lo, span.hi):
        grid = None  # not (only) the cells the importer handed over: read them back
    if span is not None:  # only in the series storage, one id range: count its cells directly
        counted = con.execute(
            "SELECT count(*) FROM observation_values WHERE series_id BETWEEN ? AND ?",
            [span.lo, span.hi],
        ).fetchone()
    else:
        counted = con.execute(
            "SELECT count(*) FROM observations WHERE dataset_id = ?", [dataset_id]
        ).fetchone()
    n_obs = int(counted[0]) if counted else 0
    if grid is not None and grid.values.size != n_obs:
        grid = None
    if n_obs:
        dims = list(row[1] or []) if row else []
        findings += _observation_findings(
            con, dataset_id, int(n_obs), dims, conf, versions, span, grid
        )
    return findings


def record(con: duckdb.DuckDBPyConnection, dataset_id: str, findings: Iterable[Finding]) -> None:
    """Replace the stored findings of a dataset (``data_checks``)."""
    con.execute("DELETE FROM data_checks WHERE dataset_id = ?", [dataset_id])
    rows = [(f.dataset_id, f.check, f.severity, f.message, int(f.n_rows), f.share,
             json.dumps(f.details, default=str)) for f in findings]  # fmt: skip
    if rows:
        con.executemany(
            "INSERT INTO data_checks (dataset_id, check_name, severity, message, n_rows, share, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def check_after_import(
    con: duckdb.DuckDBPyConnection, dataset_id: str, grid: SeriesGrid | None = None
) -> list[Finding]:
    """Run the checks on a just-imported dataset and store them; return the warnings.

    ``grid``: the importer's cells stored by series (:class:`SeriesGrid`), if it has them.
    """
    findings = check_dataset(con, dataset_id, grid=grid)
    record(con, dataset_id, findings)
    return [f for f in findings if f.severity == "warning"]


def _summary(
    con: duckdb.DuckDBPyConnection, ids: list[str], findings: list[Finding]
) -> pd.DataFrame:
    meta = _df(
        con,
        "SELECT dataset_id, title, rows, synthetic FROM datasets WHERE list_contains(?, dataset_id)",
        [ids],
    )
    rows = []
    for d in meta.to_dict("records"):
        fs = [f for f in findings if f.dataset_id == d["dataset_id"]]
        keys: set[str] = (
            set().union(*(f.keys for f in fs if f.severity == "warning")) if fs else set()
        )
        n = int(d["rows"] or 0)
        # warnings about values without row ids (observations): their row counts, at most all rows
        unkeyed = sum(f.n_rows for f in fs if f.severity == "warning" and not f.keys
                      and f.check != "mixed_nuts_versions")  # fmt: skip
        flagged = min(n, len(keys) + unkeyed)
        rows.append({"dataset_id": d["dataset_id"], "title": d["title"], "rows": n,
                     "synthetic": bool(d["synthetic"]),
                     "warnings": sum(f.severity == "warning" for f in fs),
                     "infos": sum(f.severity == "info" for f in fs),
                     "flagged_rows": flagged, "flagged_share": flagged / n if n else None})  # fmt: skip
    return pd.DataFrame(rows, columns=["dataset_id", "title", "rows", "synthetic", "warnings", "infos",
                                       "flagged_rows", "flagged_share"])  # fmt: skip


def check_kb(
    db: str | os.PathLike[str] | None = None, datasets: Sequence[str] | None = None
) -> DoctorReport:
    """Check every dataset of the knowledge base (or ``datasets``) without changing anything."""
    from workbench.kb import reader

    t0 = time.perf_counter()
    with reader(db) as con:
        ids = [
            r[0]
            for r in con.execute("SELECT dataset_id FROM datasets ORDER BY dataset_id").fetchall()
        ]
        if datasets:
            ids = [i for i in ids if i in set(datasets)]
        conf, versions = load_defaults("quality"), nuts_versions(con)
        findings: list[Finding] = []
        for i in ids:
            findings += check_dataset(con, i, versions=versions, conf=conf)
        summary = _summary(con, ids, findings)
        corrections = _df(con, "SELECT dataset_id, correction_file, correction_id, changes, n_rows, reason "
                          "FROM data_corrections ORDER BY dataset_id")  # fmt: skip
    from workbench.config import db_path

    return DoctorReport(findings, summary, time.perf_counter() - t0, f"knowledge base {db_path(db)}",
                        corrections)  # fmt: skip


def check_file(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    encoding: str | None = None,
    corrections: str | os.PathLike[str] | None = None,
) -> DoctorReport:
    """Check one file: imported into a temporary knowledge base (the real import), then checked."""
    from workbench.importers import import_file

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wb-check-") as tmp:
        db = Path(tmp) / "check.duckdb"
        result = import_file(path, kind=kind, encoding=encoding, db=db, corrections=corrections)
        report = check_kb(db, [result.dataset_id])
    report.seconds = time.perf_counter() - t0
    report.source = f"file {Path(path).name}"
    return report
