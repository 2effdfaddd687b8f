"""Pre-warmed report kernels: a per-worker "zygote" that has done the heavy imports once and forks
a fresh kernel for every run (issue 10, item 12).

A report kernel normally pays, before its first cell finishes: a Python start, the ipykernel
import, and the notebook's own imports of pandas (with pyarrow), plotly, DuckDB and ``workbench``
(58 % of the time spent in notebook cells of a batch was its first cell).  A batch worker
therefore starts one zygote process (:func:`start_zygote`, from the worker's initializer) running
``python -m workbench.batch.prewarm``: it imports :data:`PREWARM_MODULES` and waits.  For each run
the worker's kernel manager asks it to ``fork()``; the child resets what must not be shared (signal
dispositions, random seeds, environment, working directory, stdin) and becomes an ordinary
``IPKernelApp`` on the connection file jupyter_client wrote, so the run still gets a *fresh*
kernel process with its own namespace - only the imported modules' pages are shared
(copy-on-write).  The notebook's ``import pandas`` then finds the module loaded.

Safety:

* the zygote and every forked kernel set ``PR_SET_PDEATHSIG`` (SIGKILL): a killed worker takes its
  zygote down, and a dead zygote its kernels; the zygote also exits when its command pipe closes;
* the zygote imports only; it starts no threads of its own and opens no DuckDB connection;
* the worker tracks a forked kernel through a pidfd (``os.pidfd_open``), so signals never reach a
  recycled pid;
* anything unexpected (no zygote, a kernelspec that is not ``python -m ipykernel_launcher``, a
  failed fork) falls back to the normal kernel launch.

Set ``WORKBENCH_PREWARM=0`` to switch it off.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import random
import select
import signal
import subprocess
import sys
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
    "workbench.kb",
    "workbench.reporting",
    "workbench.reporting.figures",
    "workbench.reporting.theme",
)
ENV_SWITCH = "WORKBENCH_PREWARM"
READY_TIMEOUT_S = 120.0
_zygote: Zygote | None = None


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
    """The worker's handle on its zygote process."""

    def __init__(self, prefix: list[str]) -> None:
        self.prefix = prefix
        self.proc = subprocess.Popen(
            [*prefix, "-m", "workbench.batch.prewarm", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._ready = False

    def _readline(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("pre-warmed kernel zygote did not answer")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("pre-warmed kernel zygote exited")
        return line

    def spawn(self, connection_file: str, env: dict[str, str], cwd: str | None) -> ForkedKernel:
        """Fork a kernel on ``connection_file`` with exactly ``env`` and ``cwd``."""
        assert self.proc.stdin is not None
        if not self._ready:
            if json.loads(self._readline(READY_TIMEOUT_S)).get("ready") is not True:
                raise RuntimeError("pre-warmed kernel zygote failed to start")
            self._ready = True
        request = {"connection_file": connection_file, "env": env, "cwd": cwd}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return ForkedKernel(int(json.loads(self._readline(30.0))["pid"]))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        if self.proc.poll() is None:
            self.proc.kill()


def enabled() -> bool:
    """Pre-warming is on unless ``WORKBENCH_PREWARM=0``; it needs Linux (fork, pidfd)."""
    return os.environ.get(ENV_SWITCH, "1") != "0" and sys.platform.startswith("linux")


def start_zygote(kernel_name: str) -> Zygote | None:
    """Start this process's zygote for ``kernel_name`` (call from the thread that lives longest:
    the parent-death signal is tied to it); None when switched off or not applicable."""
    global _zygote
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
        _zygote = Zygote(prefix)
    except OSError:
        _zygote = None
    return _zygote


def zygote_for(kernel_cmd: list[str]) -> Zygote | None:
    """This process's zygote when it can start ``kernel_cmd`` (same interpreter and flags)."""
    if _zygote is None or not _zygote.alive():
        return None
    return _zygote if kernel_prefix(list(kernel_cmd)) == _zygote.prefix else None


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


def serve(parent_pid: int) -> None:
    """Zygote main loop: import, report ready, fork one kernel per request line on stdin."""
    set_parent_death_signal()
    if parent_pid and os.getppid() != parent_pid:
        return
    from workbench.reporting.fast_imports import skip_rfc3987_grammar

    skip_rfc3987_grammar()
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # a kernel's low-level writes to fd 1 go to the worker's stderr, not the replies
    for name in PREWARM_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    me = os.getpid()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            replies.close()
            _become_kernel(request, me)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    sys.exit(0)
