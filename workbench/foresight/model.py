"""Load a foresight exercise from the knowledge base, plus submissions still waiting in the inbox.

The facilitator's live view must not wait for a merge: rows that are still pending in the capture
inbox are added (same columns, deduplicated by their id = idempotency key), and round changes still
pending are applied on top of the knowledge-base rounds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from workbench import capture
from workbench.errors import ValidationError
from workbench.kb import query, reader


@dataclass
class Exercise:
    """All tables of one exercise (DataFrames, one per knowledge-base table)."""

    exercise: pd.Series
    rounds: pd.DataFrame
    participants: pd.DataFrame
    drivers: pd.DataFrame
    statements: pd.DataFrame
    answers: pd.DataFrame
    comments: pd.DataFrame
    ratings: pd.DataFrame
    influences: pd.DataFrame
    pending: int = 0
    statement_translations: pd.DataFrame = field(default_factory=pd.DataFrame)
    driver_translations: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def synthetic(self) -> bool:
        """True when the exercise comes from the demo generator."""
        return bool(self.exercise.get("synthetic", False))


TABLES = {
    "rounds": "foresight_rounds",
    "participants": "foresight_participants",
    "drivers": "foresight_drivers",
    "statements": "foresight_statements",
    "answers": "foresight_answers",
    "comments": "foresight_comments",
    "ratings": "foresight_driver_ratings",
    "influences": "foresight_influences",
    "statement_translations": "foresight_statement_translations",
    "driver_translations": "foresight_driver_translations",
}


def list_exercises(db: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """exercise_id, title, horizon_year, synthetic of every exercise."""
    return query(
        "SELECT exercise_id, title, horizon_year, synthetic FROM foresight_exercises ORDER BY exercise_id",
        db=db,
    )


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None))


def _pending_frames(exercise_id: str, db: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("answers", "comments", "ratings", "influences", "drivers", "rounds")
    }
    for row in capture.pending(db=db, include_failed=False):
        p = row.payload
        if p.get("exercise_id") != exercise_id:
            continue
        at = _ts(row.received_at)
        base = {
            "exercise_id": exercise_id,
            "submitted_at": at,
            "synthetic": False,
            "dataset_id": f"capture:foresight:{exercise_id}",
        }
        if row.kind == "foresight.answer":
            out["answers"].append(
                {
                    **base,
                    "answer_id": row.idempotency_key,
                    "round_no": p["round_no"],
                    "statement_id": p["statement_id"],
                    "participant_code": p["participant_code"],
                    "value": p["value"],
                }
            )
            if p.get("comment"):
                out["comments"].append(
                    {
                        **base,
                        "comment_id": row.idempotency_key,
                        "round_no": p["round_no"],
                        "statement_id": p["statement_id"],
                        "participant_code": p["participant_code"],
                        "text": p["comment"],
                    }
                )
        elif row.kind == "foresight.rating":
            out["ratings"].append(
                {
                    **base,
                    "rating_id": row.idempotency_key,
                    "driver_id": p["driver_id"],
                    "participant_code": p["participant_code"],
                    "impact": p["impact"],
                    "uncertainty": p["uncertainty"],
                }
            )
        elif row.kind == "foresight.influence":
            out["influences"].append(
                {
                    **base,
                    "influence_id": row.idempotency_key,
                    "source_driver": p["source_driver"],
                    "target_driver": p["target_driver"],
                    "strength": p["strength"],
                    "participant_code": p["participant_code"],
                }
            )
        elif row.kind == "foresight.driver":
            out["drivers"].append(
                {
                    "exercise_id": exercise_id,
                    "driver_id": "pending:" + row.idempotency_key,
                    "label": p["label"],
                    "steep": p["steep"],
                    "description": p.get("description"),
                    "status": "proposed",
                    "proposed_by": p["participant_code"],
                    "proposed_at": at,
                }
            )
        elif row.kind in ("foresight.ratings", "foresight.influences"):  # batches of the grids
            from workbench.foresight.capture_batches import expand

            name = row.kind.split(".", 1)[1]
            id_field = "rating_id" if name == "ratings" else "influence_id"
            for item_id, item in expand(row, name):
                out[name].append({**base, **item, id_field: item_id})
        elif row.kind == "foresight.round":
            out["rounds"].append(
                {
                    "round_no": p["round_no"],
                    "status": p["status"],
                    "results_shared": p["results_shared"],
                }
            )
    return out


def load_exercise(
    exercise_id: str, db: str | os.PathLike[str] | None = None, *, include_pending: bool = True
) -> Exercise:
    """Every table of one exercise; with ``include_pending`` also the inbox rows not merged yet."""
    with reader(db) as con:
        head = con.execute(
            "SELECT * FROM foresight_exercises WHERE exercise_id = ?", [exercise_id]
        ).df()
        if head.empty:
            known = [
                r[0] for r in con.execute("SELECT exercise_id FROM foresight_exercises").fetchall()
            ]
            raise ValidationError(
                f"unknown foresight exercise {exercise_id!r} (known: {', '.join(known) or 'none'})"
            )
        frames = {
            name: con.execute(f"SELECT * FROM {table} WHERE exercise_id = ?", [exercise_id]).df()
            for name, table in TABLES.items()
        }
    pending = _pending_frames(exercise_id, db) if include_pending else {}
    count = 0
    id_columns = {
        "answers": "answer_id",
        "comments": "comment_id",
        "ratings": "rating_id",
        "influences": "influence_id",
        "drivers": "driver_id",
    }
    for name, id_col in id_columns.items():
        extra = pending.get(name, [])
        if extra:
            count += len(extra)
            add = pd.DataFrame(extra)
            add = add[~add[id_col].isin(frames[name][id_col])]
            frames[name] = pd.concat(
                [frames[name], add.reindex(columns=frames[name].columns)], ignore_index=True
            )
    rounds = frames["rounds"]
    for change in pending.get("rounds", []):
        mask = rounds["round_no"] == change["round_no"]
        if mask.any():
            rounds.loc[mask, ["status", "results_shared"]] = [
                change["status"],
                change["results_shared"],
            ]
        else:
            rounds = pd.concat(
                [rounds, pd.DataFrame([{**change, "exercise_id": exercise_id}])], ignore_index=True
            )
    frames["rounds"] = rounds
    for name in ("answers", "ratings", "influences"):
        frames[name]["submitted_at"] = pd.to_datetime(frames[name]["submitted_at"])
    return Exercise(exercise=head.iloc[0], pending=count, **frames)


def round_answers(ex: Exercise, round_no: int) -> pd.DataFrame:
    """The latest answer of each participant per statement in one round."""
    from workbench.foresight.delphi import latest_answers

    answers = ex.answers[ex.answers["round_no"] == round_no]
    if answers.empty:
        return answers.assign(value=pd.Series(dtype="int64"))
    return latest_answers(answers)


def progress(ex: Exercise, round_no: int) -> pd.DataFrame:
    """Answers per statement in a round (counts only: no identities), with the number of participants."""
    latest = round_answers(ex, round_no)
    counts = latest.groupby("statement_id").size().rename("answers")
    table = ex.statements[["statement_id", "text", "sort_order"]].merge(
        counts.reset_index(), on="statement_id", how="left"
    )
    table["answers"] = table["answers"].fillna(0).astype(int)
    return table.sort_values("sort_order").drop(columns="sort_order").reset_index(drop=True)
