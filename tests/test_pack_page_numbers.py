"""Page numbers of a pack laid out in parts: each part is laid out once without its "Page x of y"
footer and the numbers are stamped on afterwards from a document of footer-only pages
(workbench/export/pdf.py ``_stamp``).  The stamped page must look exactly like the page laid out
with its numbers in one pass, and stay compressed."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2
from PIL import ImageChops
from pypdf import PdfReader

from workbench.export.pdf import _html, _stamp, _weasyprint_html

DOC = {
    "title": "Pack of regions",
    "kind": "",
    "short_title": "Pack of regions",
    "subtitle": "",
    "date": "1 December 2026",
    "synthetic_note": "",
    "footer_note": "Synthetic demo data",
    "findings": [],
    "reports": [],
}
BODY = '<h1 class="report-title" id="r-1">Regional profile HR03</h1>' + "".join(
    f'<h2 class="section" id="s-{i}">Section {i}</h2>'
    + "<p>Employment in the cluster grew by 3.2 % a year between 2015 and 2022. " * 12
    + "</p>"
    for i in range(1, 9)
)
BEFORE = 2  # pages of front matter before this part


def _pdf(html: str) -> bytes:
    buf = io.BytesIO()
    _weasyprint_html()(string=html).write_pdf(buf)
    return buf.getvalue()


def _images(data: bytes) -> list:
    pdf = pypdfium2.PdfDocument(data)
    return [pdf[i].render(scale=1).to_pil().convert("RGB") for i in range(len(pdf))]


def test_stamped_numbers_look_like_the_one_pass_layout(tmp_path: Path) -> None:
    plain = _pdf(_html(DOC, cover=False, toc=[], body=BODY, appendix=None, page_numbers=False))
    pages = len(PdfReader(io.BytesIO(plain)).pages)
    assert pages >= 3
    total = BEFORE + pages
    one_pass = _pdf(
        _html(
            DOC,
            cover=False,
            toc=[],
            body=BODY,
            appendix=None,
            first_page=BEFORE + 1,
            total=total,
        )
    )
    numbers = _pdf(
        _html(
            DOC,
            cover=False,
            toc=[],
            body="",
            appendix=None,
            first_page=BEFORE + 1,
            total=total,
            numbers_only=pages,
        )
    )
    assert "Page" not in PdfReader(io.BytesIO(plain)).pages[0].extract_text()
    out = tmp_path / "stamped.pdf"
    with pikepdf.open(io.BytesIO(plain)) as pdf, pikepdf.open(io.BytesIO(numbers)) as nums:
        _stamp(pdf, nums, 0)
        pdf.save(out)
    stamped = out.read_bytes()

    reader = PdfReader(out)
    assert len(reader.pages) == pages
    for n, page in enumerate(reader.pages, BEFORE + 1):
        assert f"Page {n} of {total}" in page.extract_text(), n
    # pixel for pixel the page WeasyPrint lays out with its numbers in one pass
    for n, (got, want) in enumerate(zip(_images(stamped), _images(one_pass), strict=True)):
        assert ImageChops.difference(got, want).getbbox() is None, f"page {n + 1} differs"
    # the stamp adds compressed content and leaves the pages' own content compressed
    for page in reader.pages:
        streams = [c.get_object() for c in page.raw_get("/Contents")]
        streams += [x.get_object() for x in page["/Resources"]["/XObject"].values()]
        assert all(s.get("/Filter") == "/FlateDecode" for s in streams)
    assert len(stamped) < 2 * (len(one_pass) + len(numbers))
