"""Tables for people: formatted numbers, the rows that matter first, a caption with the unit.

:func:`show_table` turns a DataFrame into an accessible HTML table (``<caption>``, ``<th scope>``)
for a report; :meth:`workbench.reporting.Report.table` uses it and writes the whole frame as CSV.

Formatting rules (one place, see :func:`format_column`):

* missing values (``NaN``, ``None``, ``NaT``, ``pd.NA``) read ``–``;
* booleans read ``yes`` / ``no``;
* integer counts (also whole-valued float columns, e.g. counts after a join) as integers with
  thousands separators (``12,345``); years without separators (``2015``);
* other numbers with decimals chosen from the column's magnitude (``>= 1000``: 0, ``>= 100``: 1,
  ``>= 1``: 2, else 3) or from the column's unit (``%``, ``share`` = fraction shown in per cent,
  ``p`` = p-value shown as ``< 0.001``); never scientific notation;
* lists, tuples and sets are joined as text (``skills, finance``), mappings as ``key: value; ...``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import ValidationError

MISSING = "–"
DEFAULT_TOP_N = 50
_P_NAMES = re.compile(r"(^|_)(p|p_?value|pvalue|p_adj|p_adjusted)$", re.IGNORECASE)
_YEAR_NAMES = re.compile(r"(^|_)(year|years|start|end|period|from|to|round|wave)($|_)", re.I)
_ACRONYMS = {
    "lq": "LQ",
    "eci": "ECI",
    "pci": "PCI",
    "eur": "EUR",
    "hrk": "HRK",
    "nuts": "NUTS",
    "nace": "NACE",
    "id": "ID",
    "iqr": "IQR",
    "ahp": "AHP",
    "topsis": "TOPSIS",
    "cr": "CR",
    "did": "DiD",
    "att": "ATT",
    "se": "SE",
    "p": "p",
    "ci": "CI",
    "csv": "CSV",
    "gdp": "GDP",
    "pps": "PPS",
    "r_wg": "r_wg",
    "rca": "RCA",
    "esif": "ESIF",
    "micmac": "MICMAC",
    "w": "W",
    "n": "n",
    "sd": "SD",
    "cv": "CV",
    "sha256": "SHA-256",
    "eu": "EU",
    "wp": "WP",
    "rd": "R&D",
    "rwg": "r_wg",
    "p10": "P10",
    "p90": "P90",
}
_PERCENT_WORDS = {"pct", "percent"}  # "progress_pct" with unit % reads "Progress (%)"
PERCENT_UNITS = {"%", "percent", "per cent", "pct"}
SHARE_UNITS = {"share", "fraction"}
P_UNITS = {"p", "p-value", "p value"}


# ----------------------------------------------------------------------------- values
def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def _text(value: Any) -> str:
    """Any non-numeric cell as text (lists joined, mappings as ``key: value``)."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, str):
        stripped = value.strip()
        return MISSING if stripped in {"", "nan", "NaN", "None", "NaT", "<NA>"} else value
    if isinstance(value, Mapping):
        return "; ".join(f"{_text(k)}: {_text(v)}" for k, v in value.items()) or MISSING
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ", ".join(_text(v) for v in items) or MISSING
    if isinstance(value, pd.Timestamp | datetime):
        if value.hour == value.minute == value.second == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, pd.Period | pd.Interval):
        return str(value)
    if isinstance(value, float | np.floating | int | np.integer):
        return format_number(float(value))
    return str(value)


