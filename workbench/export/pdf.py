"""PDF output: the print model as paged HTML, laid out by WeasyPrint (A4, running "Page x of y",
table of contents with page numbers via ``target-counter``, repeated table headers).

Engine choice (measured, benchmarks/bench_export.py): WeasyPrint needs only the Pango system
library (no browser), is deterministic and supports CSS paged media; typst would need a second
markup language for the same layout, and headless Chromium's print-to-pdf has no page-numbered
table of contents.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import html as htmllib
import multiprocessing
import os
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bs4 import BeautifulSoup, Comment

from workbench.export.charts import (
    CACHE_DIR,
    ChartRenderer,
    MissingSystemPackage,
    prefetch_reports,
)
from workbench.export.model import Figure, Heading, Html, Report, Table

WIDE_TABLE_COLUMNS = 9  # tables with more columns get smaller type to fit the A4 width
LANDSCAPE_TABLE_COLUMNS = 12  # ... and with more than this, a landscape page of their own (in
# portrait, 13+ columns of 6.5 pt headers such as "dependence" ran past the right page edge)
PANGO_HINT = (
    "PDF export needs WeasyPrint and the Pango library: `apt-get install -y libpango-1.0-0 "
    "libpangoft2-1.0-0 fonts-dejavu-core` (Debian/Ubuntu) and `pip install weasyprint`"
)


@dataclass
class _Counter:
    figure: int = 0
    table: int = 0
    anchors: dict[str, int] = field(default_factory=dict)

    def anchor(self, text: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "s"
        n = self.anchors.get(base, 0) + 1
        self.anchors[base] = n
        return f"{base}-{n}"


def pdf_chart_format() -> str:
    """How charts go into the PDF: ``svg`` (vector, the default) or ``png`` (2x raster, cheaper
    for WeasyPrint to draw; measured side by side in benchmarks/bench_export.py), from
    ``WORKBENCH_PDF_CHARTS``."""
    fmt = os.environ.get("WORKBENCH_PDF_CHARTS", "svg").strip().lower()
    return fmt if fmt in ("svg", "png") else "svg"


def _clean_html(fragment: str) -> str:
    """Flowing text without scripts, and links only where they work in print (in-page)."""
    soup = BeautifulSoup(fragment, "html.parser")
    for bad in soup.find_all(["script", "style", "link", "iframe"]):
        bad.decompose()
    for a in soup.find_all("a"):
        a.unwrap()
    for comment in soup.find_all(string=lambda t: isinstance(t, Comment)):
        comment.extract()
    return str(soup)


def _date(report: Report) -> str:
    raw = report.generated_at
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).strftime("%d %B %Y")
    except ValueError:
        return raw


# a word a table cell may break inside (hashes, file names, URLs: 25 characters or more); shorter
# ones (dates, dataset ids, codes) only between words
_LONG_WORD = re.compile(r"\S{25,}")


def _breakable(text: str) -> str:
    """Escaped cell text with each long word in a ``<span class="brk">`` that may break anywhere.

    Only the long word, not the whole cell: WeasyPrint sizes an auto-layout table column by
    laying out each cell's text at every break opportunity, and with ``overflow-wrap: anywhere``
    that is every character (measured: half the layout CPU of a report with long text cells)."""
    e = htmllib.escape
    out: list[str] = []
    last = 0
    for m in _LONG_WORD.finditer(text):
        out.append(f'{e(text[last : m.start()])}<span class="brk">{e(m.group())}</span>')
        last = m.end()
    out.append(e(text[last:]))
    return "".join(out)


def _table_html(t: Table, n: int) -> str:
    e = htmllib.escape
    head = "".join(
        f'<th class="num">{e(h)}</th>' if num else f"<th>{e(h)}</th>"
        for h, num in zip(t.header, t.numeric + [False] * len(t.header), strict=False)
    )
    nums = t.numeric + [False] * max(0, len(t.header) - len(t.numeric))
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{e(c)}</td>'
            if i < len(nums) and nums[i]
            else f'<td class="words">{_breakable(str(c))}</td>'  # dates, codes, names: whole
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in t.rows
    )
    notes = "".join(f'<p class="note">{e(x)}</p>' for x in t.notes)
    data = f'<p class="data">Data: {e(t.csv)} in the data annex.</p>' if t.csv else ""
    wide = ' class="wide"' if len(t.header) > WIDE_TABLE_COLUMNS else ""
    html = (
        f'<table{wide}><caption><span class="label">Table {n}.</span> {e(t.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}{data}"
    )
    if len(t.header) > LANDSCAPE_TABLE_COLUMNS:
        return f'<div class="landscape">{html}</div>'
    return html


def _figure_html(f: Figure, n: int, charts: ChartRenderer, cache: Path) -> str:
    e = htmllib.escape
    if f.plotly is not None:
        fmt = pdf_chart_format()
        data = charts.render(f.plotly, fmt, cache)
        kind = "svg+xml" if fmt == "svg" else "png"
    elif f.image is not None:
        data, kind = f.image, ("svg+xml" if f.image_type == "svg" else "png")
    else:
        return ""
    src = f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
    data_note = f'<p class="data">Data: {e(f.csv)} in the data annex.</p>' if f.csv else ""
    return (
        f'<figure><img src="{src}" alt="{e(f.caption)}">'
        f'<figcaption><span class="label">Figure {n}.</span> {e(f.caption)}</figcaption>'
        f"</figure>{data_note}"
    )


def report_body(
    report: Report,
    counter: _Counter,
    charts: ChartRenderer,
    *,
    chapter: bool,
) -> tuple[str, dict[str, Any]]:
    """HTML of one report's body and its table-of-contents entry."""
    e = htmllib.escape
    cache = report.run_dir / CACHE_DIR
    rid = counter.anchor(report.title)
    parts = [f'<h1 class="report-title" id="{rid}">{e(report.title)}</h1>']
    if report.kind:
        parts.append(f'<p class="kind">{e(report.kind)}</p>')
    if chapter:
        if report.subtitle:
            parts.append(f'<p class="subtitle">{e(report.subtitle)}</p>')
        if report.synthetic_note:
            parts.append(f'<p class="synthetic">{e(report.synthetic_note)}</p>')
        if report.key_findings:
            items = "".join(f"<li>{e(s)}</li>" for s in report.key_findings)
            parts.append(
                '<section class="key-findings" aria-label="Key findings">'
                f"<h2>Key findings</h2><ul>{items}</ul></section>"
            )
    children: list[dict[str, str]] = []
    for block in report.blocks:
        if isinstance(block, Heading):
            hid = counter.anchor(block.text)
            level = min(block.level, 4)
            cls = ' class="section"' if level == 2 else ""
            parts.append(f'<h{level} id="{hid}"{cls}>{e(block.text)}</h{level}>')
            if level == 2:
                children.append({"id": hid, "text": block.text})
        elif isinstance(block, Table):
            counter.table += 1
            parts.append(_table_html(block, counter.table))
        elif isinstance(block, Figure):
            counter.figure += 1
            parts.append(_figure_html(block, counter.figure, charts, cache))
        elif isinstance(block, Html):
            parts.append(_clean_html(block.html))
    return "\n".join(parts), {"id": rid, "text": report.title, "children": children}


