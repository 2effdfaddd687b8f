"""Eurostat bulk-download TSV (``.tsv`` or ``.tsv.gz``), both header generations.

Layout (Eurostat "bulk download" / dissemination API ``format=TSV``)::

    unit,nace_r2,age,geo\\time<TAB>2015 <TAB>2014 ...        (before 2023: years descending)
    freq,unit,geo\\TIME_PERIOD<TAB>2000 <TAB>2001 ...         (since 2023: ascending)
    THS,A,Y15-24,AT<TAB>14.3 <TAB>5.2 u<TAB>: c ...

The first field holds the comma-separated dimension codes; every further field is one data cell,
``value[ flag]``, where ``value`` is a number or ``:`` (missing) and ``flag`` is a combination of
Eurostat's flag letters (b break, c confidential, d definition differs, e estimated, f forecast,
n not significant, p provisional, r revised, s Eurostat estimate, u low reliability, z not applicable).

Each data cell becomes exactly one row of the ``observations`` view: value (NULL for ``:``), flag as
published (``bu`` stays ``bu``), period from the header (trailing spaces removed), region from the
``geo`` dimension and one VARCHAR column per other dimension.  Stored by series (migration 0060):
each line's key codes once in ``observation_series``, its cells in ``observation_values``
(series id, period id, value, flag; the period's text once in ``observation_periods``, migration
0140), which halves the write cost of a cell.

Speed: the file is read and written by DuckDB in one pass (``read_csv`` of the wide rows into a small
temp table whose cells are already typed, then one ``INSERT ... SELECT`` of the series and one of
the cells, a ``UNION ALL`` of one plain scan per period).  The parse runs on every core: no window function orders it (the temp table's row ids
number the lines), and a ``.gz`` is first inflated into a temporary plain file, because DuckDB
reads a compressed stream on one thread.  Casting is
strict, so a bad cell aborts the statement; only then does :func:`diagnose` re-read the file in
Python to name every problem with line, column and value.  Valid files never pay for that.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem
from workbench.importers import ImportRequest, ImportResult, register_importer
from workbench.kb.datasets import (
    delete_dataset_rows,
    dimension_column,
    ensure_dimension_columns,
    period_ids,
    replace_dataset,
)
from workbench.kb.names import dataset_title
from workbench.quality.doctor import SeriesGrid, start_grid_checks

IMPORTER_VERSION = "1.0"
SOURCE = "Eurostat"
FLAG_LETTERS = "bcdefinprsuz"
_FLAG_RE = re.compile(f"^[{FLAG_LETTERS}]+$")
_NUMBER_RE = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
# Annual 2015; quarterly 2015Q1 / 2015-Q1; half-year 2015S1 / 2015-S1; monthly 2015M01 / 2015-01;
# weekly 2015W01 / 2015-W01; daily 2015-01-31.
_PERIOD_RE = re.compile(
    r"^\d{4}(?:-?Q[1-4]|-?S[12]|-?M(?:0[1-9]|1[0-2])|-?W(?:0[1-9]|[1-4]\d|5[0-3])"
    r"|-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
)
_KEY_HEADER_RE = re.compile(r"^([A-Za-z0-9_,\-]+)\\(time|TIME_PERIOD)$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# naming and sniffing


def dataset_code(path: Path) -> str:
    """Eurostat dataset code from a file name: ``estat_nama_10r_3gdp.tsv`` -> ``nama_10r_3gdp``."""
    name = path.name
    for suffix in (".tsv.gz", ".tsv", ".gz"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    name = name.lower()
    if name.startswith("estat_"):
        name = name[len("estat_") :]
    return name


def dataset_id_for(path: Path) -> str:
    """``eurostat:<code>``."""
    return f"eurostat:{dataset_code(path)}"


def sniff(path: Path, head: bytes) -> bool:
    """A Eurostat TSV starts with ``dim,dim,geo\\time<TAB>`` or ``...\\TIME_PERIOD<TAB>``."""
    if not head.strip():
        return path.name.lower().endswith((".tsv", ".tsv.gz"))  # empty: report it as a TSV
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    key = first.split("\t", 1)[0].strip()
    if "\t" in first and _KEY_HEADER_RE.match(key):
        return True
    # Recognised even with a wrong delimiter, so that the error names it precisely.
    return bool(re.match(r"^[A-Za-z0-9_,\-]+\\(time|TIME_PERIOD)\b", first, re.IGNORECASE))


# --------------------------------------------------------------------------------------------
# header


class Header:
    """The parsed first line: dimension names and the period of each data column."""

    def __init__(self, key_header: str, dims: list[str], periods: list[str]) -> None:
        self.key_header = key_header
        self.dims = dims
        self.periods = periods

    @property
    def geo_index(self) -> int | None:
        lowered = [d.lower() for d in self.dims]
        return lowered.index("geo") if "geo" in lowered else None


def parse_header(line: str, file: str) -> tuple[Header | None, list[Problem]]:
    """Parse the header line; return problems instead of raising."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return None, [
            Problem(file=file, line=1, column="field 1", rule="empty file: no header line")
        ]
    fields = line.split("\t")
    key = fields[0].strip()
    if len(fields) < 2:
        return None, [
            Problem(
                file=file,
                line=1,
                column="field 1",
                value=line[:80],
                rule="no tab-separated period columns in the header (wrong delimiter? "
                "a Eurostat TSV separates the key and the periods by tabs)",
            )
        ]
    match = _KEY_HEADER_RE.match(key)
    if not match:
        return None, [
            Problem(
                file=file,
                line=1,
                column="1",
                value=key,
                rule=r"first header field must be 'dim,...,geo\time' or 'dim,...,geo\TIME_PERIOD'",
            )
        ]
    dims = match.group(1).split(",")
    problems: list[Problem] = []
    if any(not d for d in dims):
        problems.append(
            Problem(file=file, line=1, column="1", value=key, rule="empty dimension name")
        )
    else:
        try:
            cols = [dimension_column(d) for d in dims if d.lower() != "geo"]
        except Exception as exc:  # ValidationError from dimension_column
            problems.append(Problem(file=file, line=1, column="1", value=key, rule=str(exc)))
        else:
            if len(set(cols)) != len(cols) or len({d.lower() for d in dims}) != len(dims):
                problems.append(
                    Problem(file=file, line=1, column="1", value=key, rule="duplicate dimension")
                )
    periods: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(fields[1:], start=2):
        period = raw.strip()
        if not _PERIOD_RE.match(period):
            problems.append(
                Problem(
                    file=file,
                    line=1,
                    column=f"field {i}",
                    value=raw,
                    rule="unknown period header (expected e.g. 2015, 2015Q1, 2015-Q1, 2015M01, "
                    "2015-01, 2015-01-31)",
                )
            )
        elif period in seen:
            problems.append(
                Problem(file=file, line=1, column=period, value=raw, rule="duplicate period header")
            )
        seen.add(period)
        periods.append(period)
    return Header(key, dims, periods), problems


