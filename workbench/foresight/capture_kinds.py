"""Foresight submission kinds: validation (in the participant's kernel, before anything is stored)
and merge into the knowledge base (inside the capture merge transaction).  Light: no pandas.

Kinds: ``foresight.answer`` (Delphi rating + optional comment), ``foresight.driver`` (proposed driver),
``foresight.rating`` (impact/uncertainty of a driver), ``foresight.influence`` (structural analysis),
``foresight.round`` (facilitator opens/closes a round), ``foresight.state`` (published state).
Values are checked against the published state (open round, known statement, scale, valid code), so
a crafted widget message cannot store an out-of-range value or answer a closed round.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from workbench import capture
from workbench.errors import ValidationError
from workbench.foresight.state import (
    ROUND_KIND,
    STATE_KIND,
    current_state,
    hash_code,
    normalise_code,
)

STEEP = ("social", "technological", "economic", "environmental", "political")
MAX_COMMENT = 2000
MAX_LABEL = 120


def _int(payload: dict[str, Any], field: str, low: int, high: int, what: str) -> int:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValidationError(
            f"{what} must be a whole number from {low} to {high} (got {value!r:.40})"
        )
    if not low <= int(value) <= high:
        raise ValidationError(f"{what} must be from {low} to {high} (got {int(value)})")
    return int(value)


def _text(payload: dict[str, Any], field: str, limit: int, *, required: bool, what: str) -> str:
    value = payload.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text")
    value = value.strip()
    if required and not value:
        raise ValidationError(f"{what} is required")
    if len(value) > limit:
        raise ValidationError(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


def _quota(kind: str, exercise_id: str, code: str) -> None:
    """Per-participant quotas (``foresight.yml``: ``quotas``), see :mod:`workbench.foresight.access`."""
    from workbench.foresight.access import check_quota

    check_quota(kind, exercise_id, code, capture.submission_db())


def _context(payload: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    exercise_id = payload.get("exercise_id")
    if not isinstance(exercise_id, str) or not exercise_id:
        raise ValidationError("exercise_id is missing")
    state = current_state(exercise_id, db=capture.submission_db())
    if state is None:
        raise ValidationError(f"exercise {exercise_id!r} is not open for participants")
    code = normalise_code(payload.get("participant_code", ""))
    if hash_code(exercise_id, code) not in set(state.get("code_hashes", [])):
        raise ValidationError("unknown participant code")
    return state, exercise_id, code


def validate_answer(payload: dict[str, Any]) -> dict[str, Any]:
    """An answer to a statement of the open round, within the statement's scale; optional comment."""
    state, exercise_id, code = _context(payload)
    round_no = payload.get("round_no")
    if state.get("open_round") is None or round_no != state["open_round"]:
        raise ValidationError(f"round {round_no!r} is not open")
    statements = {s["statement_id"]: s for s in state["statements"]}
    sid = payload.get("statement_id")
    if sid not in statements:
        raise ValidationError(f"unknown statement {sid!r:.40}")
    points = int(statements[sid]["scale_points"])
    _quota("foresight.answer", exercise_id, code)
    return {
        "exercise_id": exercise_id,
        "participant_code": code,
        "round_no": int(round_no),
        "statement_id": sid,
        "value": _int(payload, "value", 1, points, "the rating"),
        "comment": _text(payload, "comment", MAX_COMMENT, required=False, what="the comment"),
    }


def validate_driver(payload: dict[str, Any]) -> dict[str, Any]:
    """A proposed driver: label (<= 120 characters), STEEP category, optional description."""
    _, exercise_id, code = _context(payload)
    steep = payload.get("steep")
    if steep not in STEEP:
        raise ValidationError(
            f"STEEP category must be one of {', '.join(STEEP)} (got {steep!r:.40})"
        )
    _quota("foresight.driver", exercise_id, code)
    return {
        "exercise_id": exercise_id,
        "participant_code": code,
        "label": _text(payload, "label", MAX_LABEL, required=True, what="the driver's name"),
        "steep": steep,
        "description": _text(
            payload, "description", MAX_COMMENT, required=False, what="the description"
        ),
    }


