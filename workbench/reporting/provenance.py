"""What a report was made from: parameters, knowledge-base datasets, package versions, git commit.

Used by the provenance block at the end of every report and by the batch manifest.  All text that is
rendered as HTML is escaped (dataset titles and parameters may contain participants' text).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench.errors import ValidationError

PROVENANCE_PACKAGES = (
    "workbench",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "duckdb",
    "plotly",
    "papermill",
    "nbconvert",
    "ipykernel",
)
DATASET_FIELDS = (
    "dataset_id",
    "title",
    "source",
    "file_name",
    "sha256",
    "imported_at",
    "synthetic",
)
DATASET_LABELS = {  # the column headers a reader sees (the fields keep their knowledge-base names)
    "dataset_id": "Dataset ID",
    "title": "Title",
    "source": "Source",
    "file_name": "File name",
    "sha256": "SHA-256 of the file",
    "imported_at": "Imported at",
    "synthetic": "Synthetic",
}
GIT_COMMIT_ENV = "WORKBENCH_GIT_COMMIT"


def package_versions(packages: Iterable[str] = PROVENANCE_PACKAGES) -> dict[str, str]:
    """Installed versions of the packages that shape a report's numbers and charts (plus Python)."""
    return dict(_versions(tuple(packages)))


@cache
def _versions(packages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    versions = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return tuple(versions.items())


@cache
def _git_commit_of(root: str) -> str:
    try:
        head = subprocess.run(
            ["git", "-C", root, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (git not available)"
    if head.returncode != 0:
        return "none (no commit yet)"
    commit = head.stdout.strip()
    try:
        status = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return commit
    return f"{commit} (with uncommitted changes)" if status.stdout.strip() else commit


def git_commit(root: str | os.PathLike[str] | None = None) -> str:
    """The project's git commit (``+ uncommitted changes`` when the tree is dirty).

    The batch runner computes it once and passes it to kernels in ``$WORKBENCH_GIT_COMMIT``.
    """
    env = os.environ.get(GIT_COMMIT_ENV)
    if env:
        return env
    if root is None:
        from workbench.config import project_root

        root = project_root()
    return _git_commit_of(str(Path(root)))


def lookup_datasets(
    ids: Sequence[str], db: str | os.PathLike[str] | None = None
) -> list[dict[str, Any]]:
    """Provenance rows of knowledge-base datasets, in the order given.

    Raises :class:`~workbench.errors.ValidationError` naming any id that is not in the knowledge base.
    """
    if not ids:
        return []
    from workbench.config import db_path
    from workbench.kb import reader
    from workbench.quality.notice import dataset_quality  # data doctor findings + corrections

    cols = ", ".join(DATASET_FIELDS)
    with reader(db) as con:  # one connection for the three queries (each open costs ~50 ms)
        frame = con.execute(
            f"SELECT {cols} FROM datasets WHERE list_contains(?, dataset_id)", [list(ids)]
        ).df()
        quality = dataset_quality(list(ids), db, con=con)
    # a column with no value at all comes back as float NaN (e.g. sha256 of demo datasets): None
    frame = frame.astype(object).where(frame.notna(), None)
    found = {row["dataset_id"]: row for row in frame.to_dict("records")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(
            f"dataset(s) {', '.join(missing)} not in the knowledge base {db_path(db)}; "
            "import them first (`workbench kb info` lists what is there)"
        )
    rows = []
    for i in ids:
        row = found[i]
        rows.append(
            {
                "dataset_id": row["dataset_id"],
                "title": row["title"],
                "source": row["source"],
                "file_name": row["file_name"],
                "sha256": row["sha256"],
                "imported_at": None if row["imported_at"] is None else str(row["imported_at"]),
                "synthetic": bool(row["synthetic"]),
            }
        )
    for r in rows:
        r.update(quality.get(r["dataset_id"], {}))
    return rows


def render_provenance_html(
    *,
    title: str,
    parameters: Mapping[str, Any],
    datasets: Sequence[Mapping[str, Any]],
    versions: Mapping[str, str],
    commit: str,
    kb_path: str,
    generated_at: str,
) -> str:
    """The provenance block as an HTML fragment (template ``fragments/provenance.html.j2``,
    every value escaped)."""
    from workbench.reporting.templating import render

    rows = [
        {
            f: ("yes - synthetic" if d.get(f) else "no")
            if f == "synthetic"
            else ("" if d.get(f) is None else d.get(f))
            for f in DATASET_FIELDS
        }
        for d in datasets
    ]
    return render(
        "provenance.html.j2",
        title=title,
        # as written in a run plan (JSON/YAML: true, "HR03", ["SI03", "SI04"])
        parameters=[
            (k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in parameters.items()
        ],
        datasets=rows,
        fields=DATASET_FIELDS,
        labels=DATASET_LABELS,
        versions=", ".join(f"{k} {v}" for k, v in versions.items()),
        commit=commit,
        kb_path=kb_path,
        generated_at=generated_at,
    )


def render_provenance_text(
    *,
    title: str,
    parameters: Mapping[str, Any],
    datasets: Sequence[Mapping[str, Any]],
    versions: Mapping[str, str],
    commit: str,
    kb_path: str,
    generated_at: str,
) -> str:
    """The provenance block as plain text (the ``text/plain`` representation)."""
    lines = [f"Provenance of {title!r}, generated {generated_at}", "Parameters:"]
    lines += [f"  {k} = {v!r}" for k, v in parameters.items()] or ["  none"]
    lines.append(f"Knowledge base: {kb_path}")
    for d in datasets:
        flag = " [SYNTHETIC]" if d.get("synthetic") else ""
        lines.append(
            f"  {d['dataset_id']}{flag}: {d.get('source')} {d.get('file_name')} sha256={d.get('sha256')} imported {d.get('imported_at')}"
        )
    lines.append("Software: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    lines.append(f"Git commit: {commit}")
    return "\n".join(lines)


def check_dataset_ids(ids: Iterable[str]) -> list[str]:
    """Validate a list of dataset ids (strings, no duplicates kept); returns them in order."""
    out: list[str] = []
    for i in ids:
        if not isinstance(i, str) or not i.strip():
            raise ValidationError(f"dataset id must be a non-empty string, got {i!r}")
        if i not in out:
            out.append(i)
    return out
