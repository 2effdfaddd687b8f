"""PDF tables: a narrow column never cuts a date, a dataset id or a code inside a word; only long
words (hashes, file names: 25 characters or more) break inside their cell, to stay on the page."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pypdf import PdfReader

from workbench.export.charts import ChartRenderer
from workbench.export.model import Heading, Report, Table
from workbench.export.pdf import render_pdf


def _report(tmp_path: Path) -> tuple[Report, list[str], list[str]]:
    dates = [f"2026-{m:02d}-{d:02d}" for m, d in [(1, 15), (3, 2), (11, 30), (12, 1)]]
    hashes = [hashlib.sha256(x.encode()).hexdigest() for x in dates]
    header = ["Dataset", "Imported", "sha256"] + [f"Indicator {i} (EUR)" for i in range(1, 10)]
    rows = [
        [f"eurostat:nama_10r_{i}gdp", d, h] + [f"{1000 * i + j:,}" for j in range(9)]
        for i, (d, h) in enumerate(zip(dates, hashes, strict=True))
    ]
    table = Table("Imports (12 columns)", header, rows, [False, False, False] + [True] * 9)
    report = Report(
        run_dir=tmp_path, run_id="words", title="Table words", kind="kb_overview",
        subtitle="", generated_at="2026-12-01T10:00:00Z", synthetic=False, synthetic_note="",
        key_findings=["One finding."], blocks=[Heading(2, "Imports"), table],
        provenance_html="<p>none</p>", record={},
    )  # fmt: skip
    return report, dates, hashes


def test_dates_and_codes_stay_whole_long_hashes_stay_on_the_page(tmp_path: Path) -> None:
    report, dates, hashes = _report(tmp_path)
    charts = ChartRenderer()  # no figure: the browser is never started
    try:
        out = render_pdf([report], tmp_path / "words.pdf", charts)
    finally:
        charts.close()
    pages = PdfReader(str(out)).pages
    text = "\n".join(p.extract_text() for p in pages)
    for d in dates:
        assert d in text, d  # on one line, not "2026-11-\n30"
    for i in range(len(dates)):
        assert f"eurostat:nama_10r_{i}gdp" in text
    joined = text.replace("\n", "").replace(" ", "")
    for h in hashes:  # broken inside the cell (the column is narrow) but all there, in order
        assert h in joined
        assert h not in text  # a 64-character word does not fit a twelfth of A4
    width = float(pages[0].mediabox.width)
    xs: list[float] = []  # where each piece of text starts on its page (text matrix x CTM)
    for page in pages:
        page.extract_text(
            visitor_text=lambda t, cm, tm, fd, fs: (
                xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) if t.strip() else None
            )
        )
    assert xs and max(xs) < width  # nothing starts past the right page edge
