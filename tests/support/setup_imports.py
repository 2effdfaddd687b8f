"""Support for the tests of setup-file imports (foresight exercises, scoring rounds): edit one cell
of a template workbook, and take a digest of the knowledge-base tables an import writes, to prove
that a refused file changed nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import load_workbook
from support.kb_state import kb_content


def edit_xlsx_cell(path: Path, sheet: str, cell: str, value: object) -> Path:
    """Set ``sheet!cell`` of the workbook at ``path`` to ``value`` in place; returns ``path``."""
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def kb_tables_digest(db: Path, prefix: str, names: Iterable[str] = ()) -> str:
    """A digest of every table in ``db`` whose name starts with ``prefix`` or is one of ``names``
    (:func:`support.kb_state.kb_content`; "no file" when the knowledge base does not exist yet)."""
    if not db.exists():
        return "no file"
    return repr(kb_content(db, prefix, names))