def _read_first_line(path: Path) -> str:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                raw = fh.readline()
        else:
            with open(path, "rb") as fh:
                raw = fh.readline()
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportFailed(
            [Problem(file=str(path), line=1, rule=f"cannot read the file: {exc}")]
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [Problem(file=str(path), line=1, rule=f"header is not UTF-8 text: {exc}")]
        ) from exc


# --------------------------------------------------------------------------------------------
# loading


@register_importer(
    "eurostat_tsv",
    dataset_id_for=dataset_id_for,
    sniff=sniff,
    priority=10,
    description="Eurostat bulk TSV (.tsv/.tsv.gz), old 'geo\\time' and new 'geo\\TIME_PERIOD' headers",
)
def load(request: ImportRequest, con: duckdb.DuckDBPyConnection) -> ImportResult:
    """Load one Eurostat TSV into ``observations`` (inside the caller's writer transaction)."""
    path = request.path
    file = str(path)
    header, problems = parse_header(_read_first_line(path), file)
    if problems or header is None:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)

    dims = header.dims
    geo = header.geo_index
    other = [(i, d) for i, d in enumerate(dims) if i != geo]
    dim_cols = ensure_dimension_columns(con, [d for _, d in other])
    delete_dataset_rows(con, request.dataset_id)

    n = len(header.periods)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n + 1)) + "}"
    parts = ", ".join(f"split_part(c0, ',', {i + 1}) AS k{i}" for i in range(len(dims)))
    # Each cell parsed once, in the wide row: most cells are a bare number ("14.3 "), one TRY_CAST;
    # only the others (":", flagged, malformed) are searched for a space and split (a CASE branch
    # each: ``OR`` would search every cell), and CAST there raises on a malformed
    # value.  t{i}: the TRY_CAST, v{i}: the value (NULL for ':'), f{i}: the flag.
    tries = ", ".join(f"TRY_CAST(c{i} AS DOUBLE) AS t{i}" for i in range(1, n + 1))
    values = ", ".join(
        f"CASE WHEN t{i} IS NOT NULL THEN t{i} WHEN split_part(c{i}, ' ', 1) = ':' THEN NULL "
        f"ELSE CAST(split_part(c{i}, ' ', 1) AS DOUBLE) END AS v{i}"
        for i in range(1, n + 1)
    )
    flags = ", ".join(
        f"CASE WHEN t{i} IS NOT NULL THEN NULL WHEN strpos(c{i}, ' ') = 0 THEN NULL "
        f"ELSE nullif(substr(c{i}, strpos(c{i}, ' ') + 1), '') END AS f{i}"
        for i in range(1, n + 1)
    )
    ndims = len(dims)
    saved = _fast_settings(con)
    plain: Path | None = None  # a .gz file's text, inflated once into a temporary file
    try:
        if path.name.endswith(".gz"):
            plain = _gunzip_to_temp(path)
        con.execute("DROP TABLE IF EXISTS _estat_raw")
        # One row per line, its cells already typed.  No row_number() here: a window function
        # (even a streaming one) fixes the row order and so runs the whole parse pipeline on one
        # thread; the temp table's own row ids number the lines instead (see ``r`` below).
        con.execute(
            "CREATE TEMP TABLE _estat_raw AS SELECT c0, "
            f"{', '.join(f'k{i}' for i in range(ndims))}, "
            f"{values}, {flags} FROM (SELECT c0, {parts}, "
            f"{', '.join(f'c{i}' for i in range(1, n + 1))}, {tries} "
            f"FROM read_csv(?, delim='\t', header=false, skip=1, columns={columns}, "
            "quote='', escape='', auto_detect=false, strict_mode=true, null_padding=false))",
            [str(plain or path)],
        )
        # Keys: right number of parts, no empty part, no duplicate (small: one row per line).
        # Values: finite (checked in the same scan).
        nonempty = " AND ".join(f"k{i} <> ''" for i in range(ndims))
        non_finite = " + ".join(f"count_if(NOT isfinite(v{i}))" for i in range(1, n + 1))
        bad_keys, dup_keys, nrows, first_id, last_id, n_non_finite = con.execute(
            f"SELECT count_if(length(c0) - length(replace(c0, ',', '')) <> {ndims - 1} "
            f"OR NOT ({nonempty})), count(*) - count(DISTINCT c0), count(*), min(rowid), "
            f"max(rowid), {non_finite} FROM _estat_raw"
        ).fetchone()
        if bad_keys or dup_keys or nrows == 0 or n_non_finite:
            raise _NeedsDiagnosis
        if last_id - first_id + 1 != nrows:  # never seen: row ids of a new table are dense
            raise _NeedsDiagnosis(f"row ids {first_id}..{last_id} of {nrows} lines not dense")
        r = f"(rowid - {int(first_id) - 1})"  # 1, 2, ... nrows: one per line
        # Flags checked on the typed cells (the counts go to the data doctor): one scan per
        # period glued by UNION ALL, half the CPU of unnesting a list per row.
        flagged = " UNION ALL ".join(
            f"SELECT f{i} AS flag FROM _estat_raw WHERE f{i} IS NOT NULL" for i in range(1, n + 1)
        )
        flag_counts = con.execute(
            f"SELECT flag, count(*) AS n FROM ({flagged}) GROUP BY flag ORDER BY flag"
        ).df()
        if any(not _FLAG_RE.match(f) for f in flag_counts["flag"]):
            raise _NeedsDiagnosis
        # Series keys once (one row per line), cells by series id (migration 0060).
        (base,) = con.execute(
            "SELECT coalesce(max(series_id), 0) FROM observation_series"
        ).fetchone()
        # The doctor's grid first, from the typed rows; its connection-free checks then run in a
        # thread (it never touches ``con``) while DuckDB inserts (both release the GIL).
        grid, region = _series_grid(
            con, header.periods, int(base), int(nrows), int(first_id), flag_counts, geo
        )
        start_grid_checks(request.dataset_id, grid, region, load_defaults("quality"))
        series_cols = ["series_id", "dataset_id", "region"] + [f'"{c}"' for c in dim_cols]
        series_select = [f"? + {r}", "?", f"k{geo}" if geo is not None else "NULL"] + [
            f"k{i}" for i, _ in other
        ]
        con.execute(
            f"INSERT INTO observation_series ({', '.join(series_cols)}) "
            f"SELECT {', '.join(series_select)} FROM _estat_raw",
            [base, request.dataset_id],
        )
        # One SELECT per period, glued by UNION ALL: each is a plain scan of two typed columns,
        # about a fifth less CPU than unnesting lists of every row (measured on 5.2 M cells).
        # The period by its id (migration 0140): a constant integer per SELECT.
        by_period = " UNION ALL ".join(
            f"SELECT $base + {r}, {pid}, v{i}, f{i} FROM _estat_raw"
            for i, pid in enumerate(period_ids(con, header.periods), start=1)
        )
        inserted = con.execute(
            f"INSERT INTO observation_values (series_id, period_id, value, flag) {by_period}",
            {"base": base},
        ).fetchone()[0]
    except (_NeedsDiagnosis, duckdb.Error) as exc:
        found = diagnose(path, header)
        if not found:
            found = [Problem(file=file, rule=f"the database refused the data: {exc}")]
        raise ImportFailed(found[:MAX_LISTED_PROBLEMS], len(found), file=file) from None
    finally:
        if plain is not None:
            plain.unlink(missing_ok=True)
        # After a database error the transaction is aborted (the writer rolls it back, temp
        # table included); only a healthy transaction needs the cleanup.
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP TABLE IF EXISTS _estat_raw")
            _restore_settings(con, saved)

    code = dataset_code(path)
    replace_dataset(
        con,
        request.dataset_id,
        source=SOURCE,
        kind=request.kind,
        file_name=path.name,
        sha256=request.sha256,
        rows=int(inserted),
        importer=__name__,
        importer_version=IMPORTER_VERSION,
        title=dataset_title(f"eurostat:{code}") or code,  # the data catalogue's title
        dimensions=[("region" if i == geo else dimension_column(d)) for i, d in enumerate(dims)],
        notes=f"{nrows} series x {n} periods; header '{header.key_header}'",
    )
    return ImportResult(
        dataset_id=request.dataset_id,
        rows=int(inserted),
        skipped_same_sha=False,
        kind=request.kind,
        sha256=request.sha256,
        series_grid=grid,
    )