def validate_rating(payload: dict[str, Any]) -> dict[str, Any]:
    """Impact and uncertainty (1-5) of an accepted driver."""
    state, exercise_id, code = _context(payload)
    if payload.get("driver_id") not in {d["driver_id"] for d in state["drivers"]}:
        raise ValidationError(f"unknown driver {payload.get('driver_id')!r:.40}")
    _quota("foresight.rating", exercise_id, code)
    return {
        "exercise_id": exercise_id,
        "participant_code": code,
        "driver_id": payload["driver_id"],
        "impact": _int(payload, "impact", 1, 5, "impact"),
        "uncertainty": _int(payload, "uncertainty", 1, 5, "uncertainty"),
    }


def validate_influence(payload: dict[str, Any]) -> dict[str, Any]:
    """Direct influence 0-3 of one driver on another (different) driver."""
    state, exercise_id, code = _context(payload)
    known = {d["driver_id"] for d in state["drivers"]}
    src, dst = payload.get("source_driver"), payload.get("target_driver")
    if src not in known or dst not in known:
        raise ValidationError("choose two drivers from the list")
    if src == dst:
        raise ValidationError("a driver cannot influence itself")
    _quota("foresight.influence", exercise_id, code)
    return {
        "exercise_id": exercise_id,
        "participant_code": code,
        "source_driver": src,
        "target_driver": dst,
        "strength": _int(payload, "strength", 0, 3, "the influence"),
    }


def validate_round(payload: dict[str, Any]) -> dict[str, Any]:
    """Facilitator's round change: status open/closed, results_shared flag."""
    if payload.get("status") not in ("open", "closed", "planned"):
        raise ValidationError("round status must be open, closed or planned")
    return {
        "exercise_id": str(payload.get("exercise_id", "")),
        "round_no": _int(payload, "round_no", 1, 99, "round"),
        "status": payload["status"],
        "results_shared": bool(payload.get("results_shared", False)),
    }


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def _dataset(con: Any, exercise_id: str) -> str:
    """Live submissions are recorded as dataset ``capture:foresight:<exercise>`` (not synthetic)."""
    from workbench.kb.datasets import replace_dataset

    dataset_id = f"capture:foresight:{exercise_id}"
    rows = con.execute(
        "SELECT count(*) FROM foresight_answers WHERE dataset_id = ?", [dataset_id]
    ).fetchone()[0]
    replace_dataset(
        con,
        dataset_id,
        source="workshop submissions (workbench.capture)",
        kind="capture",
        file_name=None,
        sha256=None,
        rows=int(rows),
        importer="workbench.foresight.capture_kinds",
        importer_version="1",
        synthetic=False,
        title=f"Foresight workshop submissions: {exercise_id}",
    )
    return dataset_id


def insert_rows(con: Any, sql: str, records: list[tuple[Any, ...]]) -> None:
    """Run ``sql``, an INSERT that reads the relation ``_rows`` (the ``records``, columns in table
    order), once for all of them.  DuckDB's ``executemany`` runs the statement once per row (about
    0.6 ms each: a merge of 40 answers spent 30 ms there, 1,000 influences 0.5-1.6 s); a data frame
    goes in with one statement (1,000 rows about 50 ms).  The merge loop runs beside the
    participants' kernels on the same cores, so this is CPU taken from the participants."""
    if not records:
        return
    import pandas as pd  # merging processes only: participant kernels never merge (no pandas)

    width = len(records[0])
    frame = pd.DataFrame.from_records(records, columns=[f"c{i}" for i in range(width)])
    con.register("_rows", frame)
    try:
        con.execute(sql)
    finally:
        con.unregister("_rows")


def _participants(con: Any, rows: list[Any]) -> None:
    pairs = sorted({(r.payload["exercise_id"], r.payload["participant_code"]) for r in rows})
    insert_rows(
        con,
        "INSERT INTO foresight_participants (exercise_id, participant_code, created_at) "
        "SELECT * FROM _rows ON CONFLICT DO NOTHING",
        [(e, c, datetime.now(UTC).replace(tzinfo=None)) for e, c in pairs],
    )


