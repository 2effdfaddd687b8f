"""Chart text in PDFs: WeasyPrint 70 draws SVG text letter by letter; the export draws simple runs
whole (workbench.export.pdf._svg_text_in_runs, for speed).  The text and where each label starts
must be the same as WeasyPrint's own drawing, for every anchor plotly uses."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys

from pypdf import PdfReader

LABELS = [  # (x, y, anchor, text), as plotly writes axis titles, tick labels, legend entries
    (20, 30, "start", "Employment (thousand persons)"),
    (200, 60, "middle", "Jadranska Hrvatska (HR03)"),
    (380, 90, "end", "2,000.5"),
]

RENDER = r"""
import base64, sys
import weasyprint
from workbench.export.pdf import _svg_text_in_runs
labels = {labels!r}
texts = "".join(
    f'<text x="{{x}}" y="{{y}}" text-anchor="{{a}}" style="font-family: DejaVu Sans; '
    f'font-size: 12px; fill: #333">{{t}}</text>' for x, y, a, t in labels
)
svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120">{{texts}}</svg>'
src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
if sys.argv[1] == "runs":
    _svg_text_in_runs()
pdf = weasyprint.HTML(string=f'<img src="{{src}}" style="width: 400px">').write_pdf()
sys.stdout.write(base64.b64encode(pdf).decode())
"""


def _text_operators(page) -> int:  # noqa: ANN001
    """Text-showing operators (Tj, TJ) in the page and its form XObjects (the drawn SVG)."""
    streams = [page.get_contents().get_data()]
    todo = [page.get("/Resources")]
    while todo:
        resources = todo.pop()
        resources = resources.get_object() if resources is not None else None
        for obj in (resources or {}).get("/XObject", {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Form":
                streams.append(obj.get_data())
                todo.append(obj.get("/Resources"))
    return sum(len(re.findall(rb"\bT[jJ]\b", data)) for data in streams)


def _pieces(mode: str) -> tuple[list[tuple[str, float, float]], int]:
    out = subprocess.run(
        [sys.executable, "-c", RENDER.format(labels=LABELS), mode],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    page = PdfReader(io.BytesIO(base64.b64decode(out.stdout))).pages[0]
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # noqa: ANN001
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text, round(x, 1), round(y, 1)))

    page.extract_text(visitor_text=visit)
    return found, _text_operators(page)


def _labels(pieces: list[tuple[str, float, float]]) -> list[tuple[str, float]]:
    """Per baseline (label): its text and where its first letter starts."""
    by_line: dict[float, list[tuple[str, float]]] = {}
    for text, x, y in pieces:
        by_line.setdefault(y, []).append((text, x))
    out = []
    for y in sorted(by_line):
        parts = sorted(by_line[y], key=lambda p: p[1])
        out.append(("".join(t for t, _ in parts).replace(" ", ""), parts[0][1]))
    return out


def test_text_runs_start_where_weasyprint_puts_the_letters() -> None:
    (letters, letter_ops), (runs, run_ops) = _pieces("letters"), _pieces("runs")
    assert run_ops < letter_ops  # drawn as runs, not letter by letter
    assert len(_labels(letters)) == len(_labels(runs)) == len(LABELS)
    for (text_l, x_l), (text_r, x_r) in zip(_labels(letters), _labels(runs), strict=True):
        assert text_r == text_l
        assert abs(x_r - x_l) < 0.5, (text_l, x_l, x_r)  # same anchor position (points)
    expected = sorted(t.replace(" ", "") for *_, t in LABELS)
    assert sorted(t for t, _ in _labels(runs)) == expected
