"""Plotly figures of the foresight report and facilitator (participant text escaped in labels)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go


def _esc(values: pd.Series) -> list[str]:
    return [html.escape(str(v)) for v in values]


def delphi_figure(stats: pd.DataFrame, title: str) -> go.Figure:
    """Median per statement with the interquartile range as error bars."""
    fig = go.Figure(
        go.Scatter(
            x=stats["median"],
            y=_esc(stats["statement_id"]),
            mode="markers",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": stats["q3"] - stats["median"],
                "arrayminus": stats["median"] - stats["q1"],
            },
            marker={
                "size": 10,
                "color": ["#1a7f37" if c else "#b54708" for c in stats["consensus"]],
            },
            hovertext=_esc(stats.get("statement", stats["statement_id"])),
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="median answer (bars: interquartile range)",
        yaxis_title="statement",
        height=120 + 35 * len(stats),
    )
    return fig


def impact_uncertainty_figure(matrix: pd.DataFrame, title: str) -> go.Figure:
    """Drivers on mean uncertainty (x) and mean impact (y), coloured by quadrant."""
    fig = go.Figure()
    for quadrant, part in matrix.groupby("quadrant"):
        fig.add_scatter(
            x=part["uncertainty_mean"],
            y=part["impact_mean"],
            mode="markers+text",
            name=str(quadrant),
            text=_esc(part["driver_id"]),
            textposition="top center",
            hovertext=_esc(part["label"]),
        )
    fig.update_layout(
        title=title,
        xaxis_title="uncertainty (mean, 1-5)",
        yaxis_title="impact (mean, 1-5)",
        xaxis_range=[0.8, 5.2],
        yaxis_range=[0.8, 5.2],
    )
    return fig


def micmac_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """Influence/dependence plane, direct and indirect positions."""
    fig = go.Figure()
    for kind, symbol in (("direct", "circle"), ("indirect", "diamond")):
        fig.add_scatter(
            x=table[f"dependence_{kind}"],
            y=table[f"influence_{kind}"],
            mode="markers+text",
            name=kind,
            marker_symbol=symbol,
            text=_esc(table["variable"]),
            textposition="top center",
        )
    fig.add_hline(y=table["influence_direct"].mean(), line_dash="dot")
    fig.add_vline(x=table["dependence_direct"].mean(), line_dash="dot")
    fig.update_layout(title=title, xaxis_title="dependence", yaxis_title="influence")
    return fig
