"""Run a plan: parallel papermill runs, HTML reports, ``index.html``, ``manifest.json``, ``latest``.

Output layout (``reports/`` or ``--out``)::

    <out>/<plan>/<batch timestamp>/index.html       every run: status, parameters, duration, links
                                  /manifest.json    parameters, dataset sha256, versions, git, timings
                                  /plotly.min.js    once per batch folder, shared by every report
                                  /<run id>/report.html, notebook.ipynb, report.json, <data>.csv
    <out>/<plan>/state.json       last successful fingerprint per run (for --changed-only)
    <out>/<plan>/latest -> <batch timestamp>,   <out>/latest -> <plan>/<batch timestamp>
    (``<plan>/latest``: last batch that ran the whole plan, not an ``--only`` subset; ``latest``:
    the same for plan files only, so a one-notebook run never hides the last full batch)

Local runs use a process pool (default: one worker per core) whose workers import papermill once;
``dask=ADDRESS`` sends the same runs to a Dask distributed cluster (each in a fresh kernel on a
worker) and writes the returned files into the batch folder.  One failing run never stops the
others; the result tells how many failed (the CLI exits non-zero then).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from workbench.batch import incremental, prewarm
from workbench.batch.index_page import write_index
from workbench.batch.locking import batch_lock
from workbench.batch.plans import Plan, PlannedRun
from workbench.batch.tasks import HTML_NAME, NOTEBOOK_NAME, RunOutcome, RunTask
from workbench.reporting.provenance import GIT_COMMIT_ENV, git_commit, package_versions

DEFAULT_TIMEOUT_S = 1800.0
DEFAULT_LOCK_WAIT_S = 60.0
PREFERRED_KERNEL = "workbench"
FALLBACK_KERNEL = "python3"
PASSED_ENV = ("WORKBENCH_HOME", "WORKBENCH_REAL_DATA", "WORKBENCH_REPORTS")


@dataclass
class BatchResult:
    """Where a batch went and how it ended."""

    folder: Path
    index: Path
    manifest: dict[str, Any]

    @property
    def failed(self) -> int:
        return int(self.manifest["summary"]["failed"])

    @property
    def executed(self) -> int:
        return int(self.manifest["summary"]["ok"]) + self.failed


def pick_kernel() -> str:
    """``workbench`` when that kernelspec is installed, else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return PREFERRED_KERNEL if PREFERRED_KERNEL in specs else FALLBACK_KERNEL


def _utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _new_batch_dir(plan_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, n = plan_dir / stamp, 1
    while folder.exists():
        n += 1
        folder = plan_dir / f"{stamp}-{n}"
    folder.mkdir(parents=True)
    return folder


def _point(link: Path, target: str) -> None:
    """Atomically make ``link`` a relative symlink to ``target``."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def _display_path(path: Path) -> str:
    from workbench.config import project_root

    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------ engines
_started_queue: Any = None


def _init_worker(started: Any, zygote: tuple[list[str], str] | None, main_pid: int) -> None:
    """Worker start: die with the batch (:mod:`workbench.batch.lifeline`), remember the start
    queue, fork kernels from the batch's pre-warmed zygote (:mod:`workbench.batch.prewarm`)."""
    global _started_queue
    from workbench.batch import lifeline

    lifeline.die_with(main_pid)
    _started_queue = started
    prewarm.connect(zygote)


def _pool_run(task: RunTask) -> RunOutcome:
    from workbench.batch.execution import execute_run

    if _started_queue is not None:
        _started_queue.put(task.run_id)
    return execute_run(task)


def _failed_outcome(task: RunTask, exc: BaseException) -> RunOutcome:
    now = _utc()
    return RunOutcome(
        run_id=task.run_id,
        status="failed",
        started_at=now,
        finished_at=now,
        duration_s=0.0,
        error={
            "cell_index": None,
            "execution_count": None,
            "cell_source": "",
            "ename": type(exc).__name__,
            "evalue": f"the worker running this notebook failed: {exc}",
            "traceback": "",
        },
    )


def _local_outcomes(
    tasks: list[RunTask], workers: int, on_start: Callable[[str], None]
) -> Iterator[tuple[RunTask, RunOutcome]]:
    # The zygote imports while the forkserver and workers start (switch read here, in the main
    # process: the forkserver keeps the environment of the first batch of a process).
    zygote = prewarm.start_zygote(tasks[0].kernel_name)
    ctx = multiprocessing.get_context("forkserver")
    # papermill imported, HTML exporter built and its templates compiled once, then fork
    ctx.set_forkserver_preload(["workbench.batch.worker_preload"])
    started = ctx.Queue()
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(started, zygote.handle() if zygote else None, os.getpid()),
        ) as pool:
            pending = {pool.submit(_pool_run, t): t for t in tasks}
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                while True:
                    try:
                        on_start(started.get_nowait())
                    except queue.Empty:
                        break
                for fut in done:
                    task = pending.pop(fut)
                    try:
                        outcome = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a crashed worker fails only its run
                        outcome = _failed_outcome(task, exc)
                    yield task, outcome
    finally:
        if zygote is not None:
            zygote.close()


