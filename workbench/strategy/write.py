"""Writes of the joint strategy, each inside the caller's writer transaction (``con`` from
:func:`workbench.kb.access.writer` or a capture merger).

* :func:`replace_plan`: a whole action plan (import of the exchange format, the demo);
* :func:`upsert_action`: one action with its links and indicators (an accepted proposal);
* :func:`upsert_scenario`, :func:`upsert_vision`: a scenario narrative, a vision statement.

No pandas: a capture merger may call these (payloads are plain dicts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ACTION_COLUMNS = (
    "action_id",
    "strategy_id",
    "objective_id",
    "title",
    "description",
    "dimensions",
    "lead_region",
    "partner_regions",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "funding_source",
    "delivery",
    "responsible_body",
    "weight",
    "author",
)
LINK_KEYS = {"barriers": "barrier", "mechanisms": "mechanism", "pilots": "pilot"}
CAPTURE_DATASET = "capture:strategy"  # dashboard input merged from the capture inbox
INDICATOR_COLUMNS = ("indicator_id", "name", "unit", "baseline", "target", "target_year")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _insert(con: Any, table: str, row: dict[str, Any]) -> None:
    cols = list(row)
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [row[c] for c in cols],
    )


def upsert_action(
    con: Any, action: dict[str, Any], *, dataset_id: str, synthetic: bool = False
) -> None:
    """Insert or replace one action, its evidence links (``barriers``, ``mechanisms``, ``pilots``:
    lists of ids) and its ``indicators`` (dicts with :data:`INDICATOR_COLUMNS`).  An existing
    action keeps its ``created_at`` and gets ``updated_at``."""
    aid = str(action["action_id"])
    old = con.execute(
        "SELECT created_at FROM strategy_actions WHERE action_id = ?", [aid]
    ).fetchone()
    for table in ("strategy_action_links", "strategy_indicators", "strategy_actions"):
        con.execute(f"DELETE FROM {table} WHERE action_id = ?", [aid])
    row = {c: action.get(c) for c in ACTION_COLUMNS}
    row["action_id"] = aid
    row["dimensions"] = list(action.get("dimensions") or []) or None
    row["partner_regions"] = list(action.get("partner_regions") or [])
    row["created_at"] = old[0] if old else (action.get("created_at") or _now())
    row["updated_at"] = _now() if old else action.get("updated_at")
    row["dataset_id"], row["synthetic"] = dataset_id, synthetic
    _insert(con, "strategy_actions", row)
    for key, kind in LINK_KEYS.items():
        for target in dict.fromkeys(str(t) for t in action.get(key) or []):
            _insert(
                con,
                "strategy_action_links",
                {
                    "action_id": aid,
                    "link_type": kind,
                    "target_id": target,
                    "dataset_id": dataset_id,
                    "synthetic": synthetic,
                },
            )
    for ind in action.get("indicators") or []:
        _insert(
            con,
            "strategy_indicators",
            {
                "action_id": aid,
                **{c: ind.get(c) for c in INDICATOR_COLUMNS},
                "dataset_id": dataset_id,
                "synthetic": synthetic,
            },
        )


def delete_plan(con: Any, strategy_id: str) -> None:
    """Delete a strategy's plan: objectives, actions and what hangs on them, and the strategy row
    (scenarios, visions and initiatives are kept)."""
    of_plan = "action_id IN (SELECT action_id FROM strategy_actions WHERE strategy_id = ?)"
    for table in (
        "strategy_action_links",
        "strategy_indicators",
        "strategy_progress",
        "strategy_results",
    ):
        con.execute(f"DELETE FROM {table} WHERE {of_plan}", [strategy_id])
    for table in ("strategy_actions", "strategy_objectives", "strategies"):
        con.execute(f"DELETE FROM {table} WHERE strategy_id = ?", [strategy_id])


def replace_plan(
    con: Any,
    strategy: dict[str, Any],
    objectives: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    progress: list[dict[str, Any]],
    results: list[dict[str, Any]],
    *,
    dataset_id: str,
    synthetic: bool = False,
    replace: bool = True,
) -> None:
    """Replace the whole plan of ``strategy['strategy_id']`` (see :func:`delete_plan`) by the given
    rows; actions as for :func:`upsert_action`.  ``replace=False`` only adds the rows (the demo:
    its previous rows are gone already, and rows that are not synthetic must stay)."""
    sid = str(strategy["strategy_id"])
    if replace:
        delete_plan(con, sid)
    tag = {"dataset_id": dataset_id, "synthetic": synthetic}
    _insert(con, "strategies", {**strategy, **tag})
    for obj in objectives:
        _insert(con, "strategy_objectives", {**obj, "strategy_id": sid, **tag})
    for action in actions:
        upsert_action(
            con, {**action, "strategy_id": sid}, dataset_id=dataset_id, synthetic=synthetic
        )
    for row in progress:
        _insert(con, "strategy_progress", {**row, **tag})
    for row in results:
        _insert(con, "strategy_results", {**row, **tag})


def upsert_scenario(
    con: Any,
    scenario: dict[str, Any],
    *,
    dataset_id: str = CAPTURE_DATASET,
    synthetic: bool = False,
) -> None:
    """Insert or replace a scenario narrative: exercise_id, scenario (HH/HL/LH/LL), axis_a,
    axis_b, name, story, signposts (list), author, and ``implications`` (dimension -> text)."""
    key = [scenario["exercise_id"], scenario["scenario"]]
    for table in ("strategy_scenario_implications", "strategy_scenarios"):
        con.execute(f"DELETE FROM {table} WHERE exercise_id = ? AND scenario = ?", key)
    row = {
        c: scenario.get(c)
        for c in ("exercise_id", "scenario", "axis_a", "axis_b", "name", "story", "author")
    }
    row["signposts"] = list(scenario.get("signposts") or [])
    row["updated_at"] = scenario.get("updated_at") or _now()
    _insert(con, "strategy_scenarios", {**row, "dataset_id": dataset_id, "synthetic": synthetic})
    for dimension, text in (scenario.get("implications") or {}).items():
        if text:
            _insert(
                con,
                "strategy_scenario_implications",
                {
                    "exercise_id": key[0],
                    "scenario": key[1],
                    "dimension": dimension,
                    "implication": text,
                    "dataset_id": dataset_id,
                    "synthetic": synthetic,
                },
            )


def upsert_vision(
    con: Any,
    vision: dict[str, Any],
    *,
    dataset_id: str = CAPTURE_DATASET,
    synthetic: bool = False,
) -> None:
    """Insert or replace a vision: strategy_id, region (NUTS code or 'joint'), text, author."""
    key = [vision["strategy_id"], vision["region"]]
    con.execute("DELETE FROM strategy_visions WHERE strategy_id = ? AND region = ?", key)
    _insert(
        con,
        "strategy_visions",
        {
            "strategy_id": key[0],
            "region": key[1],
            "text": vision["text"],
            "author": vision.get("author"),
            "updated_at": vision.get("updated_at") or _now(),
            "dataset_id": dataset_id,
            "synthetic": synthetic,
        },
    )
