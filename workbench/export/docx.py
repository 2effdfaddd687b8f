"""Word output with python-docx: real heading styles (navigable), native Word tables with a
repeated header row, charts as PNG pictures with numbered captions, a table of contents field,
the provenance as an appendix.

House style: a ``reference.docx`` whose styles (Normal, Title, Heading 1-3, Caption, Table Grid,
List Bullet) are used.  Pass ``reference=`` / ``--reference-docx`` or set
``WORKBENCH_REFERENCE_DOCX``; without one the built-in house style is applied to python-docx's
default template (``workbench export --write-reference FILE`` writes it out for editing).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from workbench.errors import ValidationError
from workbench.export.charts import CACHE_DIR, ChartRenderer, prefetch_reports
from workbench.export.model import Figure, Heading, Html, Report, Table, _table

REFERENCE_ENV = "WORKBENCH_REFERENCE_DOCX"
HOUSE_BLUE = RGBColor(0x0B, 0x3D, 0x66)
PICTURE_WIDTH = Cm(16)


def house_reference() -> DocxDocument:
    """python-docx's default template with the workbench house style applied."""
    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        st = styles[name]
        st.font.color.rgb = HOUSE_BLUE
        st.font.size = Pt(size)
    styles["Caption"].font.size = Pt(9)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    return doc


def write_reference(path: str | os.PathLike[str]) -> Path:
    """Write the built-in house style as a reference.docx to edit and pass back."""
    out = Path(path)
    house_reference().save(str(out))
    return out


def _new_document(reference: str | os.PathLike[str] | None) -> DocxDocument:
    ref = reference or os.environ.get(REFERENCE_ENV)
    if not ref:
        return house_reference()
    ref_path = Path(ref)
    if not ref_path.exists():
        raise ValidationError(f"reference document {ref_path} does not exist")
    doc = Document(str(ref_path))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _style(doc: DocxDocument, name: str, fallback: str = "Normal") -> str:
    try:
        doc.styles[name]
        return name
    except KeyError:
        return fallback


def _runs(par, node: Tag | NavigableString, bold: bool = False, italic: bool = False) -> None:  # noqa: ANN001
    if isinstance(node, Comment):
        return
    if isinstance(node, NavigableString):
        raw = str(node)
        text = " ".join(raw.split())
        if text:
            if raw[0].isspace() and par.text:
                text = " " + text
            if raw[-1].isspace():
                text += " "
            run = par.add_run(text)
            run.bold = bold or None
            run.italic = italic or None
        return
    if node.name in {"script", "style"}:
        return
    b = bold or node.name in {"b", "strong", "th", "dt"}
    i = italic or node.name in {"em", "i"}
    for child in node.children:
        if isinstance(child, Tag | NavigableString):
            _runs(par, child, b, i)


def _html_blocks(doc: DocxDocument, html: str) -> None:
    """Flowing HTML (paragraphs, lists, definition lists, small tables) as Word paragraphs."""
    soup = BeautifulSoup(html, "html.parser")
    for el in soup.children:
        if isinstance(el, Comment):
            continue
        if isinstance(el, NavigableString):
            if str(el).strip():
                doc.add_paragraph(" ".join(str(el).split()))
            continue
        if not isinstance(el, Tag) or el.name in {"script", "style"}:
            continue
        if el.name in {"h2", "h3", "h4"}:
            doc.add_heading(" ".join(el.get_text(" ").split()), min(int(el.name[1]), 3))
        elif el.name in {"ul", "ol"}:
            style = _style(doc, "List Bullet" if el.name == "ul" else "List Number")
            for li in el.find_all("li", recursive=False):
                _runs(doc.add_paragraph(style=style), li)
        elif el.name == "dl":
            for item in el.find_all(["dt", "dd"]):
                par = doc.add_paragraph()
                _runs(par, item, bold=item.name == "dt")
                if item.name == "dd":
                    par.paragraph_format.left_indent = Cm(0.8)
        elif el.name == "table" or el.find("table"):
            table = _table(el)
            if table is not None:
                _add_table(doc, table, None)
        elif el.name in {"section", "div"}:
            _html_blocks(doc, el.decode_contents())
        else:
            text = el.get_text(" ", strip=True)
            if text:
                _runs(doc.add_paragraph(), el)


def _caption(doc: DocxDocument, label: str, n: int | None, text: str) -> None:
    par = doc.add_paragraph(style=_style(doc, "Caption"))
    if n is not None:
        head = par.add_run(f"{label} {n}. ")
        head.bold = True
    par.add_run(text)


