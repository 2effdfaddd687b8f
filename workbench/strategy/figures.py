"""Plotly figures of the joint strategy and initiative reports (data in, figure out)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from workbench.strategy.traceability import LAYERS

LAYER_COLOURS = {
    "barrier": "#c0504d",
    "mechanism": "#8064a2",
    "pilot": "#f79646",
    "action": "#4f81bd",
    "indicator": "#9bbb59",
}


def traceability_sankey(chain: pd.DataFrame, title: str) -> go.Figure:
    """Sankey diagram of the evidence chain barrier -> mechanism -> pilot -> action -> indicator
    (link width = number of actions behind the link)."""
    nodes: list[tuple[str, str]] = []
    for src, layer in zip(chain["source"], chain["source_layer"], strict=True):
        nodes.append((layer, src))
    for tgt, layer in zip(chain["target"], chain["target_layer"], strict=True):
        nodes.append((layer, tgt))
    ordered = sorted(set(nodes), key=lambda n: (LAYERS.index(n[0]), n[1]))
    index = {n: i for i, n in enumerate(ordered)}
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [f"{name}" for _, name in ordered],
                "color": [LAYER_COLOURS[layer] for layer, _ in ordered],
                "pad": 6,
                "thickness": 12,
            },
            link={
                "source": [
                    index[(layer, s)]
                    for s, layer in zip(chain["source"], chain["source_layer"], strict=True)
                ],
                "target": [
                    index[(layer, t)]
                    for t, layer in zip(chain["target"], chain["target_layer"], strict=True)
                ],
                "value": chain["value"].tolist(),
            },
        )
    )
    per_layer = max((sum(1 for layer, _ in ordered if layer == name) for name in LAYERS), default=0)
    fig.update_layout(title=title, height=max(450, 22 * per_layer + 150))
    return fig


def objective_progress_chart(objectives: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars: progress per objective (per cent), labelled with the roll-up method."""
    o = objectives[objectives["actions"] > 0]
    fig = go.Figure(
        go.Bar(
            x=o["progress_pct"],
            y=[f"{t} ({i})" for t, i in zip(o["title"], o["objective_id"], strict=True)],
            orientation="h",
            text=[f"{p:.0f} % ({m})" for p, m in zip(o["progress_pct"], o["method"], strict=True)],
            textposition="auto",
        )
    )
    fig.update_layout(
        title=title, xaxis={"title": "% done", "range": [0, 100]}, yaxis={"autorange": "reversed"}
    )
    return fig


def network_figure(edges: pd.DataFrame, centrality: pd.DataFrame, title: str) -> go.Figure:
    """Cooperation network: regions (size = partners) linked by shared joint actions (spring
    layout with a fixed seed, so that the picture is the same at every run)."""
    graph = nx.Graph()
    graph.add_nodes_from(centrality["region"])
    for r in edges.itertuples():
        graph.add_edge(r.region_a, r.region_b, weight=r.joint_actions)
    pos = nx.spring_layout(graph, seed=7, weight="weight")
    xs: list[float | None] = []
    ys: list[float | None] = []
    for u, v in graph.edges:
        xs += [pos[u][0], pos[v][0], None]
        ys += [pos[u][1], pos[v][1], None]
    names = dict(zip(centrality["region"], centrality["name"], strict=True))
    partners = dict(zip(centrality["region"], centrality["partners"], strict=True))
    nodes = list(graph.nodes)
    fig = go.Figure(
        [
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1, "color": "#999"},
                hoverinfo="skip",
                name="joint actions",
            ),
            go.Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text",
                text=nodes,
                textposition="top center",
                hovertext=[f"{names.get(n, n)}: {partners.get(n, 0)} partners" for n in nodes],
                marker={"size": [8 + 3 * partners.get(n, 0) for n in nodes]},
                name="regions",
            ),
        ]
    )
    fig.update_layout(
        title=title, showlegend=False, xaxis={"visible": False}, yaxis={"visible": False}
    )
    return fig


def checks_chart(checks: pd.DataFrame, title: str) -> go.Figure:
    """Bars: number of findings per check, breaches and deadlines still ahead."""
    counts = checks.groupby(["check", "level"]).size().reset_index(name="n")
    fig = go.Figure(
        [
            go.Bar(x=g["n"], y=g["check"], orientation="h", name=level)
            for level, g in counts.groupby("level")
        ]
    )
    fig.update_layout(title=title, barmode="stack", xaxis_title="signatories or mandates")
    return fig
