"""Pre-warmed report kernels: a "zygote" process that has done the heavy imports once and forks a
fresh kernel for every run of a batch (issue 10, item 12).

A report kernel normally pays, before its first cell finishes: a Python start, the ipykernel
import, and the notebook's own imports of pandas (with pyarrow), plotly, DuckDB and ``workbench``
(58 % of the time spent in notebook cells of a batch was its first cell).  A local batch therefore
starts one zygote (:func:`start_zygote`, in the main process, while the worker pool starts)
running ``python -m workbench.batch.prewarm``: it imports :data:`PREWARM_MODULES`, exercises
plotly once (:func:`warm_up`), then listens on a Unix socket.  For each run a worker's kernel
manager (``workbench.batch.execution``) asks it to ``fork()``; the child resets what must not be
shared (signal dispositions, random seeds, environment, working directory, stdin) and becomes an
ordinary ``IPKernelApp`` on the connection file jupyter_client wrote.  So every run still gets a
*fresh* kernel process with its own namespace; only the imported modules' memory pages are shared
(copy-on-write), and the notebook's ``import pandas`` finds the module loaded.

Safety:

* the zygote and every forked kernel set ``PR_SET_PDEATHSIG`` (SIGKILL): when the batch process
  dies (even by ``kill -9``) the zygote goes, and with it its kernels; the zygote also exits when
  its stdin (a pipe from the batch process) closes;
* the zygote imports only: no threads of its own, no DuckDB connection;
* a worker tracks a forked kernel through a pidfd (``os.pidfd_open``), so a signal (timeout kill)
  never reaches a recycled pid;
* anything unexpected (no zygote, a kernelspec that is not ``python -m ipykernel_launcher``, a
  failed request) falls back to the normal kernel launch.

Set ``WORKBENCH_PREWARM=0`` to switch it off (``tests/test_batch_prewarm.py``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

from workbench.batch.lifeline import set_parent_death_signal

# Imported once in the zygote: what report notebooks import in their first cells.
PREWARM_MODULES = (
    "numpy",
    "pandas",
    "pyarrow",
    "duckdb",
    "plotly.express",
    "plotly.graph_objects",
    "plotly.io",
    "jinja2",
    "yaml",
    "nbformat",
    "IPython",
    "IPython.core.interactiveshell",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    # what every kernel imported after the fork (py-spy of a batch): IPKernelApp resolves its
    # debugger class (debugpy, ~0.1-0.3 s per kernel; starts no thread), IPython's history and
    # inspector, and the report pipeline's own lazy imports (provenance, quality notice, tables)
    "ipykernel.debugger",
    "sqlite3",
    "pdb",
    "IPython.core.oinspect",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "pandas.io.formats.csvs",
    "workbench.kb",
    "workbench.kb.migrate",
    "workbench.kb.spreadsheet",
    "workbench.quality",
    "workbench.quality.notice",
    "workbench.reporting",
    "workbench.reporting.figures",
    "workbench.reporting.guides",
    "workbench.reporting.provenance",
    "workbench.reporting.tables",
    "workbench.reporting.theme",
)
ENV_SWITCH = "WORKBENCH_PREWARM"
READY_TIMEOUT_S = 120.0


def kernel_prefix(argv: list[str]) -> list[str] | None:
    """``[python, *-X flags]`` when ``argv`` is ``python [-X...] -m ipykernel_launcher -f FILE``."""
    if len(argv) < 5 or argv[-2] != "-f":
        return None
    head = argv[:-2]
    if head[-2:] != ["-m", "ipykernel_launcher"]:
        return None
    prefix = head[:-2]
    if not prefix or not all(a.startswith("-X") for a in prefix[1:]):
        return None
    return prefix


# ------------------------------------------------------------------------------ worker side
class ForkedKernel:
    """The ``subprocess.Popen`` subset jupyter_client's provisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if ready:  # exited (its parent, the zygote, collects the status)
                self.returncode = 0
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            time.sleep(0.02)
        return int(self.returncode or 0)

    def send_signal(self, sig: int) -> None:
        if self.poll() is None and self._fd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._fd, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """The batch's zygote process (started by the main process, shared by its workers)."""

    def __init__(self, prefix: list[str]) -> None:
        self.prefix = prefix
        self._dir = tempfile.mkdtemp(prefix="wbz-")
        self.address = os.path.join(self._dir, "zygote.sock")
        # stdin is the lifeline: the zygote exits when this end closes (and on parent death)
        self.proc = subprocess.Popen(
            [*prefix, "-m", "workbench.batch.prewarm", str(os.getpid()), self.address],
            stdin=subprocess.PIPE,
        )

    def handle(self) -> tuple[list[str], str]:
        """What a worker needs to reach it (picklable): interpreter prefix and socket path."""
        return self.prefix, self.address

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        if self.proc.poll() is None:
            self.proc.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


