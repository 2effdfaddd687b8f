"""Plotly figures of the policy domain (built from the analysis tables, no computation here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.policy.settings import DIMENSION_LABELS, DIMENSIONS, phases

SEVERITY_SCALE = [[0.0, "#f7f7f7"], [0.34, "#fdd49e"], [0.67, "#fc8d59"], [1.0, "#b30000"]]


def spend_chart(spend: pd.DataFrame, title: str = "Spend by dimension") -> go.Figure:
    """Stacked bars: budget per dimension, one colour per period, one bar group per currency."""
    fig = go.Figure()
    color_key = "period" if "period" in spend else "currency"
    for key, g in spend.groupby(color_key, sort=True):
        agg = g.groupby(["dimension", "currency"], as_index=False)["budget"].sum()
        fig.add_bar(
            x=agg["dimension"] + " (" + agg["currency"] + ")", y=agg["budget"], name=str(key)
        )
    fig.update_layout(barmode="stack", title={"text": title}, yaxis_title="budget (own currency)")
    return fig


def achievement_chart(
    eff: pd.DataFrame, title: str = "Achievement rate (achieved / planned)"
) -> go.Figure:
    """Bars of achievement rate per dimension for outputs and results; line at 1 = target reached."""
    fig = go.Figure()
    for measure, g in eff.dropna(subset=["achievement_rate"]).groupby("measure"):
        fig.add_bar(
            x=g["dimension"] + " [" + g["unit"] + "]", y=g["achievement_rate"], name=measure
        )
    fig.add_hline(y=1.0, line_dash="dash")
    fig.update_layout(barmode="group", title={"text": title}, yaxis_title="achieved / planned")
    return fig


def efficiency_chart(eff: pd.DataFrame, title: str = "Cost per output across regions") -> go.Figure:
    """Cost per unit per region, one trace per unit and currency."""
    fig = go.Figure()
    for (unit, cur), g in eff.groupby(["unit", "currency"]):
        fig.add_bar(x=g["region"], y=g["cost_per_unit"], name=f"{cur} per {unit}")
    fig.update_layout(barmode="group", title={"text": title}, yaxis_title="cost per unit")
    return fig


def timeline_chart(
    tl: pd.DataFrame, title: str = "Timeline of policy actions", max_rows: int = 60
) -> go.Figure:
    """Gantt-like horizontal bars start..end, coloured by dimension (first ``max_rows`` actions)."""
    df = tl.dropna(subset=["start", "end"]).head(max_rows)
    fig = go.Figure()
    for dim, g in df.groupby("dimension"):
        fig.add_bar(
            y=g["title"].str.slice(0, 50), x=((g["end"] - g["start"]).dt.days * 86_400_000).tolist(), base=g["start"].dt.strftime("%Y-%m-%d").tolist(),
            orientation="h", name=dim,
        )  # fmt: skip
    fig.update_layout(title={"text": title}, xaxis_type="date", height=max(300, 18 * len(df) + 120),
                      yaxis={"autorange": "reversed"})  # fmt: skip
    return fig


def matrix_heatmap(
    matrix: pd.DataFrame, title: str = "Barrier matrix: dimensions x phases"
) -> go.Figure:
    """Heatmap of mean severity (colour) with the number of barriers and evidence status as text."""
    ph = list(phases())
    m = matrix.set_index(["dimension", "phase"])
    z, text = [], []
    for d in DIMENSIONS:
        z.append([m.loc[(d, p), "mean_severity"] if (d, p) in m.index else None for p in ph])
        text.append([
            f"{int(m.loc[(d, p), 'n_barriers'])} barrier(s)<br>{m.loc[(d, p), 'evidence_status']}"
            if (d, p) in m.index else "" for p in ph
        ])  # fmt: skip
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[phases()[p] for p in ph], y=[DIMENSION_LABELS[d] for d in DIMENSIONS], text=text,
            texttemplate="%{text}", zmin=0, zmax=3, colorscale=SEVERITY_SCALE,
            colorbar={"title": {"text": "mean severity"}}, hoverongaps=False,
        )
    )  # fmt: skip
    fig.update_layout(title={"text": title}, yaxis={"autorange": "reversed"}, height=520)
    return fig


def comparison_heatmap(
    comp: pd.DataFrame, by: str = "dimension", title: str | None = None
) -> go.Figure:
    """Regions x dimensions (or phases): number of barriers as text, max severity as colour."""
    wide_sev = comp.pivot(index="region", columns=by, values="max_severity")
    wide_n = comp.pivot(index="region", columns=by, values="n_barriers")
    cols = list(DIMENSIONS) if by == "dimension" else list(phases())
    wide_sev, wide_n = wide_sev.reindex(columns=cols), wide_n.reindex(columns=cols)
    fig = go.Figure(
        go.Heatmap(
            z=wide_sev.to_numpy(), x=cols, y=list(wide_sev.index), text=wide_n.to_numpy(),
            texttemplate="%{text}", zmin=0, zmax=3, colorscale=SEVERITY_SCALE,
            colorbar={"title": {"text": "max severity"}},
        )
    )  # fmt: skip
    fig.update_layout(title={"text": title or f"Barriers by region and {by}"})
    return fig


def coherence_heatmap(
    cov: pd.DataFrame, title: str = "Current framework: instruments per dimension"
) -> go.Figure:
    """Regions x dimensions: number of instruments in force (0 = not covered, >= 2 = covered twice)."""
    wide = cov.pivot(index="region", columns="dimension", values="n_instruments").reindex(
        columns=list(DIMENSIONS)
    )
    fig = go.Figure(
        go.Heatmap(z=wide.to_numpy(), x=list(wide.columns), y=list(wide.index), text=wide.to_numpy(),
                   texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=3)
    )  # fmt: skip
    fig.update_layout(title={"text": title})
    return fig
