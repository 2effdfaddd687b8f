"""``workbench serve`` against a running server, in Debian chromium (Playwright) where a browser is
the point (issue 10):

* roles: a participant (no token on 127.0.0.1, or the participant token) cannot open the facilitator
  page nor open a websocket to its kernel, nor use the kernel APIs on it; a working-group member
  cannot open it either; the facilitator can;
* the denial-of-service attack: a legacy-protocol kernel websocket to the facilitator page plus
  Refresh; the server still answers every request within 1 s;
* the request-info socket ``/voila/query/<kernel id>`` never returns the token;
* Host header check (DNS rebinding): 403 for a foreign Host, pages and websockets alike;
* participant join lockout in the dashboard itself;
* ``kill -9`` of ``workbench serve`` leaves no Voila behind and a restart on the same port works.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from support.probe import VoilaPage
from support.testing import CHROMIUM_ARGS, free_port, require_browser
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from workbench.config import project_root
from workbench.demo import foresight as demo
from workbench.serving import ServerProcess
from workbench.serving.roles import FACILITATOR, GROUP, PARTICIPANT

pytestmark = pytest.mark.browser
FACILITATOR_PAGE = "/voila/render/foresight_facilitator.ipynb"
PARTICIPANT_PAGE = "/voila/render/foresight_participant.ipynb"
UUID0 = "00000000-0000-0000-0000-000000000000"
KERNEL_ID_JS = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
# a browser opening a kernel channel: "open", or "refused" when the upgrade is answered with an error
WS_JS = """([url, protocol]) => new Promise(resolve => {
  const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
  ws.onopen = () => { resolve('open'); ws.close(); };
  ws.onerror = () => resolve('refused');
  setTimeout(() => resolve('timeout'), 15000);
})"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("serving")
    db = root / "kb.duckdb"
    os.environ["WORKBENCH_DB"] = str(db)  # build_foresight_only's helpers read it
    try:
        codes = demo.build_foresight_only(db)
        srv = ServerProcess(
            db, free_port(), log_path=root / "serve.log", extra=["--participant-pool", "1"]
        )
        with srv:
            srv.codes = codes  # type: ignore[attr-defined]
            yield srv
    finally:
        os.environ.pop("WORKBENCH_DB", None)


def _ws_url(server: ServerProcess, kernel_id: str, token: str | None = None) -> str:
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id=t{time.time_ns()}"
    return url + (f"&token={token}" if token else "")