def _series_grid(
    con: duckdb.DuckDBPyConnection, periods: list[str], base: int, nrows: int, first_id: int,
    flags: pd.DataFrame, geo: int | None,
) -> tuple[SeriesGrid, np.ndarray]:  # fmt: skip
    """The just-written cells as the data doctor lays them out (periods sorted x series in id
    order), read from the typed wide rows: the doctor then need not read them back; and each
    series' region (``observation_series.region``, in id order).  ``first_id``: the row id of
    the first line (series ``base + 1``)."""
    order = sorted(range(len(periods)), key=lambda i: periods[i])
    cols = ", ".join(f"coalesce(v{i + 1}, '-inf'::DOUBLE) AS v{i + 1}" for i in order)
    region = f"k{geo}" if geo is not None else "NULL::VARCHAR"
    # rows in scan order, each put in its place by its row id (cheaper than ORDER BY in DuckDB);
    # fetched as Arrow (a third faster than fetchnumpy here: 5.2 M cells, 0.10 -> 0.07 s)
    con.execute("SELECT 1").fetchall()  # a DB-API result left unfinished would block con.sql
    got = con.sql(
        f"SELECT {cols}, {region} AS _region, rowid - {int(first_id)} AS _at FROM _estat_raw"
    ).to_arrow_table()
    at = got.column("_at").to_numpy().astype(np.int64, copy=False)
    if len(at) != nrows or (len(at) and (at.min() < 0 or at.max() >= nrows)):
        raise _NeedsDiagnosis(f"{len(at)} rows read back for {nrows} lines")
    values = np.empty((len(periods), nrows))
    for j, i in enumerate(order):
        values[j, at] = got.column(f"v{i + 1}").to_numpy()
    regions = np.empty(nrows, dtype=object)
    regions[at] = got.column("_region").to_numpy(zero_copy_only=False)
    grid = SeriesGrid(
        lo=base + 1, hi=base + nrows, periods=[periods[i] for i in order], values=values,
        flags=flags,
    )  # fmt: skip
    return grid, regions


