"""Issue 17's browser test: co-drafting the action plan through ``workbench serve`` with roles, in
Debian chromium (Playwright).

A working-group member proposes an action on the co-drafting page (and cannot open the facilitator's
review page); the facilitator accepts it on the review page; the action is then in the knowledge
base (``strategy_actions``, with its barrier link and indicator) and in the ``joint_strategy``
report (a real papermill run of ``notebooks/joint_strategy.ipynb``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.browser import launch_chromium
from support.notebooks import run_notebook
from support.testing import free_port

from workbench import capture
from workbench.config import project_root
from workbench.kb import query
from workbench.serving import ServerProcess
from workbench.serving.roles import FACILITATOR, GROUP
from workbench.strategy.settings import funding_sources

pytestmark = [pytest.mark.browser, pytest.mark.slow]
GROUP_PAGE = "/voila/render/codraft.ipynb"
REVIEW_PAGE = "/voila/render/codraft_review.ipynb"
TITLE = "SEE cluster export desk (browser test)"


def _values(select) -> list[str]:
    """The option values of an ipywidgets select (its labels, with plain spaces)."""
    return [o.get_attribute("value") or "" for o in select.locator("option").all()]


def _open(page, url: str, ready: str) -> None:
    """Open a dashboard and wait for ``ready``; on a machine under heavy load a kernel can miss
    Jupyter Server's 60 s "alive" deadline once, so the page is loaded a second time then."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):
        page.goto(url, timeout=180_000)
        try:
            page.locator(ready).wait_for(timeout=150_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


@pytest.fixture
def server(demo_kb_copy: Path, tmp_path: Path):
    notebooks = tmp_path / "dashboards"
    notebooks.mkdir()
    # the participant page is every role's landing page ("/" redirects there)
    for name in ("codraft.ipynb", "codraft_review.ipynb", "foresight_participant.ipynb"):
        shutil.copyfile(project_root() / "notebooks" / "dashboards" / name, notebooks / name)
    srv = ServerProcess(
        demo_kb_copy,
        free_port(),
        log_path=tmp_path / "serve.log",
        extra=["--notebooks", str(notebooks), "--participant-pool", "1"],
    )
    with srv:
        yield srv


def test_group_proposes_facilitator_accepts_action_reaches_kb_and_report(
    server: ServerProcess, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    db = server.db
    strategy_id = query("SELECT min(strategy_id) AS s FROM strategies", db=db)["s"].iloc[0]
    barrier = query(
        "SELECT barrier_id, region FROM barriers ORDER BY severity DESC, barrier_id LIMIT 1", db=db
    ).iloc[0]
    with launch_chromium() as browser:
        # -- working-group member: propose --------------------------------------------------
        group = browser.new_context().new_page()
        _open(group, server.url_for(GROUP, GROUP_PAGE), ".codraft-dashboard .cd-propose")
        group.locator(".cd-input-title input").fill(TITLE)
        group.locator(".cd-input-description textarea").fill("One desk for exports of SEE clusters")
        group.locator(".cd-dim-international input[type=checkbox]").check()
        group.locator(".cd-input-lead input").fill(str(barrier["region"]))
        group.locator(".cd-input-partners input").fill("RS11, SI04")
        group.locator(".cd-input-start input").fill("2027-01-01")
        group.locator(".cd-input-end input").fill("2028-12-31")
        group.locator(".cd-input-budget input").fill("250000")
        group.locator(".cd-input-funding select").select_option(label=funding_sources()["interreg"])
        group.locator(".cd-input-indicator input").fill("RCO87")
        group.locator(".cd-input-unit input").fill("organisations")
        group.locator(".cd-input-baseline input").fill("0")
        group.locator(".cd-input-target input").fill("12")
        barriers = group.locator(".cd-input-barriers select")
        barriers.select_option(
            value=next(v for v in _values(barriers) if f"[{barrier['barrier_id']}]" in v)
        )
        group.locator(".cd-input-author input").fill("Working group member")
        group.locator("button.cd-propose").click()
        status = group.locator(".cd-propose-status")
        expect(status).to_contain_text("Saved proposal", timeout=30_000)
        expect(group.locator(".cd-proposals")).to_contain_text(TITLE, timeout=20_000)
        # decisions are not on this page, and the review page is not for this role
        assert group.get_by_role("button", name="Accept as new action").count() == 0
        probe = group.context.new_page()  # same sign-in (cookie) as the member's page
        response = probe.goto(server.url + REVIEW_PAGE)
        assert response is not None and response.status == 403
        assert "is for the facilitator only" in probe.inner_text("body")
        probe.close()

        # -- facilitator: accept ----------------------------------------------------------
        fac = browser.new_context().new_page()
        _open(fac, server.url_for(FACILITATOR, REVIEW_PAGE), ".codraft-review .cd-refresh")
        fac.locator("button.cd-refresh").click()  # a preheated page was built before the proposal
        choice = fac.locator(".cd-review-choice select")
        expect(choice).to_contain_text(TITLE, timeout=30_000)
        choice.select_option(value=next(v for v in _values(choice) if TITLE in v))
        expect(fac.locator(".cd-review-detail")).to_contain_text("Working group member")
        fac.locator(".cd-review-note textarea").fill("Fits objective 2; accepted at the meeting")
        fac.locator("button.cd-review-accept").click()
        decision = fac.locator(".cd-decision-status")
        expect(decision).to_contain_text("accepted as action", timeout=30_000)
        expect(fac.locator(".cd-actions")).to_contain_text(TITLE, timeout=20_000)
        # the group member sees the decision on their page
        group.locator("button.cd-refresh").click()
        row = group.locator(f'.cd-proposal-table tr:has-text("{TITLE}")')
        expect(row).to_have_attribute("data-status", "accepted", timeout=60_000)

    # -- knowledge base --------------------------------------------------------------------
    capture.merge(db=db)  # no-op: the review page merged already
    actions = query("SELECT * FROM strategy_actions WHERE title = ?", [TITLE], db=db)
    assert len(actions) == 1
    action = actions.iloc[0]
    assert action["strategy_id"] == strategy_id and action["dataset_id"] == "capture:codraft"
    assert action["lead_region"] == barrier["region"] and action["funding_source"] == "interreg"
    assert sorted(action["partner_regions"]) == ["RS11", "SI04"]
    links = query(
        "SELECT link_type, target_id FROM strategy_action_links WHERE action_id = ?",
        [action["action_id"]],
        db=db,
    )
    assert links.values.tolist() == [["barrier", barrier["barrier_id"]]]
    proposal = query("SELECT * FROM strategy_proposals WHERE title = ?", [TITLE], db=db).iloc[0]
    assert proposal["status"] == "accepted" and proposal["action_id"] == action["action_id"]
    assert proposal["decision_note"] == "Fits objective 2; accepted at the meeting"

    # -- the joint_strategy report (papermill) ------------------------------------------------
    out = run_notebook(
        "joint_strategy.ipynb",
        tmp_path / "report" / "joint_strategy.ipynb",
        {"strategy_id": strategy_id},
        db=db,
        report_dir=tmp_path / "report",
    )
    outputs = json.dumps(json.loads(out.read_text())["cells"])
    csvs = " ".join(p.read_text(errors="replace") for p in (tmp_path / "report").rglob("*.csv"))
    assert action["action_id"] in outputs + csvs
    assert TITLE in outputs + csvs
