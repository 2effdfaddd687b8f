"""``workbench kb export TABLE``: write a knowledge-base table to CSV, Parquet or Excel.

CSV and Parquet are written by DuckDB's ``COPY (SELECT ...) TO`` (streaming, any size); XLSX through
pandas + openpyxl (limited to Excel's 1,048,575 data rows; list columns are joined with ``"; "``).
An optional ``where`` filter is a SQL boolean expression; the query it forms must parse as exactly
one SELECT statement, so it cannot smuggle in a second statement.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from workbench.errors import ValidationError
from workbench.kb.access import reader
from workbench.kb.info import list_tables

FORMATS = ("csv", "parquet", "xlsx")
EXCEL_MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class ExportResult:
    """Where a table went and how many rows it had."""

    table: str
    format: str
    path: Path
    rows: int


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_select(table: str, where: str | None) -> str:
    """``SELECT * FROM "table" [WHERE (where)]``; refuses anything that is not one SELECT statement."""
    sql = f'SELECT * FROM "{table}"'
    if where is not None and where.strip():
        sql += f" WHERE ({where})"
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ValidationError(f"--where {where!r} is not a valid SQL condition: {exc}") from exc
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        raise ValidationError(f"--where {where!r} must be a single boolean condition")
    return sql


def export_table(
    table: str,
    fmt: str = "csv",
    out: str | os.PathLike[str] | None = None,
    *,
    where: str | None = None,
    db: str | os.PathLike[str] | None = None,
) -> ExportResult:
    """Export ``table`` (optionally filtered) to ``out`` (default ``./<table>.<fmt>``)."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    path = Path(out) if out is not None else Path.cwd() / f"{table}.{fmt}"
    with reader(db) as con:
        tables = list_tables(con)
        if table not in tables:
            raise ValidationError(
                f"unknown table {table!r}; the knowledge base has: {', '.join(tables) or '(no tables)'}"
            )
        select = build_select(table, where)
        try:
            (rows,) = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
        except duckdb.Error as exc:
            raise ValidationError(f"--where {where!r} failed on table {table!r}: {exc}") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            con.execute(f"COPY ({select}) TO {_sql_string(str(path))} (FORMAT csv, HEADER true)")
        elif fmt == "parquet":
            con.execute(f"COPY ({select}) TO {_sql_string(str(path))} (FORMAT parquet)")
        else:
            if rows > EXCEL_MAX_ROWS:
                raise ValidationError(
                    f"table {table!r} has {rows} rows, more than an Excel sheet holds ({EXCEL_MAX_ROWS}); "
                    "export to csv or parquet, or filter with --where"
                )
            frame = con.execute(select).df()
            _write_xlsx(frame, path, sheet=table)
    return ExportResult(table=table, format=fmt, path=path, rows=int(rows))


def _write_xlsx(frame, path: Path, sheet: str) -> None:  # noqa: ANN001 - pandas imported lazily
    import numpy as np
    import pandas as pd

    def is_list(value: object) -> bool:
        return isinstance(value, list | tuple | np.ndarray)

    frame = frame.copy()
    for col in frame.columns:
        series = frame[col]
        if series.dtype == object and series.map(is_list).any():
            frame[col] = series.map(lambda v: "; ".join(map(str, v)) if is_list(v) else v)
        elif isinstance(series.dtype, pd.DatetimeTZDtype):
            frame[col] = series.dt.tz_localize(None)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name=sheet[:31], index=False)
