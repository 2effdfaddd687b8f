"""The shared dashboard kit: escaping, status messages, HTML tables with paging, colour legends,
download links and one stylesheet, used by every Voila dashboard in ``workbench/dashboards/``.

Light on purpose (the foresight participant kernel imports it): the standard library and ipywidgets
only, no pandas.  Tables take records (a list of dicts; a DataFrame's ``to_dict("records")``).

Rules it enforces:

- **Every value is escaped** on its way into HTML (:func:`h`; tables escape every cell and header),
  so text typed by people never becomes markup.  Only arguments named ``html_*`` or marked
  ``escape=False`` are trusted markup built by the dashboard itself.
- **Status messages are visible and announced**: a coloured box with a symbol (not colour alone),
  ``role="status"``/``aria-live="polite"`` for confirmations and information, ``role="alert"``/
  ``aria-live="assertive"`` for errors.  Put the status widget next to the button that causes it.
- **Long lists are paged** (:class:`PagedTable`: filter box, "rows 1-25 of 463", previous/next), so a
  form placed after a list is never thousands of pixels away.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import ipywidgets as w

StatusKind = Literal["ok", "error", "info", "warn"]
Record = Mapping[str, Any]
Column = str | tuple[str, str]  # key, or (key, header shown)

CSS = """<style>
.wb-dashboard{font-size:15px;line-height:1.4}
.wb-muted{color:#555;font-size:90%}
.wb-status{display:inline-block;padding:4px 10px;margin:2px 0;border-radius:4px;border-left:4px solid;
font-weight:600;max-width:720px}
.wb-status-ok{color:#1a7f37;background:#e6f4ea;border-color:#1a7f37}
.wb-status-error{color:#b42318;background:#fdecea;border-color:#b42318}
.wb-status-warn{color:#8a4b00;background:#fff4e5;border-color:#b54708}
.wb-status-info{color:#1d4f91;background:#e8f0fb;border-color:#1d4f91;font-weight:400}
.wb-status ul{margin:4px 0 0 0;padding-left:20px;font-weight:400}
.wb-table{border-collapse:collapse;font-size:90%}
.wb-table td,.wb-table th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.wb-table th{background:#f3f3f3}
.wb-table td.wb-num,.wb-table th.wb-num{text-align:right}
.wb-heatmap{border-collapse:collapse;font-size:90%}
.wb-heatmap td,.wb-heatmap th{border:1px solid #bbb;padding:4px 6px;text-align:center}
.wb-heatmap th[scope=row]{text-align:left}
.wb-on-dark{color:#fff}
.wb-card{border:1px solid #ccc;border-radius:6px;padding:8px;margin:6px 0;max-width:640px}
.wb-legend{display:flex;flex-wrap:wrap;gap:10px;align-items:center;font-size:90%;margin:4px 0}
.wb-legend-swatch{display:inline-block;width:18px;height:14px;border:1px solid #999;
vertical-align:middle;margin-right:4px}
.wb-pager{align-items:center}
.widget-dropdown>select{font-size:16px}
</style>"""

_ROLE: dict[str, tuple[str, str, str]] = {  # kind -> (role, aria-live, symbol)
    "ok": ("status", "polite", "\u2713"),
    "info": ("status", "polite", "\u2139"),
    "warn": ("status", "polite", "!"),
    "error": ("alert", "assertive", "\u2717"),
}


def h(value: Any) -> str:
    """``value`` as escaped HTML text; ``None`` and NaN become an empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def style() -> w.HTML:
    """A widget carrying the kit's stylesheet: put it once at the top of a dashboard."""
    box = w.HTML(CSS)
    box.add_class("wb-style")
    return box


def status_html(kind: StatusKind, text: str, *, escape: bool = True, extra_class: str = "") -> str:
    """A status message: ``kind`` is ok / error / info / warn; ``text`` is escaped unless
    ``escape=False`` (then it must be markup the dashboard built, its values escaped with :func:`h`).
    ``extra_class`` adds class names (e.g. a dashboard's own ``fs-ok`` that its tests look for)."""
    if kind not in _ROLE:
        raise ValueError(f"status kind must be one of {sorted(_ROLE)}, not {kind!r}")
    role, live, symbol = _ROLE[kind]
    body = h(text) if escape else text
    classes = f"wb-status wb-status-{kind}" + (f" {extra_class}" if extra_class else "")
    return (
        f'<div class="{classes}" role="{role}" aria-live="{live}">'
        f'<span aria-hidden="true">{symbol}</span> {body}</div>'
    )


class Status(w.HTML):
    """An HTML widget showing one status message at a time (class ``wb-status-box``)."""

    def __init__(self, css_class: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("wb-status-box")
        if css_class:
            self.add_class(css_class)
        self.kind: str = ""

    def show(self, kind: StatusKind, text: str, *, escape: bool = True) -> None:
        """Show a message of ``kind`` (see :func:`status_html`)."""
        self.kind = kind
        self.value = status_html(kind, text, escape=escape)

    def ok(self, text: str, *, escape: bool = True) -> None:
        """A confirmation ("Saved ...")."""
        self.show("ok", text, escape=escape)

    def error(self, text: str, *, escape: bool = True) -> None:
        """An error (announced at once by screen readers)."""
        self.show("error", text, escape=escape)

    def info(self, text: str, *, escape: bool = True) -> None:
        """Neutral information."""
        self.show("info", text, escape=escape)

    def warn(self, text: str, *, escape: bool = True) -> None:
        """A warning."""
        self.show("warn", text, escape=escape)

    def clear(self) -> None:
        """No message."""
        self.kind = ""
        self.value = ""


def _columns(columns: Sequence[Column]) -> list[tuple[str, str]]:
    return [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in columns]


def _cell(value: Any, fmt: str | Callable[[Any], str] | None) -> tuple[str, bool]:
    """(escaped text, is a number) of one cell."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    numeric = isinstance(value, int | float) and not isinstance(value, bool) and not missing
    if missing:
        return "", False
    if fmt is None:
        if isinstance(value, bool):
            return ("yes" if value else "no"), False
        if isinstance(value, float):
            return h(f"{value:,.2f}"), True
        if isinstance(value, list | tuple):
            return h(", ".join(str(v) for v in value)), False
        return h(value), numeric
    text = fmt(value) if callable(fmt) else fmt.format(value)
    return h(text), numeric


def _attrs(attrs: Mapping[str, Any]) -> str:
    return "".join(f' {h(k)}="{h(v)}"' for k, v in attrs.items())


def table_html(
    rows: Iterable[Record],
    columns: Sequence[Column],
    *,
    css_class: str = "",
    formats: Mapping[str, str | Callable[[Any], str]] | None = None,
    row_attrs: Callable[[Record], Mapping[str, Any]] | None = None,
    empty: str = "Nothing to show.",
    caption: str = "",
) -> str:
    """An HTML table of ``rows`` (records) showing ``columns`` (key or (key, header)).

    Every header and cell is escaped.  ``formats`` maps a key to a format string (``"{:.1f}"``) or a
    function; without one, floats get two decimals, booleans yes/no, lists are joined, ``None``/NaN
    are empty.  ``row_attrs(row)`` gives attributes of a ``<tr>`` (e.g. ``{"data-id": ...}``).  With
    no rows, a paragraph saying ``empty``."""
    cols = _columns(columns)
    formats = formats or {}
    body = []
    for row in rows:
        cells = []
        for key, _ in cols:
            text, numeric = _cell(row.get(key), formats.get(key))
            cells.append(f'<td class="wb-num">{text}</td>' if numeric else f"<td>{text}</td>")
        attrs = _attrs(row_attrs(row)) if row_attrs else ""
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    if not body:
        return f'<p class="wb-muted wb-empty">{h(empty)}</p>'
    head = "".join(f'<th scope="col">{h(label)}</th>' for _, label in cols)
    cap = f"<caption>{h(caption)}</caption>" if caption else ""
    classes = "wb-table" + (f" {css_class}" if css_class else "")
    return (
        f'<table class="{classes}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


class PagedTable(w.VBox):
    """A table widget with a filter box and paging (``page_size`` rows a page).

    ``set_rows(records)`` replaces the rows (and keeps the page when it still exists); the filter
    keeps the rows whose shown cells contain the typed text (case-insensitive).  CSS classes:
    ``wb-paged`` on the box, ``wb-filter``, ``wb-page-info``, ``wb-prev``, ``wb-next`` inside."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        page_size: int = 25,
        css_class: str = "",
        formats: Mapping[str, str | Callable[[Any], str]] | None = None,
        row_attrs: Callable[[Record], Mapping[str, Any]] | None = None,
        empty: str = "Nothing to show.",
        filter_placeholder: str = "filter: type a word",
        **kwargs: Any,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        self.columns = list(columns)
        self.page_size = page_size
        self.css_class = css_class
        self.formats = formats
        self.row_attrs = row_attrs
        self.empty = empty
        self.rows: list[Record] = []
        self.page = 0
        self.search = w.Text(
            placeholder=filter_placeholder, description="Filter", continuous_update=False
        )
        self.search.add_class("wb-filter")
        self.info = w.HTML()
        self.info.add_class("wb-page-info")
        self.table = w.HTML()
        self.table.add_class("wb-page-table")
        self.prev_button = w.Button(
            description="Previous", icon="arrow-left", layout=w.Layout(width="auto")
        )
        self.next_button = w.Button(
            description="Next", icon="arrow-right", layout=w.Layout(width="auto")
        )
        self.prev_button.add_class("wb-prev")
        self.next_button.add_class("wb-next")
        self.prev_button.on_click(lambda _b: self.go(self.page - 1))
        self.next_button.on_click(lambda _b: self.go(self.page + 1))
        self.search.observe(lambda _c: self.go(0), names="value")
        pager = w.HBox([self.prev_button, self.info, self.next_button])
        pager.add_class("wb-pager")
        super().__init__([self.search, self.table, pager], **kwargs)
        self.add_class("wb-paged")
        self.render()

    def set_rows(self, rows: Iterable[Record]) -> None:
        """Show new rows (the current page is kept when it still exists)."""
        self.rows = list(rows)
        self.render()

    def filtered(self) -> list[Record]:
        """The rows that pass the filter box."""
        needle = self.search.value.strip().lower()
        if not needle:
            return self.rows
        keys = [k for k, _ in _columns(self.columns)]
        return [r for r in self.rows if any(needle in str(r.get(k, "")).lower() for k in keys)]

    @property
    def n_pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(len(self.filtered()) / self.page_size))

    def go(self, page: int) -> None:
        """Show page ``page`` (0-based; clipped to the pages there are)."""
        self.page = page
        self.render()

    def render(self) -> None:
        """Redraw the current page."""
        rows = self.filtered()
        n_pages = max(1, math.ceil(len(rows) / self.page_size))
        self.page = min(max(self.page, 0), n_pages - 1)
        start = self.page * self.page_size
        shown = rows[start : start + self.page_size]
        self.table.value = table_html(
            shown, self.columns, css_class=self.css_class, formats=self.formats,
            row_attrs=self.row_attrs, empty=self.empty,
        )  # fmt: skip
        of = f" (filtered from {len(self.rows)})" if len(rows) != len(self.rows) else ""
        self.info.value = (
            f'<span class="wb-muted">rows {start + 1}-{start + len(shown)} of {len(rows)}{of}, '
            f"page {self.page + 1} of {n_pages}</span>"
            if shown
            else f'<span class="wb-muted">0 rows{of}</span>'
        )
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= n_pages - 1


def legend_html(items: Iterable[tuple[str, str]], *, title: str = "", css_class: str = "") -> str:
    """A colour legend: ``items`` are (CSS colour, label) pairs; labels are escaped."""
    parts = [f"<b>{h(title)}</b>"] if title else []
    parts += [
        f'<span class="wb-legend-item"><span class="wb-legend-swatch" '
        f'style="background:{h(colour)}"></span>{h(label)}</span>'
        for colour, label in items
    ]
    classes = "wb-legend" + (f" {css_class}" if css_class else "")
    return f'<div class="{classes}">{"".join(parts)}</div>'


def download_link(
    text: str, filename: str, label: str, *, mime: str = "text/csv", css_class: str = ""
) -> str:
    """An ``<a download>`` link carrying ``text`` in a ``data:`` URI (no server round trip).
    Neutralise spreadsheet formulas before (``workbench.kb.spreadsheet.neutralise_frame``)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    cls = f' class="{h(css_class)}"' if css_class else ""
    return (
        f'<a{cls} download="{h(filename)}" href="data:{h(mime)};base64,{payload}">'
        f"&#8595; {h(label)}</a>"
    )