def merge_answers(con: Any, rows: list[Any]) -> None:
    """Answers -> foresight_answers (+ foresight_comments when a comment was given)."""
    _participants(con, rows)
    for exercise_id in sorted({r.payload["exercise_id"] for r in rows}):
        mine = [r for r in rows if r.payload["exercise_id"] == exercise_id]
        ds = f"capture:foresight:{exercise_id}"
        insert_rows(
            con,
            "INSERT INTO foresight_answers SELECT *, FALSE FROM _rows",
            [
                (
                    r.idempotency_key,
                    exercise_id,
                    r.payload["round_no"],
                    r.payload["statement_id"],
                    r.payload["participant_code"],
                    r.payload["value"],
                    _ts(r.received_at),
                    ds,
                )
                for r in mine
            ],
        )
        comments = [r for r in mine if r.payload.get("comment")]
        if comments:
            insert_rows(
                con,
                "INSERT INTO foresight_comments SELECT *, FALSE FROM _rows",
                [
                    (
                        r.idempotency_key,
                        exercise_id,
                        r.payload["round_no"],
                        r.payload["statement_id"],
                        r.payload["participant_code"],
                        r.payload["comment"],
                        _ts(r.received_at),
                        ds,
                    )
                    for r in comments
                ],
            )
        _dataset(con, exercise_id)


def merge_drivers(con: Any, rows: list[Any]) -> None:
    """Proposed drivers -> foresight_drivers with status 'proposed' (the facilitator accepts them)."""
    _participants(con, rows)
    con.executemany(
        "INSERT INTO foresight_drivers (exercise_id, driver_id, label, steep, description, status,"
        " proposed_by, proposed_at, dataset_id, synthetic) VALUES (?, ?, ?, ?, ?, 'proposed', ?, ?, ?, FALSE)",
        [
            (
                r.payload["exercise_id"],
                "P-" + hashlib.sha256(r.idempotency_key.encode()).hexdigest()[:8],
                r.payload["label"],
                r.payload["steep"],
                r.payload["description"] or None,
                r.payload["participant_code"],
                _ts(r.received_at),
                f"capture:foresight:{r.payload['exercise_id']}",
            )
            for r in rows
        ],
    )


def merge_ratings(con: Any, rows: list[Any]) -> None:
    """Impact/uncertainty ratings -> foresight_driver_ratings."""
    _participants(con, rows)
    insert_rows(
        con,
        "INSERT INTO foresight_driver_ratings SELECT *, FALSE FROM _rows",
        [
            (
                r.idempotency_key,
                r.payload["exercise_id"],
                r.payload["driver_id"],
                r.payload["participant_code"],
                r.payload["impact"],
                r.payload["uncertainty"],
                _ts(r.received_at),
                f"capture:foresight:{r.payload['exercise_id']}",
            )
            for r in rows
        ],
    )


def merge_influences(con: Any, rows: list[Any]) -> None:
    """Influences -> foresight_influences."""
    _participants(con, rows)
    insert_rows(
        con,
        "INSERT INTO foresight_influences SELECT *, FALSE FROM _rows",
        [
            (
                r.idempotency_key,
                r.payload["exercise_id"],
                r.payload["source_driver"],
                r.payload["target_driver"],
                r.payload["strength"],
                r.payload["participant_code"],
                _ts(r.received_at),
                f"capture:foresight:{r.payload['exercise_id']}",
            )
            for r in rows
        ],
    )


def merge_rounds(con: Any, rows: list[Any]) -> None:
    """Round changes -> foresight_rounds (upsert; opened_at/closed_at set on the change)."""
    for r in rows:
        p, at = r.payload, _ts(r.received_at)
        con.execute(
            "INSERT INTO foresight_rounds (exercise_id, round_no, status, results_shared, opened_at, closed_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (exercise_id, round_no) DO UPDATE SET"
            " status = excluded.status, results_shared = excluded.results_shared,"
            " opened_at = CASE WHEN excluded.status = 'open' THEN excluded.opened_at ELSE foresight_rounds.opened_at END,"
            " closed_at = CASE WHEN excluded.status = 'closed' THEN excluded.closed_at ELSE NULL END",
            [
                p["exercise_id"],
                p["round_no"],
                p["status"],
                p["results_shared"],
                at if p["status"] == "open" else None,
                at if p["status"] == "closed" else None,
            ],
        )


def merge_states(con: Any, rows: list[Any]) -> None:
    """Published states live in the inbox only (their history is the audit trail)."""


capture.register_merger("foresight.answer", merge_answers, validate=validate_answer)
capture.register_merger("foresight.driver", merge_drivers, validate=validate_driver)
capture.register_merger("foresight.rating", merge_ratings, validate=validate_rating)
capture.register_merger("foresight.influence", merge_influences, validate=validate_influence)
capture.register_merger(ROUND_KIND, merge_rounds, validate=validate_round)
capture.register_merger(STATE_KIND, merge_states)

# batched ratings/influences (participant grids): registered with the domain's kinds
from workbench.foresight import capture_batches as _batches  # noqa: E402, F401
