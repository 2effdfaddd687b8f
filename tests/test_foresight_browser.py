"""Real browser (Debian chromium via Playwright) and load test against a running ``workbench serve``.

* A participant joins on a phone-sized page, completes the open Delphi round (one comment is an HTML
  injection attempt); the facilitator dashboard then shows the new per-item median, computed here
  independently from the knowledge base, and the comment as text.  No request leaves 127.0.0.1.
* Load: 40 light clients (the same Voila kernels and widget code path a browser drives) x 20
  submissions each, at once: every answer is in the knowledge base after the merge, exactly once,
  and no client was shown an error.

The tests share one server (starting it, with its preheated kernels, is most of a test's time);
they use different participants and count what they expect from the knowledge base, so none
depends on another having run or not.
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

import numpy as np
import pytest
from support.probe import VoilaPage, join_participant, submit_answer
from support.testing import CHROMIUM_ARGS, free_port, record_foreign_requests, require_browser

from workbench import capture
from workbench.demo import foresight as demo
from workbench.kb import query
from workbench.serving import ServerProcess

XSS = "<img src=x onerror=alert(1)>"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """One ``workbench serve`` on a foresight-only demo knowledge base for the module's tests."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "kb.duckdb"
    codes = demo.build_foresight_only(db)
    server = ServerProcess(
        db, free_port(), log_path=folder / "serve.log", extra=["--participant-pool", "2"]
    )
    with server as url:
        yield url, codes, db, server.tokens


ROUND_PARTICIPANT = 45  # index of the code the browser round uses (did not answer the demo rounds)


def _people(db: Path) -> tuple[set[str], int]:
    """Who has a round-2 answer, and how many people answered at all (the facilitator's
    "N participants answered"), after merging the inbox."""
    while capture.pending("foresight.answer", db=db):
        capture.merge(db=db, lock_wait=30)
    round2 = query(
        "SELECT DISTINCT participant_code FROM foresight_answers WHERE round_no = 2", db=db
    )
    everyone = query("SELECT count(DISTINCT participant_code) AS n FROM foresight_answers", db=db)
    return set(round2["participant_code"]), int(everyone["n"].iloc[0])


def _round2_medians(db: Path) -> dict[str, tuple[float, int]]:
    df = query(
        "SELECT statement_id, median(value) AS m, count(*) AS n FROM ("
        " SELECT statement_id, participant_code, arg_max(value, submitted_at) AS value"
        " FROM foresight_answers WHERE round_no = 2 GROUP BY ALL) GROUP BY 1",
        db=db,
    )
    return {r.statement_id: (float(r.m), int(r.n)) for r in df.itertuples()}


