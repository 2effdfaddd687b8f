"""PDF page breaks: a table's caption never stands alone at the foot of a page, and a section's
heading with its one-paragraph introduction moves with the chart it introduces.

Each report of one pack has a different amount of filler text before the block under test, so
across the pack the block meets the foot of a page at every position; every report is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from support.export_reports import synthetic_report

from workbench.export.charts import ChartRenderer
from workbench.export.model import Figure, Heading, Html, Table
from workbench.export.pdf import render_pdf

FILLER = "<p>" + "Filler text of the report that takes one line or two on the page. " * 3 + "</p>"
TALL_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="860" height="560" viewBox="0 0 860 560">'
    b'<rect width="860" height="560" fill="#cde"/></svg>'
)


def _pages(pdf: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(str(pdf)).pages]


def _render(tmp_path: Path, reports: list) -> list[str]:
    charts = ChartRenderer()  # figures carry their image: the browser is never started
    try:
        out = render_pdf(reports, tmp_path / "pack.pdf", charts, workers=1)
    finally:
        charts.close()
    return _pages(out)


def test_a_table_caption_stays_with_its_first_rows(tmp_path: Path) -> None:
    rows = [[f"R{i:02d}", f"{i * 1000:,}"] for i in range(6)]
    reports = [
        synthetic_report(
            tmp_path,
            n,
            [
                Html(FILLER * n),
                Table(f"Caption {n} of the table", ["Row", "Value"], rows, [False, True]),
            ],
            title=f"Report {n}",
            finding="One finding.",
            provenance_html="<p>none</p>",
        )  # fmt: skip
        for n in range(10, 24)
    ]
    pages = _render(tmp_path, reports)
    for n in range(10, 24):
        page = next(p for p in pages if f"Caption {n} of the table" in p)
        assert "R00" in page, f"report {n}: the caption of its table is alone on its page"


def test_a_heading_and_its_introduction_move_with_the_chart(tmp_path: Path) -> None:
    reports = [
        synthetic_report(
            tmp_path,
            n,
            [
                Html(FILLER * n),
                Heading(2, f"Section {n}"),
                Html(f"<p>Introduction {n}: what the chart below shows.</p>"),
                Figure(f"Chart {n} of the section", image=TALL_SVG, image_type="svg"),
            ],
            title=f"Report {n}",
            finding="One finding.",
            provenance_html="<p>none</p>",
        )  # fmt: skip
        for n in range(0, 16, 2)
    ]
    pages = _render(tmp_path, reports)
    for n in range(0, 16, 2):
        page = next(p for p in pages if f"Introduction {n}:" in p)
        assert f"Section {n}" in page, f"report {n}: the heading is apart from its introduction"
        assert f"Chart {n} of the section" in page, f"report {n}: the introduction stands alone"


def test_the_running_head_is_cut_between_words(tmp_path: Path) -> None:
    title = "Joint strategy: Joint strategy for cluster policy in South-East Europe (Jadranska Hrvatska)"
    report = synthetic_report(
        tmp_path, 1, [Html(FILLER * 40)], title=title, finding="One finding.",
        provenance_html="<p>none</p>",
    )  # fmt: skip
    pages = _render(tmp_path, [report])
    words = set(title.split())
    for text in pages[1:]:  # the cover has no running head
        flat = " ".join(text.split())
        found = re.search(r"Joint strategy: Joint strategy for((?!Joint).){0,40}? …", flat)
        assert found, flat[:300]  # the head, ending with its placeholder
        head = found.group(0)
        assert len(head) <= 50, head
        assert set(head.split()[:-1]) <= words, head  # whole words only, never "Jadranska H"