def decimals_for(values: Iterable[float]) -> int:
    """Decimals for a column from its largest absolute value: >= 1000: 0, >= 100: 1, >= 1: 2, else 3."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    top = max(finite, default=0.0)
    if top >= 1000:
        return 0
    if top >= 100:
        return 1
    if top >= 1:
        return 2
    return 3


def format_number(value: float, decimals: int | None = None, *, separators: bool = True) -> str:
    """One number in fixed notation with thousands separators (never ``1e+08``); ``–`` if missing."""
    if _is_missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if decimals is None:
        decimals = decimals_for([value])
    text = f"{value:,.{decimals}f}" if separators else f"{value:.{decimals}f}"
    if re.fullmatch(r"-0(\.0*)?", text):  # -0.000 -> 0.000
        text = text[1:]
    return text.replace("-", "−") if text.startswith("-") else text


def format_p_value(value: float) -> str:
    """A p-value: ``< 0.001`` below one in a thousand, else three decimals."""
    if _is_missing(value):
        return MISSING
    value = float(value)
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _kind(series: pd.Series) -> str:
    """bool | int | year | float | datetime | text (object columns are inspected)."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        values = pd.to_numeric(series, errors="coerce").dropna()
        if values.empty:
            return "float"
        if pd.api.types.is_integer_dtype(series) or (
            np.isfinite(values).all() and (values == values.round()).all()
        ):
            name = str(series.name or "")
            if _YEAR_NAMES.search(name) and values.between(1800, 2200).all():
                return "year"
            return "int"
        return "float"
    kept = [v for v in series if not _is_missing(v)]
    if kept and all(isinstance(v, bool | np.bool_) for v in kept):
        return "bool"
    return "text"


def format_column(series: pd.Series, unit: str | None = None) -> list[str]:
    """Every cell of a column as display text (rules in the module docstring)."""
    unit_key = (unit or "").strip().lower()
    name = str(series.name or "")
    kind = _kind(series)
    if kind == "bool":
        return [_text(v) for v in series]
    if kind == "datetime":
        return [_text(v) for v in series]
    if kind == "text":
        return [_text(v) for v in series]
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    if unit_key in P_UNITS or (not unit_key and _P_NAMES.search(name)):
        return [format_p_value(v) for v in numbers]
    if unit_key in SHARE_UNITS:
        numbers = numbers * 100.0
        kind = "float"
    if kind == "year":
        return [format_number(v, 0, separators=False) for v in numbers]
    if kind == "int":
        return [format_number(v, 0) for v in numbers]
    decimals = decimals_for(numbers.tolist())
    if unit_key in PERCENT_UNITS or unit_key in SHARE_UNITS:
        decimals = min(decimals, 1)
    return [format_number(v, decimals) for v in numbers]


def is_numeric_column(series: pd.Series) -> bool:
    """True for number columns (right-aligned in tables)."""
    return _kind(series) in {"int", "float", "year"}


def header_label(column: Any, unit: str | None = None) -> str:
    """``lq_change`` -> ``LQ change``; with a unit: ``Employment (thousand persons)``.

    The unit is not repeated when the name already says it: ``days_late`` in days reads
    ``Days late``, ``progress_pct`` in % reads ``Progress (%)``."""
    text = str(column)
    shown = None
    if unit:
        shown = "%" if unit.strip().lower() in SHARE_UNITS else unit
    if "_" in text or text.islower():
        words = text.replace("_", " ").split()
        if shown == "%" and len(words) > 1:
            words = [w for w in words if w.lower() not in _PERCENT_WORDS]
        if shown and any(w.lower() == shown.strip().lower() for w in words):
            shown = None  # "Days late (days)" -> "Days late"
        first_is_acronym = bool(words) and "_" in _ACRONYMS.get(words[0].lower(), "")  # r_wg
        words = [_ACRONYMS.get(w.lower(), w) for w in words]
        if words and words[0] == words[0].lower() and not first_is_acronym:
            words[0] = words[0][:1].upper() + words[0][1:]
        text = " ".join(words)
    if shown:
        text = f"{text} ({shown})"
    return text


