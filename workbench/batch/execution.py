"""Execute one planned run: papermill in a fresh kernel, then the HTML report.

This module is what a worker process (local pool or Dask worker) runs; it is importable on its own
and imports papermill once per worker process.  Each run:

* starts a fresh kernel (``kernel_name``, IPC transport in a private temp folder, so parallel starts
  never race for TCP ports - papermill #511/#239 - and the kernel needs no network), retrying the
  start if it still fails;
* gets its environment explicitly (``WORKBENCH_REPORT_DIR`` = the run's folder, ``WORKBENCH_DB``,
  ``WORKBENCH_GIT_COMMIT``) and its working directory through the kernel manager - never through
  ``os.environ`` / ``chdir`` of the worker, so several runs may share a (Dask) worker process;
* is killed when it exceeds the per-run timeout (a watchdog kills the kernel process);
* is shut down with ``shutdown_kernel="immediate"`` (graceful shutdowns sometimes take 3 s);
* always writes the executed notebook (also when a cell raised) and an HTML report of it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback as tb
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.reporting.fast_imports import skip_rfc3987_grammar

skip_rfc3987_grammar()  # before papermill imports nbformat -> jsonschema (0.75 s per process)

import papermill  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from workbench.batch import prewarm  # noqa: E402
from workbench.batch.tasks import HTML_NAME, NOTEBOOK_NAME, RunOutcome, RunTask  # noqa: E402
from workbench.reporting.html_export import PLOTLY_JS_NAME, export_html  # noqa: E402
from workbench.reporting.report import REPORT_DIR_ENV, SIDECAR_NAME  # noqa: E402

# papermill re-parses the parameters cell with a weaker parser and logs spurious warnings ("Unable to
# parse line", "Passed unknown parameter") for values that workbench.batch.parameters already checked.
logging.getLogger("papermill").setLevel(logging.ERROR)

START_ATTEMPTS = 3
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _RunKernelManager(AsyncKernelManager):
    """A kernel manager that gives the kernel an explicit environment and working directory."""

    def __init__(self, *, run_env: dict[str, str], run_cwd: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._run_env = run_env
        self._run_cwd = run_cwd

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        env = dict(kw.pop("env", None) or os.environ)
        env.update(self._run_env)
        kw["env"] = env
        if self._run_cwd:
            kw["cwd"] = self._run_cwd
        await super().start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        """Fork the kernel from this worker's pre-warmed zygote when there is one (see
        :mod:`workbench.batch.prewarm`); otherwise launch it as usual."""
        zygote = prewarm.zygote_for(kernel_cmd)
        provisioner = self.provisioner
        if zygote is None or provisioner is None or not hasattr(provisioner, "connection_info"):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        try:
            proc = zygote.spawn(
                self.connection_file, dict(kw.get("env") or os.environ), kw.get("cwd")
            )
        except (OSError, RuntimeError, TimeoutError, ValueError, KeyError):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        provisioner.process = proc  # type: ignore[attr-defined]
        provisioner.pid = proc.pid  # type: ignore[attr-defined]
        provisioner.pgid = None  # type: ignore[attr-defined]
        self._reconcile_connection_info(provisioner.connection_info)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _strip(text: str) -> str:
    return _ANSI.sub("", text)


def _cell_error(nb: Any) -> dict[str, Any] | None:
    """The first error output of an executed notebook, with its cell."""
    for index, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "error":
                return {
                    "cell_index": index,
                    "execution_count": cell.get("execution_count"),
                    "cell_source": "".join(cell.get("source", ""))[:2000],
                    "ename": out.get("ename", ""),
                    "evalue": _strip(str(out.get("evalue", "")))[:2000],
                    "traceback": _strip("\n".join(out.get("traceback", [])))[-6000:],
                }
    return None


def _running_cell(nb: Any) -> tuple[int | None, str]:
    """The cell that was executing when the run stopped: the last one papermill started."""
    last: tuple[int | None, str] = (None, "")
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            last = (index, "".join(cell.get("source", ""))[:2000])
    return last


def _started_any_cell(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(
        c.get("execution_count") for c in nb.get("cells", []) if c.get("cell_type") == "code"
    )


def _is_start_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return (
        "ZMQError" in text
        or "Address already in use" in text
        or "Kernel didn't respond" in text
        or "Kernel died before replying to kernel_info" in text
    )


def _execute(task: RunTask, run_dir: Path, phases: dict[str, float]) -> tuple[bool, Any]:
    """Run papermill once; returns (timed_out, exception or None)."""
    import nbformat

    nb_in = nbformat.reads(task.notebook_json, as_version=4)
    env = {**task.env, REPORT_DIR_ENV: str(run_dir)}
    ipc_dir = Path(tempfile.mkdtemp(prefix="wbk-"))
    km = _RunKernelManager(
        kernel_name=task.kernel_name,
        transport="ipc",
        ip=str(ipc_dir / "k"),
        run_env=env,
        # the notebook's folder, when this machine has it (a remote Dask worker may not)
        run_cwd=task.cwd if task.cwd and Path(task.cwd).is_dir() else None,
    )
    timed_out = threading.Event()
    t0 = time.perf_counter()

    def kill_on_timeout() -> None:
        timed_out.set()
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        pid = getattr(proc, "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    watchdog = threading.Timer(task.timeout, kill_on_timeout) if task.timeout else None
    if watchdog:
        watchdog.daemon = True
        watchdog.start()

    live: dict[str, Any] = {}

    def notebook_started(notebook: Any = None, **_: Any) -> None:
        phases["kernel_start"] = time.perf_counter() - t0
        live["nb"] = notebook  # the notebook being executed, written below if the run dies

    try:
        papermill.execute_notebook(
            nb_in,
            str(run_dir / NOTEBOOK_NAME),
            parameters=task.parameters,
            kernel_name=task.kernel_name,
            km=km,
            progress_bar=False,
            log_output=False,
            shutdown_kernel="immediate",
            # no rewrite of the whole notebook after every cell (0.3 s CPU per run); papermill
            # still writes it at the end and when a cell raised; other failures: see below
            request_save_on_cell_execute=False,
            execution_timeout=task.timeout,
            start_timeout=60,
            on_notebook_start=notebook_started,
        )
        error = None
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, never propagated
        if isinstance(exc, KeyboardInterrupt):
            raise
        error = exc
        out = run_dir / NOTEBOOK_NAME
        if live.get("nb") is not None and not out.exists():  # killed (timeout) or kernel died
            with contextlib.suppress(Exception):
                nbformat.write(live["nb"], str(out))
    finally:
        if watchdog:
            watchdog.cancel()
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        if proc is not None and proc.poll() is None:  # normally already stopped by papermill
            with contextlib.suppress(OSError):
                proc.kill()
        shutil.rmtree(ipc_dir, ignore_errors=True)
    phases["cells"] = time.perf_counter() - t0 - phases.get("kernel_start", 0.0)
    return timed_out.is_set(), error


def execute_run(task: RunTask) -> RunOutcome:
    """Execute one run and write its notebook, HTML report and data files; never raises."""
    started, t0 = _now(), time.perf_counter()
    temp_out = task.out_dir is None
    run_dir = Path(task.out_dir or tempfile.mkdtemp(prefix=f"wbrun-{task.run_id[:40]}-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {}
    error: dict[str, Any] | None = None
    status = "ok"
    timed_out, exc = False, None
    for attempt in range(1, START_ATTEMPTS + 1):
        timed_out, exc = _execute(task, run_dir, phases)
        if exc is None or timed_out or not _is_start_failure(exc):
            break
        if _started_any_cell(run_dir / NOTEBOOK_NAME) or attempt == START_ATTEMPTS:
            break
        time.sleep(0.2 * attempt)  # a kernel start raced; try again with a fresh kernel

    nb_path = run_dir / NOTEBOOK_NAME
    if exc is not None:
        nb_out: dict[str, Any] = {}  # read only to describe the failure
        if nb_path.exists():
            with contextlib.suppress(OSError, ValueError):
                nb_out = json.loads(nb_path.read_text(encoding="utf-8"))
        status = "timeout" if timed_out else "failed"
        error = _cell_error(nb_out) if not timed_out else None
        if error is None:
            index, source = _running_cell(nb_out)
            error = {
                "cell_index": index,
                "execution_count": None,
                "cell_source": source,
                "ename": "RunTimeout" if timed_out else type(exc).__name__,
                "evalue": (
                    f"run exceeded the timeout of {task.timeout:g} s and was stopped"
                    if timed_out
                    else _strip(str(exc))[:2000]
                ),
                "traceback": "" if timed_out else _strip("".join(tb.format_exception(exc)))[-6000:],
            }

    record: dict[str, Any] | None = None
    sidecar = run_dir / SIDECAR_NAME
    if sidecar.exists():
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(sidecar.read_text(encoding="utf-8"))

    if nb_path.exists():
        t_html = time.perf_counter()
        try:
            title = (record or {}).get("title") or task.run_id
            export_html(
                nb_path, run_dir / HTML_NAME, title=title, plotly_js_src=f"../{PLOTLY_JS_NAME}"
            )
        except Exception as html_exc:  # noqa: BLE001
            if status == "ok":
                status = "failed"
                error = {
                    "cell_index": None,
                    "execution_count": None,
                    "cell_source": "",
                    "ename": f"HTML export: {type(html_exc).__name__}",
                    "evalue": str(html_exc)[:2000],
                    "traceback": "".join(tb.format_exception(html_exc))[-6000:],
                }
        phases["html"] = time.perf_counter() - t_html
    elif status == "ok":  # pragma: no cover - papermill always writes the output notebook
        status = "failed"

    files = None
    if temp_out:
        files = {
            str(p.relative_to(run_dir)): p.read_bytes()
            for p in sorted(run_dir.rglob("*"))
            if p.is_file()
        }
        shutil.rmtree(run_dir, ignore_errors=True)
    return RunOutcome(
        run_id=task.run_id,
        status=status,
        started_at=started,
        finished_at=_now(),
        duration_s=round(time.perf_counter() - t0, 3),
        error=error,
        record=record,
        phases={k: round(v, 3) for k, v in phases.items()},
        files=files,
        worker=f"{os.uname().nodename}:{os.getpid()}",
    )
