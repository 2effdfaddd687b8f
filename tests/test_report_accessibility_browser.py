"""Every report of the demo batch (and of the real-data plan) in headless Chromium: axe-core finds no
serious or critical accessibility violation, no table cell reads NaN/None/True/1e+08, every chart
is a captioned figure, tables have column header cells, and a key-findings block of at least three
sentences opens the report.  axe-core comes bundled with ``axe-playwright-python`` (no download).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from support.batches import PlanBatch
from support.report_checks import (
    BAD_CELLS,
    KEY_FINDING_SENTENCES,
    TABLES_WITHOUT_HEADERS,
    UNCAPTIONED_CHARTS,
    serious_violations,
)
from support.testing import CHROMIUM_ARGS, require_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


#: reports opened at the same time (one browser context, i.e. one renderer process, each): axe-core
#: and plotly's drawing are single-threaded JavaScript, so N pages use N cores
PARALLEL_PAGES = max(1, min(4, len(os.sched_getaffinity(0))))
#: time to load a report (3.5 MB plotly.min.js) and to draw its charts; generous because pages share
#: the cores (a loaded 2-core machine took > 30 s): a limit on waiting, not a check of the report
LOAD_TIMEOUT_MS = 120_000


async def _check_page(page: Any, axe: Any, html: Path) -> list[str]:
    """The problems of one report, open in ``page`` (the same checks for every report)."""
    found: list[str] = []
    await page.goto(html.as_uri(), timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_function(
        "[...document.querySelectorAll('.plotly-graph-div')]"
        ".every(d => d.querySelector('svg.main-svg'))",
        timeout=LOAD_TIMEOUT_MS,
    )
    bad = await page.evaluate(BAD_CELLS)
    if bad:
        found.append(f"raw table cells: {sorted(set(bad))[:10]}")
    uncaptioned = await page.evaluate(UNCAPTIONED_CHARTS)
    if uncaptioned:
        found.append(f"{len(uncaptioned)} chart(s) without a caption")
    if await page.evaluate(TABLES_WITHOUT_HEADERS):
        found.append("table without column header cells")
    sentences = await page.evaluate(KEY_FINDING_SENTENCES)
    if sentences < 3:
        found.append(f"key findings: {sentences} sentence(s), expected >= 3")
    result = await axe.run(page, options={"resultTypes": ["violations"]})
    found += serious_violations(result.response)
    return found


async def _local_only(route: Any) -> None:
    """Let the page load local files only (the reports must work offline)."""
    if route.request.url.startswith("file:"):
        await route.continue_()
    else:
        await route.abort()


async def _check_all(chromium: str, batch: Path, runs: list[dict]) -> dict[str, list[str]]:
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    problems: dict[str, list[str]] = {}
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for run in runs:
        queue.put_nowait(run)
    axe = Axe()

    async def worker(browser: Any) -> None:
        context = await browser.new_context()
        page = await context.new_page()
        await page.route("**/*", _local_only)
        try:
            while not queue.empty():
                run = queue.get_nowait()
                found = await _check_page(page, axe, batch / run["outputs"]["html"])
                if found:
                    problems[run["run_id"]] = found
        finally:
            await context.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(worker(browser) for _ in range(PARALLEL_PAGES)))
        finally:
            await browser.close()
    return problems


def _check_reports(batch: Path) -> dict[str, list[str]]:
    """Open every report of a batch folder (``PARALLEL_PAGES`` at a time, each in its own browser
    context); return the problems found per run."""
    chromium = require_browser()
    manifest = json.loads((batch / "manifest.json").read_text())
    for run in manifest["runs"]:
        assert run["status"] == "ok", (run["run_id"], run.get("error"))
    return asyncio.run(_check_all(chromium, batch, manifest["runs"]))


@pytest.mark.timeout(1800)
def test_every_demo_report_is_accessible_and_readable(demo_batch: PlanBatch) -> None:
    # the whole demo plan on the demo knowledge base, run once per session (support/batches.py)
    problems = _check_reports(demo_batch.batch)
    assert problems == {}, json.dumps(problems, indent=1)


@pytest.mark.realdata
@pytest.mark.timeout(1200)
def test_every_real_data_report_is_accessible_and_readable(real_plan_batch: PlanBatch) -> None:
    # the real-data plan run once per session (support/batches.py), inputs imported by the run
    problems = _check_reports(real_plan_batch.batch)
    assert problems == {}, json.dumps(problems, indent=1)