def format_frame(df: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame with every cell as display text (same index and columns)."""
    units = units or {}
    out = pd.DataFrame(index=df.index)
    for i, column in enumerate(df.columns):
        out[i] = format_column(df.iloc[:, i], units.get(str(column)))
    out.columns = df.columns
    return out


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """The frame for a CSV file: lists and sets joined as ``a; b``, mappings as ``key: value``."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype != object:
            continue
        if any(isinstance(v, list | tuple | set | frozenset | dict | np.ndarray) for v in series):
            out[column] = [
                "; ".join(_text(x) for x in v)
                if isinstance(v, list | tuple | set | frozenset | np.ndarray)
                else _text(v)
                if isinstance(v, dict)
                else v
                for v in series
            ]
    return out


# ----------------------------------------------------------------------------- selection
@dataclass(frozen=True)
class TableView:
    """Which rows a table shows, in which order, and the sentence that says so."""

    rows: pd.DataFrame
    total: int
    note: str
    highlighted: frozenset[int]  # positions in ``rows`` to highlight


def _mask(df: pd.DataFrame, spec: Any, what: str) -> pd.Series:
    """A boolean row mask from a column name (bool column), a ``{column: value(s)}`` mapping,
    a boolean Series/array, or None."""
    if spec is None:
        return pd.Series(False, index=df.index)
    if isinstance(spec, str):
        if spec not in df.columns:
            raise ValidationError(
                f"{what}: column {spec!r} is not in the table ({list(df.columns)})"
            )
        return df[spec].fillna(False).astype(bool)
    if isinstance(spec, Mapping):
        mask = pd.Series(True, index=df.index)
        for column, wanted in spec.items():
            if column not in df.columns:
                raise ValidationError(f"{what}: column {column!r} is not in the table")
            values = (
                list(wanted) if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
            )
            mask &= df[column].isin(values)
        return mask
    mask = pd.Series(np.asarray(spec, dtype=bool), index=df.index)
    if len(mask) != len(df):
        raise ValidationError(f"{what}: mask has {len(mask)} rows, the table {len(df)}")
    return mask


def select_rows(
    df: pd.DataFrame,
    *,
    sort_by: str | Sequence[str] | None = None,
    ascending: bool | None = None,
    top_n: int | None = DEFAULT_TOP_N,
    priority: Any = None,
    highlight: Any = None,
    priority_label: str | None = None,
) -> TableView:
    """The rows to show: ``priority`` rows first (never cut), then ``highlight`` rows (never cut),
    then the others by ``sort_by`` up to ``top_n`` rows in all; plus the "showing N of M" sentence.

    ``sort_by`` sorts descending by default for numbers (largest first), ascending for text.
    """
    total = len(df)
    frame = df.reset_index(drop=not _keeps_index(df))
    pri = _mask(frame, priority, "priority").to_numpy()
    hil = _mask(frame, highlight, "highlight").to_numpy()
    sort_cols = [sort_by] if isinstance(sort_by, str) else list(sort_by or [])
    for column in sort_cols:
        if column not in frame.columns:
            raise ValidationError(f"sort_by: column {column!r} is not in the table")
    order = np.arange(total)
    if sort_cols:
        asc = ascending
        if asc is None:
            asc = not pd.api.types.is_numeric_dtype(frame[sort_cols[0]])
        order = (
            frame.assign(_pos=np.arange(total))
            .sort_values(sort_cols, ascending=asc, na_position="last", kind="stable")["_pos"]
            .to_numpy()
        )
    must = [i for i in order if pri[i]] + [i for i in order if hil[i] and not pri[i]]
    rest = [i for i in order if not pri[i] and not hil[i]]
    limit = total if top_n is None else max(int(top_n), 0)
    chosen = must + rest[: max(limit - len(must), 0)]
    if not must and not sort_cols:
        chosen = sorted(chosen)
    rows = frame.iloc[chosen]
    highlighted = frozenset(n for n, i in enumerate(chosen) if hil[i])

    parts = []
    if len(chosen) < total:
        parts.append(f"Showing {len(chosen)} of {total:,} rows")
    else:
        parts.append(f"{total:,} row{'s' if total != 1 else ''}")
    if pri.any():
        label = priority_label or (priority if isinstance(priority, str) else "key rows")
        parts.append(f"all {int(pri.sum())} {label} rows first")
    if sort_cols:
        direction = "ascending" if (ascending if ascending is not None else asc) else "descending"
        parts.append(f"sorted by {', '.join(header_label(c) for c in sort_cols)} ({direction})")
    note = ", ".join(parts)
    note += "; all rows in the CSV." if len(chosen) < total else "."
    return TableView(rows=rows, total=total, note=note, highlighted=highlighted)


def _keeps_index(df: pd.DataFrame) -> bool:
    return not isinstance(df.index, pd.RangeIndex) and any(
        name is not None for name in df.index.names
    )


# ----------------------------------------------------------------------------- HTML
def show_table(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    unit: str | None = None,
    units: Mapping[str, str] | None = None,
    sort_by: str | Sequence[str] | None = None,
    ascending: bool | None = None,
    top_n: int | None = DEFAULT_TOP_N,
    priority: Any = None,
    highlight: Any = None,
    priority_label: str | None = None,
    csv_name: str | None = None,
    columns: Sequence[str] | None = None,
    value_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """An HTML table for a report: caption (title and unit), ``<th scope="col">`` headers, the first
    column as row headers, formatted cells, the key rows first and a "showing N of M" note.

    ``unit`` applies to the whole table (stated in the caption); ``units`` maps columns to their
    unit (shown in the header; ``share`` = a fraction shown in per cent, ``p`` = p-values).
    ``priority``/``highlight``: a bool column name, ``{column: value}`` or a mask (see
    :func:`select_rows`).  ``csv_name``: the CSV file holding all rows (named in the note).
    ``columns``: the columns to show (the others stay in the CSV; the note says so).
    ``value_labels``: ``{column: {code: label}}``, vocabulary codes shown in words
    (``office_administration`` -> "Office and administration"); the CSV keeps the codes.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"show_table expects a pandas DataFrame, got {type(df).__name__}")
    if df.shape[1] == 0 and not _keeps_index(df):  # nothing to lay out as a table
        from workbench.reporting.templating import render

        label = title or "Table"
        return render("empty_chart.html.j2", title=label, reason="no data for this selection.")
    view = select_rows(
        df,
        sort_by=sort_by,
        ascending=ascending,
        top_n=top_n,
        priority=priority,
        highlight=highlight,
        priority_label=priority_label,
    )
    units = dict(units or {})
    hidden = 0
    if columns is not None:
        missing = [c for c in columns if c not in view.rows.columns]
        if missing:
            raise ValidationError(f"columns: {missing} not in the table ({list(df.columns)})")
        from_index = [c for c in view.rows.columns if c not in df.columns and c not in columns]
        keep = from_index + list(columns)  # an index (e.g. region) stays the first column
        hidden = view.rows.shape[1] - len(keep)
        view = TableView(view.rows[keep], view.total, view.note, view.highlighted)
    rows = view.rows
    if value_labels:
        missing = [c for c in value_labels if c not in df.columns]
        if missing:
            raise ValidationError(f"value_labels: {missing} not in the table ({list(df.columns)})")
        rows = rows.assign(
            **{
                str(c): _labelled(rows[c], dict(m))
                for c, m in value_labels.items()
                if c in rows.columns
            }
        )
    shown = format_frame(rows, units)
    numeric = [is_numeric_column(view.rows.iloc[:, i]) for i in range(view.rows.shape[1])]
    caption = title or ""
    if unit:
        caption = f"{caption} ({unit})" if caption else f"Unit: {unit}"
    note = view.note
    if hidden > 0:
        note += f" {hidden} more column{'s' if hidden != 1 else ''} in the CSV."
    if csv_name and "CSV" in note:
        note = note.replace("the CSV", f"the CSV {csv_name}")
    from workbench.reporting.templating import render

    return render(
        "table.html.j2",
        caption=caption,
        headers=[header_label(c, units.get(str(c))) for c in view.rows.columns],
        numeric=numeric,
        rows=shown.to_numpy().tolist(),
        highlighted=view.highlighted,
        note=note,
        empty=len(df) == 0,
    )


def _labelled(values: pd.Series, labels: dict[str, str]) -> pd.Series:
    """Codes in words; a cell listing codes (``"skills, financing"``) has each one replaced."""

    def one(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if v in labels:
            return labels[v]
        parts = [p.strip() for p in v.split(",")]
        return ", ".join(labels.get(p, p) for p in parts) if len(parts) > 1 else v

    return values.map(one)


def table_text(df: pd.DataFrame, units: Mapping[str, str] | None = None, max_rows: int = 20) -> str:
    """A plain-text rendering (the ``text/plain`` form of a table output)."""
    shown = format_frame(df.head(max_rows), units)
    shown.columns = [header_label(c) for c in df.columns]
    return shown.to_string(index=False)


def escape(value: Any) -> str:
    """HTML-escape any value as text (``None`` -> empty)."""
    return html.escape("" if value is None else str(value), quote=True)