def _weasyprint_html():  # noqa: ANN202
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango/GObject shared libraries missing
        raise MissingSystemPackage(f"{PANGO_HINT} ({exc})") from exc
    _svg_text_in_runs()
    _memo_preferred_widths()
    _reuse_leader_layouts()
    return HTML


class _Run(str):
    """A text that iterates as ONE piece: WeasyPrint's SVG ``text`` places ``for char in
    node.text``; given this, it lays out and draws the run in one go."""

    def __iter__(self):  # noqa: ANN204
        yield str(self)


_PER_LETTER = ("rotate", "textLength", "letter-spacing")


@functools.cache
def _svg_text_in_runs() -> None:
    """Let WeasyPrint draw an SVG text run whole instead of letter by letter.

    WeasyPrint 70 lays out and draws every character of an SVG ``<text>``/``<tspan>`` on its own
    (Pango once per letter), which is most of the CPU of drawing a plotly chart: measured on the
    9 charts of an S3 profile, 3.5-3.7 s -> 2.1-2.6 s CPU and 226 -> 191 kB, pages the same to
    the eye (pypdfium2).  Only runs with at most one x/y/dx/dy value and no rotate,
    textLength or letter-spacing (the letters' positions then follow from the run's own
    layout); anything else, and any other WeasyPrint version, keeps WeasyPrint's own drawing."""
    import weasyprint
    import weasyprint.svg as svg_module

    found = getattr(svg_module, "text", None)
    tags = getattr(svg_module, "TAGS", None)
    if (
        not weasyprint.__version__.startswith("70.")
        or not callable(found)
        or not isinstance(tags, dict)
        or tags.get("text") is not found
    ):
        return
    original = cast("Callable[..., Any]", found)
    from weasyprint.svg.utils import normalize

    def text(svg: Any, node: Any, font_size: float) -> Any:
        element = node._etree_node
        run = element.text
        if (
            isinstance(run, str)
            and len(run) > 1
            and not any(k in node.attrib for k in _PER_LETTER)
            and all(
                len(normalize(node.attrib[k]).split()) <= 1
                for k in ("x", "y", "dx", "dy")
                if k in node.attrib
            )
        ):
            element.text = _Run(run)
            try:
                return original(svg, node, font_size)
            finally:
                element.text = run
        return original(svg, node, font_size)

    # draw_node compares TAGS[tag] with the module's ``text`` (anchor, bounding box): both
    for tag, fn in list(tags.items()):
        if fn is original:
            tags[tag] = text
    svg_module.text = text