def _gunzip_to_temp(path: Path) -> Path:
    """Inflate a .tsv.gz (all its gzip members) into a temporary .tsv, in 1 MiB blocks.

    DuckDB reads a .gz itself, but on one thread (a compressed stream cannot be split); the plain
    temporary file is parsed in parallel like a .tsv.  A damaged or truncated .gz raises
    :class:`_NeedsDiagnosis`: :func:`diagnose` then names the line where it breaks.
    """
    fd, name = tempfile.mkstemp(prefix="wb-estat-", suffix=".tsv")
    plain = Path(name)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            ended = True
            for chunk, ended in _gunzip(src):  # noqa: B007 - the last value is used below
                out.write(chunk)
        if not ended:
            raise _NeedsDiagnosis
    except (EOFError, zlib.error, _NeedsDiagnosis):
        plain.unlink(missing_ok=True)
        raise _NeedsDiagnosis from None
    except OSError as exc:  # e.g. the temporary folder is full
        plain.unlink(missing_ok=True)
        raise ImportFailed(
            [Problem(file=str(path), rule=f"cannot inflate the .gz into {plain}: {exc}")]
        ) from None
    return plain


# Row order carries no meaning (parallel writes).  Optimistic writing: the inserting threads
# compress and write row groups while they insert, so the commit has little left to do.  Since the
# parse runs on every core this is faster in wall time at the same CPU (5.2 M cells, 2 cores, load
# 2, alternating: 2.23-2.58 s against 2.54-3.43 s kept in memory until the commit) and it bounds
# the memory of big files (issue 10 item 12).
_FAST_SETTINGS = {
    "preserve_insertion_order": "false",
    "enable_progress_bar": "false",
    "enable_optimistic_write": "true",
}


