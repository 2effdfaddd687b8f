"""A pack's parts are laid out with one font configuration per worker and with the line splits
that size table columns remembered across parts (workbench/export/pdf.py
``_memo_preferred_widths``, ``_font_config``).  The pages must come out exactly as WeasyPrint
lays them out on its own: the same content stream, page by page, for parts laid out one after
another in one process (where the memo and the font caches are warm).  Likewise the contents'
dot leaders, drawn from one kept text layout (``_reuse_leader_layouts``)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from support.export_reports import synthetic_report

from workbench.export import pdf as pdf_module
from workbench.export.charts import ChartRenderer
from workbench.export.model import Heading, Html, Report, Table

WORDS = ["Nord-Est (RO21)", "Sud-Vest Oltenia", "Yugoiztochen (BG34)", "Vzhodna Slovenija"]


def _report(tmp_path: Path, n: int) -> Report:
    blocks: list = [Heading(2, f"Section {n}"), Html(f"<p>Text of report {n}. " * 30 + "</p>")]
    for t in range(3):  # repeated names and codes down the columns and across the tables
        blocks.append(
            Table(
                caption=f"Table {t} of report {n}",
                header=["Region", "Code", "Value", "Share", "Note"],
                rows=[
                    [
                        WORDS[(i + t) % 4],
                        f"RO{(i * n) % 7}",
                        f"{i * n}.5",
                        f"{(i * 3) % 11} %",
                        "a longer note that wraps in its cell " * (1 + i % 3),
                    ]
                    for i in range(40)
                ],
                numeric=[False, False, True, True, False],
            )
        )
    return synthetic_report(
        tmp_path,
        n,
        blocks,
        title=f"Report {n}",
        finding=f"Finding {n}.",
        provenance_html="<p>Provenance.</p>",
    )


def _contents(path: Path) -> list[bytes]:
    out = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            streams = page.obj.Contents
            streams = [streams] if isinstance(streams, pikepdf.Stream) else list(streams)
            out.append(b"".join(s.read_bytes() for s in streams))
    return out


def test_parts_laid_out_with_the_memo_match_weasyprint_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint.layout.preferred as preferred
    from weasyprint.text import line_break

    doc = {
        "title": "Pack",
        "kind": "",
        "short_title": "Pack",
        "subtitle": "",
        "date": "",
        "synthetic_note": "",
        "footer_note": "",
        "findings": [],
        "reports": [],
    }
    counter = pdf_module._Counter()
    charts = ChartRenderer()  # no chart: the browser is never started
    bodies = [
        pdf_module.report_body(_report(tmp_path, n), counter, charts, chapter=True)[0]
        for n in range(1, 4)
    ]
    htmls = [
        pdf_module._html(doc, cover=False, toc=[], body=b, appendix=None, page_numbers=False)
        for b in bodies
    ]
    pdf_module._weasyprint_html()  # patches applied
    assert preferred.split_first_line is not line_break.split_first_line  # the memo is in place

    with_memo = []
    for i, html in enumerate(htmls):  # one process, one font configuration, memo warm
        target = tmp_path / f"memo-{i}.pdf"
        with_memo.append(pdf_module._layout_part(html, str(tmp_path), str(target)))
    assert len(pdf_module._FONT_CONFIGS) == 1

    monkeypatch.setattr(preferred, "split_first_line", line_break.split_first_line)
    monkeypatch.setattr(pdf_module, "_FONT_CONFIGS", {})
    monkeypatch.setattr(pdf_module, "_font_config", lambda: None)  # a new one per document
    for i, html in enumerate(htmls):
        target = tmp_path / f"plain-{i}.pdf"
        assert pdf_module._layout_part(html, str(tmp_path), str(target)) == with_memo[i]
        plain, memo = _contents(target), _contents(tmp_path / f"memo-{i}.pdf")
        assert len(plain) > 2
        assert memo == plain, i


def test_contents_leaders_drawn_from_one_layout_match_weasyprint_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the contents' dot leaders are drawn from one kept text layout (``_reuse_leader_layouts``);
    # the pages must be those WeasyPrint draws setting the layout up for every dot
    import weasyprint.draw as draw_package
    import weasyprint.draw.text as draw_text_module
    from weasyprint.text.line_break import Layout

    toc = [
        {
            "id": f"r{n}",
            "text": f"Report {n}: regional profile",
            "page": 3 + 7 * n,
            "children": [
                {"id": f"r{n}-{s}", "text": f"Section {s} of report {n}", "page": 4 + 7 * n + s}
                for s in range(6)
            ],
        }
        for n in range(12)
    ]
    doc = {
        "title": "Pack",
        "kind": "",
        "short_title": "Pack",
        "subtitle": "",
        "date": "1 December 2026",
        "synthetic_note": "",
        "footer_note": "",
        "findings": [],
        "reports": [e["text"] for e in toc],
    }
    html = pdf_module._html(doc, cover=True, toc=toc, body="", appendix=None, total=99)
    html_cls = pdf_module._weasyprint_html()
    assert draw_text_module.draw_text is draw_package.draw_text
    assert draw_text_module.draw_text.__module__ == pdf_module.__name__  # the patch is in place
    kept = tmp_path / "kept.pdf"
    html_cls(string=html).render().write_pdf(kept)

    # WeasyPrint's own drawing: restore what the patch replaced
    import inspect

    closure = inspect.getclosurevars(draw_text_module.draw_text).nonlocals
    monkeypatch.setattr(draw_text_module, "draw_text", closure["original"])
    monkeypatch.setattr(draw_package, "draw_text", closure["original"])
    reactivate = inspect.getclosurevars(Layout.reactivate).nonlocals["reactivate"]
    monkeypatch.setattr(Layout, "reactivate", reactivate)
    deactivate = inspect.getclosurevars(Layout.deactivate).nonlocals["deactivate"]
    monkeypatch.setattr(Layout, "deactivate", deactivate)
    plain = tmp_path / "plain.pdf"
    html_cls(string=html).render().write_pdf(plain)

    pages = _contents(plain)
    assert len(pages) >= 2
    assert pages[1].count(b"Tj") + pages[1].count(b"TJ") > 500  # the leaders' dots, drawn
    assert _contents(kept) == pages