#: the computed style values WeasyPrint 70's ``split_first_line`` (text/line_break.py and
#: text/fonts.py) reads: with the text, the width and the font configuration they decide its result
_LINE_STYLE = (
    "direction",
    "font_family",
    "font_feature_settings",
    "font_kerning",
    "font_language_override",
    "font_size",
    "font_stretch",
    "font_style",
    "font_variant_alternates",
    "font_variant_caps",
    "font_variant_east_asian",
    "font_variant_ligatures",
    "font_variant_numeric",
    "font_variant_position",
    "font_variation_settings",
    "font_weight",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "hyphens",
    "lang",
    "letter_spacing",
    "line_height",
    "overflow_wrap",
    "tab_size",
    "text_decoration_line",
    "white_space",
    "word_break",
    "word_spacing",
)
_MEMO_LIMIT = 200_000


@functools.cache
def _memo_preferred_widths() -> None:
    """Remember the line splits WeasyPrint measures to size table columns.

    An automatic table layout measures every cell's min-content width (a text layout per word)
    and max-content width, and the same cell texts come back again and again (a table measured
    again on its next page, codes and names repeated down a column and across tables): 80% of
    these ``split_first_line`` calls repeat one before (measured on 8 reports), a sixth of the
    layout CPU.  The key holds the text, the width and every style value the split reads
    (:data:`_LINE_STYLE`), and the font configuration (the memo holds the splits of one
    configuration at a time and keeps it alive, so its id is not reused); only the numbers the
    width computation uses are kept.  Only for WeasyPrint 70,
    whose code this follows; anything unhashable is measured as before."""
    import weasyprint
    import weasyprint.layout.preferred as preferred

    found = getattr(preferred, "split_first_line", None)
    if not weasyprint.__version__.startswith("70.") or not callable(found):
        return
    original = cast("Callable[..., Any]", found)
    memo: dict[Any, tuple[Any, ...]] = {}
    configs: dict[int, Any] = {}

    def split_first_line(
        text: str,
        style: Any,
        context: Any,
        max_width: Any,
        justification_spacing: Any,
        is_line_start: bool = True,
        minimum: bool = False,
    ) -> tuple[Any, ...]:
        try:
            config = style.font_config
            key = (
                text,
                max_width,
                justification_spacing,
                is_line_start,
                minimum,
                id(config),
                tuple(style[name] for name in _LINE_STYLE),
            )
            hit = memo.get(key)
        except TypeError:  # an unhashable value: no memo
            return original(
                text, style, context, max_width, justification_spacing, is_line_start, minimum
            )
        if hit is not None:
            return hit
        result = original(
            text, style, context, max_width, justification_spacing, is_line_start, minimum
        )
        if len(memo) >= _MEMO_LIMIT or id(config) not in configs:
            # one font configuration at a time (a pack's worker has one; elsewhere each
            # document its own): the memo does not keep old ones alive
            memo.clear()
            configs.clear()
            configs[id(config)] = config  # alive while its entries are
        # preferred.py reads the resume index and the width only: no Pango layout kept
        memo[key] = (None, result[1], result[2], result[3], result[4], result[5])
        return result

    preferred.split_first_line = split_first_line


