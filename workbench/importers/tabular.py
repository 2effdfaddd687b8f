"""Reading delimited text and spreadsheets into rows that remember where they came from.

CSV quirks handled as published: byte-order mark, CRLF or bare-CR line ends (Python's ``csv`` with
``newline=''`` splits on all three), ``,`` / ``;`` / tab delimiters, quoted fields with newlines,
trailing empty rows and columns.  Spreadsheets: ``.xlsx`` via openpyxl, old ``.xls`` via xlrd.
Each row keeps its physical line (CSV) or sheet and row number (spreadsheets) for error messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workbench.errors import ImportFailed, Problem
from workbench.importers.encoding import detect_encoding, read_text

DELIMITERS = [",", ";", "\t"]


@dataclass
class Row:
    """One data row: its values by header name and where it is in the file."""

    values: dict[str, object]
    line: int | None = None
    sheet: str | None = None
    row: int | None = None

    def problem(self, file: str, column: str | None, value: object, rule: str) -> Problem:
        return Problem(
            file=file,
            line=self.line,
            column=column,
            value=None if value is None else str(value),
            rule=rule,
            sheet=self.sheet,
            row=self.row,
        )


@dataclass
class Table:
    """Header (trailing empty header cells dropped) and non-empty data rows."""

    file: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def _clean_header(cells: list[object]) -> list[str]:
    header = [("" if c is None else str(c)).strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    return header


def _is_empty(values: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most fields (outside quotes)."""
    best, count = ",", 0
    for delim in DELIMITERS:
        n = len(next(csv.reader([first_line], delimiter=delim)))
        if n > count:
            best, count = delim, n
    return best


def _checked_rows(reader: Any, file: str, delim: str) -> Iterator[list[str]]:
    """Rows of ``reader``; a row the csv module refuses (a field over its size limit, usually an
    unbalanced quote or a pasted document) is an :class:`ImportFailed` naming the line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed(
                [
                    Problem(
                        file=file,
                        line=reader.line_num,
                        rule=f"unreadable CSV row ({exc}; delimiter {delim!r}): a cell is too "
                        "long or a quote is not closed",
                    )
                ]
            ) from None


def read_csv_table(path: Path, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """A delimited text file (encoding detected unless given)."""
    file = str(path)
    enc = detect_encoding(path, encoding)
    text = read_text(path, enc)
    if not text.strip():
        raise ImportFailed([Problem(file=file, line=1, rule="empty file")])
    first = text.splitlines()[0]
    delim = delimiter or sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    table = Table(file=file, header=[], encoding=enc, delimiter=delim)
    start = 1
    for cells in _checked_rows(reader, file, delim):
        line = start
        start = reader.line_num + 1
        if header is None:
            header = _clean_header(list(cells))
            table.header = header
            continue
        if _is_empty(list(cells)):
            continue
        extra = cells[len(header) :]
        if any(c.strip() for c in extra):
            raise ImportFailed(
                [
                    Problem(
                        file=file,
                        line=line,
                        column=f"field {len(header) + 1}",
                        value=next(c for c in extra if c.strip()),
                        rule=f"row has more fields than the header ({len(cells)} > {len(header)}); "
                        f"delimiter {delim!r}",
                    )
                ]
            )
        values: dict[str, object] = {
            h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h
        }
        table.rows.append(Row(values=values, line=line))
    return table


def _cell_value(value: object) -> object:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def read_xlsx_table(path: Path, sheet: str | None = None) -> Table:
    """First (or named) sheet of an .xlsx workbook; the first non-empty row is the header."""
    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for damaged files
        raise ImportFailed(
            [Problem(file=file, rule=f"not a readable .xlsx workbook: {exc}")]
        ) from exc
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        return _sheet_table(file, ws.title, rows)
    finally:
        wb.close()


def read_xls_table(path: Path, sheet: str | None = None) -> Table:
    """First (or named) sheet of an old BIFF .xls workbook (xlrd); dates become dates."""
    import xlrd

    file = str(path)
    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd.XLRDError and struct errors
        raise ImportFailed(
            [Problem(file=file, rule=f"not a readable .xls workbook: {exc}")]
        ) from exc
    ws = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
    rows = []
    for r in range(ws.nrows):
        values: list[object] = []
        for c in range(ws.ncols):
            cell = ws.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                values.append(_cell_value(xlrd.xldate_as_datetime(cell.value, book.datemode)))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                values.append(None)
            else:
                values.append(cell.value)
        rows.append((r + 1, values))
    return _sheet_table(file, ws.name, rows)


def _sheet_table(file: str, title: str, rows: list[tuple[int, list[object]]]) -> Table:
    table = Table(file=file, header=[], sheet=title)
    header: list[str] | None = None
    for number, values in rows:
        if _is_empty(values):
            continue
        if header is None:
            header = _clean_header(values)
            table.header = header
            continue
        cells = {
            h: _cell_value(values[i]) if i < len(values) else None
            for i, h in enumerate(header)
            if h
        }
        table.rows.append(Row(values=cells, sheet=title, row=number))
    if header is None:
        raise ImportFailed([Problem(file=file, sheet=title, row=1, rule="empty sheet")])
    return table


def read_table(path: Path, encoding: str | None = None) -> Table:
    """CSV/TSV/TXT, XLSX or XLS by file extension."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_table(path)
    if suffix == ".xls":
        return read_xls_table(path)
    return read_csv_table(path, encoding)


def as_text(value: object) -> str | None:
    """A cell as stripped text, None when empty (spreadsheets give numbers, dates...)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date | datetime):
        value = value.isoformat()
    text = str(value).strip()
    return text or None
