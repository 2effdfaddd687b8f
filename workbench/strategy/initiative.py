"""SEE Cluster Initiative register checks and the cooperation network (pure functions).

Checks (one row per finding; ``level`` 'breach' when a commitment or a rule is not met as of the
date, 'due' when its deadline is still ahead):

* a signatory bound by a ``joint_action`` commitment that leads or joins no joint action (an action
  of the initiative's strategy naming its region as lead or partner) ``within_months`` after
  signing (Vanguard Initiative: every member region takes part in at least one pilot);
* a signatory bound by a ``self_assessment`` commitment without a self-assessment in the last
  ``every_months`` (``strategy.yml``), once the first one is due (CoARA: public self-assessment);
* a mandate that has ended with no successor in its body and role (expired mandate), a term
  number above the body's term limit, a body with more current members than its board size.

Network: regions are nodes; two regions are linked by every joint action they share (lead or
partner).  Centrality by networkx (degree centrality = partners / (n - 1); betweenness, Brandes
2001, normalised).
"""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx
import pandas as pd
from dateutil.relativedelta import relativedelta

CHECK_COLUMNS = ["check", "level", "subject", "signatory_id", "name", "region", "due", "message"]


def _d(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _day(value: Any) -> date:
    """A date that must be present (NOT NULL columns)."""
    day = _d(value)
    if day is None:
        raise ValueError(f"missing date {value!r}")
    return day


def action_regions(actions: pd.DataFrame) -> pd.DataFrame:
    """One row per (action, region, role): role 'lead' or 'partner'; with the action's
    dimensions (list) and start_date."""
    rows = []
    for a in actions.to_dict("records"):
        dims = list(a.get("dimensions") or [])
        if a.get("lead_region"):
            rows.append((a["action_id"], a["lead_region"], "lead", dims, a.get("start_date")))
        for p in a.get("partner_regions") or []:
            if p != a.get("lead_region"):
                rows.append((a["action_id"], p, "partner", dims, a.get("start_date")))
    return pd.DataFrame(rows, columns=["action_id", "region", "role", "dimensions", "start_date"])


def _active(signatories: pd.DataFrame, as_of: date) -> pd.DataFrame:
    signed = signatories["signed_on"].map(_d)
    left = signatories["left_on"].map(_d)
    keep = [
        (s is not None and s <= as_of) and (lo is None or lo > as_of)
        for s, lo in zip(signed, left, strict=True)
    ]
    return signatories[keep]


def register_checks(
    signatories: pd.DataFrame,
    commitments: pd.DataFrame,
    self_assessments: pd.DataFrame,
    bodies: pd.DataFrame,
    mandates: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    as_of: date,
    every_months: int,
) -> pd.DataFrame:
    """Every check of the module docstring as of ``as_of``; columns :data:`CHECK_COLUMNS`."""
    rows: list[dict[str, object]] = []
    active = _active(signatories, as_of)
    in_actions = set(action_regions(actions)["region"].astype(str))
    for c in commitments.to_dict("records"):
        bound = active[active["status"].isin(list(c["applies_to"]))]
        months = int(c["within_months"] or 0)
        for s in bound.to_dict("records"):
            due = _day(s["signed_on"]) + relativedelta(months=months)
            who = f"{s['name']} ({s['signatory_id']}, {s['status']})"
            if c["rule"] == "joint_action" and str(s.get("region")) not in in_actions:
                late = as_of > due
                rows.append(
                    {
                        "check": "member without a joint action",
                        "level": "breach" if late else "due",
                        "subject": c["commitment_id"],
                        "signatory_id": s["signatory_id"],
                        "name": s["name"],
                        "region": s.get("region"),
                        "due": due,
                        "message": f"{who} leads or joins no joint action"
                        + (f"; it was due by {due}" if late else f" yet; due by {due}"),
                    }
                )
            if c["rule"] == "self_assessment" and as_of >= due:
                mine = self_assessments[self_assessments["signatory_id"] == s["signatory_id"]]
                last = max((_day(v) for v in mine["submitted_on"]), default=None)
                window = as_of - relativedelta(months=every_months)
                if last is None or last <= window:
                    rows.append(
                        {
                            "check": "missing self-assessment",
                            "level": "breach",
                            "subject": c["commitment_id"],
                            "signatory_id": s["signatory_id"],
                            "name": s["name"],
                            "region": s.get("region"),
                            "due": due
                            if last is None
                            else last + relativedelta(months=every_months),
                            "message": f"{who} has no self-assessment in the {every_months} months"
                            f" before {as_of}" + (f" (last one {last})" if last else " (none yet)"),
                        }
                    )
    names = dict(zip(signatories["signatory_id"], signatories["name"], strict=True))
    body_names = dict(zip(bodies["body_id"], bodies["name"], strict=True))
    m = mandates.assign(start=mandates["start_date"].map(_d), end=mandates["end_date"].map(_d))
    for (body, role), group in m.groupby(["body_id", "role"], dropna=False):
        for r in group.to_dict("records"):
            if r["end"] is None or r["end"] >= as_of:
                continue
            # renewed (same holder, later start) or succeeded (another holder from its start on)
            same = group["signatory_id"] == r["signatory_id"]
            later = group[
                (same & (group["start"] > r["start"])) | (~same & (group["start"] >= r["start"]))
            ]
            if later.empty:
                who = names.get(r["signatory_id"], r["signatory_id"])
                rows.append(
                    {
                        "check": "expired mandate",
                        "level": "breach",
                        "subject": body,
                        "signatory_id": r["signatory_id"],
                        "name": who,
                        "region": None,
                        "due": r["end"],
                        "message": f"The {role} mandate of {who} in {body_names.get(body, body)}"
                        f" ({body}) ended on {r['end']}, with neither renewal nor successor",
                    }
                )
    for b in bodies.to_dict("records"):
        mine = m[m["body_id"] == b["body_id"]]
        max_terms = b.get("max_terms")
        if max_terms is not None and not pd.isna(max_terms):
            for r in mine[mine["term_no"] > int(max_terms)].to_dict("records"):
                who = names.get(r["signatory_id"], r["signatory_id"])
                rows.append(
                    {
                        "check": "term limit exceeded",
                        "level": "breach",
                        "subject": b["body_id"],
                        "signatory_id": r["signatory_id"],
                        "name": who,
                        "region": None,
                        "due": r["start"],
                        "message": f"{who} serves term {int(r['term_no'])} in {b['name']}"
                        f" ({b['body_id']}), above its limit of {int(max_terms)} terms",
                    }
                )
        size = b.get("board_size")
        current = mine[
            (mine["start"] <= as_of) & mine["end"].map(lambda e: e is None or e >= as_of)
        ]
        if size is not None and not pd.isna(size) and len(current) > int(size):
            rows.append(
                {
                    "check": "board larger than its size",
                    "level": "breach",
                    "subject": b["body_id"],
                    "signatory_id": None,
                    "name": b["name"],
                    "region": None,
                    "due": as_of,
                    "message": f"{b['name']} ({b['body_id']}) has {len(current)} current members,"
                    f" more than its board size of {int(size)}",
                }
            )
    out = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    return out.sort_values(["level", "check", "signatory_id"], ignore_index=True)


def cooperation_graph(actions: pd.DataFrame, dimension: str | None = None) -> nx.Graph:
    """Regions as nodes, an edge per pair sharing a joint action (``weight`` = shared actions,
    ``actions`` = their ids, ``dimensions`` = their dimensions); ``dimension`` keeps only actions
    in that dimension.  Every region named by an action is a node, also without partners."""
    graph = nx.Graph()
    for a in actions.to_dict("records"):
        dims = list(a.get("dimensions") or [])
        if dimension is not None and dimension not in dims:
            continue
        regions = sorted(
            {r for r in [a.get("lead_region"), *(a.get("partner_regions") or [])] if r}
        )
        graph.add_nodes_from(regions)
        for u, v in combinations(regions, 2):
            data = graph.get_edge_data(u, v) or {"weight": 0, "actions": [], "dimensions": set()}
            data["weight"] += 1
            data["actions"].append(a["action_id"])
            data["dimensions"].update(dims)
            graph.add_edge(u, v, **data)
    return graph


def centrality(graph: nx.Graph) -> pd.DataFrame:
    """Per region: partners (degree), joint links (sum of edge weights), degree centrality and
    betweenness centrality (normalised, networkx), sorted by betweenness then partners."""
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(
            columns=["region", "partners", "joint_links", "degree_centrality", "betweenness"]
        )
    degree = nx.degree_centrality(graph)
    between = nx.betweenness_centrality(graph, normalized=True)
    rows = [
        {
            "region": n,
            "partners": graph.degree(n),
            "joint_links": graph.degree(n, weight="weight"),
            "degree_centrality": degree[n],
            "betweenness": between[n],
        }
        for n in graph.nodes
    ]
    return pd.DataFrame(rows).sort_values(
        ["betweenness", "partners", "region"], ascending=[False, False, True], ignore_index=True
    )


def regions_without_partners(
    actions: pd.DataFrame, regions: list[str], dimensions: list[str]
) -> pd.DataFrame:
    """For each region of ``regions`` and each dimension: whether it has at least one partner in a
    joint action of that dimension.  Returns the pairs without a partner: region, dimension."""
    rows = []
    for dim in dimensions:
        graph = cooperation_graph(actions, dim)
        for r in regions:
            if r not in graph or graph.degree(r) == 0:
                rows.append({"region": r, "dimension": dim})
    return pd.DataFrame(rows, columns=["region", "dimension"])
