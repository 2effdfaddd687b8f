"""PDF output: the print model as paged HTML, laid out by WeasyPrint (A4, running "Page x of y",
table of contents with page numbers via ``target-counter``, repeated table headers).

Engine choice (measured, benchmarks/bench_export.py): WeasyPrint needs only the Pango system
library (no browser), is deterministic and supports CSS paged media; typst would need a second
markup language for the same layout, and headless Chromium's print-to-pdf has no page-numbered
table of contents.
"""

from __future__ import annotations

import base64
import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Comment

from workbench.export.charts import CACHE_DIR, ChartRenderer, MissingSystemPackage
from workbench.export.model import Figure, Heading, Html, Report, Table

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
            f'<td class="num">{e(c)}</td>' if i < len(nums) and nums[i] else f"<td>{e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in t.rows
    )
    notes = "".join(f'<p class="note">{e(x)}</p>' for x in t.notes)
    data = f'<p class="data">Data: {e(t.csv)} in the data annex.</p>' if t.csv else ""
    return (
        f'<table><caption><span class="label">Table {n}.</span> {e(t.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}{data}"
    )


def _figure_html(f: Figure, n: int, charts: ChartRenderer, cache: Path) -> str:
    e = htmllib.escape
    if f.plotly is not None:
        data, kind = charts.render(f.plotly, "svg", cache), "svg+xml"
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


def render_pdf(
    reports: list[Report],
    out: Path,
    charts: ChartRenderer,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """Write one PDF of ``reports`` (one report, or a pack with one contents list and appendix)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango/GObject shared libraries missing
        raise MissingSystemPackage(f"{PANGO_HINT} ({exc})") from exc
    from jinja2 import Environment, PackageLoader, select_autoescape

    pack = len(reports) > 1 or title is not None
    counter = _Counter()
    bodies: list[str] = []
    toc: list[dict[str, Any]] = []
    for report in reports:
        body, entry = report_body(report, counter, charts, chapter=pack)
        bodies.append(body)
        if pack:
            toc.append(entry)
        else:
            toc.extend({"id": c["id"], "text": c["text"]} for c in entry["children"])
    toc.append({"id": "appendix", "text": "Appendix: Provenance"})
    appendix = "\n".join(
        (f"<h2>{htmllib.escape(r.title)}</h2>" if pack else "") + _clean_html(r.provenance_html)
        for r in reports
    )
    first = reports[0]
    synthetic = any(r.synthetic for r in reports)
    doc_title = title or first.title
    env = Environment(
        loader=PackageLoader("workbench.export", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    from markupsafe import Markup

    html = env.get_template("print.html.j2").render(
        title=doc_title,
        kind="" if pack else first.kind,
        short_title=doc_title[:90].replace('"', "'"),
        subtitle=subtitle if subtitle is not None else ("" if pack else first.subtitle),
        date=max((_date(r) for r in reports), default=""),
        synthetic_note=(
            first.synthetic_note
            if synthetic and not pack
            else (
                "Contains SYNTHETIC DEMO DATA: generated, not real statistics." if synthetic else ""
            )
        ),
        footer_note="Synthetic demo data" if synthetic else "",
        findings=(
            []
            if pack
            else ([{"title": "", "sentences": first.key_findings}] if first.key_findings else [])
        ),
        toc=toc,
        reports=[r.title for r in reports] if pack else [],
        body=Markup("\n".join(bodies)),
        appendix=Markup(appendix),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=str(first.run_dir)).write_pdf(out)
    return out
