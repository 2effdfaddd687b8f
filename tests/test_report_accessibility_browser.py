"""Every report of the demo batch (and of the real-data plan) in headless Chromium: axe-core finds no
serious or critical accessibility violation, no table cell reads NaN/None/True/1e+08, every chart
is a captioned figure, tables have column header cells, and a key-findings block of at least three
sentences opens the report.  axe-core comes bundled with ``axe-playwright-python`` (no download).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.report_checks import (
    BAD_CELLS,
    KEY_FINDING_SENTENCES,
    TABLES_WITHOUT_HEADERS,
    UNCAPTIONED_CHARTS,
    serious_violations,
)
from support.testing import CHROMIUM_ARGS, require_browser, require_real_data

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _workbench(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
    )


def _check_reports(batch: Path) -> dict[str, list[str]]:
    """Open every report of a batch folder; return the problems found per run."""
    chromium = require_browser()
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    manifest = json.loads((batch / "manifest.json").read_text())
    problems: dict[str, list[str]] = {}
    axe = Axe()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            for run in manifest["runs"]:
                found: list[str] = []
                assert run["status"] == "ok", (run["run_id"], run.get("error"))
                page.goto((batch / run["outputs"]["html"]).as_uri())
                page.wait_for_function(
                    "[...document.querySelectorAll('.plotly-graph-div')]"
                    ".every(d => d.querySelector('svg.main-svg'))",
                    timeout=30_000,
                )
                bad = page.evaluate(BAD_CELLS)
                if bad:
                    found.append(f"raw table cells: {sorted(set(bad))[:10]}")
                uncaptioned = page.evaluate(UNCAPTIONED_CHARTS)
                if uncaptioned:
                    found.append(f"{len(uncaptioned)} chart(s) without a caption")
                if page.evaluate(TABLES_WITHOUT_HEADERS):
                    found.append("table without column header cells")
                sentences = page.evaluate(KEY_FINDING_SENTENCES)
                if sentences < 3:
                    found.append(f"key findings: {sentences} sentence(s), expected >= 3")
                result = axe.run(page, options={"resultTypes": ["violations"]})
                found += serious_violations(result.response)
                if found:
                    problems[run["run_id"]] = found
        finally:
            browser.close()
    return problems


@pytest.mark.timeout(1800)
def test_every_demo_report_is_accessible_and_readable(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    built = _workbench("demo", db=db)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "reports"
    done = _workbench("run", "demo", "--out", str(out), "-q", db=db)
    assert done.returncode == 0, done.stderr
    batch = (out / "demo" / "latest").resolve()
    problems = _check_reports(batch)
    assert problems == {}, json.dumps(problems, indent=1)


@pytest.mark.realdata
@pytest.mark.timeout(1200)
def test_every_real_data_report_is_accessible_and_readable(tmp_path: Path) -> None:
    require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    require_real_data("cohesion_policy", "ESIF_Croatia_2007-2020.csv")
    db = tmp_path / "real.duckdb"
    out = tmp_path / "reports"
    done = _workbench("run", "real", "--out", str(out), "-q", db=db)
    assert done.returncode == 0, done.stderr
    problems = _check_reports((out / "real" / "latest").resolve())
    assert problems == {}, json.dumps(problems, indent=1)
