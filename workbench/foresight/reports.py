"""Everything the foresight report shows, computed once from an exercise (what the notebook calls)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import cast

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.foresight import delphi, micmac, scenarios
from workbench.foresight.model import Exercise, load_exercise, round_answers
from workbench.foresight.parameters import validate_exercise_id


@dataclass
class ForesightSummary:
    """Results of one exercise: Delphi per round, stability, matrix and scenarios, MICMAC, comments."""

    exercise: Exercise
    item_stats: dict[int, pd.DataFrame] = field(default_factory=dict)
    kendall: pd.DataFrame = field(default_factory=pd.DataFrame)
    stability: dict[int, pd.DataFrame] = field(default_factory=dict)
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    axes: dict[str, object] = field(default_factory=dict)
    scenario_frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    micmac: pd.DataFrame = field(default_factory=pd.DataFrame)
    micmac_power: int = 0
    moved: pd.DataFrame = field(default_factory=pd.DataFrame)
    comments: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def dataset_ids(self) -> list[str]:
        """Datasets the exercise's rows come from (for provenance)."""
        ex = self.exercise
        ids: set[str] = set()
        for df in (ex.statements, ex.answers, ex.ratings, ex.influences):
            if "dataset_id" in df:
                ids.update(str(v) for v in df["dataset_id"].dropna().unique())
        return sorted(ids)


def summarise(exercise_id: str, db: str | os.PathLike[str] | None = None) -> ForesightSummary:
    """Compute the report's tables for ``exercise_id`` (knowledge base + pending inbox rows)."""
    ex = load_exercise(validate_exercise_id(exercise_id), db=db)
    out = ForesightSummary(exercise=ex)
    scales = ex.statements.set_index("statement_id")["scale_points"]
    texts = ex.statements.set_index("statement_id")["text"]
    kendall_rows = []
    previous = None
    for r in sorted(int(x) for x in ex.rounds["round_no"]):
        answers = round_answers(ex, r)
        if answers.empty:
            continue
        stats = delphi.item_stats(answers, scales)
        stats.insert(1, "statement", stats["statement_id"].map(texts))
        out.item_stats[r] = stats
        with contextlib.suppress(
            WorkbenchError
        ):  # fewer than 2 complete raters: no W for the round
            kendall_rows.append({"round_no": r, **delphi.kendall_w(answers, scales).to_dict()})
        if previous is not None:
            stab = delphi.stability(previous, answers)
            if "statement_id" in stab.columns and "statement" not in stab.columns:
                stab.insert(1, "statement", stab["statement_id"].map(texts))
            out.stability[r] = stab
        previous = answers
    out.kendall = pd.DataFrame(kendall_rows)
    if not ex.ratings.empty:
        out.matrix = scenarios.impact_uncertainty(ex.ratings, ex.drivers)
        out.axes = scenarios.critical_uncertainties(out.matrix, ex.ratings)
        labels = out.matrix.set_index("driver_id")["label"]
        a, b = cast(tuple[str, str], out.axes["axes"])
        out.scenario_frame = scenarios.scenario_frame(labels[a], labels[b])
    if not ex.influences.empty:
        out.micmac, out.micmac_power = micmac.micmac(micmac.influence_matrix(ex.influences))
        names = dict(zip(ex.drivers["driver_id"], ex.drivers["label"], strict=True))
        if "variable" in out.micmac.columns and "label" not in out.micmac.columns:
            out.micmac.insert(1, "label", out.micmac["variable"].map(names))
        out.moved = micmac.moved_variables(out.micmac)
    if not ex.comments.empty:
        out.comments = ex.comments.sort_values("submitted_at")[
            ["round_no", "statement_id", "text"]
        ].reset_index(drop=True)
    return out
