"""Plotly figures of the pilot evaluation and mechanism ranking notebooks (data in, figure out).

Each function returns a plotly *figure dict* made JSON-safe through ``plotly.io.to_json``: plotly 7's
``to_plotly_json()`` keeps numpy arrays (string and datetime arrays among them) that the Jupyter
message serialiser refuses, so a ``go.Figure`` of dates or labels cannot be shown through
``Report.show``.  ``plotly.io.show`` / ``go.Figure(d)`` accept the dict as it is.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from workbench.evaluation.settings import criteria_labels

Figure = dict[str, Any]


def _plain(fig: go.Figure) -> Figure:
    return json.loads(pio.to_json(fig, validate=False))


# colour-blind-safe (blue = good, orange = bad; the status is also written on each bar)
STATUS_COLOURS = {
    "achieved": "#0072B2",
    "on track": "#56B4E9",
    "behind": "#E69F00",
    "moving away": "#D55E00",
    "no data": "#bdbdbd",
    "undefined: target equals baseline": "#bdbdbd",
}
#: 5-point answers, disagree (orange) to agree (blue): no red/green
LIKERT_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#dddddd", 4: "#56B4E9", 5: "#0072B2"}
#: diverging blue-orange scale for 1-5 scores (orange low, blue high)
SCORE_SCALE = [
    [0.0, "#D55E00"],
    [0.25, "#F0B27A"],
    [0.5, "#f7f7f7"],
    [0.75, "#8FC1E3"],
    [1.0, "#0072B2"],
]


def achievement_figure(achievement: pd.DataFrame, title: str) -> Figure:
    """Horizontal bars of achievement (1 = target reached) per indicator, coloured by status."""
    df = achievement.sort_values("level")
    fig = go.Figure(
        go.Bar(
            x=df["achievement"].fillna(0.0),
            y=df["name"] + " (" + df["level"] + ")",
            orientation="h",
            marker_color=[STATUS_COLOURS.get(s, "#999") for s in df["status"]],
            text=df["status"],
            hovertemplate="%{y}<br>achievement %{x:.2f}<br>%{text}<extra></extra>",
        )
    )
    fig.add_vline(x=1.0, line_dash="dash", annotation_text="target")
    fig.update_layout(
        title=title, xaxis_title="(actual - baseline) / (target - baseline)", height=380
    )
    return _plain(fig)


def outcome_figure(panel: pd.DataFrame, title: str) -> Figure:
    """Mean outcome of pilot vs comparison regions per period, with the (first) start marked."""
    means = (
        panel.assign(
            group=panel["treated"].map({True: "pilot regions", False: "comparison regions"})
        )
        .groupby(["group", "period"], as_index=False)["value"]
        .mean()
    )
    fig = go.Figure()
    for group, part in means.groupby("group"):
        fig.add_trace(
            go.Scatter(x=part["period"], y=part["value"], mode="lines+markers", name=group)
        )
    starts = pd.to_datetime(panel.loc[panel["treated"], "start"]).dropna().unique()
    for s in sorted(starts):
        fig.add_vline(x=pd.Timestamp(s).timestamp() * 1000, line_dash="dot")
    fig.update_layout(title=title, xaxis_title="month", yaxis_title="mean value", height=380)
    return _plain(fig)


def effect_figure(effect: pd.DataFrame, title: str) -> Figure:
    """Estimates with confidence intervals; the headline row solid, the other greyed out."""
    df = effect.dropna(subset=["estimate"])
    colours = ["#2166ac" if h else "#bdbdbd" for h in df["headline"]]
    fig = go.Figure(
        go.Scatter(
            x=df["estimate"],
            y=df["approach"] + ["" if c else " (not credible)" for c in df["credible"]],
            mode="markers",
            marker={"size": 12, "color": colours},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": df["ci_high"] - df["estimate"],
                "arrayminus": df["estimate"] - df["ci_low"],
            },
        )
    )
    fig.add_vline(x=0, line_dash="dash")
    fig.update_layout(title=title, xaxis_title="estimated change", height=300)
    return _plain(fig)


def survey_figure(distribution: pd.DataFrame, title: str) -> Figure:
    """Stacked shares of Likert answers per item and wave."""
    df = distribution.assign(
        row=distribution["item"] + " - wave " + distribution["wave"].astype(str)
    )
    fig = go.Figure()
    colours = LIKERT_COLOURS
    for score, part in df.groupby("score"):
        fig.add_trace(
            go.Bar(
                x=part["share"],
                y=part["row"],
                orientation="h",
                name=str(score),
                marker_color=colours.get(int(score), "#999"),
            )
        )
    fig.update_layout(
        title=title, barmode="stack", xaxis_title="% of answers", height=420, legend_title="answer"
    )
    return _plain(fig)


def scores_heatmap(
    aggregated: pd.DataFrame, title: str, labels: dict[str, str] | None = None
) -> Figure:
    """Mechanism x criterion weighted mean score; cells where evaluators disagree are marked '!'.
    ``labels``: criterion -> label (a scoring round's; default those of evaluation.yml)."""
    labels = labels or criteria_labels()
    z = aggregated.pivot(index="mechanism_id", columns="criterion", values="weighted_mean")
    flag = aggregated.pivot(index="mechanism_id", columns="criterion", values="disagreement")
    cols = [c for c in labels if c in z.columns]
    z, flag = z[cols], flag[cols]
    text = z.round(1).astype(str) + flag.map(lambda f: " !" if f is True else "")
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=[labels[c] for c in cols],
            y=list(z.index),
            zmin=1,
            zmax=5,
            colorscale=SCORE_SCALE,
            text=text.to_numpy(),
            texttemplate="%{text}",
        )
    )
    fig.update_layout(title=title, height=120 + 40 * len(z))
    return _plain(fig)


def ranking_figure(table: pd.DataFrame, title: str) -> Figure:
    """TOPSIS closeness per mechanism with the share of weight draws that keep its rank."""
    df = table.sort_values("topsis")
    fig = go.Figure(
        go.Bar(
            x=df["topsis"],
            y=df.index,
            orientation="h",
            text=[f"keeps rank in {k:.0%} of draws" for k in df["keeps_rank"]],
            textposition="auto",
        )
    )
    fig.update_layout(title=title, xaxis_title="TOPSIS closeness (0-1)", height=120 + 40 * len(df))
    return _plain(fig)


def weights_figure(weights: pd.Series, title: str, labels: dict[str, str] | None = None) -> Figure:
    """Criterion weights as bars."""
    labels = labels or criteria_labels()
    fig = go.Figure(go.Bar(x=[labels.get(c, c) for c in weights.index], y=weights.to_numpy()))
    fig.update_layout(title=title, yaxis_title="weight", height=320)
    return _plain(fig)
