"""Plotly figures of the policy domain (built from the analysis tables, no computation here)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.policy.settings import DIMENSION_LABELS, DIMENSIONS, phases

SEVERITY_SCALE = [[0.0, "#f7f7f7"], [0.34, "#fdd49e"], [0.67, "#fc8d59"], [1.0, "#b30000"]]


def _currency_panels(currencies: list[str], title: str) -> go.Figure:
    """One panel (own y axis) per currency: amounts in different currencies never share an axis."""
    from plotly.subplots import make_subplots

    if len(currencies) <= 1:
        return go.Figure()
    fig = make_subplots(
        rows=len(currencies),
        cols=1,
        subplot_titles=[f"in {c}" for c in currencies],
        vertical_spacing=0.12,
    )
    fig.update_layout(height=320 * len(currencies) + 80)
    return fig


def spend_chart(spend: pd.DataFrame, title: str = "Spend by dimension") -> go.Figure:
    """Stacked bars: budget per dimension, one colour per period, one panel (axis) per currency."""
    currencies = sorted(spend["currency"].dropna().unique()) if "currency" in spend else []
    fig = _currency_panels(currencies, title)
    color_key = "period" if "period" in spend else "currency"
    for key, g in spend.groupby(color_key, sort=True):
        agg = g.groupby(["dimension", "currency"], as_index=False)["budget"].sum()
        for row, cur in enumerate(currencies or [None], start=1):
            part = agg if cur is None else agg[agg["currency"] == cur]
            if part.empty:
                continue
            bar = go.Bar(
                x=part["dimension"],
                y=part["budget"],
                name=str(key),
                legendgroup=str(key),
                showlegend=row == 1 or len(currencies) <= 1,
            )
            if len(currencies) > 1:
                fig.add_trace(bar, row=row, col=1)
                fig.update_yaxes(title_text=f"budget ({cur})", row=row, col=1)
            else:
                fig.add_trace(bar)
    unit = currencies[0] if len(currencies) == 1 else "own currency, one panel each"
    fig.update_layout(barmode="stack", title={"text": f"{title} ({unit})"})
    if len(currencies) <= 1:
        fig.update_layout(yaxis_title=f"budget ({currencies[0] if currencies else 'currency'})")
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
    """Cost per unit per region, one trace per unit and currency; one panel per currency."""
    currencies = sorted(eff["currency"].dropna().unique()) if "currency" in eff else []
    fig = _currency_panels(currencies, title)
    for (unit, cur), g in eff.groupby(["unit", "currency"]):
        bar = go.Bar(x=g["region"], y=g["cost_per_unit"], name=f"{cur} per {unit}")
        if len(currencies) > 1:
            row = currencies.index(cur) + 1
            fig.add_trace(bar, row=row, col=1)
            fig.update_yaxes(title_text=f"{cur} per unit of output", row=row, col=1)
        else:
            fig.add_trace(bar)
    fig.update_layout(barmode="group", title={"text": title})
    if len(currencies) <= 1:
        cur = currencies[0] if currencies else "currency"
        fig.update_layout(yaxis_title=f"{cur} per unit of output")
    return fig


def timeline_chart(
    tl: pd.DataFrame, title: str = "Timeline of policy actions", max_rows: int = 60
) -> go.Figure:
    """Gantt-like horizontal bars start..end, coloured by dimension (first ``max_rows`` actions);
    the title says when actions are left out (all of them are in the CSV)."""
    dated = tl.dropna(subset=["start", "end"])
    df = dated.head(max_rows)
    if len(df) < len(tl):
        undated = len(tl) - len(dated)
        title = (
            f"{title}: first {len(df)} of {len(tl):,} actions"
            + (f" ({undated:,} without dates)" if undated else "")
            + "; all in the CSV"
        )
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
