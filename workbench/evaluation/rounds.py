"""Scoring rounds (``workbench scoring new``): their mechanisms, criteria, weights and directions.

A round's criteria replace the defaults of ``evaluation.yml`` (criteria and AHP weights) for the
scores that carry its ``round_id``; scores without a round keep the defaults.  Light module (no
pandas): the scoring dashboard's kernel and the capture validator import it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from workbench.evaluation.errors import EvaluationInputError

Db = str | os.PathLike[str] | None


@dataclass(frozen=True)
class ScoringRound:
    """One round: ``criteria`` is a list of dicts (criterion, label, weight, direction, scale_min,
    scale_max, description) in sheet order; ``mechanisms`` maps id -> the round's name."""

    round_id: str
    title: str
    mechanisms: dict[str, str]
    criteria: list[dict[str, Any]]
    evaluators: list[str] = field(default_factory=list)
    dataset_id: str | None = None  # provenance row of the template file it came from

    @property
    def codes(self) -> list[str]:
        return [c["criterion"] for c in self.criteria]

    @property
    def labels(self) -> dict[str, str]:
        return {c["criterion"]: c["label"] for c in self.criteria}

    @property
    def weights(self) -> dict[str, float]:
        """Weights divided by their sum (they sum to 1)."""
        total = sum(float(c["weight"]) for c in self.criteria)
        return {c["criterion"]: float(c["weight"]) / total for c in self.criteria}

    @property
    def impacts(self) -> dict[str, str]:
        """criterion -> 'benefit' | 'cost' (as :func:`workbench.evaluation.ranking.topsis` takes)."""
        return {c["criterion"]: c["direction"] for c in self.criteria}


def list_rounds(db: Db = None) -> dict[str, str]:
    """The stored scoring rounds: id -> title (newest first)."""
    from workbench.kb import reader

    with reader(db) as con:
        rows = con.execute(
            "SELECT round_id, title FROM scoring_rounds ORDER BY created_at DESC, round_id"
        ).fetchall()
    return {r: t for r, t in rows}


def load_round(round_id: str, db: Db = None, *, timeout: float | None = None) -> ScoringRound:
    """The stored round ``round_id``; an unknown id is an error listing the known ones."""
    from workbench.kb import reader

    kwargs = {} if timeout is None else {"timeout": timeout}
    with reader(db, **kwargs) as con:
        head = con.execute(
            "SELECT round_id, title, dataset_id FROM scoring_rounds WHERE round_id = ?", [round_id]
        ).fetchone()
        if head is None:
            rows = con.execute("SELECT round_id FROM scoring_rounds ORDER BY 1").fetchall()
            known = [r[0] for r in rows]
            raise EvaluationInputError(
                f"unknown scoring round {round_id!r}; known rounds: {', '.join(known) or '(none)'}"
                " (create one with `workbench template scoring_round` and `workbench scoring new`)"
            )
        mechanisms = con.execute(
            "SELECT mechanism_id, name FROM scoring_round_mechanisms WHERE round_id = ?"
            " ORDER BY sort_order",
            [round_id],
        ).fetchall()
        cols = [
            "criterion",
            "label",
            "weight",
            "direction",
            "scale_min",
            "scale_max",
            "description",
        ]
        criteria = con.execute(
            f"SELECT {', '.join(cols)} FROM scoring_round_criteria WHERE round_id = ?"
            " ORDER BY sort_order",
            [round_id],
        ).fetchall()
        evaluators = con.execute(
            "SELECT evaluator FROM scoring_round_evaluators WHERE round_id = ? ORDER BY evaluator",
            [round_id],
        ).fetchall()
    return ScoringRound(
        round_id=head[0],
        title=head[1],
        mechanisms={m: n for m, n in mechanisms},
        criteria=[dict(zip(cols, c, strict=True)) for c in criteria],
        evaluators=[e[0] for e in evaluators],
        dataset_id=head[2],
    )
