"""The strategy document (issue 17 item 7): the ``joint_strategy`` report as PDF and Word through
``workbench run --formats html,pdf,docx`` (the export of issue 15), read back with pypdf and
python-docx: every action of the plan, the traceability chart drawn (not "no data"), no raw
NaN/None, and (PDF) no text outside the page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.kb import query
from workbench.reporting.theme import is_empty_figure

pytestmark = pytest.mark.slow
STRATEGY = "see-joint-strategy"


def test_a_sankey_with_flows_is_not_an_empty_figure() -> None:
    sankey = {
        "type": "sankey",
        "node": {"label": ["a", "b"]},
        "link": {"source": [0], "target": [1], "value": [2]},
    }
    assert not is_empty_figure({"data": [sankey]})
    assert is_empty_figure(
        {"data": [{**sankey, "link": {"source": [], "target": [], "value": []}}]}
    )


@pytest.fixture(scope="module")
def exported(demo_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("weasyprint")
    out = tmp_path_factory.mktemp("strategy_doc")
    cmd = [sys.executable, "-c", "from workbench.cli import main; main()", "--db", str(demo_kb),
           "run", "notebooks/joint_strategy.ipynb", "-p", "strategy_id", STRATEGY,
           "--out", str(out), "--formats", "html,pdf,docx", "--workers", "1", "--quiet"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    pdfs = list(out.rglob("export/*.pdf"))
    assert len(pdfs) == 1, f"one PDF expected under {out}, found {pdfs}"
    return pdfs[0].parent


def _actions(db: Path) -> list[str]:
    return query(
        "SELECT action_id FROM strategy_actions WHERE strategy_id = ? ORDER BY action_id",
        [STRATEGY],
        db=db,
    )["action_id"].tolist()


def test_strategy_pdf_holds_the_whole_plan_and_its_chain(exported: Path, demo_kb: Path) -> None:
    import pypdf

    (pdf,) = exported.glob("*.pdf")
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Key findings" in text and f"Page 1 of {len(reader.pages)}" in text
    for heading in ("Scenarios and visions", "Action plan", "Progress", "From evidence to action",
                    "Sustainability plan"):  # fmt: skip
        assert heading in text
    missing = [a for a in _actions(demo_kb) if not re.search(rf"\b{a}\b", text)]
    assert not missing, f"actions not in the PDF: {missing}"
    assert "no data to draw" not in text  # the traceability Sankey is drawn
    assert not re.search(r"\b(nan|NaN|None|NaT)\b", text)


def test_strategy_pdf_has_no_text_outside_the_page(exported: Path) -> None:
    import pypdf

    (pdf,) = exported.glob("*.pdf")
    outside: list[tuple[int, str]] = []
    for n, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        width = float(page.mediabox.width)

        def visit(text: str, cm: list, tm: list, _font: object, _size: float) -> None:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]  # where the run starts, in page units
            if text.strip() and x > width:  # noqa: B023 - page of this loop turn
                outside.append((n, text.strip()[:30]))  # noqa: B023

        page.extract_text(visitor_text=visit)
    assert not outside, f"text beyond the right edge of the page: {outside[:10]}"


def test_strategy_word_document_has_native_tables_and_charts(exported: Path, demo_kb: Path) -> None:
    import docx

    (path,) = exported.glob("*.docx")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Action plan" in headings and "From evidence to action" in headings
    cells = {c.text.strip() for t in document.tables for row in t.rows for c in row.cells}
    missing = [a for a in _actions(demo_kb) if a not in cells]
    assert not missing, f"actions not in a Word table: {missing}"
    assert len(document.inline_shapes) >= 2  # progress chart and the evidence chain
