"""Run a report notebook for real (papermill, a fresh ``workbench`` kernel) in a test.

The knowledge base and the report folder reach the kernel through ``WORKBENCH_DB`` and
``WORKBENCH_REPORT_DIR``; both are set for the run only and restored afterwards.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


@contextlib.contextmanager
def environment(**values: str | os.PathLike[str] | None) -> Iterator[None]:
    """Set (or, for ``None``, leave alone) environment variables for a block, then restore them."""
    given = {k: str(v) for k, v in values.items() if v is not None}
    old = {k: os.environ.get(k) for k in given}
    os.environ.update(given)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_notebook(
    notebook: str | os.PathLike[str],
    output: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    report_dir: str | os.PathLike[str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    kernel_name: str = "workbench",
) -> Path:
    """Execute ``notebook`` (a path, or a name relative to ``notebooks/``) into ``output``.

    Raises papermill's ``PapermillExecutionError`` when a cell fails.  Returns ``output``.
    """
    import papermill

    source = Path(notebook)
    if not source.is_absolute() and not source.exists():
        source = NOTEBOOKS / source
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with environment(WORKBENCH_DB=db, WORKBENCH_REPORT_DIR=report_dir):
        papermill.execute_notebook(
            str(source),
            str(out),
            parameters=dict(parameters or {}),
            kernel_name=kernel_name,
            progress_bar=False,
            cwd=str(cwd or out.parent),
        )
    return out
