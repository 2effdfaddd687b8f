"""Capture kinds of the evaluation domain (imported by :mod:`workbench.capture` on first use).

``evaluation.criteria_score``: one evaluator's score of one mechanism on one criterion, entered in the
scoring dashboard.  Validated before it is stored in the inbox; merged into ``criteria_scores`` with
the idempotency key as ``score_id`` (so a merge can never duplicate it).  A score of a scoring round
carries its ``round_id`` and is checked against that round's criteria and mechanisms.  Light module:
no pandas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workbench.capture.registry import register_merger
from workbench.evaluation.errors import ScoreValidationError
from workbench.evaluation.score_rules import check_record

KIND = "evaluation.criteria_score"
DATASET_ID = "capture:evaluation.criteria_score"


def validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Normalise a dashboard score or raise :class:`ScoreValidationError` (a ValidationError)."""
    round_id = payload.get("round_id") or None
    if round_id is None:
        record, problems = check_record(payload, source="score form")
    else:
        from workbench.capture.inbox import submission_db
        from workbench.evaluation.rounds import load_round

        rnd = load_round(str(round_id), submission_db())
        record, problems = check_record(
            payload, source="score form", mechanisms=list(rnd.mechanisms), criteria=rnd.codes
        )
    if problems:
        raise ScoreValidationError(problems)
    if not record.get("submitted_at"):
        record["submitted_at"] = (
            datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        )
    return {
        k: record.get(k)
        for k in (
            "evaluator",
            "mechanism_id",
            "criterion",
            "score",
            "confidence",
            "comment",
            "submitted_at",
        )
    } | ({"round_id": str(round_id)} if round_id else {})


def merge_scores(con: Any, rows: list[Any]) -> None:
    """Insert inbox rows into ``criteria_scores`` and keep the capture dataset's provenance row."""
    from workbench.kb.datasets import replace_dataset

    con.executemany(
        "INSERT INTO criteria_scores (score_id, evaluator, mechanism_id, criterion, score, confidence,"
        " comment, submitted_at, dataset_id, synthetic, round_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?)"
        " ON CONFLICT (score_id) DO NOTHING",
        [
            (
                r.idempotency_key,
                p["evaluator"],
                p["mechanism_id"],
                p["criterion"],
                int(p["score"]),
                p["confidence"],
                p.get("comment"),
                p["submitted_at"],
                DATASET_ID,
                p.get("round_id"),
            )
            for r in rows
            for p in [r.payload]
        ],
    )
    total = con.execute(
        "SELECT count(*) FROM criteria_scores WHERE dataset_id = ?", [DATASET_ID]
    ).fetchone()[0]
    replace_dataset(
        con,
        DATASET_ID,
        source="scoring dashboard (workbench.dashboards.scoring)",
        kind="capture",
        file_name=None,
        sha256=None,
        rows=int(total),
        importer="workbench.evaluation.capture_kinds",
        importer_version="1",
        synthetic=False,
        title="Criteria scores entered by evaluators",
    )


register_merger(KIND, merge_scores, validate=validate)
