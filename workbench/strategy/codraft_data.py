"""Loaders of the co-drafting dashboard: the plan's actions, proposals and comments of a strategy,
the knowledge base's rows plus what still waits in the capture inbox (shown as ``pending``).

Read-only (``kb.query``); text typed by people is returned raw: escape it when shown.
"""

from __future__ import annotations

import json
import os

import pandas as pd

from workbench import capture
from workbench.errors import ValidationError
from workbench.kb.access import query
from workbench.strategy import codraft

Db = str | os.PathLike[str] | None

PROPOSAL_COLUMNS = [
    "proposal_id", "strategy_id", "title", "dimensions", "rationale", "author", "submitted_at",
    "status", "action_id", "decision_note", "decided_at", "action", "pending",
]  # fmt: skip
COMMENT_COLUMNS = [
    "comment_id", "strategy_id", "target_type", "target_id", "text", "author", "submitted_at",
    "pending",
]  # fmt: skip


def strategies(db: Db = None) -> pd.DataFrame:
    """``strategy_id``, ``title`` of every strategy, by id."""
    return query("SELECT strategy_id, title FROM strategies ORDER BY strategy_id", db=db)


def objectives(strategy_id: str, db: Db = None) -> pd.DataFrame:
    """``objective_id``, ``title`` of a strategy's objectives, in their order."""
    return query(
        "SELECT objective_id, title FROM strategy_objectives WHERE strategy_id = ?"
        " ORDER BY sort_order NULLS LAST, objective_id",
        [strategy_id],
        db=db,
    )


def actions(strategy_id: str, db: Db = None) -> pd.DataFrame:
    """The plan's actions of a strategy (``action_id``, ``title``, ``objective_id``, ``dimensions``,
    ``lead_region``, ``partner_regions``, ``funding_source``, ``dataset_id``), by id."""
    return query(
        "SELECT action_id, title, objective_id, dimensions, lead_region, partner_regions,"
        " funding_source, description, dataset_id FROM strategy_actions WHERE strategy_id = ?"
        " ORDER BY action_id",
        [strategy_id],
        db=db,
    )


def proposals(strategy_id: str, db: Db = None) -> pd.DataFrame:
    """Proposals of a strategy: merged ones from ``strategy_proposals`` and those still in the
    inbox (``pending`` True, status ``proposed``); a decision still in the inbox shows as status
    ``<decision> (pending)``.  ``action`` holds the proposed action as a dict.  Newest first."""
    kb = query(
        "SELECT proposal_id, strategy_id, title, dimensions, rationale, author, submitted_at,"
        " status, action_id, decision_note, decided_at, action_json FROM strategy_proposals"
        " WHERE strategy_id = ?",
        [strategy_id],
        db=db,
    )
    kb["action"] = [json.loads(t) for t in kb.pop("action_json")]
    kb["pending"] = False
    kb["dimensions"] = kb["dimensions"].map(lambda d: list(d) if d is not None else [])
    known = set(kb["proposal_id"])
    waiting = []
    for row in capture.pending(codraft.PROPOSAL_KIND, db=db):
        try:
            p = codraft.validate_proposal(dict(row.payload))
        except ValidationError:
            continue
        if p["strategy_id"] != strategy_id or p["proposal_id"] in known:
            continue
        waiting.append(
            {**{k: p.get(k) for k in ("proposal_id", "strategy_id", "title", "dimensions",
                                      "rationale", "author")},
             "submitted_at": codraft.received_at(row.received_at), "status": "proposed",
             "action": p, "pending": True}
        )  # fmt: skip
    frame = pd.concat([kb, pd.DataFrame(waiting)], ignore_index=True) if waiting else kb
    frame = frame.drop_duplicates("proposal_id", keep="last").reindex(columns=PROPOSAL_COLUMNS)
    frame["pending"] = frame["pending"].fillna(False).astype(bool)
    undecided = frame["status"] == "proposed"
    for row in capture.pending(codraft.DECISION_KIND, db=db, include_failed=False):
        pid, decision = row.payload.get("proposal_id"), row.payload.get("decision")
        hit = undecided & (frame["proposal_id"] == pid)
        frame.loc[hit, "status"] = f"{decision} (pending)"
    return frame.sort_values("submitted_at", ascending=False, kind="stable").reset_index(drop=True)


def comments(strategy_id: str, db: Db = None) -> pd.DataFrame:
    """Comments on the actions and proposals of a strategy (KB plus inbox), oldest first."""
    kb = query(
        "SELECT comment_id, strategy_id, target_type, target_id, text, author, submitted_at"
        " FROM strategy_comments WHERE strategy_id = ?",
        [strategy_id],
        db=db,
    ).assign(pending=False)
    known = set(kb["comment_id"])
    waiting = []
    for row in capture.pending(codraft.COMMENT_KIND, db=db):
        try:
            c = codraft.validate_comment(dict(row.payload))
        except ValidationError:
            continue
        if c["strategy_id"] == strategy_id and c["comment_id"] not in known:
            waiting.append(
                {**c, "submitted_at": codraft.received_at(row.received_at), "pending": True}
            )
    frame = pd.concat([kb, pd.DataFrame(waiting)], ignore_index=True) if waiting else kb
    frame = frame.reindex(columns=COMMENT_COLUMNS)
    return frame.sort_values("submitted_at", kind="stable").reset_index(drop=True)