def _dask_client(address: str) -> Any:
    """Connect to the Dask scheduler (before anything is written), with a clear error."""
    from distributed import Client

    from workbench.errors import WorkbenchError

    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise WorkbenchError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None


def _dask_outcomes(
    tasks: list[RunTask], client: Any, on_start: Callable[[str], None]
) -> Iterator[tuple[RunTask, RunOutcome]]:
    from distributed import as_completed

    from workbench.batch.execution import execute_run

    futures = {}
    for t in tasks:
        key = f"workbench-run-{t.run_id}-{time.time_ns()}"
        futures[client.submit(execute_run, t, key=key, pure=False)] = t
    for t in tasks[: sum(client.nthreads().values())]:
        on_start(t.run_id)
    for fut in as_completed(list(futures)):
        task = futures[fut]
        try:
            outcome = fut.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker fails only its run
            outcome = _failed_outcome(task, exc)
        yield task, outcome


# ------------------------------------------------------------------------------ progress
class _Progress:
    """done / failed / running, elapsed and ETA; one line per finished run when not on a terminal."""

    def __init__(self, total: int, console: Console, enabled: bool) -> None:
        self.console = console
        self.interactive = enabled and console.is_terminal
        self.counts = {"ok": 0, "failed": 0, "reused": 0}
        self.running: set[str] = set()
        self.total = total
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not self.interactive,
        )
        self.task = self.progress.add_task("runs", total=total, status=self._status())
        self.enabled = enabled

    def _status(self) -> str:
        c = self.counts
        return f"ok {c['ok']} reused {c['reused']} failed {c['failed']} running {len(self.running)}"

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, run_id: str) -> None:
        self.running.add(run_id)
        self.progress.update(self.task, status=self._status())

    def finished(
        self, run_id: str, status: str, seconds: float, error: dict[str, Any] | None
    ) -> None:
        self.running.discard(run_id)
        self.counts["failed" if status in {"failed", "timeout"} else status] += 1
        self.progress.update(self.task, advance=1, status=self._status())
        done = sum(self.counts.values())
        if error is not None and self.enabled:
            self.progress.console.print(
                f"[red]{status}[/] {run_id}: {error.get('ename')}: {str(error.get('evalue'))[:200]}",
                highlight=False,
                markup=True,
            )
        elif self.enabled and not self.interactive:
            self.console.print(
                f"[{done}/{self.total}] {status} {run_id} ({seconds:.1f} s)", highlight=False
            )


# ------------------------------------------------------------------------------ the batch
def _run_entry(
    run: PlannedRun,
    notebook_sha: str,
    batch_dir: Path,
    outcome: RunOutcome | None = None,
    reused: dict[str, Any] | None = None,
) -> dict[str, Any]:
    folder = batch_dir / run.run_id
    record: dict[str, Any] = {}
    if outcome is not None and outcome.record:
        record = outcome.record
    elif reused is not None:
        record = reused.get("record") or {}
    html = folder / HTML_NAME
    datasets = [
        {
            "dataset_id": d["dataset_id"],
            "sha256": d.get("sha256"),
            "synthetic": bool(d.get("synthetic")),
        }
        for d in record.get("datasets", [])
    ]
    entry: dict[str, Any] = {
        "run_id": run.run_id,
        "notebook": _display_path(run.notebook),
        "notebook_sha256": notebook_sha,
        "parameters": run.all_parameters,
        "given_parameters": run.parameters,
        "datasets": datasets,
        "synthetic": any(d["synthetic"] for d in datasets),
        "outputs": {
            "folder": run.run_id,
            "html": f"{run.run_id}/{HTML_NAME}" if html.exists() else None,
            "notebook": f"{run.run_id}/{NOTEBOOK_NAME}"
            if (folder / NOTEBOOK_NAME).exists()
            else None,
            "csv": sorted(p.name for p in folder.glob("*.csv")),
        },
        "html_bytes": html.stat().st_size if html.exists() else None,
        "reused_from": None,
    }
    if outcome is not None:
        entry.update(
            status=outcome.status,
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
            duration_s=outcome.duration_s,
            phases=outcome.phases,
            worker=outcome.worker,
            error=outcome.error,
        )
    else:
        assert reused is not None
        entry.update(
            status="reused",
            started_at=reused.get("started_at"),
            finished_at=reused.get("finished_at"),
            duration_s=0.0,
            phases={},
            worker="",
            error=None,
            reused_from=reused.get("batch"),
        )
    return entry


