"""Plotly figures of the foresight report and facilitator (participant text escaped in labels)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go


def _esc(values: pd.Series) -> list[str]:
    return [html.escape(str(v)) for v in values]


def _short(code: object, text: object, width: int = 48) -> str:
    """``'S1 By 2035 most SEE clusters will run joint…'``: code and the start of its text."""
    t = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text).strip()
    t = t if len(t) <= width else t[: width - 1].rstrip() + "\u2026"
    return f"{code} {t}".strip()


def delphi_figure(stats: pd.DataFrame, title: str) -> go.Figure:
    """Median per statement with the interquartile range as error bars; statements on different
    answer scales (5-point, 9-point, ...) in separate panels with their own axis, never on one."""
    from plotly.subplots import make_subplots

    scales = (
        sorted(int(s) for s in stats["scale_points"].dropna().unique())
        if "scale_points" in stats
        else []
    )
    groups: list[tuple[int | None, pd.DataFrame]] = [
        (s, stats[stats["scale_points"] == s]) for s in scales
    ] or [(None, stats)]
    fig = make_subplots(
        rows=len(groups),
        cols=1,
        row_heights=[max(len(g), 1) for _, g in groups],
        subplot_titles=[f"{s}-point scale" if s else "" for s, _ in groups],
        vertical_spacing=0.18 if len(groups) > 1 else 0.1,
    )
    for row, (scale, part) in enumerate(groups, start=1):
        consensus = part["consensus"].fillna(False).astype(bool)
        fig.add_trace(
            go.Scatter(
                x=part["median"],
                y=_esc(
                    pd.Series(
                        [
                            _short(c, t)
                            for c, t in zip(
                                part["statement_id"],
                                part.get("statement", part["statement_id"]),
                                strict=True,
                            )
                        ],
                        dtype=object,
                    )
                ),
                mode="markers",
                name="consensus / no consensus",
                showlegend=False,
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["q3"] - part["median"],
                    "arrayminus": part["median"] - part["q1"],
                },
                marker={
                    "size": 10,
                    # blue filled circle = consensus, orange open diamond = none (not colour only)
                    "color": ["#0072B2" if c else "#D55E00" for c in consensus],
                    "symbol": ["circle" if c else "diamond-open" for c in consensus],
                },
                hovertext=_esc(part.get("statement", part["statement_id"])),
            ),
            row=row,
            col=1,
        )
        if scale:
            fig.update_xaxes(
                range=[0.5, scale + 0.5],
                dtick=1,
                title_text=f"median answer on the 1-{scale} scale (bars: interquartile range)",
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text="statement", row=row, col=1)
    fig.update_layout(
        title=f"{title} (filled circle: consensus; open diamond: no consensus)",
        height=140 + 35 * len(stats) + 60 * len(groups),
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
    # one label per driver (at its indirect position), alternating above/below to limit overlaps;
    # the direct position is an open circle joined to it by a thin line
    for _, row in table.iterrows():
        fig.add_scatter(
            x=[row["dependence_direct"], row["dependence_indirect"]],
            y=[row["influence_direct"], row["influence_indirect"]],
            mode="lines",
            line={"color": "#bbbbbb", "width": 1},
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=table["dependence_direct"],
        y=table["influence_direct"],
        mode="markers",
        name="direct",
        marker={"symbol": "circle-open", "size": 9, "color": "#0072B2"},
        hovertext=_esc(table.get("label", table["variable"])),
    )
    positions = ["top center", "bottom center", "middle right", "middle left"]
    fig.add_scatter(
        x=table["dependence_indirect"],
        y=table["influence_indirect"],
        mode="markers+text",
        name="indirect",
        marker={"symbol": "diamond", "size": 9, "color": "#E69F00"},
        text=_esc(table["variable"]),
        textposition=[positions[i % len(positions)] for i in range(len(table))],
        textfont={"size": 10},
    )
    fig.add_hline(y=table["influence_direct"].mean(), line_dash="dot")
    fig.add_vline(x=table["dependence_direct"].mean(), line_dash="dot")
    fig.update_layout(title=title, xaxis_title="dependence", yaxis_title="influence")
    return fig
