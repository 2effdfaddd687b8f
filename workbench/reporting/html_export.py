"""Executed notebook -> HTML report without code cells, charts drawn offline.

plotly.js (4.8 MB) is written **once per folder** as ``plotly.min.js`` and referenced by every report
in that folder (custom nbconvert template ``templates/workbench_report``), or inlined once for a
one-file report (``self_contained=True``: gzip + base64, ~2 MB, unpacked in the browser with
``DecompressionStream``, available in every current browser).  ``report.css`` beside the template styles tables and
figures and holds the A4 print stylesheet.  The template also drops
the require.js / MathJax / Mermaid / widget CDN references of nbconvert's ``lab`` template, so a
report neither needs nor tries the internet.  A report with five charts is a few hundred KB.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from workbench.reporting.fast_imports import skip_rfc3987_grammar

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "workbench_report"
PLOTLY_JS_NAME = "plotly.min.js"


@cache
def _exporter() -> Any:
    skip_rfc3987_grammar()
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # validate once after all preprocessors instead of after each of them (same result for a
        # valid notebook; an invalid one still raises)
        optimistic_validation=True,
    )


def warm_up() -> None:
    """Build the shared exporter and compile its templates once (a batch's forkserver calls this
    before forking its workers, so no worker pays it per process)."""
    skip_rfc3987_grammar()
    import nbformat.v4 as v4

    cell = v4.new_code_cell(
        "x",
        outputs=[
            v4.new_output("display_data", {"text/html": "<p>x</p>", "text/plain": "x"}),
            v4.new_output("stream", name="stdout", text="x"),
        ],
    )
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# x"), cell])
    _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": "workbench-warm-up"}, "plotly_js_src": PLOTLY_JS_NAME}
    )


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


@cache
def _plotly_js_packed() -> str:
    """plotly.js gzip-compressed and base64-encoded (~2 MB) for one-file reports."""
    import base64
    import gzip

    return base64.b64encode(gzip.compress(_plotly_js(), compresslevel=9, mtime=0)).decode("ascii")


def write_plotly_js(folder: str | os.PathLike[str]) -> Path:
    """Write ``plotly.min.js`` into ``folder`` unless an identical copy is already there."""
    target = Path(folder) / PLOTLY_JS_NAME
    payload = _plotly_js()
    if target.exists() and target.stat().st_size == len(payload):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(payload)
    tmp.replace(target)
    return target


def export_html(
    notebook: Any,
    html_path: str | os.PathLike[str],
    *,
    title: str | None = None,
    plotly_js_src: str = PLOTLY_JS_NAME,
    self_contained: bool = False,
) -> Path:
    """Convert an executed notebook (path or ``NotebookNode``) to an HTML report without code cells.

    ``plotly_js_src`` is the (relative) URL of plotly.js as seen from the HTML file; write the file
    itself with :func:`write_plotly_js`.  ``self_contained=True`` inlines plotly.js once instead
    (gzip + base64, about 2 MB, unpacked by the browser), so the file draws its charts alone and
    offline (see
    :mod:`workbench.reporting.sharing` for CSV and glossary links).
    """
    skip_rfc3987_grammar()
    import nbformat

    nb = (
        nbformat.read(str(notebook), as_version=4)
        if isinstance(notebook, str | os.PathLike)
        else notebook
    )
    html_path = Path(html_path)
    name = title or html_path.stem
    resources: dict[str, Any] = {"metadata": {"name": name}, "plotly_js_src": plotly_js_src}
    if self_contained:
        resources["plotly_js_packed"] = _plotly_js_packed()
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path
