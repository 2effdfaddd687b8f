"""HTML fragments of reports (tables, figures, banner, provenance, reader guide) from Jinja2 templates
in ``templates/fragments/``, with autoescaping: every value shown is escaped (parameters, titles and
participants' text may contain markup)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

FRAGMENTS = Path(__file__).resolve().parent / "templates" / "fragments"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of report fragments (autoescape on, undefined names are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FRAGMENTS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(template: str, **values: Any) -> str:
    """Render one fragment template (``templates/fragments/<template>``) to an HTML string."""
    return environment().get_template(template).render(**values).strip()
