"""Scoring dashboard in a real browser: Voila + Debian chromium (Playwright), temp knowledge base.

An evaluator enters a missing score; the score is stored through the capture inbox and the ranking
on the page changes (the mechanism enters the ranking); a bad entry shows a clear message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.testing import CHROMIUM_ARGS, free_port, require_browser

from workbench import capture
from workbench.demo.pilots import write_standalone
from workbench.evaluation.capture_kinds import KIND
from workbench.kb import writer

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "dashboards" / "scoring.ipynb"
VOILA = Path(sys.executable).with_name("voila")

pytestmark = pytest.mark.browser


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    db = tmp_path / "kb.duckdb"
    write_standalone(db, seed=6)
    with writer(db, purpose="test: leave one criterion unscored") as con:
        con.execute(
            "DELETE FROM criteria_scores WHERE mechanism_id = 'M-VISIT' AND criterion = 'sustainability'"
        )
    return db


@pytest.fixture
def voila_url(kb: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"WORKBENCH_DB": str(kb), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = (tmp_path / "voila.log").open("w")
    proc = subprocess.Popen(
        [
            str(VOILA),
            str(NOTEBOOK),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--show_tracebacks=True",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "static/", timeout=2)  # noqa: S310 - local server
                break
            except urllib.error.HTTPError:  # any HTTP answer: the server is up (no kernel started)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"voila did not start: {(tmp_path / 'voila.log').read_text()[-2000:]}"
                    )
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def ranked(page) -> list[str]:
    return page.locator("table.wb-ranking tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.mechanism)"
    )


def test_entering_a_score_changes_the_ranking(voila_url: str, kb: Path) -> None:
    chromium = require_browser()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(voila_url, wait_until="domcontentloaded", timeout=120_000)
            page.locator("table.wb-ranking").wait_for(timeout=120_000)
            before = ranked(page)
            assert "M-VISIT" not in before and len(before) == 5
            expect(page.locator("ul.wb-unranked li[data-mechanism='M-VISIT']")).to_contain_text(
                "Sustainability"
            )

            # a bad entry: no score, no confidence -> clear message, nothing stored
            page.locator(".wb-evaluator input").fill("browser-evaluator")
            page.locator(".wb-mechanism select").select_option(label="Study visit (M-VISIT)")
            page.locator(".wb-criterion select").select_option(label="Sustainability")
            page.locator("button.wb-save").click()
            expect(page.locator(".wb-status-error")).to_contain_text(
                "score: must be a whole number from 1 to 5"
            )
            assert capture.pending(KIND, db=kb) == []

            page.locator(".wb-score select").select_option(label="5 - very good")
            page.locator(".wb-confidence select").select_option(label="high")
            page.locator(".wb-comment textarea").fill("lasting contacts after the visit")
            # an import holds the knowledge-base writer meanwhile: saving must still work
            with writer(kb, purpose="test: concurrent import"):
                page.locator("button.wb-save").click()
                expect(page.locator(".wb-status-ok")).to_contain_text(
                    "Saved: Study visit, Sustainability = 5", timeout=30_000
                )
                expect(page.locator(".wb-ranking-note")).to_contain_text("busy", timeout=30_000)
                expect(
                    page.locator("table.wb-ranking tbody tr[data-mechanism='M-VISIT']")
                ).to_have_count(1)
            after = ranked(page)
            assert len(after) == 6 and after != before

            # once merged into the KB the score counts once, and the busy note is gone
            assert capture.merge(db=kb) == 1
            page.locator("button.wb-refresh").click()
            expect(page.locator(".wb-ranking-note")).to_have_count(0, timeout=30_000)
            assert sorted(ranked(page)) == sorted(after)
        finally:
            browser.close()

    stored = capture.read(KIND, db=kb)
    assert len(stored) == 1 and stored[0].merged_at is not None
    assert stored[0].payload | {"submitted_at": None} == {
        "evaluator": "browser-evaluator",
        "mechanism_id": "M-VISIT",
        "criterion": "sustainability",
        "score": 5,
        "confidence": "high",
        "comment": "lasting contacts after the visit",
        "submitted_at": None,
    }