def _status(server: ServerProcess, path: str, host: str, timeout: float = 30) -> int:
    """Status of one GET with this Host header (redirects are not followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


def _log_count(server: ServerProcess, text: str) -> int:
    return server.log_path.read_text(errors="replace").count(text)


def _launch(pw):
    return pw.chromium.launch(executable_path=require_browser(), args=CHROMIUM_ARGS)


def test_participant_cannot_open_or_drive_the_facilitator_page(server: ServerProcess) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            facilitator = browser.new_context().new_page()
            facilitator.goto(server.url_for(FACILITATOR, FACILITATOR_PAGE), timeout=180_000)
            facilitator.get_by_role("button", name="Refresh").wait_for(timeout=120_000)
            kernel_id = facilitator.evaluate(KERNEL_ID_JS)
            # the facilitator's own browser may open a channel to that kernel (the control)
            ws = _ws_url(server, kernel_id)
            assert facilitator.evaluate(WS_JS, [ws, "v1.kernel.websocket.jupyter.org"]) == "open"

            for how, start in (
                ("no token (127.0.0.1)", server.url + "/"),
                ("participant token", server.url_for(PARTICIPANT, "/")),
            ):
                page = browser.new_context().new_page()
                page.goto(start)
                assert page.url.split("?")[0].endswith(PARTICIPANT_PAGE), how  # lands there
                page.get_by_placeholder("your code").wait_for(timeout=60_000)
                response = page.goto(server.url + FACILITATOR_PAGE)
                assert response is not None and response.status == 403, how
                assert "is for the facilitator only" in page.inner_text("body"), how
                assert page.get_by_role("button", name="Refresh").count() == 0, how
                # driving it: the participant's browser cannot open the facilitator kernel's channel
                page.goto(start)
                verdict = page.evaluate(WS_JS, [ws, "v1.kernel.websocket.jupyter.org"])
                assert verdict == "refused", how
                page.context.close()

            group = browser.new_context().new_page()
            group.goto(server.url_for(GROUP, "/"))
            links = [a.get_attribute("href") or "" for a in group.locator("a").all()]
            pages = {link.rsplit("/", 1)[-1] for link in links}
            assert {"barriers.ipynb", "scoring.ipynb"} <= pages  # the landing page's dashboards
            assert "foresight_facilitator.ipynb" not in pages
            response = group.goto(server.url + FACILITATOR_PAGE)
            assert response is not None and response.status == 403
        finally:
            browser.close()


def test_closing_a_page_shuts_its_kernel_down(server: ServerProcess) -> None:
    """Leaving a page makes its front end POST ``voila/api/shutdown/<kernel>`` with the ``_xsrf``
    cookie; the server must set that cookie with the page, or every closed page keeps its
    kernel (about 100 MiB) until culled."""
    from playwright.sync_api import sync_playwright

    def alive(kid: str) -> bool:
        request = urllib.request.Request(
            f"{server.url}/api/kernels/{kid}",
            headers={"Authorization": f"token {server.tokens[FACILITATOR]}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30):
                return True
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return False
            raise

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_context().new_page()
            page.goto(server.url_for(PARTICIPANT, PARTICIPANT_PAGE), timeout=180_000)
            page.get_by_placeholder("your code").wait_for(timeout=120_000)
            assert any(c["name"] == "_xsrf" for c in page.context.cookies())
            kid = page.evaluate(KERNEL_ID_JS)
            assert alive(kid)
            page.goto("about:blank")  # beforeunload: the shutdown beacon
            deadline = time.monotonic() + 60
            while alive(kid) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not alive(kid)
        finally:
            browser.close()


def test_kernel_apis_refuse_other_roles(server: ServerProcess) -> None:
    async def run(notebook: str) -> None:
        facilitator = VoilaPage(server.url, notebook, token=server.tokens[FACILITATOR])
        await facilitator.fetch_page(timeout=300)
        kid = facilitator.kernel_id
        client = AsyncHTTPClient()
        for token in (None, server.tokens[PARTICIPANT], server.tokens[GROUP]):
            headers = {"Authorization": f"token {token}"} if token else {}
            for method, path in (
                ("GET", f"/api/kernels/{kid}"),
                ("DELETE", f"/api/kernels/{kid}"),
                ("POST", f"/voila/api/shutdown/{kid}"),
            ):
                response = await client.fetch(
                    HTTPRequest(
                        server.url + path,
                        method=method,
                        headers=headers,
                        body=b"" if method == "POST" else None,
                        allow_nonstandard_methods=True,
                    ),
                    raise_error=False,
                )
                assert response.code == 403, (notebook, token, method, path)
            intruder = VoilaPage(server.url, "foresight_participant.ipynb", token=token)
            with pytest.raises(HTTPClientError) as err:
                await intruder.connect(kid)
            assert err.value.code == 403
        # the kernel is still alive and serves its facilitator
        response = await client.fetch(
            server.url + f"/api/kernels/{kid}",
            headers={"Authorization": f"token {server.tokens[FACILITATOR]}"},
        )
        assert json.loads(response.body)["id"] == kid

    asyncio.run(run("foresight_facilitator.ipynb"))  # a preheated kernel (Voila's pool)
    # another theme than the pool's: Voila starts a kernel for this request (recorded at start)
    asyncio.run(run("foresight_facilitator.ipynb?theme=dark"))


def test_legacy_websocket_and_refresh_leave_the_server_answering(server: ServerProcess) -> None:
    """The attack: a client speaking the legacy protocol opens the facilitator page and presses
    Refresh (Voila 0.5.13 then spun at 100 % CPU in read_header_from_binary_message)."""
    from playwright.sync_api import sync_playwright

    async def legacy_attack(kernel_id: str) -> bool:
        attacker = VoilaPage(
            server.url, "foresight_facilitator.ipynb", token=server.tokens[FACILITATOR], legacy=True
        )
        attacker.kernel_id = kernel_id  # the facilitator page open in the browser
        try:
            await attacker.connect()
        except HTTPClientError as err:
            assert err.code == 400  # refused at the upgrade
            return False
        await attacker.request_states(timeout=120)
        refresh = attacker.find(_model_name="ButtonModel", description="Refresh")[0]
        await attacker.click(refresh)  # what froze the server
        await asyncio.sleep(2)
        await attacker.close()
        return True

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            refills = _log_count(server, "Kernel pool of foresight_facilitator.ipynb is filled")
            page = browser.new_context().new_page()
            page.goto(server.url_for(FACILITATOR, FACILITATOR_PAGE), timeout=180_000)
            page.get_by_role("button", name="Refresh").wait_for(timeout=120_000)
            kernel_id = page.evaluate(KERNEL_ID_JS)
            # the page took the preheated kernel: let Voila prepare the next one before measuring
            deadline = time.monotonic() + 180
            while (
                _log_count(server, "Kernel pool of foresight_facilitator.ipynb is filled")
                <= refills
            ):
                assert time.monotonic() < deadline, "the facilitator pool was not refilled"
                time.sleep(1)
            # from the browser too: a legacy socket (no subprotocol) is refused (checked below)
            browser_verdict = page.evaluate(WS_JS, [_ws_url(server, kernel_id), None])
            with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's loop
                accepted = pool.submit(asyncio.run, legacy_attack(kernel_id)).result()
            page.get_by_role("button", name="Refresh").click()  # and the real page's Refresh
            slowest = 0.0
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                t0 = time.perf_counter()  # the landing page: auth, role, redirect; no kernel
                assert _status(server, "/", f"127.0.0.1:{server.port}", timeout=5) == 302
                slowest = max(slowest, time.perf_counter() - t0)
                time.sleep(0.25)
            assert slowest < 1.0, f"the server took {slowest:.2f} s to answer"
            page.get_by_text("participants answered").first.wait_for(timeout=60_000)
        finally:
            browser.close()
    assert not accepted, "a legacy-protocol kernel websocket was accepted"
    assert browser_verdict == "refused"


def test_request_info_socket_does_not_return_the_token(server: ServerProcess) -> None:
    async def run() -> str:
        token = server.tokens[FACILITATOR]
        page = VoilaPage(server.url, "foresight_facilitator.ipynb", token=token)
        await page.fetch_page()  # the page's query string (with the token) becomes request info
        ws = await websocket_connect(f"ws://127.0.0.1:{server.port}/voila/query/{page.kernel_id}")
        message = await asyncio.wait_for(ws.read_message(), 30)
        ws.close()
        with pytest.raises(HTTPClientError) as err:  # a kernel of no page: nobody's business
            await websocket_connect(f"ws://127.0.0.1:{server.port}/voila/query/{UUID0}")
        assert err.value.code == 403
        return str(message)

    message = asyncio.run(run())
    info = json.loads(message)
    assert info["SCRIPT_NAME"] == FACILITATOR_PAGE  # the request info itself still arrives
    assert server.tokens[FACILITATOR] not in message and "token" not in info["QUERY_STRING"]


@pytest.mark.parametrize(
    "path", ["/", PARTICIPANT_PAGE, "/voila/static/voila.js", "/login", f"/api/kernels/{UUID0}"]
)
def test_foreign_host_header_is_refused(server: ServerProcess, path: str) -> None:
    assert _status(server, path, f"rebind.attacker.example:{server.port}") == 403
    if "/api/" not in path:  # (a kernel of no page is refused to a participant anyway)
        assert _status(server, path, f"localhost:{server.port}") != 403
        assert _status(server, path, f"[::1]:{server.port}") != 403


def test_foreign_host_header_is_refused_for_websockets(server: ServerProcess) -> None:
    async def run() -> None:
        page = VoilaPage(server.url, "foresight_participant.ipynb")
        await page.fetch_page()
        request = HTTPRequest(
            _ws_url(server, page.kernel_id),
            headers={"Host": f"rebind.attacker.example:{server.port}"},
        )
        with pytest.raises(HTTPClientError) as err:
            await websocket_connect(request, subprotocols=["v1.kernel.websocket.jupyter.org"])
        assert err.value.code == 403
        await page.connect()  # the same socket with this server's name works
        await page.close()

    asyncio.run(run())


def test_wrong_codes_pause_the_join_page(server: ServerProcess) -> None:
    from workbench.foresight.access import settings

    rules = settings()["join"]

    async def run() -> list[str]:
        page = VoilaPage(server.url, "foresight_participant.ipynb")
        await page.open(timeout=120)
        text = page.find(_model_name="TextModel", description="Code")[0]
        join = page.find(_model_name="ButtonModel", description="Join")[0]
        message = next(
            m
            for m, st in page.states.items()
            if st.get("_model_name") == "HTMLModel"
            and m in page.children(page.find(_model_name="VBoxModel")[1])
        )
        shown = []
        for guess in [f"WRONG-{i:05d}" for i in range(rules["max_failures"])] + [server.codes[30]]:
            await page.update(text, value=guess)
            shown.append(await page.click_and_wait(join, message, lambda v: "fs-err" in v, 60))
        await page.close()
        return shown

    shown = asyncio.run(run())
    assert "tries left" in shown[0]
    assert f"pauses for {rules['lockout_s']} seconds" in shown[-2]
    assert "Please wait" in shown[-1]  # even the right code waits until the pause is over


def test_access_log_has_no_tokens(server: ServerProcess) -> None:
    token = server.tokens[FACILITATOR]
    assert _status(server, f"/?token={token}", f"127.0.0.1:{server.port}") == 200
    assert _status(server, f"/voila/nowhere?token={token}", f"127.0.0.1:{server.port}") == 404
    kernel = f"/api/kernels/{UUID0}/channels?token={server.tokens[PARTICIPANT]}"
    assert _status(server, kernel, f"127.0.0.1:{server.port}") == 403  # refused: logged with reason
    time.sleep(1)
    logged = [
        line
        for line in server.log_path.read_text(errors="replace").splitlines()
        if " GET /" in line or " POST /" in line
    ]
    assert any("/voila/nowhere?token=[secret]" in line for line in logged)
    assert not [line for line in logged if any(t in line for t in server.tokens.values())]


@pytest.mark.slow
def test_kill_9_of_serve_leaves_no_voila_and_the_port_is_free(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    demo.build_foresight_only(db)
    notebooks = tmp_path / "dashboards"
    notebooks.mkdir()
    shutil.copy(
        project_root() / "notebooks" / "dashboards" / "foresight_participant.ipynb", notebooks
    )
    port = free_port()
    extra = ["--notebooks", str(notebooks), "--participant-pool", "1"]
    first = ServerProcess(db, port, log_path=tmp_path / "first.log", extra=extra)
    first.__enter__()
    try:
        serve = psutil.Process(first.proc.pid)
        descendants = serve.children(recursive=True)
        assert any("workbench.serving.app" in " ".join(p.cmdline()) for p in descendants)
        os.kill(serve.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        gone, alive = psutil.wait_procs(descendants, timeout=30)
        assert alive == [], [" ".join(p.cmdline())[:80] for p in alive]
    finally:
        first.__exit__(None, None, None)
    second = ServerProcess(db, port, log_path=tmp_path / "second.log", extra=extra)
    with second as url, urllib.request.urlopen(url + PARTICIPANT_PAGE, timeout=30) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/", timeout=5)  # stopped normally: nothing left either
