"""Scoring dashboard in a real browser: Voila + Debian chromium (Playwright), temp knowledge base.

An evaluator fills the mechanisms x criteria grid (a missing score of one mechanism and the whole
row of a never-scored one) and saves once, while an import holds the knowledge base; the scores
reach the capture inbox, the ranking on the page changes (both mechanisms enter it), the names are
the report's, mechanisms still lacking scores are listed as "not ranked yet", and a bad grid shows a
clear message next to the button and stores nothing.  Reopening the page and typing the same name
loads the evaluator's scores back into the grid.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import capture
from workbench.demo.pilots import write_standalone
from workbench.evaluation import data
from workbench.evaluation.capture_kinds import KIND
from workbench.evaluation.findings import mechanism_label
from workbench.evaluation.settings import criteria_codes
from workbench.kb import writer

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "dashboards" / "scoring.ipynb"

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


def ranked(page) -> list[str]:
    return page.locator("table.wb-ranking tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.mechanism)"
    )


def cell(page, mechanism: str, criterion: str):
    return page.locator(f".wb-cell-{mechanism}-{criterion} select")


def test_one_save_of_the_grid_changes_the_ranking(kb: Path, voila, chromium_browser) -> None:
    from playwright.sync_api import expect

    names = data.load_mechanisms(kb).set_index("mechanism_id")["name"].to_dict()
    scored = set(data.load_criteria_scores(kb)["mechanism_id"])
    never = sorted(set(names) - scored)  # in the catalogue, never scored
    assert never and "M-VISIT" in scored
    codes = criteria_codes()
    url = voila(NOTEBOOK, db=kb)
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, wait_until="domcontentloaded", timeout=120_000)
    page.locator("table.wb-ranking").wait_for(timeout=120_000)
    before = ranked(page)
    assert "M-VISIT" not in before and len(before) == len(scored) - 1
    # names as the ranking report writes them (workbench.evaluation.findings.mechanism_label)
    shown = page.locator("table.wb-ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert shown == [mechanism_label(m, names) for m in before]
    rows = page.locator(".wb-mechanism-name").all_inner_texts()
    assert rows == [mechanism_label(m, names) for m in names]  # one grid row a mechanism
    # not ranked yet: the mechanism missing a criterion, and those never scored
    unranked = page.locator("ul.wb-unranked li")
    expect(unranked).to_have_count(1 + len(never))
    expect(page.locator("ul.wb-unranked li[data-mechanism='M-VISIT']")).to_contain_text(
        "not ranked yet - no score yet for Sustainability"
    )
    for m in never:
        expect(page.locator(f"ul.wb-unranked li[data-mechanism='{m}']")).to_contain_text(
            f"{mechanism_label(m, names)}: not ranked yet - no score yet"
        )

    # a bad grid: a score without a confidence -> clear message next to the button, nothing stored
    page.locator(".wb-evaluator input").fill("browser-evaluator")
    page.locator(".wb-evaluator input").press("Enter")
    cell(page, "M-VISIT", "sustainability").select_option(label="5")
    page.locator("button.wb-save").click()
    error = page.locator(".wb-score-status .wb-status-error[role=alert]")
    expect(error).to_contain_text(f"{mechanism_label('M-VISIT', names)}: choose your confidence")
    expect(error).to_be_in_viewport()
    assert capture.pending(KIND, db=kb) == []

    # the grid: the missing cell + the whole row of a never-scored mechanism, one save
    new = never[0]
    page.locator(".wb-confidence-M-VISIT select").select_option(label="high")
    page.locator(".wb-comment-M-VISIT input").fill("lasting contacts after the visit")
    for i, c in enumerate(codes):
        cell(page, new, c).select_option(label=str(1 + i % 5))
    page.locator(f".wb-confidence-{new} select").select_option(label="medium")
    # an import holds the knowledge-base writer meanwhile: saving must still work
    with writer(kb, purpose="test: concurrent import"):
        page.locator("button.wb-save").click()
        ok = page.locator(".wb-score-status .wb-status-ok[role=status]")
        expect(ok).to_contain_text(
            f"Saved {1 + len(codes)} score(s) of 2 mechanism(s)", timeout=30_000
        )
        expect(ok).to_be_in_viewport()
        expect(page.locator(".wb-ranking-note")).to_contain_text("busy", timeout=30_000)
        for m in ("M-VISIT", new):
            expect(page.locator(f"table.wb-ranking tbody tr[data-mechanism='{m}']")).to_have_count(
                1
            )
    after = ranked(page)
    assert len(after) == len(before) + 2 and set(after) - set(before) == {"M-VISIT", new}
    expect(unranked).to_have_count(len(never) - 1)
    assert len(capture.pending(KIND, db=kb)) == 1 + len(codes)  # one save, every cell

    # once merged into the KB the scores count once, and the busy note is gone
    assert capture.merge(db=kb) == 1 + len(codes)
    page.locator("button.wb-refresh").click()
    expect(page.locator(".wb-ranking-note")).to_have_count(0, timeout=30_000)
    assert ranked(page) == after

    # a second visit: typing the name loads the evaluator's scores into the grid
    again = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    again.goto(url, wait_until="domcontentloaded", timeout=120_000)
    again.locator("table.wb-ranking").wait_for(timeout=120_000)
    again.locator(".wb-evaluator input").fill("browser-evaluator")
    again.locator(".wb-evaluator input").press("Enter")
    expect(again.locator(".wb-score-status .wb-status-info")).to_contain_text(
        f"Loaded your {1 + len(codes)} earlier score(s)", timeout=30_000
    )
    for i, c in enumerate(codes):
        expect(cell(again, new, c)).to_have_value(str(1 + i % 5))
    expect(cell(again, "M-VISIT", "sustainability")).to_have_value("5")
    again.locator("button.wb-save").click()  # nothing changed: nothing stored again
    expect(again.locator(".wb-score-status .wb-status-info")).to_contain_text("Nothing to save")

    stored = capture.read(KIND, db=kb)
    assert len(stored) == 1 + len(codes) and all(s.merged_at is not None for s in stored)
    visit = next(s.payload for s in stored if s.payload["mechanism_id"] == "M-VISIT")
    assert visit | {"submitted_at": None} == {
        "evaluator": "browser-evaluator",
        "mechanism_id": "M-VISIT",
        "criterion": "sustainability",
        "score": 5,
        "confidence": "high",
        "comment": "lasting contacts after the visit",
        "submitted_at": None,
    }
    row = {s.payload["criterion"]: s.payload for s in stored if s.payload["mechanism_id"] == new}
    assert {c: (p["score"], p["confidence"]) for c, p in row.items()} == {
        c: (1 + i % 5, "medium") for i, c in enumerate(codes)
    }
