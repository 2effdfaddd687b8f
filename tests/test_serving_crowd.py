"""``workbench serve`` when a crowd joins (issue 16 item 6), against a real server with real
kernels: serving starts only once every pool kernel has run its notebook (the server is quiet
when people arrive), and a page that leaves while its kernel connection is being prepared costs
no traceback and no HTTP 500."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterator

import psutil
import pytest
from support.probe import KERNEL_PROTOCOL, VoilaPage
from support.testing import free_port

from workbench.config import project_root
from workbench.demo import foresight as demo
from workbench.serving import ServeOptions, ServerProcess
from workbench.serving.app import ALL_POOLS_FILLED
from workbench.serving.voila_app import PARTICIPANT_NOTEBOOK, console_banner, pools_filled

pytestmark = pytest.mark.slow
POOL = 2


def _kernels(pid: int) -> list[psutil.Process]:
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "ipykernel" in " ".join(child.cmdline()):
                out.append(child)
    return out


def _tree_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds of a server and each of its living child processes, by pid."""
    root = psutil.Process(pid)
    out = {}
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            out[process.pid] = times.user + times.system
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`workbench serve` of the participant page alone, a pool of two kernels."""
    root = tmp_path_factory.mktemp("crowd")
    db = root / "kb.duckdb"
    old = os.environ.get("WORKBENCH_DB")
    os.environ["WORKBENCH_DB"] = str(db)
    try:
        demo.build_foresight_only(db)
        notebooks = root / "dashboards"
        notebooks.mkdir()
        shutil.copy(project_root() / "notebooks" / "dashboards" / PARTICIPANT_NOTEBOOK, notebooks)
        srv = ServerProcess(
            db,
            free_port(),
            log_path=root / "serve.log",
            extra=["--notebooks", str(notebooks), "--participant-pool", str(POOL)],
            wait_pool="all",
            timeout=300.0,
        )
        with srv:
            yield srv
    finally:
        if old is None:
            os.environ.pop("WORKBENCH_DB", None)
        else:
            os.environ["WORKBENCH_DB"] = old


def test_serving_starts_when_every_pool_kernel_has_run_its_notebook(
    server: ServerProcess,
) -> None:
    """The banner tells people to wait for the pools; it must not itself look like the pool's log
    line (it did: a script waiting for that line started the crowd while 110 kernels were still
    starting).  Once ready, the pool's kernels exist and the server is idle."""
    assert server.proc is not None
    pid = server.proc.pid
    cpu0, t0 = _tree_cpu_s(pid), time.perf_counter()
    time.sleep(3)
    used = {p: c - cpu0.get(p, 0.0) for p, c in _tree_cpu_s(pid).items()}
    idle = sum(used.values()) / (time.perf_counter() - t0)
    text = server.log_path.read_text(errors="replace")
    banner = console_banner(ServeOptions(), server.tokens)
    assert "pools are filled" in banner
    assert not pools_filled(banner) and not pools_filled(banner, every=True)
    assert pools_filled(text) and pools_filled(text, every=True)
    assert f"{ALL_POOLS_FILLED}: {POOL} preheated kernel(s)" in text
    assert len(_kernels(pid)) == POOL
    # a kernel starting costs seconds of CPU; a filled pool costs none
    assert idle < 0.3, f"server busy ({idle:.2f} CPU-s/s) after the pools were filled: {used}"


def test_a_page_that_leaves_while_its_kernel_connection_is_prepared(
    server: ServerProcess,
) -> None:
    """The kernel does not answer (stopped, as one waiting for a CPU under load) while a page's
    websocket upgrade waits for its kernel_info reply; the page leaves meanwhile.  The server logs
    no traceback and no 500, and the kernel serves the next connection."""

    async def run() -> int:
        page = VoilaPage(server.url, PARTICIPANT_NOTEBOOK)
        await page.fetch_page(timeout=120)
        kernel = next(
            k for k in _kernels(server.proc.pid) if page.kernel_id in " ".join(k.cmdline())
        )
        kernel.send_signal(signal.SIGSTOP)
        try:
            raw = socket.create_connection(("127.0.0.1", server.port))
            raw.sendall(
                (
                    f"GET /api/kernels/{page.kernel_id}/channels?session_id=gone HTTP/1.1\r\n"
                    f"Host: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    f"Sec-WebSocket-Protocol: {KERNEL_PROTOCOL}\r\n\r\n"
                ).encode()
            )
            await asyncio.sleep(1.5)  # the server waits for the kernel's kernel_info reply
            raw.close()  # ... and the page is gone
            await asyncio.sleep(1.5)
        finally:
            kernel.send_signal(signal.SIGCONT)
        await asyncio.sleep(2)  # the reply arrives: the upgrade would go on here
        await page.connect()
        await page.request_states(timeout=120)
        await page.close()
        return len(page.states)

    widgets = asyncio.run(run())
    text = server.log_path.read_text(errors="replace")
    assert widgets > 0  # the kernel serves the next connection
    assert "kernel_ws_protocol" not in text and "Traceback" not in text
    assert " 500 GET /api/kernels/" not in text


def test_participant_kernels_do_not_import_voilas_server() -> None:
    """The participant page learns its URL without importing Voila (its server side costs each
    preheated kernel 1.4 CPU-seconds and tens of MiB: 110 kernels before a workshop of 100)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from workbench.dashboards.foresight_participant import request_parameters\n"
        "print(request_parameters())\n"
        "print(sorted(m for m in ('voila', 'jupyter_server', 'nbconvert') if m in sys.modules))\n"
    )
    # a kernel a page has taken: Voila has put the request into its environment
    env = dict(os.environ, VOILA_KERNEL_ID="k1", QUERY_STRING="exercise=x&code=ab12cd&token=t")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    assert out == ["{'exercise': 'x', 'code': 'ab12cd'}", "[]"]  # no token, no Voila