class ZygoteClient:
    """A worker's connection to the batch's zygote: one request per kernel."""

    def __init__(self, prefix: list[str], address: str) -> None:
        self.prefix = list(prefix)
        self.address = address

    def spawn(self, connection_file: str, env: dict[str, str], cwd: str | None) -> ForkedKernel:
        """Fork a kernel on ``connection_file`` with exactly ``env`` and ``cwd``."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:  # the zygote listens once its imports are done
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.address)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() > deadline:
                    raise TimeoutError("pre-warmed kernel zygote did not start") from None
                time.sleep(0.05)
        with sock:
            sock.settimeout(30.0)
            request = {"connection_file": connection_file, "env": env, "cwd": cwd}
            sock.sendall((json.dumps(request) + "\n").encode())
            reply = sock.makefile("r").readline()
        if not reply:
            raise RuntimeError("pre-warmed kernel zygote closed the connection")
        return ForkedKernel(int(json.loads(reply)["pid"]))


_client: ZygoteClient | None = None


def enabled() -> bool:
    """Pre-warming is on unless ``WORKBENCH_PREWARM=0``; it needs Linux (fork, pidfd)."""
    return os.environ.get(ENV_SWITCH, "1") != "0" and sys.platform.startswith("linux")


def start_zygote(kernel_name: str) -> Zygote | None:
    """Start a zygote for ``kernel_name`` (in the batch's main process, from the thread that lives
    longest: the parent-death signal is tied to it); None when switched off or not applicable."""
    if not enabled():
        return None
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except Exception:  # noqa: BLE001 - no such kernel: the normal launch reports it
        return None
    prefix = kernel_prefix(list(argv))
    if prefix is None:
        return None
    try:
        return Zygote(prefix)
    except OSError:
        return None


def connect(handle: tuple[list[str], str] | None) -> None:
    """In a worker: use the zygote behind ``handle`` (from :meth:`Zygote.handle`) for its kernels."""
    global _client
    _client = ZygoteClient(*handle) if handle else None


def zygote_for(kernel_cmd: list[str]) -> ZygoteClient | None:
    """This worker's zygote client when it can start ``kernel_cmd`` (same interpreter and flags)."""
    if _client is None:
        return None
    return _client if kernel_prefix(list(kernel_cmd)) == _client.prefix else None


# ------------------------------------------------------------------------------ zygote side
def _become_kernel(request: dict[str, Any], zygote_pid: int) -> None:
    """In the forked child: reset shared state, then run an IPKernelApp (never returns)."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        set_parent_death_signal()
        if os.getppid() != zygote_pid:
            os._exit(1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(zygote_pid)  # as jupyter_client's launcher sets it
        if request.get("cwd"):
            os.chdir(request["cwd"])
        random.seed()  # forked children would otherwise share the zygote's random state
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        # ipykernel reads JPY_PARENT_PID when it is imported (here: in the zygote, before the
        # variable was set); without a parent it prints the "To connect another client to this
        # kernel" banner on stdout (ours goes to stderr) for every report.  A launched kernel
        # has its launcher as parent: the same here, also for its parent poller.
        app.parent_handle = zygote_pid
        app.initialize(["-f", request["connection_file"]])
        app.start()
        code = 0
    except BaseException:  # noqa: BLE001 - the child must never return into the zygote loop
        traceback.print_exc()
    finally:
        os._exit(code)


def warm_up() -> None:
    """Exercise what every report does first, without changing any default: plotly's renderer
    registry (imports nbformat), the house template (built and registered, not made the default)
    and a few plotly express figures (plotly imports its validators lazily, on first use)."""
    import pandas as pd
    import plotly.express as px
    import plotly.io as pio

    from workbench.reporting.theme import TEMPLATE_NAME, house_template

    _ = pio.renderers.default
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = house_template()
    df = pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0], "s": [1, 2]})
    figures = [
        px.bar(df, x="x", y="y", title="t"),
        px.line(df, x="x", y="y", color="x"),
        px.scatter(df, x="y", y="s", size="s", hover_name="x"),
    ]
    for fig in figures:
        fig.update_layout(template=TEMPLATE_NAME)
        pio.to_json(fig, validate=False)


def serve(parent_pid: int, address: str) -> None:
    """Zygote main loop: import, then listen on ``address`` and fork one kernel per connection;
    exit when stdin (the lifeline from the batch process) closes."""
    set_parent_death_signal()
    if parent_pid and os.getppid() != parent_pid:
        return
    from workbench.reporting.fast_imports import skip_rfc3987_grammar

    skip_rfc3987_grammar()
    os.dup2(2, 1)  # a kernel's low-level writes to fd 1 go to stderr, not the batch's stdout
    for name in PREWARM_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address + ".tmp")
    server.listen(64)
    os.rename(address + ".tmp", address)  # clients connect only once everything is imported
    me = os.getpid()
    while True:
        ready, _, _ = select.select([server.fileno(), 0], [], [])
        if 0 in ready and not os.read(0, 4096):
            return
        if server.fileno() not in ready:
            continue
        conn, _ = server.accept()
        with conn:
            conn.settimeout(30.0)
            try:
                request = json.loads(conn.makefile("r").readline())
            except (OSError, ValueError):
                continue
            pid = os.fork()
            if pid == 0:
                conn.close()
                server.close()
                _become_kernel(request, me)
            with contextlib.suppress(OSError):
                conn.sendall((json.dumps({"pid": pid}) + "\n").encode())


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
    sys.exit(0)
