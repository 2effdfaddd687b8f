"""Plotly figures of the S3 profile and parallel-contexts reports (data shown beside each as CSV)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.wording import axis_label

# Okabe-Ito colours (colour-blind safe; the quadrant is also named in the legend and on the points)
QUADRANT_COLOURS = {
    "star": "#0072B2",
    "mature": "#E69F00",
    "emerging": "#56B4E9",
    "transforming": "#999999",
    "low risk / high gain": "#0072B2",
    "high risk / high gain": "#E69F00",
    "low risk / low gain": "#56B4E9",
    "high risk / low gain": "#999999",
}
QUADRANT_LABELS = 15  # points labelled in the quadrant chart (largest employment first)


def lq_chart(spec: pd.DataFrame, region: str, top: int = 30) -> go.Figure:
    """Horizontal bars of the region's LQ by sector (top ``top``), coloured by ECO stars."""
    d = spec.head(top).iloc[::-1]
    colours = d["stars"].map({0: "#bbbbbb", 1: "#8ab17d", 2: "#2a9d8f", 3: "#1d3557"})
    fig = go.Figure(
        go.Bar(
            x=d["lq"],
            y=d["label"].map(axis_label),
            orientation="h",
            marker_color=colours,
            customdata=d[["employment", "stars", "label"]],
            hovertemplate="%{customdata[2]}<br>LQ %{x:.2f}<br>employment %{customdata[0]:.1f}<br>stars %{customdata[1]}<extra></extra>",
        )
    )
    fig.add_vline(x=1.0, line_dash="dash", line_color="#555")
    fig.add_vline(x=2.0, line_dash="dot", line_color="#1d3557")
    fig.update_layout(
        title=f"Location quotients of {region} (colour: cluster stars 0-3; dotted: LQ 2 star threshold)",
        xaxis_title="location quotient",
        height=max(350, 18 * len(d) + 120),
        margin={"l": 260},
    )
    return fig


def _spread_labels(ranked: pd.DataFrame, x: str, y: str, limit: int) -> set:
    """Index labels of up to ``limit`` rows (in ``ranked`` order) whose points are not too close to
    an already labelled point (5 % of the x range, 6 % of the y range), so labels do not overlap."""
    dx = max(float(ranked[x].max() - ranked[x].min()), 1e-9) * 0.05
    dy = max(float(ranked[y].max() - ranked[y].min()), 1e-9) * 0.06
    kept: list[tuple[float, float]] = []
    chosen = set()
    for idx, row in ranked.iterrows():
        px, py = float(row[x]), float(row[y])
        if any(abs(px - kx) < dx and abs(py - ky) < dy for kx, ky in kept):
            continue
        kept.append((px, py))
        chosen.add(idx)
        if len(chosen) >= limit:
            break
    return chosen


def quadrant_chart(spec: pd.DataFrame, region: str, start: str, end: str) -> go.Figure:
    """Bubble chart: LQ (end) against its change, bubble = employment, colour = quadrant."""
    fig = go.Figure()
    size_ref = max(float(spec["employment"].max()), 1e-9)
    # label the largest sectors and every specialised one (read on paper), up to QUADRANT_LABELS
    ranked = spec.assign(_spec=spec["lq"] >= 1.0).sort_values(
        ["_spec", "employment"], ascending=False
    )
    labelled = _spread_labels(ranked, "lq", "lq_change", QUADRANT_LABELS)
    for quadrant, d in spec.groupby("quadrant"):
        fig.add_trace(
            go.Scatter(
                x=d["lq"],
                y=d["lq_change"],
                mode="markers+text",
                name=str(quadrant),
                text=[
                    str(lab) if i in labelled else ""
                    for i, lab in zip(d.index, d["label"], strict=True)
                ],
                textposition="top center",
                textfont={"size": 10},
                hovertext=d["label"],
                marker={
                    "size": 8 + 40 * (d["employment"] / size_ref) ** 0.5,
                    "color": QUADRANT_COLOURS.get(str(quadrant), "#888"),
                    "opacity": 0.75,
                },
                hovertemplate="%{hovertext}<br>LQ %{x:.2f}<br>change %{y:+.2f}<extra></extra>",
            )
        )
    fig.add_vline(x=1.0, line_dash="dash", line_color="#555")
    fig.add_hline(y=0.0, line_dash="dash", line_color="#555")
    fig.update_layout(
        title=f"{region}: specialisation {end} against its change since {start} (star / mature / emerging / transforming)",
        xaxis_title=f"LQ {end}",
        yaxis_title=f"change in LQ {start}-{end}",
        height=520,
    )
    return fig


