"""Issue 16's browser test (Playwright + Debian chromium): an exercise made from a template file,
a participant's invitation link typed in lower case on a phone-sized page, the impact grid and part
of the structural-analysis grid filled, a warning before leaving with unsaved answers, a reload
that finds the answers and the progress kept, and the facilitator's view after merging."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.testing import CHROMIUM_ARGS, free_port, record_foreign_requests, require_browser

from workbench import capture
from workbench.importers.foresight_setup import write_setup_template
from workbench.serving import ServerProcess

pytestmark = pytest.mark.browser
EXERCISE = "my-region-2035"
EXTRA_DRIVERS = [
    ("D03", "Green transition of industry", "environmental"),
    ("D04", "EU enlargement", "political"),
    ("D05", "Energy prices", "economic"),
]


def _workbench(db: Path, *args: str) -> str:
    script = Path(sys.executable).parent / "workbench"
    proc = subprocess.run(
        [str(script), "--db", str(db), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture
def exercise_file(tmp_path: Path) -> Path:
    """The template's example, with three more drivers (5 drivers: 20 pairs)."""
    path = write_setup_template("foresight_exercise", tmp_path / "exercise.yml", example=True)
    data = yaml.safe_load(path.read_text())
    data["drivers"] += [{"driver_id": d, "label": lab, "steep": s} for d, lab, s in EXTRA_DRIVERS]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def _tables(page) -> list[dict[str, list]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('table.fs-table')).map(t => ({
             head: Array.from(t.querySelectorAll('thead th')).map(th => th.innerText.trim()),
             rows: Array.from(t.querySelectorAll('tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))}))"""
    )


def test_invitation_link_grids_reload_and_facilitator(
    tmp_db: Path, tmp_path: Path, exercise_file: Path
) -> None:
    from playwright.sync_api import sync_playwright

    _workbench(tmp_db, "foresight", "new", str(exercise_file))
    server = ServerProcess(
        tmp_db, free_port(), log_path=tmp_path / "serve.log", extra=["--participant-pool", "2"]
    )
    with server as url:
        listed = _workbench(
            tmp_db, "foresight", "invitations", EXERCISE, "--base-url", url + "/",
            "--out", str(tmp_path / "sheet.html"), "--links",
        )  # fmt: skip
        links = re.findall(r"^(\S+)\s+(http\S+)$", listed, flags=re.M)
        code, link = next((c, u) for c, u in links if "lang=" not in u)
        typed = link.replace(code, code.lower())  # typed by hand, in lower case
        assert code not in typed
        foreign: list[str] = []
        dialogs: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=require_browser(), args=CHROMIUM_ARGS)
            try:
                phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
                page = phone.new_page()
                record_foreign_requests(page, foreign)
                page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
                page.goto(typed, timeout=180_000)
                cards = page.locator(".fs-card")
                cards.first.wait_for(timeout=120_000)  # signed in by the link: no code typed
                assert page.get_by_placeholder("your code").is_hidden()
                anchors = page.locator(".fs-statement-S2 .fs-anchors").inner_text()
                assert "not important at all" in anchors and "agree" not in anchors
                assert (
                    "strongly disagree" in page.locator(".fs-statement-S1 .fs-anchors").inner_text()
                )

                # impact and uncertainty of all five drivers, one Save
                page.get_by_role("tab", name="Impact").click()
                grid = page.locator(".fs-ratings select")
                grid.first.wait_for(timeout=60_000)
                assert grid.count() == 10
                ratings = {}
                for i in range(5):
                    ratings[i] = (str(i % 5 + 1), str((i + 2) % 5 + 1))
                    grid.nth(2 * i).select_option(label=ratings[i][0])
                    grid.nth(2 * i + 1).select_option(label=ratings[i][1])
                page.get_by_text("5 of 5 drivers rated").wait_for(timeout=30_000)
                # unsaved: the page says so and the browser asks before leaving
                page.locator(".fs-unsaved-note").wait_for(state="visible", timeout=30_000)
                page.close(run_before_unload=True)
                page.wait_for_timeout(1_000)
                assert dialogs == ["beforeunload"] and not page.is_closed()
                page.get_by_role("button", name="Save all ratings").click()
                page.locator(".fs-ok >> visible=true").first.wait_for(timeout=30_000)
                page.locator(".fs-unsaved-note").wait_for(state="hidden", timeout=30_000)

                # structural analysis: the first driver's 4 pairs, then 2 of the second's
                page.get_by_role("tab", name="Influences").click()
                pairs = page.locator(".fs-influences select")
                pairs.first.wait_for(timeout=60_000)
                page.get_by_text("0 of 20 pairs").wait_for(timeout=30_000)
                assert pairs.count() == 4  # the diagonal is not asked
                strengths = {0: "3", 1: "0", 2: "2", 3: "1"}
                for k, v in strengths.items():
                    word = ["none", "weak", "moderate", "strong"][int(v)]
                    pairs.nth(k).select_option(label=f"{v} {word}")
                page.get_by_role("button", name="Save and next").click()
                page.get_by_text("4 of 20 pairs").wait_for(timeout=30_000)
                page.get_by_text("Driver 2 of 5").wait_for(timeout=30_000)
                pairs.nth(0).select_option(label="2 moderate")
                pairs.nth(1).select_option(label="3 strong")
                page.get_by_role("button", name="Save", exact=True).last.click()
                page.get_by_text("6 of 20 pairs").wait_for(timeout=30_000)
                assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 2

                # reload: answers and progress kept, the grid resumes at the second driver
                page.reload(timeout=180_000)
                page.locator(".fs-card").first.wait_for(timeout=120_000)
                page.get_by_role("tab", name="Impact").click()
                page.get_by_text("5 of 5 drivers rated").wait_for(timeout=60_000)
                grid = page.locator(".fs-ratings select")
                shown = [
                    grid.nth(i).evaluate("s => s.options[s.selectedIndex].text") for i in range(10)
                ]
                assert shown == [v for i in range(5) for v in ratings[i]]
                page.get_by_role("tab", name="Influences").click()
                page.get_by_text("6 of 20 pairs").wait_for(timeout=60_000)
                page.get_by_text("Driver 2 of 5").wait_for(timeout=30_000)
                matrix = page.locator("table.fs-matrix tbody tr").nth(0).inner_text().split()
                assert matrix[1:] == ["3", "0", "2", "1"]  # row 1: the diagonal cell is empty
                assert dialogs == ["beforeunload"]  # nothing unsaved when reloading

                # the facilitator's view after merging
                while capture.pending(db=tmp_db):
                    capture.merge(db=tmp_db, lock_wait=30)
                facilitator = browser.new_page(viewport={"width": 1280, "height": 900})
                record_foreign_requests(facilitator, foreign)
                facilitator.goto(
                    server.url_for("facilitator", "/voila/render/foresight_facilitator.ipynb"),
                    timeout=180_000,
                )
                facilitator.get_by_role("button", name="Refresh").click(timeout=120_000)
                facilitator.get_by_role("tab", name="MICMAC").click()
                facilitator.get_by_text("influence_direct").first.wait_for(timeout=60_000)
                table = next(t for t in _tables(facilitator) if "influence_direct" in t["head"])
                col = {h: i for i, h in enumerate(table["head"])}
                direct = {
                    r[col["variable"]]: int(float(r[col["influence_direct"]]))
                    for r in table["rows"]
                }
                # one participant: the group's matrix is this participant's answers
                assert direct["D01"] == sum(int(v) for v in strengths.values())
                assert direct["D02"] == 2 + 3
                facilitator.get_by_role("tab", name="Impact/uncertainty").click()
                facilitator.locator(".js-plotly-plot .scatterlayer .point").first.wait_for(
                    timeout=60_000
                )
            finally:
                browser.close()
    assert foreign == []