@functools.cache
def _reuse_leader_layouts() -> None:
    """Draw the dots of a contents leader from one text layout instead of one per dot.

    WeasyPrint 70 fills a ``leader('.')`` with copies of one text box that share one Pango
    layout, and draws each copy by setting that layout up again and discarding it (``reactivate``
    / ``deactivate``): the contents of a 36-report pack draw ~24,000 dots, 2.9 s of CPU in the
    pack's serial last step.  Here a layout drawn plainly (no ellipsis: then drawing changes
    nothing in it but its single-paragraph mode, set the same way each time) stays set up while
    the next text box drawn is a copy with the same layout and style; any other draw discards it
    as WeasyPrint would.  Only for WeasyPrint 70, whose drawing code this follows."""
    import weasyprint
    import weasyprint.draw as draw_package
    import weasyprint.draw.text as draw_text_module
    from weasyprint.text.line_break import Layout

    found = getattr(draw_text_module, "draw_text", None)
    if (
        not weasyprint.__version__.startswith("70.")
        or not callable(found)
        or getattr(draw_package, "draw_text", None) is not found
    ):
        return
    original = cast("Callable[..., Any]", found)
    import threading

    reactivate, deactivate = Layout.reactivate, Layout.deactivate
    state = threading.local()  # keep: inside a plain draw; last: the layout it left set up

    def kept_reactivate(self: Any, style: Any) -> None:
        keeping = getattr(state, "keep", False)
        if keeping and self.__dict__.get("_wb_kept") is style and "layout" in self.__dict__:
            return  # set up for this style by the draw just before, unchanged since
        self.__dict__.pop("_wb_kept", None)
        reactivate(self, style)

    def kept_deactivate(self: Any) -> None:
        if getattr(state, "keep", False):
            self._wb_kept = self.style
            return
        self.__dict__.pop("_wb_kept", None)
        deactivate(self)

    def release(layout: Any) -> None:
        if layout is not None and layout.__dict__.pop("_wb_kept", None) is not None:
            deactivate(layout)

    def draw_text(stream: Any, textbox: Any, *args: Any) -> Any:
        layout = textbox.pango_layout
        last = getattr(state, "last", None)
        if last is not layout:
            release(last)
            state.last = None
        if len(args) != 3 or args[1] != "clip" or args[2] != "none":  # offset, overflow, ellipsis
            release(layout)
            state.last = None
            return original(stream, textbox, *args)
        state.keep = True
        try:
            return original(stream, textbox, *args)
        finally:
            state.keep = False
            state.last = layout

    Layout.reactivate = kept_reactivate
    Layout.deactivate = kept_deactivate
    draw_text_module.draw_text = draw_text
    draw_package.draw_text = draw_text


