"""``workbench kb export TABLE``: write a knowledge-base table to CSV, Parquet or Excel.

CSV and Parquet are written by DuckDB's ``COPY (SELECT ...) TO`` (streaming, any size); XLSX through
pandas + openpyxl (limited to Excel's 1,048,575 data rows; list columns are joined with ``"; "``).

Safety (issue 10):

* ``--where`` is a SQL boolean expression that must stay a filter of this one table: the query it
  forms is parsed by DuckDB (``json_serialize_sql``) and, apart from its WHERE clause, must be
  exactly ``SELECT * FROM "table"``; a condition that closes the parentheses to add ``UNION``,
  ``ORDER BY``, ``LIMIT`` ... or a second statement is refused, and so are subqueries (a filter
  reads this table only).
* Text cells of CSV and XLSX files are neutralised against spreadsheet formula injection
  (:mod:`workbench.kb.spreadsheet`, OWASP) unless ``raw_text=True``; Parquet stays raw.
* The file is written under a temporary name beside the target and renamed when complete, so a
  failure (full disk, a NUL character that XLSX cannot hold) leaves no partial file and an existing
  file of that name unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from workbench.errors import ValidationError, WorkbenchError
from workbench.kb.access import reader
from workbench.kb.info import list_tables
from workbench.kb.spreadsheet import neutralise_frame, sql_neutralise

FORMATS = ("csv", "parquet", "xlsx")
EXCEL_MAX_ROWS = 1_048_575


class ExportFailed(WorkbenchError):
    """The export file could not be written (disk full, permissions, illegal characters)."""


@dataclass(frozen=True)
class ExportResult:
    """Where a table went and how many rows it had."""

    table: str
    format: str
    path: Path
    rows: int


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _without_locations(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_locations(v) for k, v in node.items() if k != "query_location"}
    if isinstance(node, list):
        return [_without_locations(v) for v in node]
    return node


def _parse(sql: str) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        return json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    finally:
        con.close()


def _has_subquery(node: Any) -> bool:
    if isinstance(node, dict):
        if node.get("class") == "SUBQUERY" or node.get("type") in {"SELECT_NODE", "SUBQUERY"}:
            return True
        return any(_has_subquery(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_subquery(v) for v in node)
    return False


def build_select(table: str, where: str | None) -> str:
    """``SELECT * FROM "table" [WHERE (where)]``; refuses a ``where`` that is not one boolean
    condition on this table (see the module docstring)."""
    sql = f"SELECT * FROM {_ident(table)}"
    if where is None or not where.strip():
        return sql
    sql += f" WHERE (\n{where}\n)"  # own lines: a trailing -- comment cannot eat the ")"
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ValidationError(f"--where {where!r} is not a valid SQL condition: {exc}") from exc
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ValidationError(f"--where {where!r} must be a single boolean condition")
    parsed = _parse(sql)
    if parsed.get("error") or len(parsed.get("statements", [])) != 1:
        message = parsed.get("error_message", "not one statement")
        raise ValidationError(f"--where {where!r} is not a valid SQL condition: {message}")
    reference = _parse(f"SELECT * FROM {_ident(table)} WHERE (TRUE)")["statements"][0]["node"]
    node = parsed["statements"][0]["node"]
    if node.get("type") != "SELECT_NODE" or _without_locations(
        {**node, "where_clause": None}
    ) != _without_locations({**reference, "where_clause": None}):
        raise ValidationError(
            f"--where {where!r} must be one condition on the rows of {table!r}: it may not close "
            "its parentheses to add UNION, ORDER BY, LIMIT, GROUP BY or another query"
        )
    if _has_subquery(node.get("where_clause")):
        raise ValidationError(
            f"--where {where!r}: subqueries are not allowed; filter on the columns of {table!r}"
        )
    return sql


def _neutral_select(con: duckdb.DuckDBPyConnection, select: str) -> str:
    """``select`` with every VARCHAR column neutralised against formula injection."""
    columns = con.execute(f"DESCRIBE {select}").fetchall()
    parts = []
    for name, col_type, *_ in columns:
        quoted = _ident(name)
        parts.append(f"{sql_neutralise(quoted)} AS {quoted}" if col_type == "VARCHAR" else quoted)
    return f"SELECT {', '.join(parts)} FROM ({select})"


@contextlib.contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to ``path`` when the block succeeds and removed
    when it fails.  Devices (``/dev/stdout``) are written directly."""
    if path.exists() and not path.is_file():
        yield path
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write(path: Path, write: Callable[[Path], None]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _atomic_target(path) as target:
            write(target)
    except (OSError, duckdb.IOException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if "No space left on device" in str(exc):
            reason = "no space left on device"
        raise ExportFailed(
            f"could not write {path}: {reason.splitlines()[0]}; no partial file was left"
        ) from exc


def export_table(
    table: str,
    fmt: str = "csv",
    out: str | os.PathLike[str] | None = None,
    *,
    where: str | None = None,
    db: str | os.PathLike[str] | None = None,
    raw_text: bool = False,
) -> ExportResult:
    """Export ``table`` (optionally filtered) to ``out`` (default ``./<table>.<fmt>``).

    ``raw_text=True`` writes text cells of CSV/XLSX exactly as stored (no ``'`` before a leading
    ``=``, ``+``, ``-``, ``@``): only for files no spreadsheet program will open.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = Path(out) if out is not None else Path.cwd() / f"{table}.{fmt}"
    with reader(db) as con:
        tables = list_tables(con, views=True)  # observations is a view (migration 0060)
        if table not in tables:
            raise ValidationError(
                f"unknown table {table!r}; the knowledge base has: {', '.join(tables) or '(no tables)'}"
            )
        select = build_select(table, where)
        try:
            (rows,) = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
        except duckdb.Error as exc:
            raise ValidationError(f"--where {where!r} failed on table {table!r}: {exc}") from exc
        if fmt == "csv":
            query = select if raw_text else _neutral_select(con, select)
            _write(
                path,
                lambda target: con.execute(
                    f"COPY ({query}) TO {_sql_string(str(target))} (FORMAT csv, HEADER true)"
                ),
            )
        elif fmt == "parquet":
            _write(
                path,
                lambda target: con.execute(
                    f"COPY ({select}) TO {_sql_string(str(target))} (FORMAT parquet)"
                ),
            )
        else:
            if rows > EXCEL_MAX_ROWS:
                raise ValidationError(
                    f"table {table!r} has {rows} rows, more than an Excel sheet holds ({EXCEL_MAX_ROWS}); "
                    "export to csv or parquet, or filter with --where"
                )
            frame = _xlsx_frame(con.execute(select).df(), table)
            if not raw_text:
                frame = neutralise_frame(frame)
            _write(path, lambda target: _write_xlsx(frame, target, sheet=table))
    return ExportResult(table=table, format=fmt, path=path, rows=int(rows))


def _xlsx_frame(frame, table: str):  # noqa: ANN001, ANN202 - pandas imported lazily
    """Cells as Excel can hold them: lists joined, time zones dropped; refuses characters that
    XLSX cannot store (NUL and other control characters) naming row, column and value."""
    import numpy as np
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def is_list(value: object) -> bool:
        return isinstance(value, list | tuple | np.ndarray)

    frame = frame.copy()
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object and series.map(is_list).any():
            frame[col] = series.map(lambda v: "; ".join(map(str, v)) if is_list(v) else v)
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            frame[col] = series.dt.tz_localize(None)
        series = frame[col]
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            bad = series.map(lambda v: isinstance(v, str) and bool(ILLEGAL_CHARACTERS_RE.search(v)))
            bad = bad.astype(bool)
            if bad.any():
                first = int(np.flatnonzero(bad.to_numpy())[0])
                value = str(series.iloc[first])
                raise ExportFailed(
                    f"table {table!r}, row {first + 1}, column {col!r}, value {value[:60]!r}: "
                    f"contains a control character (e.g. NUL) that an XLSX cell cannot hold "
                    f"({int(bad.sum())} cell(s) in this column); nothing was written. Export to csv "
                    "or parquet, or leave these rows out with --where"
                )
    return frame


def _write_xlsx(frame, path: Path, sheet: str) -> None:  # noqa: ANN001 - pandas imported lazily
    """The workbook is built in memory (openpyxl holds every cell there anyway) and written in one
    go, so a write error cannot leave a half-closed zip behind."""
    import io

    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name=sheet[:31], index=False)
    with open(path, "wb") as fh:
        fh.write(buffer.getbuffer())