def _tables(page) -> list[dict[str, list]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('table.fs-table')).map(t => ({
             head: Array.from(t.querySelectorAll('thead th')).map(th => th.innerText.trim()),
             rows: Array.from(t.querySelectorAll('tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))}))"""
    )


def test_participant_round_then_facilitator_sees_new_median(served) -> None:
    from playwright.sync_api import sync_playwright

    url, codes, db, tokens = served
    code = codes[ROUND_PARTICIPANT]  # did not answer the demo rounds
    round2_before, people_before = _people(db)
    assert code not in round2_before
    foreign: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=require_browser(), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            page = phone.new_page()
            record_foreign_requests(page, foreign)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            participant_urls: list[str] = []
            page.on("request", lambda r: participant_urls.append(r.url))
            page.goto(f"{url}/voila/render/foresight_participant.ipynb", timeout=180_000)
            page.get_by_placeholder("your code").fill(code)
            page.get_by_role("button", name="Join").click()
            cards = page.locator(".fs-card")
            cards.first.wait_for(timeout=120_000)
            assert cards.count() == 8
            rng = np.random.default_rng(1)
            for i in range(8):
                card = cards.nth(i)
                sid = re.search(r"fs-statement-(S\d)", card.get_attribute("class")).group(1)
                points = 9 if sid in {"S6", "S7", "S8"} else 5
                card.locator("select").select_option(label=str(int(rng.integers(1, points + 1))))
                if i == 0:
                    card.locator("textarea").fill(XSS)
                card.get_by_role("button", name="Save").click()
                card.locator(".fs-ok").wait_for(timeout=30_000)  # "Saved" once durable
            # usable at phone width: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 2
            body = page.inner_text("body")
            assert not any(other in body for other in codes if other != code)  # no one else's code

            facilitator = browser.new_page(viewport={"width": 1280, "height": 900})
            facilitator.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            record_foreign_requests(facilitator, foreign)
            facilitator_urls: list[str] = []
            facilitator.on("request", lambda r: facilitator_urls.append(r.url))
            # the facilitator's page needs the facilitator's token (roles, issue 10)
            facilitator.goto(
                f"{url}/voila/render/foresight_facilitator.ipynb?token={tokens['facilitator']}",
                timeout=180_000,  # a busy machine: the page's kernel may still be starting
            )
            facilitator.get_by_role("button", name="Refresh").click(timeout=60_000)
            people = people_before + 1  # 26 on a fresh demo: 25 answered the demo rounds
            facilitator.get_by_text(f"{people} participants answered").wait_for(timeout=60_000)
            facilitator.get_by_role("tab", name="Delphi statistics").click()
            facilitator.get_by_text("Kendall's W").wait_for(timeout=30_000)
            expected = _round2_medians(db)  # merged by the facilitator's refresh
            assert all(n == len(round2_before) + 1 for _, n in expected.values())
            stats = next(
                t
                for t in _tables(facilitator)
                if "median" in t["head"] and "consensus" in t["head"]
            )
            col = {h: i for i, h in enumerate(stats["head"])}
            shown = {
                r[col["statement_id"]]: (float(r[col["median"]]), int(r[col["n"]]))
                for r in stats["rows"]
            }
            assert shown == expected
            facilitator.get_by_role("tab", name="Comments & drivers").click()
            facilitator.get_by_text(XSS).first.wait_for(timeout=30_000)  # shown as text
            assert facilitator.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
            assert not any(c in facilitator.inner_text("body") for c in codes)  # no identities
            facilitator.get_by_role("tab", name="Impact/uncertainty").click()
            facilitator.locator(".js-plotly-plot .scatterlayer .point").first.wait_for(
                timeout=60_000
            )
        finally:
            browser.close()
    # lean participant page: core widgets only, anywidget's front end (plotly's) is not loaded there
    assert not any("/labextensions/anywidget/" in u for u in participant_urls)
    assert any("/labextensions/anywidget/" in u for u in facilitator_urls)
    assert dialogs == []
    assert foreign == []  # no CDN: the dashboards work offline


def test_forty_participants_twenty_submissions_each(served) -> None:
    url, codes, db, _tokens = served
    participants = [c for c in codes[19:60] if c != codes[ROUND_PARTICIPANT]]
    assert len(participants) == 40
    chosen = ", ".join(f"'{c}'" for c in participants)  # codes are [A-Z0-9-]

    async def one(code: str, seed: int) -> list[str]:
        await asyncio.sleep(0.5 * seed)  # 40 people arriving within 20 s
        page = VoilaPage(url, "foresight_participant.ipynb")
        await page.open(timeout=300)
        cards = await join_participant(page, code, timeout=300)
        rng = np.random.default_rng(seed)
        statuses = []
        for k in range(20):
            sid = f"S{k % 8 + 1}"
            points = 9 if sid in {"S6", "S7", "S8"} else 5
            status, _ = await submit_answer(
                page, cards[sid], int(rng.integers(1, points + 1)), f"note {k}", timeout=120
            )
            statuses.append(status)
        await page.close()
        return statuses

    async def everyone() -> list[list[str]]:
        return await asyncio.gather(*(one(c, i) for i, c in enumerate(participants)))

    results = asyncio.run(everyone())
    shown = [s for statuses in results for s in statuses]
    assert len(shown) == 800
    assert [s for s in shown if "fs-ok" not in s] == []  # no error shown to anyone
    while capture.pending("foresight.answer", db=db):
        capture.merge(db=db, lock_wait=30)
    got = query(
        "SELECT count(*) AS n, count(DISTINCT answer_id) AS ids, count(DISTINCT participant_code) AS people,"
        " min(c) AS least, max(c) AS most FROM foresight_answers"
        " JOIN (SELECT participant_code, count(*) AS c FROM foresight_answers WHERE round_no = 2 AND dataset_id LIKE 'capture:%' GROUP BY 1) USING (participant_code)"
        f" WHERE round_no = 2 AND dataset_id LIKE 'capture:%' AND participant_code IN ({chosen})",
        db=db,
    ).iloc[0]
    assert got.tolist() == [800, 800, 40, 20, 20]
    comments = query(
        "SELECT count(*) AS n FROM foresight_comments WHERE dataset_id LIKE 'capture:%'"
        f" AND participant_code IN ({chosen})",
        db=db,
    )
    assert comments["n"].iloc[0] == 800
    assert html.escape("note 1") == "note 1"


def test_no_code_from_the_browser_and_no_jupyterlab(served, tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    url, _codes, _db, _tokens = served
    for path in ("/api/kernels", "/api/sessions", "/api/contents", "/lab", "/tree"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + path, timeout=30)
        assert err.value.code in {403, 404}, path
    marker = tmp_path / "executed"

    async def attempt() -> None:
        page = VoilaPage(url, "foresight_participant.ipynb")
        await page.open(timeout=120)
        code = f"open({str(marker)!r}, 'w').write('x')"
        await page._send(page._msg("execute_request", {"code": code, "silent": False}))
        await asyncio.sleep(3)
        await page.close()

    asyncio.run(attempt())
    assert not marker.exists()
