"""What the batch's main process and its workers exchange: :class:`RunTask` in, :class:`RunOutcome`
out, and the run folder's file names.  Kept apart from :mod:`workbench.batch.execution` so the main
process builds tasks without importing papermill, nbclient and nbconvert (only workers need them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOTEBOOK_NAME = "notebook.ipynb"
HTML_NAME = "report.html"


@dataclass
class RunTask:
    """Everything a worker needs for one run (picklable; the notebook travels as JSON text)."""

    run_id: str
    notebook_name: str
    notebook_json: str
    parameters: dict[str, Any]
    kernel_name: str
    timeout: float | None
    env: dict[str, str]
    cwd: str | None = None  # kernel working directory (the notebook's folder when it exists)
    out_dir: str | None = None  # write here; None: temp folder, files returned in the outcome


@dataclass
class RunOutcome:
    """What happened in one run."""

    run_id: str
    status: str  # ok | failed | timeout
    started_at: str
    finished_at: str
    duration_s: float
    error: dict[str, Any] | None = None
    record: dict[str, Any] | None = None  # the report's report.json (parameters, datasets, ...)
    phases: dict[str, float] = field(default_factory=dict)  # kernel_start / cells / html seconds
    files: dict[str, bytes] | None = None  # when out_dir was None (gathered from a Dask worker)
    worker: str = ""