@dataclass
class BatchContext:
    """What one batch runs with: the plan, where it writes, how it executes (see :func:`run_plan`)."""

    plan: Plan
    plan_dir: Path
    out_root: Path
    workers: int
    changed_only: bool
    timeout: float | None
    dask: str | None
    client: Any
    console: Console
    progress: bool
    kernel: str
    commit: str
    kb: Path
    env: dict[str, str]


@dataclass
class _BatchState:
    """The batch being written: its folder, per-run identities, entries and incremental state."""

    folder: Path
    started_at: str
    t0: float
    state: dict[str, Any]
    by_id: dict[str, PlannedRun]
    shas: dict[str, str]
    versions: dict[str, str]
    fingerprints: dict[str, dict[str, str]]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_plan(
    plan: Plan,
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    changed_only: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    dask: str | None = None,
    lock_wait: float = DEFAULT_LOCK_WAIT_S,
    console: Console | None = None,
    progress: bool = True,
) -> BatchResult:
    """Execute every run of ``plan`` and write the batch folder; see the module docstring."""
    from workbench.config import db_path, reports_dir

    out_root = Path(out).resolve() if out else reports_dir()
    commit = git_commit()
    kb = db_path()
    env = {"WORKBENCH_DB": str(kb), GIT_COMMIT_ENV: commit}
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    client = _dask_client(dask) if dask else None
    ctx = BatchContext(
        plan=plan,
        plan_dir=out_root / plan.name,
        out_root=out_root,
        workers=max(1, workers or os.cpu_count() or 1),
        changed_only=changed_only,
        timeout=timeout,
        dask=dask,
        client=client,
        console=console or Console(stderr=True),
        progress=progress,
        kernel=pick_kernel(),
        commit=commit,
        kb=kb,
        env=env,
    )
    try:
        with batch_lock(ctx.plan_dir, wait=lock_wait, label=f"plan {plan.name!r}"):
            return _run_batch(ctx)
    finally:
        if client is not None:
            client.close()


def _run_batch(ctx: BatchContext) -> BatchResult:
    """Reuse unchanged runs (``--changed-only``), execute the others, write manifest and index."""
    batch = _start_batch(ctx)
    reuse = _reusable_runs(ctx, batch) if ctx.changed_only else {}
    with _Progress(len(ctx.plan.runs), ctx.console, ctx.progress) as bar:
        for run_id, source in reuse.items():
            shutil.copytree(source, batch.folder / run_id)
            batch.entries[run_id] = _run_entry(
                batch.by_id[run_id], batch.shas[run_id], batch.folder, reused=batch.state[run_id]
            )
            batch.state[run_id]["batch"] = batch.folder.name
            bar.finished(run_id, "reused", 0.0, None)
        tasks = [_task(ctx, batch, r) for r in ctx.plan.runs if r.run_id not in reuse]
        if tasks:
            outcomes = (
                _dask_outcomes(tasks, ctx.client, bar.started)
                if ctx.client is not None
                else _local_outcomes(tasks, min(ctx.workers, len(tasks)), bar.started)
            )
            for task, outcome in outcomes:
                _record_outcome(batch, task, outcome)
                bar.finished(task.run_id, outcome.status, outcome.duration_s, outcome.error)
    return _finish_batch(ctx, batch)


def _start_batch(ctx: BatchContext) -> _BatchState:
    """A new batch folder (with plotly.js), the incremental state and each run's fingerprint."""
    from workbench.reporting.html_export import write_plotly_js

    t0 = time.perf_counter()
    started_at = _utc()
    folder = _new_batch_dir(ctx.plan_dir)
    write_plotly_js(folder)
    runs = ctx.plan.runs
    shas = {r.run_id: incremental.file_sha256(r.notebook) for r in runs}
    versions = package_versions()
    code = incremental.code_identity(ctx.commit, versions)
    fingerprints = {
        r.run_id: incremental.fingerprint(shas[r.run_id], r.parameters_hash(), ctx.kernel, code)
        for r in runs
    }
    return _BatchState(
        folder=folder,
        started_at=started_at,
        t0=t0,
        state=incremental.load_state(ctx.plan_dir),
        by_id={r.run_id: r for r in runs},
        shas=shas,
        versions=versions,
        fingerprints=fingerprints,
    )