@functools.cache
def _template():  # noqa: ANN202
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("workbench.export", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    return env.get_template("print.html.j2")


def _html(
    doc: dict[str, Any],
    *,
    cover: bool,
    toc: list[dict[str, Any]],
    body: str,
    appendix: str | None,
    first_page: int = 1,
    total: int | None = None,
    page_numbers: bool = True,
    numbers_only: int = 0,
) -> str:
    """The print HTML of a whole document or of one part of it (a pack laid out in parts:
    ``first_page`` and ``total`` then number the pages of the part within the whole).
    ``page_numbers=False`` leaves out the "Page x of y" footer; ``numbers_only=N`` makes N
    empty pages carrying only that footer (stamped onto the parts of a pack)."""
    from markupsafe import Markup

    return _template().render(
        **doc,
        cover=cover,
        show_toc=bool(toc),
        toc=toc,
        body=Markup(body),
        show_appendix=appendix is not None,
        appendix=Markup(appendix or ""),
        first_page=first_page,
        total=total,
        page_numbers=page_numbers,
        numbers_only=numbers_only,
    )


#: a pack's reports whose charts are drawn in one browser batch before their bodies go to the
#: layout workers (measured: 127 charts of 36 reports in batches of 4 reports, 18.7 s; in one
#: batch, 17.2 s, but then no layout starts before the last chart is drawn)
CHART_STEP = 4


#: niceness of the layout workers: the main process (building the next bodies) and the browser
#: drawing the next reports' charts go first, since the workers wait on them.  Chromium runs in a
#: session (scheduling group) of its own, so with Linux's autogroups this decides between our own
#: processes only; without them it also keeps the browser ahead (measured with the browser's CPU
#: share cut: the two workers sat idle 19 of 81 s waiting for charts)
LAYOUT_NICE = 5


def workers_for_pack() -> int:
    """Processes laying out a pack's reports at once: ``WORKBENCH_EXPORT_WORKERS`` or the
    number of CPUs (at most 4); 1 lays the pack out in one pass."""
    env = os.environ.get("WORKBENCH_EXPORT_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def render_pdf(
    reports: list[Report],
    out: Path,
    charts: ChartRenderer,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    workers: int | None = None,
) -> Path:
    """Write one PDF of ``reports`` (one report, or a pack with one contents list and appendix).

    A pack of several reports with ``workers`` > 1 (default :func:`workers_for_pack`) is laid
    out report by report in parallel processes and merged (:func:`_render_parts`); otherwise
    WeasyPrint lays out the whole document in one pass."""
    html_cls = _weasyprint_html()
    pack = len(reports) > 1 or title is not None
    n = workers if workers is not None else workers_for_pack()
    in_parts = len(reports) > 1 and n > 1 and "fork" in multiprocessing.get_all_start_methods()
    counter = _Counter()
    toc: list[dict[str, Any]] = []

    def bodies(step: int) -> Iterator[str]:
        """Each report's body (its toc entry added to ``toc``), the charts of ``step`` reports
        drawn at a time just before their bodies are built (the first report's alone, so that
        the second layout worker need not wait for four reports' charts)."""
        starts = [0, *range(1 if step < len(reports) else len(reports), len(reports), step)]
        for start, end in zip(starts, [*starts[1:], len(reports)], strict=True):
            chunk = reports[start:end]
            prefetch_reports(charts, chunk, pdf_chart_format())
            for report in chunk:
                body, entry = report_body(report, counter, charts, chapter=pack)
                if pack:
                    toc.append(entry)
                else:
                    toc.extend({"id": c["id"], "text": c["text"]} for c in entry["children"])
                yield body

    appendix = "\n".join(
        (f"<h2>{htmllib.escape(r.title)}</h2>" if pack else "") + _clean_html(r.provenance_html)
        for r in reports
    )
    first = reports[0]
    synthetic = any(r.synthetic for r in reports)
    doc_title = title or first.title
    doc = {
        "title": doc_title,
        "kind": "" if pack else first.kind,
        # the running head shares the line with the section name: at most 50 characters, cut
        # between words ("Joint strategy: ... (Jadranska …"), never inside one
        "short_title": textwrap.shorten(doc_title, width=50, placeholder=" …").replace('"', "'"),
        "subtitle": subtitle if subtitle is not None else ("" if pack else first.subtitle),
        "date": max((_date(r) for r in reports), default=""),
        "synthetic_note": (
            first.synthetic_note
            if synthetic and not pack
            else (
                "Contains SYNTHETIC DEMO DATA: generated, not real statistics." if synthetic else ""
            )
        ),
        "footer_note": "Synthetic demo data" if synthetic else "",
        "findings": (
            []
            if pack
            else ([{"title": "", "sentences": first.key_findings}] if first.key_findings else [])
        ),
        "reports": [r.title for r in reports] if pack else [],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    if in_parts:
        # charts drawn a few reports at a time while the workers lay out the reports before
        # (drawing waits on the browser: 127 charts of 36 reports take ~17 s, ~3 s of CPU)
        return _render_parts(
            doc, bodies(CHART_STEP), len(reports), toc, appendix, first.run_dir, out, n
        )
    body = "\n".join(bodies(len(reports)))  # every chart drawn in one batch
    toc.append({"id": "appendix", "text": "Appendix: Provenance"})
    html = _html(doc, cover=True, toc=toc, body=body, appendix=appendix)
    html_cls(string=html, base_url=str(first.run_dir)).write_pdf(out)
    return out


# the front matter's page count, estimated before its first layout (A4, print.html.j2's type and
# margins: 255 mm of text height; a contents entry ~5.5 mm a line with its spacing, ~88
# characters a line with its leader and page number; a cover list line 4.5 mm, ~92 characters)
_PAGE_MM = 255.0
_TOC_LINE_MM, _TOC_CHARS = 5.5, 88
_COVER_LINE_MM, _COVER_CHARS = 4.5, 92
_COVER_HEAD_MM = 75.0  # kind, title, date, synthetic-data warning, "Reports in this pack"


def _front_pages_guess(reports: list[str], toc: list[dict[str, Any]]) -> int:
    """Pages of a pack's cover and contents, estimated from their lines of text: the layout
    checks it (a wrong guess costs one more layout of the front matter, no error)."""

    def lines(text: str, chars: int) -> int:
        return max(1, -(-len(text) // chars))

    cover = _COVER_HEAD_MM + sum(lines(r, _COVER_CHARS) for r in reports) * _COVER_LINE_MM
    entries = [e["text"] for e in toc] + [c["text"] for e in toc for c in e.get("children", [])]
    # 2 lines: the heading; 0.15 line more for each report's entry (its list of sections)
    contents = 2 + sum(lines(text, _TOC_CHARS) for text in entries) + 0.15 * len(toc)
    return -(-int(cover) // int(_PAGE_MM)) + -(-int(contents * _TOC_LINE_MM) // int(_PAGE_MM))


# -- a pack laid out in parts ------------------------------------------------------------------
# Each report (and the appendix) is laid out ONCE, alone, in a worker process, without its page
# numbers, and written; that layout tells its page count and on which of its pages each heading
# falls.  The cover and contents (page numbers now known) are laid out here, the parts merged
# with pikepdf (bookmarks kept), "Page x of y" stamped onto every page of the parts from two
# documents of footer-only pages (the same template, so the same place and type; laid out by the
# workers while the contents are laid out here, from its guessed page count), and the contents
# entries made links to their pages.


_FONT_CONFIGS: dict[int, Any] = {}


def _font_config() -> Any:
    """One WeasyPrint font configuration per process, for every part it lays out (the print
    template has no ``@font-face``: each part finds the same system fonts), so that Pango's font
    caches and the remembered line splits (:func:`_memo_preferred_widths`) serve every part."""
    pid = os.getpid()
    if pid not in _FONT_CONFIGS:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIGS.clear()  # a forked copy of the parent's is not used
        _FONT_CONFIGS[pid] = FontConfiguration()
    return _FONT_CONFIGS[pid]


def _layout_part(html: str, base_url: str, target: str) -> tuple[int, dict[str, int]]:
    """Lay out and write one part; its page count and the page index (0-based) of each of
    its anchors."""
    html_cls = _weasyprint_html()
    document = html_cls(string=html, base_url=base_url).render(font_config=_font_config())
    anchors: dict[str, int] = {}
    for i, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, i)
    document.write_pdf(target)
    return len(document.pages), anchors


#: front matter of at least this many pages is written in two halves at once
FRONT_SPLIT_PAGES = 4


def _write_pages(document: Any, first: int, target: str) -> None:
    """Write the pages of ``document`` from ``first`` on (in a forked process)."""
    document.copy(document.pages[first:]).write_pdf(target)


def _write_numbers(html: str, base_url: str, target: str) -> int:
    html_cls = _weasyprint_html()
    document = html_cls(string=html, base_url=base_url).render(font_config=_font_config())
    document.write_pdf(target)
    return len(document.pages)


def _render_parts(
    doc: dict[str, Any],
    bodies: Iterator[str],
    n_reports: int,
    toc: list[dict[str, Any]],
    appendix: str,
    run_dir: Path,
    out: Path,
    workers: int,
) -> Path:
    """``bodies`` yields the reports' bodies one by one (adding their entries to ``toc``), each
    laid out by a worker as soon as it comes, while the next are made (their charts drawn)."""
    import logging
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    html_cls = _weasyprint_html()
    base = str(run_dir)
    last = n_reports  # the appendix: the part after the reports
    ctx = multiprocessing.get_context("fork")
    with (
        ProcessPoolExecutor(
            max_workers=min(workers, n_reports + 1),
            mp_context=ctx,
            initializer=os.nice,
            initargs=(LAYOUT_NICE,),
        ) as pool,
        tempfile.TemporaryDirectory(prefix="wb-pack-") as scratch,
    ):
        targets = [Path(scratch) / f"{i:04d}.pdf" for i in range(n_reports + 1)]
        # the appendix (every report's provenance tables) first: it needs no chart, and it is
        # the longest part (~5 s of CPU for 36 reports, measured)
        futures = {
            last: pool.submit(
                _layout_part,
                _html(doc, cover=False, toc=[], body="", appendix=appendix, page_numbers=False),
                base,
                str(targets[last]),
            )
        }
        for i, body in enumerate(bodies):
            html = _html(doc, cover=False, toc=[], body=body, appendix=None, page_numbers=False)
            futures[i] = pool.submit(_layout_part, html, base, str(targets[i]))
        if len(futures) != n_reports + 1:
            raise RuntimeError(f"{len(futures) - 1} report bodies for {n_reports} reports")
        toc.append({"id": "appendix", "text": "Appendix: Provenance"})
        counted = [futures[i].result() for i in range(n_reports + 1)]
        sizes = [n for n, _ in counted]
        starts = [sum(sizes[:i]) for i in range(n_reports + 1)]  # 0-based, after the front matter
        where = {
            name: starts[i] + page for i, (_, a) in enumerate(counted) for name, page in a.items()
        }

        # the front matter (cover + contents) with explicit page numbers; its own length decides
        # the offset of every part, so lay it out until the length it assumed is the one it has
        logger = logging.getLogger("weasyprint")
        level = logger.level
        logger.setLevel(logging.ERROR)  # contents links point into other parts: added below
        count = sum(sizes)

        def numbers_for(front_pages: int) -> list[tuple[int, Path, Any]]:
            """The footer-only pages of the parts in two halves, one per worker, laid out while
            the front matter is (``(first part page, pdf, future)``)."""
            half = (count + 1) // 2
            jobs = []
            for k, (start, n) in enumerate(((0, half), (half, count - half))):
                if n == 0:
                    continue
                html = _html(
                    doc,
                    cover=False,
                    toc=[],
                    body="",
                    appendix=None,
                    first_page=front_pages + start + 1,
                    total=front_pages + count,
                    numbers_only=n,
                )
                path = Path(scratch) / f"numbers-{front_pages}-{k}.pdf"  # per guess: no race
                jobs.append((start, path, pool.submit(_write_numbers, html, base, str(path))))
            return jobs

        try:
            guess = front_pages = _front_pages_guess(doc["reports"], toc)
            numbers = numbers_for(guess)
            for _ in range(4):
                total = front_pages + sum(sizes)
                numbered = [
                    {
                        **e,
                        "page": front_pages + where.get(e["id"], 0) + 1,
                        "children": [
                            {**c, "page": front_pages + where.get(c["id"], 0) + 1}
                            for c in e.get("children", [])
                        ],
                    }
                    for e in toc
                ]
                front_html = _html(
                    doc, cover=True, toc=numbered, body="", appendix=None, total=total
                )
                front = html_cls(string=front_html, base_url=base).render()
                if len(front.pages) == front_pages:
                    break
                front_pages = len(front.pages)
            else:
                raise RuntimeError("the contents of the pack do not settle on a page count")
            if front_pages != guess:  # numbered from a wrong offset: again
                for _start, _path, job in numbers:
                    job.cancel()
                numbers = numbers_for(front_pages)
            front_pdf = Path(scratch) / "front.pdf"
            # the contents' leaders make writing the front matter (~2 CPU-s for 36 reports) the
            # longest step after the last part: its second half is written by a forked process
            split = len(front.pages) // 2 + 1 if len(front.pages) >= FRONT_SPLIT_PAGES else 0
            marked = [i for i, page in enumerate(front.pages) if page.bookmarks]
            if split and marked and marked[-1] >= split:  # the bookmarks stay in one outline
                split = marked[-1] + 1
            if split >= len(front.pages):
                split = 0
            rest_pdf = Path(scratch) / "front-rest.pdf"
            writer = None
            if split:
                writer = ctx.Process(target=_write_pages, args=(front, split, str(rest_pdf)))
                writer.start()  # forked: the laid-out document is inherited, not pickled
            (front.copy(front.pages[:split]) if split else front).write_pdf(front_pdf)
            if writer is not None:
                writer.join()
                if writer.exitcode != 0 or not rest_pdf.exists():
                    front.copy(front.pages[split:]).write_pdf(rest_pdf)  # shows its own error
        finally:
            logger.setLevel(level)
        if sum(job.result() for _start, _path, job in numbers) != count:
            raise RuntimeError("the page numbers of the pack do not match its pages")
        stamps = [(front_pages + start, path) for start, path, _job in numbers]
        parts = [rest_pdf, *targets] if split else targets
        _merge(front_pdf, parts, stamps, front, where, front_pages, doc["title"], out)
    return out


def _stamp(pdf: Any, numbers: Any, first: int) -> None:
    """Draw page ``k`` of ``numbers`` over page ``first + k`` of ``pdf`` (both ``pikepdf.Pdf``):
    as a form XObject drawn after the page's own content (which is not re-parsed)."""
    from pikepdf import Array, Dictionary, Name

    save = pdf.make_stream(b"q\n")
    draw = pdf.make_stream(b"\nQ q /WbPageNumber Do Q\n")
    for k, src in enumerate(numbers.pages):
        form = pdf.copy_foreign(src.as_form_xobject())
        page: Any = pdf.pages[first + k].obj
        # copies: WeasyPrint shares one resource dictionary between the pages of a part
        resources: Any = Dictionary(page.get(Name.Resources, Dictionary()))
        xobjects = Dictionary(resources.get(Name.XObject, Dictionary()))
        xobjects[Name.WbPageNumber] = form
        resources[Name.XObject] = xobjects
        page[Name.Resources] = resources
        contents = page.get(Name.Contents)
        old = list(contents) if isinstance(contents, Array) else [contents]
        page[Name.Contents] = Array([save, *old, draw])


def _name_tree(node: Any) -> Iterator[tuple[Any, Any]]:
    """(name, destination) pairs of a PDF name tree (``/Names`` leaves, ``/Kids`` below)."""
    names = node.get("/Names")
    if names is not None:
        for i in range(0, len(names) - 1, 2):
            yield names[i], names[i + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree(kid)


def _merge(
    front_pdf: Path,
    part_pdfs: list[Path],
    stamps: list[tuple[int, Path]],
    front: Any,
    where: dict[str, int],
    front_pages: int,
    title: str,
    out: Path,
) -> None:
    """One PDF of the front matter and the parts (pikepdf: qpdf copies the pages, measured ~10x
    faster than pypdf's pure-Python merge), page numbers stamped onto the parts (``stamps``: each
    footer-only PDF and the page its first page goes over), each part's
    bookmarks and named destinations kept (pointing to its pages in the whole), contents entries
    linked."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, OutlineItem, String

    with contextlib.ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(front_pdf))
        sources = [pdf] + [stack.enter_context(pikepdf.open(p)) for p in part_pdfs]
        outline: list[Any] = []
        dests: list[tuple[Any, Any]] = []
        offset = 0
        for src in sources:
            index = {page.obj.objgen: i for i, page in enumerate(src.pages)}
            if src is not pdf:
                pdf.pages.extend(src.pages)

            def moved(dest: Any, offset: int = offset, index: dict = index) -> Any:
                """The destination array pointing at the page's copy in the whole."""
                if not isinstance(dest, Array) or len(dest) == 0:
                    return dest
                target = index.get(dest[0].objgen)
                if target is None:
                    return dest
                return Array([pdf.pages[offset + target].obj, *list(dest)[1:]])

            def items(level: list[Any]) -> list[Any]:
                out_items = []
                for item in level:
                    new = OutlineItem(item.title, destination=moved(item.destination))
                    new.is_closed = item.is_closed
                    new.children.extend(items(item.children))
                    out_items.append(new)
                return out_items

            with src.open_outline() as tree:
                outline.extend(items(tree.root))
            names = src.Root.get(Name.Names)
            if names is not None and Name.Dests in names:
                dests.extend((n, moved(d)) for n, d in _name_tree(names.Dests))
            offset += len(src.pages)

        for first, path in stamps:  # footer-only pages: page k drawn over page first + k
            # open until saved: qpdf copies a foreign stream's data when it writes
            _stamp(pdf, stack.enter_context(pikepdf.open(path)), first)
        with pdf.open_outline() as tree:
            tree.root[:] = outline
        if dests:
            dests.sort(key=lambda pair: bytes(pair[0]))
            flat = Array([x for pair in dests for x in pair])
            pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(Dictionary(Names=flat)))

        scale = 0.75  # CSS px -> pt
        for number, page in enumerate(front.pages):
            target_page = pdf.pages[number]
            height = float(target_page.mediabox[3] - target_page.mediabox[1])
            seen: set[tuple[str, int]] = set()
            annots = []
            for kind, target, (x, y, w, h), _box in page.links:
                if kind != "internal" or target not in where or (target, int(y)) in seen:
                    continue
                seen.add((target, int(y)))
                rect = (x * scale, height - (y + h) * scale, (x + w) * scale, height - y * scale)
                annots.append(
                    pdf.make_indirect(
                        Dictionary(
                            Type=Name.Annot,
                            Subtype=Name.Link,
                            Rect=Array(rect),
                            Border=Array([0, 0, 0]),
                            P=target_page.obj,
                            Dest=Array([pdf.pages[front_pages + where[target]].obj, Name.Fit]),
                        )
                    )
                )
            if annots:
                existing = list(target_page.obj.get(Name.Annots, Array()))
                target_page.obj[Name.Annots] = Array(existing + annots)
        pdf.docinfo[Name.Title] = String(title)
        pdf.save(out, deterministic_id=True)
