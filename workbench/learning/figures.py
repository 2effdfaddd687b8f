"""Plotly figures of the learning platform (data in, figure out, no computation)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.wording import axis_label


def wheel_radar(means: pd.DataFrame, title: str = "RIS3 Assessment Wheel") -> go.Figure:
    """Radar of step means (output of :func:`workbench.learning.wheel.step_means`): one closed
    trace per assessment, radial axis 0-5."""
    fig = go.Figure()
    for name, group in means.groupby("assessment", sort=False):
        theta = group["step_name"].tolist()
        r = group["mean"].tolist()
        fig.add_trace(
            go.Scatterpolar(
                r=[*r, r[0]],
                theta=[*theta, theta[0]],
                name=str(name),
                fill="toself",
                opacity=0.55,
                hovertemplate="%{theta}: %{r:.1f} of 5<extra>" + str(name) + "</extra>",
            )
        )
    fig.update_layout(
        title=title,
        polar={"radialaxis": {"range": [0, 5], "dtick": 1}},
        showlegend=True,
    )
    return fig


def transfer_chart(ranking: pd.DataFrame, weights: dict[str, float], title: str) -> go.Figure:
    """Horizontal stacked bars: each practice's score split into its weighted components."""
    top = ranking.iloc[::-1]
    total = sum(weights.values())
    fig = go.Figure()
    for column, colour, label in (
        ("similarity", "#0072B2", "structural similarity"),
        ("barriers", "#E69F00", "barriers addressed"),
        ("governance", "#009E73", "governance level match"),
    ):
        fig.add_trace(
            go.Bar(
                x=top[column] * weights[column] / total,
                y=[  # the practice by name (shortened) and code, as the tables name it
                    f"{axis_label(t)} ({p})"
                    for t, p in zip(top["title"], top["practice_id"], strict=True)
                ],
                orientation="h",
                name=label,
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title,
        xaxis={"title": "transferability score (0-1)", "range": [0, 1]},
        height=max(320, 28 * len(top) + 140),
    )
    return fig
