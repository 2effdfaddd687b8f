"""``--changed-only``: skip runs whose notebook, parameters and input data are unchanged.

After every successful run the plan's ``state.json`` (next to its batch folders) records a
fingerprint: sha256 of the notebook file, sha256 of the full parameter values, the kernel, the code
(git commit of the checkout and versions of the workbench and the analysis packages), and the sha256
of every knowledge-base dataset the report declared (``report.use_datasets`` /
``start_report(datasets=...)``).  Uncommitted edits of the package code are not detected: run without
``--changed-only`` after changing code in place.  A run is reused when all of these are unchanged and its earlier
output folder still exists; its outputs are copied into the new batch, so every batch is complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

STATE_NAME = "state.json"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_state(plan_dir: Path) -> dict[str, Any]:
    """The plan's last successful run per run id (empty when there is none or it is unreadable)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((plan_dir / STATE_NAME).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def save_state(plan_dir: Path, state: dict[str, Any]) -> None:
    """Write the state atomically."""
    tmp = plan_dir / (STATE_NAME + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(plan_dir / STATE_NAME)


def current_dataset_hashes(ids: list[str]) -> dict[str, str | None]:
    """Current sha256 of knowledge-base datasets (``None`` for ids that are gone)."""
    if not ids:
        return {}
    from workbench.kb import query

    frame = query(
        "SELECT dataset_id, sha256 FROM datasets WHERE list_contains(?, dataset_id)", [ids]
    )
    found = dict(zip(frame["dataset_id"], frame["sha256"], strict=True))
    return {i: found.get(i) for i in ids}


def fingerprint(notebook_sha: str, parameters_sha: str, kernel: str, code: str) -> dict[str, str]:
    """The part of a run's identity known before it runs."""
    return {
        "notebook_sha256": notebook_sha,
        "parameters_sha256": parameters_sha,
        "kernel": kernel,
        "code": code,
    }


def code_identity(commit: str, versions: dict[str, str]) -> str:
    """Commit (without the uncommitted-changes note) plus package versions, as one string."""
    bare = commit.split(" ", 1)[0]
    return bare + ";" + ";".join(f"{k}={v}" for k, v in sorted(versions.items()))


def reusable(
    entry: dict[str, Any] | None,
    expected: dict[str, str],
    dataset_hashes: dict[str, str | None],
    plan_dir: Path,
) -> str | None:
    """The earlier run folder to reuse, or None when the run must execute again."""
    if not entry or entry.get("fingerprint") != expected:
        return None
    for ds, sha in (entry.get("datasets") or {}).items():
        if dataset_hashes.get(ds) != sha:
            return None
    folder = plan_dir / entry.get("batch", "") / entry.get("run_id", "")
    return str(folder) if entry.get("batch") and folder.is_dir() else None
