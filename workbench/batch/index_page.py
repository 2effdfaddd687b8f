"""``index.html`` of a batch: every run with status, parameters, duration and links; failures show the
failing cell and error.  Rendered with Jinja2 autoescaping (parameters may hold participants' text)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_index(manifest: dict[str, Any]) -> str:
    """HTML of the batch index for a manifest (see :mod:`workbench.batch.runner`)."""
    return _env().get_template("index.html.j2").render(m=manifest)


def write_index(manifest: dict[str, Any], folder: Path) -> Path:
    """Write ``index.html`` into the batch folder."""
    path = folder / "index.html"
    path.write_text(render_index(manifest), encoding="utf-8")
    return path
