"""Maps in dashboards: a plotly ``FigureWidget`` whose regions can be clicked.

A click on a region calls ``on_select(code)``; the barrier dashboard uses it to filter its list
to the region.  The figure is :func:`workbench.maps.interactive.to_plotly` (no base map, nothing
fetched), so the dashboard stays offline too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.maps.interactive import to_plotly
from workbench.maps.model import RegionMap, category_map


def clickable_map(m: RegionMap, on_select: Callable[[str], None], *, height: int = 520) -> Any:
    """A ``go.FigureWidget`` of ``m``; clicking a region calls ``on_select(region_code)``."""
    import plotly.graph_objects as go

    fig = go.FigureWidget(to_plotly(m, height=height))
    regions = next(t for t in fig.data if t.type == "choropleth")

    def _click(trace: Any, points: Any, _state: Any) -> None:
        for i in points.point_inds:
            on_select(str(trace.locations[i]))
            return

    regions.on_click(_click)
    return fig


def barrier_region_map(barriers: pd.DataFrame, title: str) -> RegionMap:
    """Highest severity of the listed barriers by region (``barriers``: region, severity), as the
    barrier-matrix report's map: severity 3/2/1/0, regions without barriers "no barrier listed"."""
    cfg = load_defaults("maps")
    colours = cfg["severity_colours"]
    sev = (
        pd.to_numeric(barriers["severity"], errors="coerce").groupby(barriers["region"]).max()
        if len(barriers)
        else pd.Series(dtype=float)
    )
    groups = {
        f"severity {s}": sorted(str(r) for r in sev.index[sev.round() == s]) for s in (3, 2, 1)
    }
    groups["severity 0"] = sorted(str(r) for r in sev.index[sev.fillna(0).round() == 0])
    return category_map(
        groups,
        colours={f"severity {s}": colours[s] for s in (3, 2, 1, 0)},
        title=title,
        value_label="highest severity",
        other_label="no barrier listed",
        notes=["Click a region to list its barriers."],
    )