def shift_share_chart(
    ss: pd.DataFrame, region: str, start: str, end: str, top: int = 25
) -> go.Figure:
    """Stacked bars of national share, industry mix and regional shift per sector (largest changes)."""
    d = ss.reindex(ss["change"].abs().sort_values(ascending=False).index).head(top).iloc[::-1]
    d = d.assign(label=d["label"].map(axis_label))  # full names in the table beside the chart
    fig = go.Figure()
    for col, colour, name in (
        ("national_share", "#0072B2", "national share"),
        ("industry_mix", "#E69F00", "industry mix"),
        ("regional_shift", "#CC79A7", "regional shift"),
    ):
        fig.add_trace(
            go.Bar(x=d[col], y=d["label"], orientation="h", name=name, marker_color=colour)
        )
    fig.add_trace(
        go.Scatter(
            x=d["change"],
            y=d["label"],
            mode="markers",
            name="change",
            marker={"symbol": "diamond", "color": "#000"},
        )
    )
    fig.update_layout(
        barmode="relative",
        title=f"Shift-share of employment change in {region}, {start}-{end} (Dunn)",
        xaxis_title="change in employment (components sum to the change)",
        height=max(350, 20 * len(d) + 120),
        margin={"l": 260},
    )
    return fig


def priority_chart(options: pd.DataFrame, region: str) -> go.Figure:
    """Relatedness density against complexity (PCI) of sectors not yet specialised in the region."""
    fig = go.Figure()
    for quadrant, d in options.groupby("quadrant"):
        fig.add_trace(
            go.Scatter(
                x=d["density"],
                y=d["pci"],
                mode="markers",
                name=str(quadrant),
                text=d["label"],
                marker={"size": 10, "color": QUADRANT_COLOURS.get(str(quadrant), "#888")},
                hovertemplate="%{text}<br>density %{x:.3f}<br>PCI %{y:.2f}<extra></extra>",
            )
        )
    fig.add_vline(
        x=options.attrs.get("density_split", options["density"].median()),
        line_dash="dash",
        line_color="#555",
    )
    fig.add_hline(
        y=options.attrs.get("complexity_split", options["pci"].median()),
        line_dash="dash",
        line_color="#555",
    )
    fig.update_layout(
        title=f"Diversification options for {region}: relatedness density (risk) vs complexity (gain)",
        xaxis_title="relatedness density (higher = lower risk)",
        yaxis_title="product (sector) complexity index (higher = higher gain)",
        height=560,
    )
    return fig


def eci_chart(eci: pd.DataFrame, region: str, top: int = 40) -> go.Figure:
    """ECI of regions (top ``top`` and the region itself), the region highlighted."""
    d = pd.concat([eci.head(top), eci[eci["region"] == region]]).drop_duplicates("region")
    colours = ["#D55E00" if r == region else "#0072B2" for r in d["region"]]
    fig = go.Figure(go.Bar(x=d["region"], y=d["eci"], marker_color=colours))
    fig.update_layout(
        title=f"Economic complexity index of regions (normalised; {region} highlighted)",
        yaxis_title="ECI",
        height=420,
    )
    return fig


def peers_chart(peers: pd.DataFrame, region: str) -> go.Figure:
    """Distance to each peer, split by the variables' shares of the squared distance.

    All ``share:`` variables are summed as "sector structure"."""
    contrib_cols = [c for c in peers.columns if c.startswith("contrib:")]
    parts: dict[str, pd.Series] = {}
    for col in contrib_cols:
        var = col.removeprefix("contrib:")
        key = "sector structure" if var.startswith("share:") else var
        parts[key] = parts.get(key, 0) + peers[col] * peers["distance"]
    labels = peers["region"] + (" " + peers["name"] if "name" in peers.columns else "")
    fig = go.Figure()
    for key, values in parts.items():
        fig.add_trace(go.Bar(x=values, y=labels, orientation="h", name=key))
    fig.update_layout(
        barmode="stack",
        title=f"Peers of {region}: distance split by the variables that drive it",
        xaxis_title="standardised distance",
        yaxis={"autorange": "reversed"},
        height=max(300, 40 * len(peers) + 140),
        margin={"l": 220},
    )
    return fig


def peers_drivers(peers: pd.DataFrame) -> pd.DataFrame:
    """The data of :func:`peers_chart`: peer, distance and the part of it per variable group."""
    keep = ["rank", "region", "name", "same_data_as", "distance"]
    out = peers[[c for c in keep if c in peers.columns]].copy()
    for col in [c for c in peers.columns if c.startswith("contrib:")]:
        var = col.removeprefix("contrib:")
        key = "sector structure" if var.startswith("share:") else var
        out[key] = out.get(key, 0) + peers[col] * peers["distance"]
    return out
