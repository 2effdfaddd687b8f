"""``index.html`` of a batch: runs grouped by report type (with the one-line question each type
answers), each with its title (region / pilot names), synthetic flag, status, parameters, duration and
links; failures show the failing cell and error.  Rendered with Jinja2 autoescaping (parameters may
hold participants' text)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from workbench.reporting.guides import question, type_name

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _title(run: dict[str, Any], folder: Path | None) -> str:
    if folder is not None:
        sidecar = folder / run["run_id"] / "report.json"
        try:
            title = json.loads(sidecar.read_text(encoding="utf-8")).get("title")
        except (OSError, ValueError):
            title = None
        if title:
            return str(title)
    return str(run["run_id"])


def report_groups(manifest: dict[str, Any], folder: Path | None = None) -> list[dict[str, Any]]:
    """Runs grouped by report type (notebook name), in plan order: name, question, runs (each with
    ``title`` from its ``report.json``)."""
    groups: dict[str, dict[str, Any]] = {}
    for run in manifest["runs"]:
        kind = Path(run["notebook"]).stem
        group = groups.setdefault(
            kind,
            {"type": kind, "name": type_name(kind), "question": question(kind), "runs": []},
        )
        group["runs"].append({**run, "title": _title(run, folder)})
    return list(groups.values())


def render_index(manifest: dict[str, Any], folder: Path | None = None) -> str:
    """HTML of the batch index for a manifest (see :mod:`workbench.batch.runner`)."""
    return (
        _env()
        .get_template("index.html.j2")
        .render(m=manifest, groups=report_groups(manifest, folder))
    )


def write_index(manifest: dict[str, Any], folder: Path) -> Path:
    """Write ``index.html`` into the batch folder."""
    path = folder / "index.html"
    path.write_text(render_index(manifest, folder), encoding="utf-8")
    return path
