"""Issue 16 items 1 and 4 in Debian chromium: the landing page of ``workbench serve`` says who each
dashboard is for and what it does, per role; an invitation link (code typed in lower case) opens the
participant page already signed in, through a preheated kernel; the console stays quiet."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.browser import launch_chromium
from support.testing import free_port

from workbench.config import load_defaults, project_root
from workbench.importers.foresight_setup import new_exercise, write_setup_template
from workbench.serving import ServerProcess
from workbench.serving.invitations import invitations
from workbench.serving.roles import FACILITATOR, GROUP

pytestmark = pytest.mark.browser
EXERCISE = "my-region-2035"
PARTICIPANT_PAGE = "foresight_participant"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("exercise_serve")
    db = root / "kb.duckdb"
    path = write_setup_template("foresight_exercise", root / "exercise.xlsx", example=True)
    new_exercise(path, db=db)
    notebooks = root / "dashboards"
    notebooks.mkdir()
    for name in (PARTICIPANT_PAGE, "foresight_facilitator"):
        shutil.copy(project_root() / "notebooks" / "dashboards" / f"{name}.ipynb", notebooks)
    extra = ["--notebooks", str(notebooks), "--participant-pool", "2"]
    srv = ServerProcess(db, free_port(), log_path=root / "serve.log", extra=extra)
    with srv:
        yield srv


def test_landing_page_says_who_each_dashboard_is_for(server: ServerProcess) -> None:
    described = load_defaults("serving")["dashboards"]
    with launch_chromium() as browser:
        page = browser.new_page()
        page.goto(server.url_for(FACILITATOR, "/"))
        assert page.locator("h1").inner_text().endswith("workshop dashboards")
        sections = page.locator("section.dash")
        names = [s.get_attribute("data-dashboard") for s in sections.all()]
        assert names == [PARTICIPANT_PAGE, "foresight_facilitator"]  # widest audience first
        for name in names:
            text = page.locator(f"section[data-dashboard='{name}']").inner_text()
            assert described[name]["title"] in text
            assert f"For: {described[name]['audience']}" in text
            assert f"What it does: {described[name]['purpose']}" in " ".join(text.split())
        assert "workbench foresight invitations" in page.locator(".links").inner_text()
        # the link opens the dashboard
        page.get_by_role("link", name=described["foresight_facilitator"]["title"]).click()
        page.wait_for_url("**/voila/render/foresight_facilitator.ipynb", wait_until="commit")

        group = browser.new_context().new_page()
        group.goto(server.url_for(GROUP, "/"))
        names = [s.get_attribute("data-dashboard") for s in group.locator("section.dash").all()]
        assert names == [PARTICIPANT_PAGE]  # a working-group member sees only what it may open
        assert group.locator(".links").count() == 0

        participant = browser.new_context().new_page()
        # 127.0.0.1 without token: straight to the participant page
        participant.goto(server.url + "/", wait_until="commit", timeout=180_000)
        assert participant.url.split("?")[0].endswith(f"/voila/render/{PARTICIPANT_PAGE}.ipynb")


def test_invitation_link_in_lower_case_signs_in(server: ServerProcess) -> None:
    card = next(
        c for c in invitations(EXERCISE, server.url + "/", db=server.db) if not c["language"]
    )
    code = card["code"]
    link = card["url"].replace(f"code={code}", f"code={code.lower()}")
    assert code.lower() in link and "token=" in link
    with launch_chromium() as browser:
        page = browser.new_page()
        page.goto(link, timeout=180_000)
        page.get_by_text(f"You are {code}").wait_for(timeout=180_000)  # signed in, canonical code
        assert not page.get_by_placeholder("your code").is_visible()
        assert page.get_by_text("1 = not important at all").count() >= 1  # the statement's anchors
        # a link with a code of no participant does not sign in
        other = browser.new_context().new_page()
        other.goto(link.replace(code.lower(), "k7qm4-zt9xh"), timeout=180_000)
        other.get_by_text("Unknown code").wait_for(timeout=180_000)
        assert other.get_by_placeholder("your code").is_visible()
    log = Path(server.log_path).read_text(errors="replace")
    assert "participant: http://127.0.0.1:" in log
    for noise in ("is not trusted", "Kernel started", "Voilà is running at", "DeprecationWarning"):
        assert noise not in log, noise
