"""The knowledge-base overview's figure (plotly)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.overview.reports import coverage_matrix


def coverage_figure(cov: pd.DataFrame, country: str) -> go.Figure:
    """Heatmap of :func:`coverage_matrix` (plotly)."""
    matrix = coverage_matrix(cov)
    names = cov.drop_duplicates("region").set_index("region")["region_name"]
    labels = [f"{r} {names.get(r) or ''}".strip() for r in matrix.index]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=labels,
            colorscale="Blues",
            zmin=0,  # counts: the scale starts at zero, so 81 of 90 values does not look empty
            zmax=max(float(matrix.max().max()), 1.0) if matrix.size else 1.0,
            colorbar={"title": "values (count)"},
            hovertemplate="%{y}<br>%{x}: %{z} values<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Coverage of {country}: non-missing values by region and year",
        xaxis_title="period",
        yaxis={"autorange": "reversed"},
        height=max(300, 28 * len(labels) + 150),
    )
    return fig