def _repeat_header(row) -> None:  # noqa: ANN001
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _add_table(doc: DocxDocument, t: Table, n: int | None) -> None:
    if t.caption or n is not None:
        _caption(doc, "Table", n, t.caption)
    ncols = max([len(t.header)] + [len(r) for r in t.rows]) or 1
    table = doc.add_table(rows=1, cols=ncols)
    table.style = _style(doc, "Table Grid", "Normal Table")
    hdr = table.rows[0]
    _repeat_header(hdr)
    nums = t.numeric + [False] * ncols
    for i in range(ncols):
        cell = hdr.cells[i]
        cell.text = t.header[i] if i < len(t.header) else ""
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in t.rows:
        cells = table.add_row().cells
        for i in range(ncols):
            cells[i].text = row[i] if i < len(row) else ""
            if nums[i]:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in t.notes:
        doc.add_paragraph(note, style=_style(doc, "Caption"))
    if t.csv:
        doc.add_paragraph(f"Data: {t.csv} in the data annex.", style=_style(doc, "Caption"))


def _add_figure(doc: DocxDocument, f: Figure, n: int, charts: ChartRenderer, cache: Path) -> None:
    if f.plotly is not None:
        png = charts.render(f.plotly, "png", cache)
    elif f.image is not None and f.image_type == "png":
        png = f.image
    else:
        doc.add_paragraph(f"[Figure {n} is available in the PDF version.]")
        _caption(doc, "Figure", n, f.caption)
        return
    doc.add_picture(io.BytesIO(png), width=PICTURE_WIDTH)
    _caption(doc, "Figure", n, f.caption)
    if f.csv:
        doc.add_paragraph(f"Data: {f.csv} in the data annex.", style=_style(doc, "Caption"))


def _toc_field(doc: DocxDocument, entries: list[str]) -> None:
    """A Word TOC field (updated by Word on F9 / open) whose cached text lists ``entries``."""
    par = doc.add_paragraph()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    for el in (begin, instr, sep):
        run = par.add_run()
        run._r.append(el)
    for i, entry in enumerate(entries):
        if i:
            par.add_run().add_break()
        par.add_run(entry)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    par.add_run()._r.append(end)


def render_docx(
    reports: list[Report],
    out: Path,
    charts: ChartRenderer,
    *,
    title: str | None = None,
    reference: str | os.PathLike[str] | None = None,
) -> Path:
    """Write one Word document of ``reports`` (one report, or a pack)."""
    prefetch_reports(charts, reports, "png")
    doc = _new_document(reference)
    pack = len(reports) > 1 or title is not None
    first = reports[0]
    doc_title = title or first.title
    if not pack and first.kind:
        doc.add_paragraph(first.kind, style=_style(doc, "Subtitle"))
    doc.add_paragraph(doc_title, style=_style(doc, "Title"))
    if not pack and first.subtitle:
        doc.add_paragraph(first.subtitle, style=_style(doc, "Subtitle"))
    dates = sorted(r.generated_at for r in reports if r.generated_at)
    if dates:
        doc.add_paragraph(f"Generated {dates[-1][:10]}")
    if any(r.synthetic for r in reports):
        par = doc.add_paragraph()
        run = par.add_run(
            first.synthetic_note
            if not pack
            else "Contains SYNTHETIC DEMO DATA: generated, not real statistics."
        )
        run.bold = True
        run.font.color.rgb = RGBColor(0x8A, 0x61, 0x00)
    level_title = 1
    if not pack and first.key_findings:
        doc.add_heading("Key findings", 1)
        for s in first.key_findings:
            doc.add_paragraph(s, style=_style(doc, "List Bullet"))
    doc.add_heading("Contents", 1)
    entries = [r.title for r in reports] if pack else [h.text for h in first.headings]
    _toc_field(doc, entries + ["Appendix: Provenance"])
    nfig = ntab = 0
    for report in reports:
        cache = report.run_dir / CACHE_DIR
        if pack:
            doc.add_page_break()
            doc.add_heading(report.title, level_title)
            if report.kind:
                doc.add_paragraph(report.kind, style=_style(doc, "Subtitle"))
            if report.subtitle:
                doc.add_paragraph(report.subtitle)
            if report.key_findings:
                doc.add_heading("Key findings", 2)
                for s in report.key_findings:
                    doc.add_paragraph(s, style=_style(doc, "List Bullet"))
        for block in report.blocks:
            if isinstance(block, Heading):
                level = block.level - (0 if pack else 1)
                doc.add_heading(block.text, max(1, min(level, 3)))
            elif isinstance(block, Table):
                ntab += 1
                _add_table(doc, block, ntab)
            elif isinstance(block, Figure):
                nfig += 1
                _add_figure(doc, block, nfig, charts, cache)
            elif isinstance(block, Html):
                _html_blocks(doc, block.html)
    doc.add_page_break()
    doc.add_heading("Appendix: Provenance", 1)
    for report in reports:
        if pack:
            doc.add_heading(report.title, 2)
        _html_blocks(doc, report.provenance_html)
    props = doc.core_properties
    props.title = doc_title
    props.author = "SEE Cluster Policy Lab workbench"
    stamp = dates[-1] if dates else "2000-01-01T00:00:00"
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        when = dt.datetime(2000, 1, 1)
    props.created = props.modified = when
    props.revision = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out