def _reusable_runs(ctx: BatchContext, batch: _BatchState) -> dict[str, str]:
    """run id -> folder of an earlier output that is still valid (same fingerprint and data)."""
    state = batch.state
    ds_ids = sorted(
        {d for r in ctx.plan.runs for d in (state.get(r.run_id, {}).get("datasets") or {})}
    )
    current = incremental.current_dataset_hashes(ds_ids)
    reuse: dict[str, str] = {}
    for r in ctx.plan.runs:
        source = incremental.reusable(
            state.get(r.run_id), batch.fingerprints[r.run_id], current, ctx.plan_dir
        )
        if source:
            reuse[r.run_id] = source
    return reuse


def _task(ctx: BatchContext, batch: _BatchState, run: PlannedRun) -> RunTask:
    return RunTask(
        run_id=run.run_id,
        notebook_name=run.notebook.name,
        notebook_json=run.notebook.read_text(encoding="utf-8"),
        parameters=run.parameters,
        kernel_name=ctx.kernel,
        timeout=ctx.timeout,
        env=ctx.env,
        cwd=str(run.notebook.parent),
        out_dir=None if ctx.dask else str(batch.folder / run.run_id),
    )


def _record_outcome(batch: _BatchState, task: RunTask, outcome: RunOutcome) -> None:
    """Write files returned by a remote worker, the run's manifest entry and incremental state."""
    if outcome.files is not None:
        folder = batch.folder / task.run_id
        for rel, payload in outcome.files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
        outcome.files = None
    run = batch.by_id[task.run_id]
    batch.entries[task.run_id] = _run_entry(
        run, batch.shas[task.run_id], batch.folder, outcome=outcome
    )
    if outcome.status != "ok":
        batch.state.pop(task.run_id, None)
        return
    batch.state[task.run_id] = {
        "run_id": task.run_id,
        "batch": batch.folder.name,
        "fingerprint": batch.fingerprints[task.run_id],
        "datasets": {
            d["dataset_id"]: d.get("sha256") for d in (outcome.record or {}).get("datasets", [])
        },
        "record": outcome.record,
        "started_at": outcome.started_at,
        "finished_at": outcome.finished_at,
    }


def _finish_batch(ctx: BatchContext, batch: _BatchState) -> BatchResult:
    """manifest.json, index.html, incremental state and the ``latest`` links."""
    manifest = _manifest(ctx, batch)
    (batch.folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str), encoding="utf-8"
    )
    index = write_index(manifest, batch.folder)
    incremental.save_state(ctx.plan_dir, batch.state)
    # `<plan>/latest`: the last complete batch of this plan (an --only subset does not move it);
    # `latest`: the last complete batch of a plan file - a one-notebook run never hides it
    if not ctx.plan.partial:
        _point(ctx.plan_dir / "latest", batch.folder.name)
        if ctx.plan.path is not None:
            _point(ctx.out_root / "latest", f"{ctx.plan.name}/{batch.folder.name}")
    return BatchResult(folder=batch.folder, index=index, manifest=manifest)


def _manifest(ctx: BatchContext, batch: _BatchState) -> dict[str, Any]:
    plan = ctx.plan
    runs = [batch.entries[r.run_id] for r in plan.runs]
    summary = {
        "total": len(runs),
        "ok": sum(e["status"] == "ok" for e in runs),
        "reused": sum(e["status"] == "reused" for e in runs),
        "failed": sum(e["status"] in {"failed", "timeout"} for e in runs),
    }
    return {
        "plan": plan.name,
        "plan_file": _display_path(plan.path) if plan.path else None,
        "description": plan.description,
        "batch": batch.folder.name,
        "started_at": batch.started_at,
        "finished_at": _utc(),
        "duration_s": round(time.perf_counter() - batch.t0, 3),
        "status": "failed" if summary["failed"] else "ok",
        "summary": summary,
        "git_commit": ctx.commit,
        "versions": batch.versions,
        "kb_path": str(ctx.kb),
        "kernel": ctx.kernel,
        "workers": ctx.workers if not ctx.dask else None,
        "engine": f"dask {ctx.dask}" if ctx.dask else "local process pool",
        "changed_only": ctx.changed_only,
        "timeout_s": ctx.timeout,
        "notes": plan.notes,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "runs": runs,
    }
