"""A pack laid out in parts (workbench/export/pdf.py ``_render_parts``): its contents pages are
laid out from a guessed page count (``_front_pages_guess``) while the footer-only pages are laid
out from the same guess, and the parts are merged with pikepdf.  Whatever the guess, every page
carries its own "Page x of y", each contents entry names and links the page its heading is on, and
each report keeps its bookmarks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.export_reports import synthetic_report

from workbench.export import pdf as pdf_module
from workbench.export.charts import ChartRenderer
from workbench.export.model import Heading, Html, Report, Table


def _report(tmp_path: Path, n: int) -> Report:
    blocks: list = []
    for s in range(1, 4 + n % 3):
        blocks.append(Heading(2, f"Region {n} section {s}"))
        blocks.append(Html("<p>" + f"Employment in region {n} grew by {s}.{n} % a year. " * 40))
        blocks.append(
            Table(
                caption=f"Indicators of region {n}, part {s}",
                header=["Indicator", "Value"],
                rows=[[f"Indicator {i}", f"{i * n}.5"] for i in range(25)],
                numeric=[False, True],
            )
        )
    return synthetic_report(
        tmp_path,
        n,
        blocks,
        title=f"Regional profile number {n}",
        finding=f"Region {n} grew.",
        provenance_html=f"<p>Report Regional profile number {n}, generated 1 December 2026.</p>",
    )


def _text(path: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


def test_pack_in_parts_numbers_and_links_whatever_the_guess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [_report(tmp_path, n) for n in range(1, 5)]
    charts = ChartRenderer()  # no chart in these reports: the browser is never started
    parts = pdf_module.render_pdf(reports, tmp_path / "parts.pdf", charts, title="Pack", workers=2)
    pages = _text(parts)
    assert len(pages) > 6
    # a wrong guess (too few, too many front pages) costs a second layout, not a wrong page
    for guess in (1, 6):
        monkeypatch.setattr(pdf_module, "_front_pages_guess", lambda _r, _t, g=guess: g)
        again = tmp_path / f"parts-{guess}.pdf"
        pdf_module.render_pdf(reports, again, charts, title="Pack", workers=2)
        assert _text(again) == pages, guess
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page, n
    reader = PdfReader(parts)
    number_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    toc = [i for i, p in enumerate(pages) if "....." in p]
    entries = [
        (m.group(1).strip(), int(m.group(2)))
        for i in toc
        for m in re.finditer(r"((?:Region|Regional|Appendix)[^.]*?)\s*\.{5,}\s*(\d+)", pages[i])
    ]
    assert len(entries) >= 4 * 4
    for text, number in entries:
        assert text[:25] in pages[number - 1], (text, number)
    linked = {
        number_of[a.get_object()["/Dest"][0].idnum] + 1
        for i in toc
        for a in reader.pages[i].get("/Annots") or []
    }
    assert {n for _, n in entries} <= linked
    # bookmarks: every report and section, pointing at the page it is on
    marks = _outline(reader)
    assert {r.title for r in reports} <= {t for t, _ in marks}
    for title, index in marks:
        assert title[:20] in pages[index], (title, index)
    assert reader.metadata.title == "Pack"


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    marks: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return marks


def _links(reader: PdfReader) -> list[tuple[int, list[float], int]]:
    number_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    return [
        (i, [round(float(x), 2) for x in a.get_object()["/Rect"]], number_of[dest.idnum])
        for i, page in enumerate(reader.pages)
        for a in page.get("/Annots") or []
        if (dest := a.get_object()["/Dest"][0]) is not None
    ]


def test_front_matter_written_in_two_halves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a long contents (many short sections): the front matter's second half is written by a
    # forked process (``FRONT_SPLIT_PAGES``) and merged; the pack is the same as written whole
    reports = []
    for n in range(1, 4):
        report = _report(tmp_path, n)
        report.blocks = [
            Heading(2, f"Section {s} of region {n} and its neighbours") for s in range(45)
        ]
        reports.append(report)
    charts = ChartRenderer()
    monkeypatch.setattr(pdf_module, "FRONT_SPLIT_PAGES", 10_000)  # never split
    whole = pdf_module.render_pdf(reports, tmp_path / "whole.pdf", charts, title="Pack", workers=2)
    write_pages = pdf_module._write_pages
    monkeypatch.setattr(pdf_module, "FRONT_SPLIT_PAGES", 3)
    monkeypatch.setattr(  # runs in the forked writer: note the page it starts on
        pdf_module,
        "_write_pages",
        lambda doc, first, target: (
            (tmp_path / "split-at").write_text(str(first)),
            write_pages(doc, first, target),
        ),
    )
    split = pdf_module.render_pdf(reports, tmp_path / "split.pdf", charts, title="Pack", workers=2)
    first = int((tmp_path / "split-at").read_text())
    a, b = PdfReader(whole), PdfReader(split)
    contents = [i for i, text in enumerate(_text(whole)) if "....." in text]
    assert len(contents) >= 3 and 0 < first <= max(contents)  # split inside the contents
    assert _text(split) == _text(whole)
    assert _outline(b) == _outline(a) and len(_outline(a)) > 3 * 45
    assert _links(b) == _links(a) and len(_links(a)) > 3 * 45
