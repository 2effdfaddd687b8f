"""Traceability from evidence to action: barrier -> mechanism -> pilot result -> action -> indicator.

Pure functions over the plan's tables and the evidence tables.  An action is traced through the
links it names (``strategy_action_links``); a pilot brings in its mechanism (``pilots.mechanism_id``).
Orphans: actions that link no evidence at all, and severe barriers (severity >= ``severe_at`` of
``strategy.yml``, on the 0-3 scale of ``policy.yml``) of the plan's regions that no action links.
A barrier edited in a dashboard is a new version (``supersedes``, migration 0070): a link to either
version addresses the newest one.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

LAYERS = ("barrier", "mechanism", "pilot", "action", "indicator")


def _links_of(links: pd.DataFrame, kind: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in links[links["link_type"] == kind].itertuples(index=False):
        out.setdefault(str(row.action_id), []).append(str(row.target_id))
    return out


def chain_edges(
    actions: pd.DataFrame,
    links: pd.DataFrame,
    indicators: pd.DataFrame,
    pilots: pd.DataFrame,
) -> pd.DataFrame:
    """Edges of the evidence chain, counted: source, source_layer, target, target_layer, value.

    Per action a with linked barriers B, mechanisms M (named, plus those of its pilots) and pilots
    P: each b in B flows to each m in M (to the action itself when M is empty); each pilot p flows
    from its mechanism to p and from p to a; a mechanism without a linked pilot flows to a; a flows
    to each of its indicators (by indicator code).  ``value`` = number of actions behind the edge.
    """
    mech_of = dict(
        zip(pilots["pilot_id"].astype(str), pilots["mechanism_id"].astype(str), strict=False)
    )
    barriers, mechanisms, pilot_links = (
        _links_of(links, "barrier"),
        _links_of(links, "mechanism"),
        _links_of(links, "pilot"),
    )
    inds: dict[str, list[str]] = {}
    for row in indicators.itertuples(index=False):
        inds.setdefault(str(row.action_id), []).append(str(row.indicator_id))
    edges: Counter[tuple[str, str, str, str]] = Counter()
    for aid in actions["action_id"].astype(str):
        p_ids = pilot_links.get(aid, [])
        m_ids = list(
            dict.fromkeys(mechanisms.get(aid, []) + [mech_of[p] for p in p_ids if p in mech_of])
        )
        for b in barriers.get(aid, []):
            for m in m_ids or [None]:
                if m is None:
                    edges[(b, "barrier", aid, "action")] += 1
                else:
                    edges[(b, "barrier", m, "mechanism")] += 1
        piloted = set()
        for p in p_ids:
            if p in mech_of:
                edges[(mech_of[p], "mechanism", p, "pilot")] += 1
                piloted.add(mech_of[p])
            edges[(p, "pilot", aid, "action")] += 1
        for m in m_ids:
            if m not in piloted:
                edges[(m, "mechanism", aid, "action")] += 1
        for ind in inds.get(aid, []):
            edges[(aid, "action", ind, "indicator")] += 1
    rows = [
        {"source": s, "source_layer": sl, "target": t, "target_layer": tl, "value": v}
        for (s, sl, t, tl), v in edges.items()
    ]
    return pd.DataFrame(rows, columns=["source", "source_layer", "target", "target_layer", "value"])


def orphan_actions(actions: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Actions that link no barrier, mechanism or pilot result: action_id, title, lead_region."""
    linked = set(links["action_id"].astype(str))
    out = actions[~actions["action_id"].astype(str).isin(linked)]
    return out[["action_id", "title", "lead_region"]].reset_index(drop=True)


def unaddressed_barriers(
    barriers: pd.DataFrame, links: pd.DataFrame, *, severe_at: int
) -> pd.DataFrame:
    """Barriers with ``severity >= severe_at`` that no action links (a link to the version a
    barrier supersedes counts): barrier_id, region, barrier, dimensions, severity."""
    linked = set(links.loc[links["link_type"] == "barrier", "target_id"].astype(str))
    supersedes = (
        barriers["supersedes"].astype("string").fillna("")
        if "supersedes" in barriers
        else pd.Series("", index=barriers.index)
    )
    addressed = barriers["barrier_id"].astype(str).isin(linked) | supersedes.isin(linked)
    severe = barriers["severity"].astype(int) >= severe_at
    out = barriers[severe & ~addressed]
    cols = ["barrier_id", "region", "barrier", "dimensions", "severity"]
    return (
        out[cols]
        .sort_values(["severity", "region"], ascending=[False, True])
        .reset_index(drop=True)
    )


def coverage(barriers: pd.DataFrame, links: pd.DataFrame, *, severe_at: int) -> dict[str, int]:
    """Counts: severe barriers, of them addressed by at least one action."""
    severe = barriers[barriers["severity"].astype(int) >= severe_at]
    open_ = unaddressed_barriers(barriers, links, severe_at=severe_at)
    return {"severe": len(severe), "addressed": len(severe) - len(open_)}
