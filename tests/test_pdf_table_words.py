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


def test_a_very_wide_table_gets_a_landscape_page_and_stays_on_it(tmp_path: Path) -> None:
    from workbench.export.pdf import LANDSCAPE_TABLE_COLUMNS

    n = LANDSCAPE_TABLE_COLUMNS + 3  # as the MICMAC rank moves of the foresight report (15)
    header = ["Variable", "Label"] + [f"Rank dependence indirect {i}" for i in range(n - 2)]
    rows = [
        [f"D{r:02d}", f"Driver {r}"] + [f"{r * 10 + i:,}" for i in range(n - 2)] for r in range(6)
    ]
    report = Report(
        run_dir=tmp_path, run_id="wide", title="Wide", kind="foresight_report", subtitle="",
        generated_at="2026-12-01T10:00:00Z", synthetic=False, synthetic_note="",
        key_findings=["One finding."],
        blocks=[Heading(2, "Before"), Table("Rank moves", header, rows, [False, False] + [True] * (n - 2)),
                Heading(2, "After")],
        provenance_html="<p>none</p>", record={},
    )  # fmt: skip
    charts = ChartRenderer()
    try:
        out = render_pdf([report], tmp_path / "wide.pdf", charts)
    finally:
        charts.close()
    pages = PdfReader(str(out)).pages
    (landscape,) = [p for p in pages if "Rank moves" in p.extract_text()]
    assert float(landscape.mediabox.width) > float(landscape.mediabox.height)
    assert "After" not in landscape.extract_text()  # what follows goes back to portrait
    assert all(
        float(p.mediabox.width) < float(p.mediabox.height) for p in pages if p is not landscape
    )
    xs: list[float] = []
    landscape.extract_text(
        visitor_text=lambda t, cm, tm, fd, fs: (
            xs.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) if t.strip() else None
        )
    )
    assert max(xs) < float(landscape.mediabox.width) - 18 / 25.4 * 72  # inside the right margin
    last = f"{5 * 10 + n - 3:,}"
    assert last in landscape.extract_text()  # the last column of the last row is on the page
