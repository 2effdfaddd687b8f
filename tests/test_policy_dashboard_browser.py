"""Real browser test of the barrier dashboard: Voila + Debian chromium (Playwright), temp knowledge base.

The "add a barrier" form comes first (its Save button on the first screen, above the list); invalid
input gets a clear message next to the button, in view, and nothing is stored; a valid barrier
reaches the knowledge base (DuckDB), the matrix and the list, with its confirmation in view.  The
list is paged and filtered; the matrix has a colour legend whose swatches are the cells' colours.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import capture
from workbench.config import project_root
from workbench.dashboards.barriers import PAGE_SIZE
from workbench.kb import query, writer
from workbench.policy.capture_kinds import BARRIER_KIND

pytestmark = pytest.mark.browser

NOTEBOOK = project_root() / "notebooks" / "dashboards" / "barriers.ipynb"
N_EARLIER = 25  # barriers already recorded: more than one page of the list


@pytest.fixture
def kb(tmp_db: Path) -> Path:
    """HR03 known (one instrument) and N_EARLIER barriers of SI04 on skills x current framework."""
    with writer(tmp_db, purpose="test setup") as con:
        con.execute(
            "INSERT INTO policy_instruments (instrument_id, region, name, dimensions)"
            " VALUES ('i1', 'HR03', 'Test instrument', ['skills'])"
        )
    for i in range(N_EARLIER):
        word = "needle" if i == 7 else "hay"
        capture.submit(
            BARRIER_KIND,
            {"barrier_id": f"SI04-B-{i:02d}", "region": "SI04", "barrier": f"Earlier {word} {i}",
             "dimensions": ["skills"], "phase": "current_framework", "severity": 1},
            client_id="test", idempotency_key=f"setup-{i}", db=tmp_db,
        )  # fmt: skip
    assert capture.merge(db=tmp_db) == N_EARLIER
    return tmp_db


def test_add_barrier_in_dashboard_reaches_kb_and_matrix(kb: Path, voila, chromium_browser) -> None:
    from playwright.sync_api import expect

    db = kb
    url = voila(NOTEBOOK, db=db)
    text = "Cluster managers lack export know-how (browser test)"
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url, timeout=90_000)
    save = page.locator(".barrier-dashboard .bd-save")
    save.wait_for(timeout=90_000)
    # the form first: its Save button is on the first screen, above the matrix and the list
    expect(save).to_be_in_viewport()
    listing = page.locator(".bd-list-paged")
    assert save.bounding_box()["y"] < page.locator(".bd-matrix").bounding_box()["y"]
    assert save.bounding_box()["y"] < listing.bounding_box()["y"]
    # matrix before: international x past_actions is empty
    cell = page.locator('.bd-cell[data-dimension="international"][data-phase="past_actions"]')
    expect(cell).to_have_attribute("data-count", "0")

    # the list: paged (PAGE_SIZE rows a page) and filtered by a word
    info = listing.locator(".wb-page-info")
    expect(info).to_contain_text(f"rows 1-{PAGE_SIZE} of {N_EARLIER},")
    assert listing.locator("table tbody tr").count() == PAGE_SIZE
    listing.locator(".wb-next button, button.wb-next").first.click()
    expect(info).to_contain_text(f"rows {PAGE_SIZE + 1}-{N_EARLIER} of {N_EARLIER},")
    expect(listing.locator("table tbody tr")).to_have_count(N_EARLIER - PAGE_SIZE)
    listing.locator(".wb-filter input").fill("needle")
    listing.locator(".wb-filter input").press("Enter")
    expect(info).to_contain_text("rows 1-1 of 1 (filtered from 25)")
    expect(listing.locator("table tbody tr")).to_have_count(1)
    expect(listing.locator("table tbody")).to_contain_text("SI04-B-07")
    listing.locator(".wb-filter input").fill("")
    listing.locator(".wb-filter input").press("Enter")
    expect(info).to_contain_text(f"of {N_EARLIER},")

    # invalid input: a clear message next to the button, in view; nothing stored
    page.locator(".bd-input-region input").fill("HR03")
    page.locator(".bd-save button, button.bd-save").first.click()
    status = page.locator(".bd-status")
    expect(status).to_contain_text("barrier not saved", timeout=20_000)
    expect(status).to_contain_text("dimensions")
    expect(status.locator(".wb-status-error[role=alert]")).to_be_in_viewport()

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
    expect(status.locator(".wb-status-ok[role=status]")).to_be_in_viewport()

    # the matrix on the page now counts it
    expect(cell).to_have_attribute("data-count", "1", timeout=20_000)
    skills = page.locator('.bd-cell[data-dimension="skills"][data-phase="past_actions"]')
    expect(skills).to_have_attribute("data-count", "1")
    expect(info).to_contain_text(f"of {N_EARLIER + 1},")  # the list has it too
    region = page.locator(".bd-filter-region select")
    labels = region.locator("option").all_inner_texts()  # names with codes, e.g. "... (HR03)"
    region.select_option(label=next(x for x in labels if "HR03" in x))
    expect(info).to_contain_text("rows 1-1 of 1,", timeout=20_000)
    expect(page.locator(".bd-list-box")).to_contain_text(text)
    href = page.locator(".bd-downloads a").first.get_attribute("href")
    assert href and href.startswith("data:text/csv;base64,")

    # the legend: one swatch a severity level (0-3) plus empty cells; a cell's colour is the
    # swatch of its (rounded) mean severity, here 3
    legend = page.locator(".bd-legend")
    expect(legend.locator(".wb-legend-item")).to_have_count(5)
    expect(legend).to_contain_text("3 blocking")
    expect(legend).to_contain_text("no barrier recorded")
    colour = "el => getComputedStyle(el).backgroundColor"
    swatches = legend.locator(".wb-legend-swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert len(set(swatches)) == 5
    assert cell.evaluate(colour) == swatches[3]
    empty = page.locator('.bd-cell[data-dimension="financing"][data-phase="past_actions"]')
    expect(empty).to_have_attribute("data-count", "0")
    assert empty.evaluate(colour) == swatches[4]

    capture.merge(db=db)  # no-op when the dashboard already merged; merges if the lock was busy
    stored = query("SELECT * FROM barriers WHERE barrier = ?", [text], db=db)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["region"] == "HR03"
    assert sorted(row["dimensions"]) == ["international", "skills"]
    assert row["phase"] == "past_actions" and int(row["severity"]) == 3
    assert row["evidence"] == "interviews with 5 cluster managers"
    # the invalid one was not stored
    assert query("SELECT count(*) AS n FROM barriers", db=db)["n"].iloc[0] == N_EARLIER + 1
