"""Real browser test of the barrier dashboard: Voila + Debian chromium (Playwright), temp knowledge base.

Adds a barrier through the form, then finds it in the knowledge base (DuckDB) and in the matrix shown
on the page; also checks that invalid input gets a clear message and nothing is stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from support.testing import CHROMIUM_ARGS, free_port, require_browser

from workbench import capture
from workbench.config import project_root
from workbench.kb import query, writer

pytestmark = pytest.mark.browser

NOTEBOOK = project_root() / "notebooks" / "dashboards" / "barriers.ipynb"


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"voila did not answer at {url}")


@pytest.fixture
def voila_server(tmp_db: Path, tmp_path: Path):
    with writer(
        tmp_db, purpose="test setup"
    ) as con:  # schema + one instrument so HR03 is a known region
        con.execute(
            "INSERT INTO policy_instruments (instrument_id, region, name, dimensions)"
            " VALUES ('i1', 'HR03', 'Test instrument', ['skills'])"
        )
    port = free_port()
    env = {
        **os.environ,
        "WORKBENCH_DB": str(tmp_db),
        "WORKBENCH_REPORTS": str(tmp_path / "reports"),
    }
    log = open(tmp_path / "voila.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", "--no-browser",
         "--Voila.ip=127.0.0.1", "--show_tracebacks=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}/", tmp_db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_add_barrier_in_dashboard_reaches_kb_and_matrix(voila_server) -> None:
    chromium = require_browser()
    from playwright.sync_api import expect, sync_playwright

    url, db = voila_server
    text = "Cluster managers lack export know-how (browser test)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url, timeout=90_000)
        page.wait_for_selector(".barrier-dashboard .bd-save", timeout=90_000)
        # matrix before: international x past_actions is empty
        cell = page.locator('.bd-cell[data-dimension="international"][data-phase="past_actions"]')
        expect(cell).to_have_attribute("data-count", "0")

        # invalid input: a clear message, nothing stored
        page.locator(".bd-input-region input").fill("HR03")
        page.locator(".bd-save button, button.bd-save").first.click()
        status = page.locator(".bd-status")
        expect(status).to_contain_text("barrier not saved", timeout=20_000)
        expect(status).to_contain_text("dimensions")

        # valid barrier
        page.locator(".bd-input-barrier textarea").fill(text)
        page.locator(".bd-dim-international input[type=checkbox]").check()
        page.locator(".bd-dim-skills input[type=checkbox]").check()
        page.locator(".bd-input-phase select").select_option(label="Past policy actions")
        page.locator(".bd-input-severity select").select_option(
            label="3 - blocking - actions cannot work"
        )
        page.locator(".bd-input-evidence textarea").fill("interviews with 5 cluster managers")
        page.locator(".bd-save button, button.bd-save").first.click()
        expect(status).to_contain_text("Saved barrier", timeout=30_000)

        # the matrix on the page now counts it (filter switched to the barrier's region)
        expect(cell).to_have_attribute("data-count", "1", timeout=20_000)
        skills = page.locator('.bd-cell[data-dimension="skills"][data-phase="past_actions"]')
        expect(skills).to_have_attribute("data-count", "1")
        expect(page.locator(".bd-list-box")).to_contain_text(text)
        href = page.locator(".bd-downloads a").first.get_attribute("href")
        assert href and href.startswith("data:text/csv;base64,")
        browser.close()

    capture.merge(db=db)  # no-op when the dashboard already merged; merges if the lock was busy
    stored = query("SELECT * FROM barriers WHERE barrier = ?", [text], db=db)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["region"] == "HR03"
    assert sorted(row["dimensions"]) == ["international", "skills"]
    assert row["phase"] == "past_actions" and int(row["severity"]) == 3
    assert row["evidence"] == "interviews with 5 cluster managers"
    assert (
        query("SELECT count(*) AS n FROM barriers", db=db)["n"].iloc[0] == 1
    )  # the invalid one was not stored
