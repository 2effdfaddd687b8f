"""A finding is never hidden by a row limit: every gap row of the Greek past-action CSV appears in
the report's Gaps table (gaps first, whatever the table's length), with the real Greek list of
operations 2014-2020 imported into the demo knowledge base (barriers and specialisation from it)."""

from __future__ import annotations

import csv
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.testing import require_real_data

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "past_action_analysis.ipynb"

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


class _Tables(HTMLParser):
    """Every <table>: its caption, header texts and body rows (cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: str | None = None
        self._where = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "headers": [], "rows": []})
        elif tag == "caption":
            self._where = "caption"
        elif tag == "thead":
            self._where = "thead"
        elif tag == "tbody":
            self._where = "tbody"
        elif tag == "tr" and self._where == "tbody":
            self.tables[-1]["rows"].append([])
        elif tag in {"td", "th"}:
            self._cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._where = ""
        elif tag in {"td", "th"} and self._cell is not None and self.tables:
            text = self._cell.strip()
            if self._where == "thead":
                self.tables[-1]["headers"].append(text)
            elif self._where == "tbody" and self.tables[-1]["rows"]:
                self.tables[-1]["rows"][-1].append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._where == "caption" and self.tables:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data


def _workbench(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )


def test_every_gap_of_the_greek_report_is_shown(demo_kb_copy: Path, tmp_path: Path) -> None:
    greek = require_real_data("cohesion_policy", "ListOfOperations_20160513.csv")
    db = demo_kb_copy  # a private copy of the session's demo knowledge base (`workbench demo`)
    done = _workbench("import", str(greek), db=db)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "reports"
    run = _workbench(
        "run", str(NOTEBOOK), "-p", "region", "", "-p", "country", "EL",
        "-p", "period", "2014-2020", "--out", str(out), "-q", db=db,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (folder,) = [p.parent for p in out.glob("past_action_analysis/latest/*/report.html")]

    with open(folder / "gaps.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    gaps = {(r["region"], r["dimension"]) for r in rows if r["gap"] == "True"}
    assert len(gaps) >= 5  # the Greek regions have real gaps (demo barriers, no action)
    assert len(rows) > 50  # more rows than the table shows

    parser = _Tables()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    (table,) = [t for t in parser.tables if t["caption"].startswith("Gaps")]
    region_col = table["headers"].index("Region")
    dim_col = table["headers"].index("Dimension")
    gap_col = table["headers"].index("Gap")
    shown = [(r[region_col], r[dim_col]) for r in table["rows"] if r[gap_col] == "yes"]
    assert set(shown) == gaps
    # the gaps come first
    assert all(r[gap_col] == "yes" for r in table["rows"][: len(gaps)])
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert f"all {len(gaps)} gap rows first" in text
    assert f"of {len(rows)} rows" in text
