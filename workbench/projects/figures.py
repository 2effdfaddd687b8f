"""Plotly figures of the project reports (data in, figure out)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

_COLOURS = {"done": "#7f7f7f", "running": "#1f77b4", "planned": "#aec7e8",
            "delivered": "#2ca02c", "due": "#ff7f0e", "overdue": "#d62728"}  # fmt: skip
_RAG = {"green": "#2ca02c", "amber": "#ff9f1c", "red": "#d62728", "no target": "#bbbbbb"}


def gantt(rows: pd.DataFrame, as_of: dt.date, title: str) -> go.Figure:
    """Activities as bars, deliverables as diamonds (red: overdue), a vertical line at ``as_of``."""
    acts = rows[rows["kind"] == "activity"]
    fig = px.timeline(
        acts, x_start="start", x_end="end", y="item", color="status",
        color_discrete_map=_COLOURS, hover_data=["wp_id"],
    )  # fmt: skip
    dels = rows[rows["kind"] == "deliverable"]
    for status, group in dels.groupby("status"):
        fig.add_trace(
            go.Scatter(
                x=group["start"],
                y=group["item"],
                mode="markers",
                name=f"deliverable {status}",
                marker={"symbol": "diamond", "size": 10, "color": _COLOURS.get(str(status))},
            )  # fmt: skip
        )
    fig.add_shape(type="line", x0=as_of, x1=as_of, y0=0, y1=1, yref="paper", line={"dash": "dash"})
    fig.add_annotation(x=as_of, y=1, yref="paper", text=f"today {as_of:%Y-%m-%d}", showarrow=False)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_layout(title=title, height=max(400, 22 * len(rows)))
    return fig


def absorption_chart(table: pd.DataFrame, threshold: float, title: str) -> go.Figure:
    """Cumulative absorption per partner (%), the underspend threshold as a line."""
    fig = go.Figure(
        go.Bar(
            x=100 * table["absorption"],
            y=table["name"] + " (" + table["partner_id"] + ")",
            orientation="h",
            marker_color=["#d62728" if u else "#1f77b4" for u in table["underspend"]],
        )  # fmt: skip
    )
    fig.add_vline(x=100 * threshold, line_dash="dash", annotation_text="underspend threshold")
    fig.update_layout(
        title=title, xaxis_title="cumulative absorption, %", height=max(400, 24 * len(table))
    )
    return fig


def rag_chart(table: pd.DataFrame, title: str) -> go.Figure:
    """Achieved as % of the pro-rata target per indicator, coloured red/amber/green."""
    t = table[table["status"] != "no target"]
    fig = go.Figure(
        go.Bar(
            x=100 * t["ratio"],
            y=t["name"] + " (" + t["indicator_code"] + ")",
            orientation="h",
            marker_color=[_RAG[s] for s in t["status"]],
        )  # fmt: skip
    )
    fig.update_layout(title=title, xaxis_title="% of pro-rata target", height=max(400, 26 * len(t)))
    return fig
