"""Charts for the PDF are cached with their styles as presentation attributes
(workbench.export.charts.lean_svg, for speed: WeasyPrint re-parses every style attribute each
time it draws a chart).  The drawing must be the same as WeasyPrint's drawing of the original."""

from __future__ import annotations

import base64

import pypdfium2 as pdfium
import pytest
from lxml import etree
from PIL import ImageChops

from workbench.export.charts import ChartRenderer, lean_svg

SVG_NS = "http://www.w3.org/2000/svg"


def _pixels(svg: bytes, width: int = 430):  # noqa: ANN202
    from weasyprint import HTML

    src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    page = "<style>@page { margin: 0 } body { margin: 0 } img { display: block }</style>"
    pdf = HTML(string=f'{page}<img src="{src}" style="width: {width}px">').write_pdf()
    return pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("RGB")


def _styled(svg: bytes) -> int:
    return sum(1 for el in etree.fromstring(svg).iter() if el.get("style") is not None)


def test_style_overrides_attribute_and_important_or_sheets_stay() -> None:
    plain = (
        f'<svg xmlns="{SVG_NS}" width="100" height="100">'
        '<g style="fill: rgb(0, 128, 0); stroke-width: 0">'
        '<rect x="0" y="0" width="50" height="50" fill="blue" style="fill: red; -x-y: 1"/>'
        '<rect x="50" y="50" width="50" height="50"/></g></svg>'
    ).encode()
    lean = lean_svg(plain)
    assert _styled(plain) == 2 and _styled(lean) == 0
    rect = etree.fromstring(lean).find(f".//{{{SVG_NS}}}rect")
    assert rect is not None and rect.get("fill") == "red" and rect.get("-x-y") is None
    before, after = _pixels(plain, 100), _pixels(lean, 100)
    assert ImageChops.difference(before, after).getbbox() is None
    assert after.getpixel((30, 30))[:3] == (255, 0, 0)  # the style won over fill="blue"
    assert after.getpixel((140, 140))[1] > 100  # inherited green from the group

    important = plain.replace(b"fill: red", b"fill: red !important")
    assert _styled(lean_svg(important)) == 1  # that element kept as it was
    sheet = plain.replace(b"<g ", b"<style>rect { fill: black }</style><g ")
    assert lean_svg(sheet) == sheet
    assert lean_svg(b"<svg not xml") == b"<svg not xml"


@pytest.mark.browser
def test_a_plotly_chart_draws_the_same_from_its_lean_svg() -> None:
    fig = {
        "data": [
            {"type": "bar", "x": ["HR03", "HR05", "SI04"], "y": [3.5, 2.25, 4.0], "name": "GERD"},
            {
                "type": "scatter",
                "x": ["HR03", "HR05", "SI04"],
                "y": [1, 3, 2],
                "mode": "lines+markers+text",
                "text": ["a", "b", "c"],
                "name": "Employment (thousand persons)",
            },
        ],
        "layout": {
            "title": {"text": "Research spending, % of GDP"},
            "annotations": [{"text": "Source: Eurostat", "x": 1, "y": 4, "showarrow": True}],
        },
    }
    charts = ChartRenderer()
    try:
        data = charts.render(fig, "svg")  # what goes into the cache and the PDF: lean already
    finally:
        charts.close()
    assert _styled(data) == 0
    # the same chart with its styles put back as plotly writes them
    root = etree.fromstring(data)
    restyled = 0
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("fill") is not None and restyled < 200:
            el.set("style", f"fill: {el.attrib.pop('fill')};")
            restyled += 1
    original = etree.tostring(root)
    assert restyled > 10 and _styled(original) == restyled
    assert ImageChops.difference(_pixels(original), _pixels(lean_svg(original))).getbbox() is None
