"""``workbench serve`` at workshop scale (issue 16 item 6): kernels over IPC (no TCP port race),
a page's kernel is not culled the moment it leaves the pool, pool refills are throttled, and the
server's zmq context and open-files limit leave room for 100 participants. Real kernels, no mocks."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import zmq
from jupyter_client.manager import KernelManager
from jupyter_server._tz import utcnow
from traitlets import Dict as TDict
from traitlets.config import LoggingConfigurable

from workbench.errors import ValidationError
from workbench.serving import ServeOptions, voila_command
from workbench.serving.app import (
    MAX_ZMQ_SOCKETS,
    FillSlots,
    PageKernelManager,
    WorkbenchVoila,
    _raise_open_files_limit,
    throttled_pool,
)
from workbench.serving.voila_app import KERNEL_MIB, ipc_paths_fit, pool_memory_mib
from workbench.serving.websocket import PageActivity


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A connection folder with a short path, like Voila's own (``/tmp/voila_XXXXXXXX``): Unix
    socket paths are limited to 107 characters, pytest's tmp_path is longer."""
    folder = Path(tempfile.mkdtemp(prefix="wbk_", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _manager(folder: Path) -> PageKernelManager:
    """The serve process's kernel manager, configured from `workbench serve`'s Voila command."""
    app = WorkbenchVoila()
    app.parse_command_line(voila_command(ServeOptions())[3:])
    return PageKernelManager(config=app.config, connection_dir=str(folder), root_dir=str(folder))


def test_kernels_use_ipc_sockets_of_their_own(short_dir: Path) -> None:
    """Two kernels started at the same moment each bind their own Unix sockets (TCP: a port picked
    by bind-and-release could be taken before the kernel binds it, `Address already in use`)."""
    app = WorkbenchVoila()
    app.parse_command_line(voila_command(ServeOptions())[3:])
    assert KernelManager(config=app.config).transport == "ipc"

    async def run() -> list[dict[str, object]]:
        km = _manager(short_dir)
        ids = await asyncio.gather(*(km.start_kernel(kernel_name="python3") for _ in range(2)))
        try:
            infos = []
            for kid in ids:
                kernel = km.get_kernel(kid)
                client: Any = kernel.client()  # an async client (AsyncKernelManager)
                client.start_channels()
                await client.wait_for_ready(timeout=120)  # the kernel answers over its sockets
                client.stop_channels()
                infos.append(json.loads(Path(kernel.connection_file).read_text()))
            return infos
        finally:
            await km.shutdown_all(now=True)

    infos = asyncio.run(run())
    assert [i["transport"] for i in infos] == ["ipc", "ipc"]
    assert infos[0]["ip"] != infos[1]["ip"]
    assert all(str(i["ip"]).startswith(str(short_dir)) for i in infos)  # the private folder
    # a TMPDIR too long for Unix socket paths (macOS: /var/folders/.../T/) keeps TCP
    assert ipc_paths_fit("/tmp") and not ipc_paths_fit("/var/folders/zz/" + "x" * 30 + "/T")


def test_a_kernel_just_taken_from_the_pool_is_not_culled(short_dir: Path) -> None:
    """A preheated kernel's last activity is when it ran the notebook, maybe an hour before a page
    takes it: the culler's first look at it outside the pool counts as activity; a kernel that
    then stays idle without a connection is culled as before."""

    async def run() -> tuple[bool, bool, bool]:
        km = _manager(short_dir)
        km.cull_idle_timeout = 60
        kid = await km.start_kernel(kernel_name="python3")
        try:
            kernel: Any = km.get_kernel(kid)  # Jupyter Server adds last_activity
            an_hour_ago = utcnow() - timedelta(hours=1)
            kernel.last_activity = an_hour_ago
            await km.cull_kernel_if_idle(kid)
            kept = kid in km and kernel.last_activity > an_hour_ago
            kernel.last_activity = an_hour_ago  # then idle and unconnected for an hour
            await km.cull_kernel_if_idle(kid)
            return kept, kid in km, km.context.get(zmq.MAX_SOCKETS) == MAX_ZMQ_SOCKETS
        finally:
            await km.shutdown_all(now=True)

    kept, still_there, sockets = asyncio.run(run())
    assert kept and not still_there
    assert sockets  # more than libzmq's 1023 sockets: ~12 per participant's kernel


def test_activity_watch_records_busy_idle_and_last_activity(short_dir: Path) -> None:
    """The serve process's own activity watch (cheaper than Jupyter Server's): a kernel's
    execution state follows its status messages (busy while it runs, idle after) and every IOPub
    message counts as activity, which is what the culler reads."""

    async def run() -> tuple[set[str], str, bool]:
        km = _manager(short_dir)
        kid = await km.start_kernel(kernel_name="python3")
        client: Any = None
        try:
            kernel: Any = km.get_kernel(kid)
            client = kernel.client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            an_hour_ago = utcnow() - timedelta(hours=1)
            kernel.last_activity = an_hour_ago
            seen: set[str] = set()
            client.execute("import time; time.sleep(0.5); print('done')")
            for _ in range(200):  # 10 s at most
                seen.add(kernel.execution_state)
                if "busy" in seen and kernel.execution_state == "idle":
                    break
                await asyncio.sleep(0.05)
            return seen, kernel.execution_state, kernel.last_activity > an_hour_ago
        finally:
            if client is not None:
                client.stop_channels()
            await km.shutdown_all(now=True)

    seen, final, active = asyncio.run(run())
    assert "busy" in seen and final == "idle"
    assert active


def test_refills_wait_for_a_quiet_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the pools are filled, a refill waits for a quiet moment: no page loading (it took a
    kernel and has not sent a message yet), then ``settle_s`` without a page's message while only
    a few pages are active (one person's page has loaded), ``quiet_s`` while a crowd
    (``crowd_pages``) is active; while pages keep sending, one starts every
    ``busy_every_s``.  The first fill never waits; a refill whose pool has no ready kernel left, or
    a kernel a page is waiting for, starts at once.  The pages' activity is the real record the
    kernel websockets write (:class:`PageActivity`)."""
    monkeypatch.setattr(PageActivity, "pages", {})
    monkeypatch.setattr(PageActivity, "taken", {})
    monkeypatch.setattr(PageActivity, "last", 0.0)
    slots = FillSlots(
        startup=2,
        serving=1,
        activity=lambda: PageActivity.last,
        active_pages=PageActivity.active,
        loading=PageActivity.loading,
    )
    slots.settle_s, slots.quiet_s, slots.busy_every_s, slots.poll_s = 0.25, 0.8, 1.5, 0.01

    async def started(demanded: Any = lambda: False, urgent: Any = lambda: False) -> float:
        async with slots.slot(demanded, urgent):
            return time.monotonic()

    async def pages_sending(pages: int, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for page in range(pages):
                PageActivity.note(f"kernel-{page}")
            await asyncio.sleep(0.05)

    async def run() -> dict[str, float]:
        at: dict[str, float] = {"t0": time.monotonic()}
        PageActivity.note("kernel-0")
        at[
            "first"
        ] = await started()  # a page has just sent a message: ignored before the first fill
        slots.filled_once = True
        at["one page"] = time.monotonic()
        PageActivity.took("kernel-0")  # one person's page took a kernel: it loads its scripts
        asyncio.get_running_loop().call_later(0.5, PageActivity.note, "kernel-0")  # connected
        at["settled"] = await started()
        crowd = asyncio.ensure_future(pages_sending(3, 0.3))
        await asyncio.sleep(0.05)
        at["crowd"] = time.monotonic()
        at["crowd quiet"] = await started()  # a crowd's last message + quiet_s
        await crowd
        at["busy"] = time.monotonic()
        crowd = asyncio.ensure_future(pages_sending(3, 3.5))
        await asyncio.sleep(0.1)
        at["busy1"] = await started()  # busy_every_s after the last start
        at["busy2"] = await started()
        at["urgent"] = await started(urgent=lambda: True)  # the pool is empty
        at["demanded"] = await started(lambda: True)
        await crowd
        return at

    at = asyncio.run(run())
    assert at["first"] - at["t0"] < 0.1
    assert 0.73 <= at["settled"] - at["one page"] < 1.2  # its first message + settle_s only
    assert 0.9 <= at["crowd quiet"] - at["crowd"] < 1.5  # a crowd: its end (0.25 s) + quiet_s
    assert 1.45 <= at["busy1"] - at["crowd quiet"] < 2.2  # pages busy: one start per busy_every_s
    assert 1.45 <= at["busy2"] - at["busy1"] < 2.2
    assert at["urgent"] - at["busy2"] < 0.1
    assert at["demanded"] - at["urgent"] < 0.1
    assert PageActivity.active(0.5) == 3
    assert set(PageActivity.pages) == {"kernel-0", "kernel-1", "kernel-2"}


def test_pool_fills_use_all_cores_at_start_then_half() -> None:
    """Pool kernels start at most ``startup`` at once before the pools are first filled, then at
    most ``serving`` at once (the rest of the CPU is for the people joining)."""
    slots = FillSlots(startup=2, serving=1)
    running = peak = 0
    peaks: list[int] = []

    async def one() -> None:
        nonlocal running, peak
        async with slots.slot():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    async def run() -> None:
        nonlocal peak
        await asyncio.gather(*(one() for _ in range(6)))
        peaks.append(peak)
        slots.filled_once = True
        peak = 0
        await asyncio.gather(*(one() for _ in range(6)))
        peaks.append(peak)

    async def demanded_one() -> float:
        """A kernel a page waits for starts beside a refill (the cores allow it)."""
        async with slots.slot():
            t0 = asyncio.get_running_loop().time()
            async with slots.slot(demanded=lambda: True):
                return asyncio.get_running_loop().time() - t0

    async def refill_waits() -> bool:
        """Another refill waits while one holds the serving slot."""
        async with slots.slot():
            try:
                async with asyncio.timeout(0.5):
                    async with slots.slot():
                        return False
            except TimeoutError:
                return True

    asyncio.run(run())
    assert peaks == [2, 1]
    assert asyncio.run(refill_waits())
    assert asyncio.run(demanded_one()) < 1.0  # not queued behind the refill holding the slot
    assert FillSlots(startup=os.cpu_count() or 2, serving=0).serving == 1  # never zero


def test_open_files_limit_is_raised_within_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
        _raise_open_files_limit()
        raised, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert raised == (16384 if hard == resource.RLIM_INFINITY else min(16384, hard))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("participants", [1, 100])
def test_first_pool_covers_the_participants_and_refills_only_the_standby(participants: int) -> None:
    """`--participant-pool` preheats a kernel per arriving participant; once handed out, the pool
    is refilled only up to `--participant-standby` (refilling 110 kernels while 100 people work
    would double the memory); both reach Voila's kernel manager through its config."""
    opts = ServeOptions(participant_pool=participants + 10, participant_standby=6)
    app = WorkbenchVoila()
    app.parse_command_line(voila_command(opts)[3:])

    class Pool(LoggingConfigurable):  # stands in for Voila's pool class (made at run time)
        kernel_pools_config = TDict(config=True)

        async def _initialize(self) -> None: ...

    Pool.__name__ = "VoilaKernelManager"
    manager = throttled_pool(Pool)(config=app.config)
    assert manager.kernel_pools_config["foresight_participant.ipynb"]["pool_size"] == (
        participants + 10
    )
    assert manager.standby_sizes == {"foresight_participant.ipynb": min(6, participants + 10)}
    assert pool_memory_mib(opts) == KERNEL_MIB * (participants + 16)
    with pytest.raises(ValidationError, match="must be >= 0"):
        ServeOptions(participant_standby=-1).check()


def test_refills_are_throttled_once_the_pools_are_filled() -> None:
    """The throttled pool class over a stand-in for Voila's: after the last pool entry has run its
    notebook, refills go through the smaller serving limit."""

    class Pool(LoggingConfigurable):
        kernel_pools_config = TDict(config=True)

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._pools: dict[str, list[asyncio.Task[Any]]] = {"nb": []}

        async def _initialize(self, notebook_path: str, kernel_id: Any = None) -> dict[str, Any]:
            return {"task": asyncio.ensure_future(asyncio.sleep(0.01)), "kernel_id": "k"}

    Pool.__name__ = "VoilaKernelManager"

    async def run() -> tuple[bool, bool, int]:
        manager: Any = throttled_pool(Pool)()
        loop = asyncio.get_running_loop()
        manager._pools["nb"] = [loop.create_task(manager._initialize("nb")) for _ in range(3)]
        await asyncio.sleep(0)
        before = manager.fill_slots.filled_once
        await asyncio.gather(*manager._pools["nb"])
        return before, manager.fill_slots.filled_once, manager.fill_slots.limit

    before, after, limit = asyncio.run(run())
    assert not before and after
    assert limit == max(1, (os.cpu_count() or 2) // 2)


def test_a_page_taking_a_kernel_holds_refills_until_it_has_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The throttled pool notes the page that takes a preheated kernel as loading; a refill waits
    until that page's first message (then ``settle_s``), so it does not slow the page's start; the
    kernel's last activity becomes the hand-out (the culler gives the page its full timeout)."""
    monkeypatch.setattr(PageActivity, "pages", {})
    monkeypatch.setattr(PageActivity, "taken", {})

    class Pool(LoggingConfigurable):
        kernel_pools_config = TDict(config=True)

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._kernels = {
                "kernel-7": type("K", (), {"last_activity": utcnow() - timedelta(1)})()
            }

        async def get_rendered_notebook(self, notebook_name: str) -> tuple[Any, list[str], str]:
            return None, [], "kernel-7"

    Pool.__name__ = "VoilaKernelManager"

    async def run() -> tuple[int, bool, bool, bool, float]:
        manager: Any = throttled_pool(Pool)()
        slots = manager.fill_slots
        slots.filled_once, slots.settle_s = True, 0.0
        assert slots._quiet()  # nobody here: a refill may start
        _task, _cells, kernel_id = await manager.get_rendered_notebook("nb")
        loading = PageActivity.loading(slots.loading_s)
        held = not slots._quiet()
        PageActivity.note(kernel_id)  # the page's first message over its websocket
        idle_s = (utcnow() - manager._kernels[kernel_id].last_activity).total_seconds()
        return loading, held, slots._quiet(), kernel_id in PageActivity.pages, idle_s

    loading, held, after, seen, idle_s = asyncio.run(run())
    assert loading == 1 and held
    assert after and seen
    assert idle_s < 5  # handed out: active now for the culler (it ran its notebook a day ago)
