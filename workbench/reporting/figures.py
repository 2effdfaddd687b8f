"""Plotly figures as notebook outputs that survive ``nbconvert`` and draw offline.

plotly 6/7 store figures by default only as ``application/vnd.plotly.v1+json``, which nbconvert drops
silently.  Every figure shown through a report therefore carries two representations:

* ``application/vnd.plotly.v1+json`` - rendered interactively by JupyterLab / Voila;
* ``text/html`` - a ``<div>`` plus a ``Plotly.newPlot`` call *without* plotly.js.  The HTML report
  loads plotly.js once from a file in its folder (see :mod:`workbench.reporting.html_export`), so a
  report with five charts stays a few hundred KB instead of 5 MB per chart, and draws without internet.
"""

from __future__ import annotations

import json
from typing import Any

from workbench.errors import ValidationError
from workbench.reporting.fast_imports import skip_rfc3987_grammar

RENDERER_NAME = "workbench"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def figure_bundle(fig: Any) -> dict[str, Any]:
    """The mime bundle for one plotly figure (or figure dict): plotly JSON + HTML div + plain text."""
    import plotly.io as pio

    if hasattr(fig, "to_plotly_json"):
        fig_dict = fig.to_plotly_json()
    elif isinstance(fig, dict) and ("data" in fig or "layout" in fig):
        fig_dict = dict(fig)
    else:
        raise ValidationError(
            f"expected a plotly figure (plotly.graph_objects.Figure or plotly.express), got {type(fig).__name__}"
        )
    from workbench.reporting.theme import wrap_title

    title = (fig_dict.get("layout") or {}).get("title")
    if isinstance(title, dict) and isinstance(title.get("text"), str):
        wrapped = wrap_title(title["text"])
        layout = dict(fig_dict["layout"])
        layout["title"] = {**title, "text": wrapped}
        # room for every title line above the plot (plotly does not grow the margin itself)
        lines = wrapped.count("<br>") + 1
        margin = dict(layout.get("margin") or {})
        margin["t"] = max(int(margin.get("t") or 0), 50 + 24 * lines)
        layout["margin"] = margin
        fig_dict = {**fig_dict, "layout": layout}
    plotly_json = json.loads(pio.to_json(fig_dict, validate=False, remove_uids=False))
    plotly_json["config"] = PLOTLY_CONFIG
    html = pio.to_html(
        fig_dict,
        include_plotlyjs=False,
        full_html=False,
        config=PLOTLY_CONFIG,
        validate=False,
    )
    title = ((plotly_json.get("layout") or {}).get("title") or {}).get("text") or "chart"
    return {
        "application/vnd.plotly.v1+json": plotly_json,
        "text/html": html,
        "text/plain": f"<plotly figure: {title}>",
    }


def configure_plotly_renderer() -> str:
    """Register and select the ``workbench`` renderer so that plain ``fig.show()`` also survives HTML,
    and make the house style (:mod:`workbench.reporting.theme`) plotly's default template.

    Accessing ``plotly.io.renderers`` imports nbformat; :func:`skip_rfc3987_grammar` is applied first
    so that this costs ~0.1 s instead of ~0.8 s per kernel.  Returns the renderer name.
    """
    skip_rfc3987_grammar()
    import plotly.io as pio
    from plotly.io._base_renderers import MimetypeRenderer

    from workbench.reporting.theme import use_house_style

    use_house_style()

    class _WorkbenchRenderer(MimetypeRenderer):
        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
            return figure_bundle(fig_dict)

    if RENDERER_NAME not in pio.renderers:
        pio.renderers[RENDERER_NAME] = _WorkbenchRenderer()
    pio.renderers.default = RENDERER_NAME
    return RENDERER_NAME
