"""Support for the tests of setup-file imports (foresight exercises, scoring rounds): edit one cell
of a template workbook, and take a digest of the knowledge-base tables an import writes, to prove
that a refused file changed nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb
from openpyxl import load_workbook


def edit_xlsx_cell(path: Path, sheet: str, cell: str, value: object) -> Path:
    """Set ``sheet!cell`` of the workbook at ``path`` to ``value`` in place; returns ``path``."""
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def kb_tables_digest(db: Path, prefix: str, names: Iterable[str] = ()) -> str:
    """SHA-256 of every row of every table in ``db`` whose name starts with ``prefix`` or is one of
    ``names`` ("no file" when the knowledge base does not exist yet)."""
    if not db.exists():
        return "no file"
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE starts_with(table_name, ?) OR list_contains(?, table_name) ORDER BY 1",
                [prefix, list(names)],
            ).fetchall()
        ]
        text = "".join(
            f"{t}:{sorted(map(str, con.execute(f'SELECT * FROM {t}').fetchall()))}" for t in tables
        )
    finally:
        con.close()
    return hashlib.sha256(text.encode()).hexdigest()
