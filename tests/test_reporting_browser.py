"""A generated HTML report in headless Chromium, with the network blocked: the plotly charts are
drawn (SVG), no code cell is visible, and the page requests nothing from the internet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from batch_kb import build_kb
from support.browser import offline_page

from workbench.batch.plans import load_plan
from workbench.batch.runner import run_plan

NOTEBOOKS = Path(__file__).parent / "notebooks"

pytestmark = pytest.mark.browser


def test_report_charts_draw_offline_without_code(
    tmp_db: Path, tmp_path: Path, chromium_browser
) -> None:
    build_kb(tmp_db, synthetic=True)
    plan_file = tmp_path / "browser.yml"
    plan_file.write_text(
        yaml.safe_dump(
            {
                "name": "browser",
                "runs": [
                    {
                        "notebook": str(NOTEBOOKS / "region_charts.ipynb"),
                        "parameters": {"region": "HR05"},
                    }
                ],
            }
        )
    )
    result = run_plan(load_plan(plan_file), out=tmp_path / "reports", progress=False)
    (run,) = result.manifest["runs"]
    assert run["status"] == "ok", run["error"]
    report = result.folder / run["outputs"]["html"]
    assert report.stat().st_size <= 600_000  # five charts, plotly.js shared per folder

    outside: list[str] = []
    errors: list[str] = []
    page = offline_page(chromium_browser, outside, errors, allow=("file:",))
    page.goto(report.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 5",
        timeout=30_000,
    )
    charts = page.locator(".plotly-graph-div")
    assert charts.count() == 5
    for i in range(5):  # every chart drew its own SVG with plotted lines
        chart = charts.nth(i)
        assert chart.locator("svg.main-svg").count() >= 1
        assert chart.locator("g.scatterlayer path.js-line").count() >= 1
    titles = page.eval_on_selector_all(
        ".plotly-graph-div .gtitle", "els => els.map(e => e.textContent)"
    )
    assert titles == [f"Chart {i} for HR05" for i in range(1, 6)]
    text = page.inner_text("body")
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0
    assert page.locator(".jp-InputPrompt").count() == 0
    assert "start_report(" not in text and "report.show(" not in text
    assert page.locator(".wb-synthetic-banner").is_visible()
    assert page.locator(".wb-provenance").is_visible()
    assert "Chart not drawn" not in text
    assert outside == []  # nothing fetched from a CDN
    assert errors == []


def test_missing_plotly_js_is_reported_on_the_page(
    tmp_db: Path, tmp_path: Path, chromium_browser
) -> None:
    build_kb(tmp_db)
    plan_file = tmp_path / "moved.yml"
    plan_file.write_text(
        yaml.safe_dump(
            {
                "name": "moved",
                "runs": [
                    {
                        "notebook": str(NOTEBOOKS / "region_charts.ipynb"),
                        "parameters": {"n_charts": 1},
                    }
                ],
            }
        )
    )
    result = run_plan(load_plan(plan_file), out=tmp_path / "reports", progress=False)
    (result.folder / "plotly.min.js").unlink()  # as if the report was copied without its folder
    manifest = json.loads((result.folder / "manifest.json").read_text())
    report = result.folder / manifest["runs"][0]["outputs"]["html"]
    page = chromium_browser.new_page()
    page.goto(report.as_uri())
    assert "Chart not drawn: plotly.min.js was not found" in page.inner_text("body")