def _fast_settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Set :data:`_FAST_SETTINGS` for this import; return the previous values."""
    saved = {}
    for name, value in _FAST_SETTINGS.items():
        saved[name] = str(con.execute(f"SELECT current_setting('{name}')").fetchone()[0]).lower()
        con.execute(f"SET {name} = {value}")
    return saved


def _restore_settings(con: duckdb.DuckDBPyConnection, saved: dict[str, str]) -> None:
    for name, value in saved.items():
        con.execute(f"SET {name} = {value}")


class _NeedsDiagnosis(Exception):
    """The fast path saw something wrong; :func:`diagnose` names it."""


# --------------------------------------------------------------------------------------------
# diagnosis (error path only)


def _raw_lines(path: Path) -> Iterator[tuple[bytes, bool]]:
    """(line bytes without the end, complete?) for every line; a truncated .gz ends with an
    incomplete line (complete=False), a damaged one raises :class:`zlib.error`."""
    with open(path, "rb") as fh:
        plain = ((block, True) for block in iter(lambda: fh.read(1 << 20), b""))
        chunks = _gunzip(fh) if path.name.endswith(".gz") else plain
        rest = b""
        ended = True
        for chunk, ended in chunks:  # noqa: B007 - the last value is used below
            rest += chunk
            *lines, rest = rest.split(b"\n")
            for line in lines:
                yield line, True
        if rest or not ended:
            yield rest, ended


def _gunzip(fh) -> Iterator[tuple[bytes, bool]]:  # noqa: ANN001 - binary file
    """Decompressed chunks and whether the gzip stream(s) ended properly so far."""
    d = zlib.decompressobj(wbits=31)
    while block := fh.read(1 << 20):
        while block:
            out = d.decompress(block)
            block = b""
            if d.eof:
                block = d.unused_data
                if block:
                    yield out, True
                    d = zlib.decompressobj(wbits=31)
                    continue
            yield out, d.eof
    yield b"", d.eof


def _lines(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, problem) for every line; text is None when the line is unusable."""
    number = 0
    try:
        for number, (raw, complete) in enumerate(_raw_lines(path), start=1):  # noqa: B007
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
                continue
            if not complete:
                yield number, text, "the file ends inside this line: the .gz is truncated"
                return
            yield number, text, None
    except (OSError, zlib.error) as exc:
        yield number + 1, None, f"the .gz file is damaged ({exc})"


