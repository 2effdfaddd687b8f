"""Sustainability plan: ownership, durability and transferability of results, and the actions whose
funding ends with the project (pure functions).

Skeleton of the Interreg monitoring system's application form (Jems: ownership, durability and
transferability of the project's main outputs).  An action's funding ends with the project when its
funding source is in ``strategy.yml`` ``project_bound_sources`` and it ends no later than the
project (``strategies.project_end``; every such action when no project end is recorded).
"""

from __future__ import annotations

import pandas as pd

ELEMENTS = ("owner", "durability", "transferability")


def results_plan(actions: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One row per result with its action's title and a ``missing`` column naming the elements
    of ownership, durability and transferability left empty ('' when complete)."""
    table = results.merge(actions[["action_id", "title"]], on="action_id", how="left")
    cols = ["action_id", "title", "result_id", "result", *ELEMENTS, "continuation"]
    table = table.reindex(columns=cols)

    def missing(row: pd.Series) -> str:
        empty = [e for e in ELEMENTS if pd.isna(row[e]) or not str(row[e]).strip()]
        return ", ".join(empty)

    table["missing"] = table.apply(missing, axis=1) if len(table) else pd.Series(dtype=str)
    return table.reset_index(drop=True)


def funding_ends_with_project(
    actions: pd.DataFrame,
    results: pd.DataFrame,
    *,
    project_bound: list[str],
    project_end: object = None,
) -> pd.DataFrame:
    """Actions whose funding ends with the project and what would continue them: action_id,
    title, funding_source, end_date, continuation, continuation_funding ('' where none is
    planned: such an action stops when the project ends)."""
    bound = actions[actions["funding_source"].isin(project_bound)].copy()
    if project_end is not None and not pd.isna(project_end):
        ends = pd.to_datetime(bound["end_date"])
        bound = bound[ends.isna() | (ends <= pd.Timestamp(project_end))]
    plans = (
        results.dropna(subset=["continuation"])
        .groupby("action_id")
        .agg(
            continuation=("continuation", lambda s: "; ".join(s.astype(str))),
            continuation_funding=(
                "continuation_funding",
                lambda s: ", ".join(sorted(set(s.dropna().astype(str)))),
            ),
        )
        .reset_index()
        if len(results)
        else pd.DataFrame(columns=["action_id", "continuation", "continuation_funding"])
    )
    out = bound[["action_id", "title", "funding_source", "end_date"]].merge(
        plans, on="action_id", how="left"
    )
    out[["continuation", "continuation_funding"]] = out[
        ["continuation", "continuation_funding"]
    ].fillna("")
    return out.sort_values(["continuation", "action_id"], ignore_index=True)
