"""Shared start-up of browser tests: Debian's chromium through Playwright, a page with the network
blocked, and a Voila server for one dashboard notebook.

Fixtures (registered in ``tests/conftest.py``):

- ``chromium_browser``: a launched headless chromium (Playwright ``Browser``), closed afterwards;
  skips locally / fails under ``CI=true`` when chromium or playwright is missing.
- ``voila``: a function ``voila(notebook, db=..., env=..., cwd=...) -> url`` that starts Voila on a
  free port of 127.0.0.1, waits until it answers and stops it at the end of the test.

Helpers: :func:`launch_chromium` (the context manager behind the fixture, for tests that need a
browser inside another context), :func:`offline_page` (blocks every request that is not a local
file, records what was asked and the page's script errors), :func:`voila_server`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.testing import CHROMIUM_ARGS, free_port, require_browser

VoilaStarter = Callable[..., str]


@contextmanager
def launch_chromium(**launch: Any) -> Iterator[Any]:
    """A headless Debian chromium through Playwright's sync API; closed on exit."""
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, **launch)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(
    browser: Any,
    outside: list[str],
    errors: list[str],
    *,
    allow: tuple[str, ...] = ("file:", "data:"),
    **context: Any,
) -> Any:
    """A new page that aborts every request whose URL does not start with ``allow`` (appending the
    URL to ``outside``) and appends its script errors to ``errors``."""
    page = browser.new_page(**context)

    def route(r: Any) -> None:
        if r.request.url.startswith(allow):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


@contextmanager
def voila_server(
    notebook: Path,
    *,
    db: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path,
    timeout: float = 90.0,
) -> Iterator[str]:
    """Voila serving ``notebook`` on a free port of 127.0.0.1 (``WORKBENCH_DB=db``, extra ``env``);
    yields its URL once it answers (``static/``: no kernel is started by the check).  The log is
    ``cwd/voila-<port>.log``, quoted when the server does not start."""
    port = free_port()
    full_env = dict(os.environ) | {"JUPYTER_RUNTIME_DIR": str(cwd / "jupyter-runtime")}
    if db is not None:
        full_env["WORKBENCH_DB"] = str(db)
    full_env |= dict(env or {})
    log_path = cwd / f"voila-{port}.log"
    url = f"http://127.0.0.1:{port}/"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"],
            cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(url + "static/", timeout=2)  # noqa: S310 - local
                    break
                except urllib.error.HTTPError:  # any HTTP answer: the server is up
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"voila did not start: {log_path.read_text()[-2000:]}")
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture
def chromium_browser() -> Iterator[Any]:
    """A launched headless chromium (Playwright ``Browser``)."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[VoilaStarter]:
    """Start Voila servers for the test: ``url = voila(notebook, db=..., env=..., cwd=...)``."""
    with ExitStack() as stack:

        def start(
            notebook: Path,
            *,
            db: Path | None = None,
            env: Mapping[str, str] | None = None,
            cwd: Path | None = None,
        ) -> str:
            return stack.enter_context(voila_server(notebook, db=db, env=env, cwd=cwd or tmp_path))

        yield start