def parse_cell(cell: str) -> tuple[float | None, str | None] | None:
    """``'4.0 bu'`` -> (4.0, 'bu'); ``': c'`` -> (None, 'c'); None when the cell is malformed."""
    if _NUMBER_RE.match(cell.strip()):  # a bare number, as the fast path's TRY_CAST reads it
        number = float(cell)
        finite = number == number and number not in (float("inf"), float("-inf"))
        return (number, None) if finite else None
    value, _, flag = cell.partition(" ")
    if flag and not _FLAG_RE.match(flag):
        return None
    if value == ":":
        return None, flag or None
    if not _NUMBER_RE.match(value):
        return None
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number, flag or None


def diagnose(path: Path, header: Header) -> list[Problem]:
    """Every problem of the file, each with line, column (period or key) and value."""
    file = str(path)
    problems: list[Problem] = []
    expected = len(header.periods) + 1
    ndims = len(header.dims)
    seen: dict[str, int] = {}
    data_lines = 0
    for number, text, error in _lines(path):
        if error is not None:
            column = None
            if text is not None and number > 1:
                fields = text.split("\t")
                column = (
                    header.periods[len(fields) - 2]
                    if 1 < len(fields) <= expected
                    else (header.key_header)
                )
            problems.append(
                Problem(file=file, line=number, column=column, value=_short(text), rule=error)
            )
            continue
        assert text is not None
        if number == 1:
            continue
        line = text.rstrip("\r\n")
        if not line:
            continue
        data_lines += 1
        fields = line.split("\t")
        key = fields[0]
        if len(fields) != expected:
            problems.append(
                Problem(
                    file=file,
                    line=number,
                    column=header.key_header if len(fields) == 1 else f"field {len(fields)}",
                    value=line[:60],
                    rule=f"row has {len(fields)} tab-separated fields, the header has {expected}",
                )
            )
            continue
        parts = key.split(",")
        if len(parts) != ndims or any(not p for p in parts):
            problems.append(
                Problem(
                    file=file,
                    line=number,
                    column=header.key_header,
                    value=key,
                    rule=f"key must have {ndims} non-empty comma-separated codes "
                    f"({','.join(header.dims)})",
                )
            )
        elif key in seen:
            problems.append(
                Problem(
                    file=file,
                    line=number,
                    column=header.key_header,
                    value=key,
                    rule=f"duplicate key (first on line {seen[key]})",
                )
            )
        else:
            seen[key] = number
        for period, cell in zip(header.periods, fields[1:], strict=True):
            if parse_cell(cell) is None:
                problems.append(
                    Problem(
                        file=file,
                        line=number,
                        column=period,
                        value=cell,
                        rule="cell must be a number or ':' optionally followed by a space and "
                        f"flag letters ({FLAG_LETTERS})",
                    )
                )
    if data_lines == 0 and not problems:
        problems.append(
            Problem(
                file=file,
                line=2,
                column=header.key_header,
                rule="header only: the file has no data rows",
            )
        )
    return problems


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= 60 else "..." + text[-57:]
