"""The action plan: validation of every action, and progress roll-up.

Validation applies :func:`workbench.strategy.minimum.action_gaps` (the S3 minimum content, data in
``strategy.yml``) to every action of a plan.  Roll-up (:func:`rollup`): progress of the actions
rolls up to their objectives and the objectives to the strategy, weighted where weights are given,
else the plain mean (Decidim accountability module: a parent's progress is the weighted or plain
average of its children's).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.strategy.minimum import action_gaps, validate_action
from workbench.strategy.settings import defaults

__all__ = ["action_records", "progress_as_of", "rollup", "validate_action", "validate_plan"]


def action_records(
    actions: pd.DataFrame, links: pd.DataFrame, indicators: pd.DataFrame
) -> list[dict[str, Any]]:
    """The actions of a plan as dicts for :func:`action_gaps` (links and indicators attached)."""
    by_type: dict[tuple[str, str], list[str]] = {}
    for row in links.itertuples(index=False):
        by_type.setdefault((str(row.action_id), str(row.link_type)), []).append(str(row.target_id))
    inds: dict[str, list[dict[str, Any]]] = {}
    for ind in indicators.to_dict("records"):
        inds.setdefault(str(ind["action_id"]), []).append(ind)
    records = []
    for action in actions.to_dict("records"):
        aid = str(action["action_id"])
        action["barriers"] = by_type.get((aid, "barrier"), [])
        action["mechanisms"] = by_type.get((aid, "mechanism"), [])
        action["pilots"] = by_type.get((aid, "pilot"), [])
        action["indicators"] = inds.get(aid, [])
        records.append(action)
    return records


def validate_plan(
    actions: pd.DataFrame, links: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    """One row per gap of every action (columns action_id, title, element, message, reference);
    an empty table means every action has the whole minimum content."""
    rows = [g for a in action_records(actions, links, indicators) for g in action_gaps(a)]
    return pd.DataFrame(rows, columns=["action_id", "title", "element", "message", "reference"])


def progress_as_of(progress: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Each action's latest report up to ``period`` (period labels sort in time order, e.g.
    '2026-H1' < '2026-H2'; ``None`` = the latest period).  Columns action_id, period, status,
    progress."""
    df = progress if period is None else progress[progress["period"].astype(str) <= str(period)]
    df = df.sort_values(["action_id", "period"])
    return df.drop_duplicates("action_id", keep="last")[
        ["action_id", "period", "status", "progress"]
    ].reset_index(drop=True)


def _weighted(values: pd.Series, weights: pd.Series) -> tuple[float, str]:
    if len(values) == 0:
        return float("nan"), "no actions"
    complete = weights.notna().all() and float(weights.sum()) > 0
    if complete:
        return float((values * weights).sum() / weights.sum()), "weighted mean"
    if weights.notna().any():
        return float(values.mean()), "mean (weights incomplete, so not used)"
    return float(values.mean()), "mean (no weights given)"


def rollup(
    actions: pd.DataFrame,
    objectives: pd.DataFrame,
    progress: pd.DataFrame,
    period: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Progress of actions, objectives and the whole strategy as of ``period``.

    Action progress p_a (per cent) is its latest report up to ``period``; an action without a
    report counts 0 % (not started).  Actions whose status is in ``excluded_from_rollup``
    (strategy.yml: cancelled) are left out.  Objective o: P_o = sum(w_a p_a) / sum(w_a) when every
    action of o has a weight w_a (and their sum is > 0), else the plain mean of p_a; the method is
    stated per objective.  Strategy: the same over objectives with the objectives' weights.
    Returns (actions table, objectives table, strategy dict).
    """
    excluded = set(defaults()["excluded_from_rollup"])
    latest = progress_as_of(progress, period)
    table = actions[["action_id", "title", "objective_id", "weight"]].merge(
        latest, on="action_id", how="left"
    )
    table["progress"] = table["progress"].astype(float).fillna(0.0)
    table["status"] = table["status"].fillna("planned")
    table["counted"] = ~table["status"].isin(excluded)
    counted = table[table["counted"]]
    rows = []
    for obj in objectives.to_dict("records"):
        mine = counted[counted["objective_id"] == obj["objective_id"]]
        value, method = _weighted(mine["progress"], mine["weight"].astype(float))
        rows.append(
            {
                "objective_id": obj["objective_id"],
                "title": obj["title"],
                "actions": len(mine),
                "progress": value,
                "method": method,
                "weight": obj.get("weight"),
            }
        )
    obj_table = pd.DataFrame(
        rows, columns=["objective_id", "title", "actions", "progress", "method", "weight"]
    )
    with_actions = obj_table[obj_table["actions"] > 0]
    total, method = _weighted(with_actions["progress"], with_actions["weight"].astype(float))
    return table, obj_table, {"progress": total, "method": method, "period": period}
