"""Rank mechanisms from evaluators' criteria scores (what the ranking notebook and dashboard show)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.errors import ParameterError
from workbench.evaluation.errors import EvaluationInputError
from workbench.evaluation.ranking import AHPResult, default_weights, ranking_table
from workbench.evaluation.scoring import aggregate_scores, decision_matrix, latest_scores
from workbench.evaluation.settings import criteria_codes

WEIGHTINGS = ("ahp", "equal")


@dataclass
class MechanismRanking:
    """Aggregated scores, decision matrix, weights and the ranking table."""

    aggregated: pd.DataFrame
    matrix: pd.DataFrame
    weights: pd.Series
    ahp: AHPResult | None
    table: pd.DataFrame
    unranked: pd.DataFrame

    def weights_summary(self) -> pd.DataFrame:
        """Criterion, label and weight."""
        from workbench.evaluation.settings import criteria_labels

        labels = criteria_labels()
        return pd.DataFrame(
            {
                "criterion": self.weights.index,
                "label": [labels[c] for c in self.weights.index],
                "weight": self.weights.to_numpy(),
            }
        )

    def consistency(self) -> pd.DataFrame:
        """Saaty's consistency measures of the AHP judgements (or a note for equal weights)."""
        if self.ahp is None:
            return pd.DataFrame(
                [{"weighting": "equal", "note": "no pairwise judgements: CR not applicable"}]
            )
        return self.ahp.summary().assign(weighting="ahp")

    @property
    def disagreements(self) -> pd.DataFrame:
        """Mechanism/criterion cells where evaluators disagree (r_wg below the threshold)."""
        cols = ["mechanism_id", "criterion", "n_evaluators", "min", "max", "sd", "rwg"]
        return self.aggregated.loc[self.aggregated["disagreement"], cols].reset_index(drop=True)


def validate_weighting(weighting: object) -> str:
    """The ``weighting`` notebook parameter: 'ahp' (default judgements) or 'equal'."""
    if weighting not in WEIGHTINGS:
        raise ParameterError(
            f"parameter 'weighting': {weighting!r} must be one of {', '.join(WEIGHTINGS)}"
        )
    return str(weighting)


def weights_for(weighting: str) -> tuple[pd.Series, AHPResult | None]:
    """Criterion weights: AHP from ``default_judgements`` in evaluation.yml, or equal weights."""
    if validate_weighting(weighting) == "ahp":
        result = default_weights()
        return result.weights, result
    codes = criteria_codes()
    return pd.Series(1.0 / len(codes), index=codes, name="weight"), None


def rank_mechanisms(scores: pd.DataFrame, weighting: str = "ahp") -> MechanismRanking:
    """Aggregate the latest scores, rank mechanisms scored on every criterion, list the others."""
    aggregated = aggregate_scores(latest_scores(scores))
    codes = criteria_codes()
    have = aggregated.groupby("mechanism_id")["criterion"].agg(set)
    complete = [m for m, crits in have.items() if set(codes) <= crits]
    unranked = pd.DataFrame(
        [
            {"mechanism_id": m, "missing_criteria": ", ".join(c for c in codes if c not in crits)}
            for m, crits in have.items()
            if m not in complete
        ],
        columns=["mechanism_id", "missing_criteria"],
    )
    if not complete:
        raise EvaluationInputError(
            "no mechanism has scores on every criterion yet: nothing can be ranked"
        )
    matrix = decision_matrix(aggregated[aggregated["mechanism_id"].isin(complete)])
    weights, ahp = weights_for(weighting)
    return MechanismRanking(
        aggregated=aggregated,
        matrix=matrix,
        weights=weights,
        ahp=ahp,
        table=ranking_table(matrix, weights),
        unranked=unranked,
    )
