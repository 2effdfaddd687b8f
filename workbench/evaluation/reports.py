"""What the evaluation notebooks and the scoring dashboard call: one pilot's evaluation in one call
(``pilot_evaluation``) and the ranking of mechanisms from evaluators' criteria scores
(``mechanism_ranking``).  Parameters are checked in :mod:`workbench.evaluation.parameters`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from workbench.evaluation.achievement import indicator_achievement, level_achievement
from workbench.evaluation.beforeafter import before_after
from workbench.evaluation.data import PilotData, did_panel, pilot_level_values
from workbench.evaluation.did import describe_design, did_group_time, pretrend_check
from workbench.evaluation.errors import EvaluationInputError
from workbench.evaluation.guard import guarded_effect, small_n_checks
from workbench.evaluation.parameters import WEIGHTINGS, validate_weighting
from workbench.evaluation.ranking import AHPResult, default_weights, ranking_table
from workbench.evaluation.rounds import ScoringRound
from workbench.evaluation.scoring import aggregate_scores, decision_matrix, latest_scores
from workbench.evaluation.settings import criteria_codes
from workbench.evaluation.surveys import likert_distribution, net_scores, wave_change

__all__ = [
    "WEIGHTINGS",
    "MechanismRanking",
    "PilotEvaluation",
    "evaluate_pilot",
    "not_ranked",
    "rank_mechanisms",
    "round_scores",
    "validate_weighting",
    "weights_for",
]


# ------------------------------------------------------------------------------ pilot evaluation
@dataclass
class PilotEvaluation:
    """Tables of one pilot's evaluation; ``effect`` has the headline row flagged."""

    achievement: pd.DataFrame
    levels: pd.DataFrame
    panel: pd.DataFrame
    design_checks: pd.DataFrame
    pretrend: pd.DataFrame
    effect: pd.DataFrame
    group_time: pd.DataFrame
    pilot_regions_change: pd.DataFrame
    survey_distribution: pd.DataFrame
    survey_net: pd.DataFrame
    survey_change: pd.DataFrame
    group_time_reason: str = ""
    outcome_unit: str = ""

    def summary_markdown(self) -> str:
        """Two sentences for the report: the headline estimate and how far to trust it."""
        h = self.headline
        did = self.effect.iloc[0]
        lead = (
            f"**Headline ({h['approach']}):** {h['estimate']:+.2f} "
            f"({h['ci_low']:+.2f} to {h['ci_high']:+.2f}, 95 % interval)."
        )
        if h["approach"] == "difference-in-differences":
            return lead + " The design passed every small-n rule."
        return (
            lead + f" **The difference-in-differences estimate is not credible:** {did['reason']}. "
            "The headline is therefore the descriptive change of the pilot regions relative to the "
            "matched comparison regions, not a causal effect."
            + (
                " Pilot regions started at different months, so effects are estimated per start "
                "cohort (group-time table)."
                if not self.group_time.empty
                else ""
            )
        )

    @property
    def headline(self) -> pd.Series:
        """The row of ``effect`` a report should lead with."""
        return self.effect[self.effect["headline"]].iloc[0]


def evaluate_pilot(data: PilotData) -> PilotEvaluation:
    """Achievement, guarded counterfactual comparison and survey analysis of one pilot."""
    ach = indicator_achievement(data.indicators, pilot_level_values(data))
    panel = did_panel(data)
    design = describe_design(panel)
    group_time = (
        did_group_time(panel)[0]
        if design["staggered"]
        else pd.DataFrame(
            columns=[
                "cohort",
                "period",
                "event_time",
                "att",
                "se",
                "p_value",
                "ci_low",
                "ci_high",
                "n_units",
            ]
        )
    )
    start = min(design["cohorts"])
    n_treated = design["n_treated_units"]
    group_time_reason = ""  # why the group-time table is empty (said in the report)
    if not design["staggered"] and n_treated > 1:
        regions = "both pilot regions" if n_treated == 2 else f"all {n_treated} pilot regions"
        group_time_reason = (
            f"not estimated: {regions} started in the same month ({start[:7]}), so there are no "
            "start cohorts to compare; the difference-in-differences above covers them all."
        )
    elif not design["staggered"]:
        group_time_reason = (
            f"not estimated: the one pilot region started in {start[:7]}, a single start cohort; "
            "the difference-in-differences above covers it."
        )
    regional = data.indicators[data.indicators["regional"]]
    outcomes = regional[regional["level"] == "outcomes"]
    outcome_unit = str((outcomes if len(outcomes) else regional)["unit"].iloc[0] or "")
    treated = panel[panel["treated"]]
    return PilotEvaluation(
        achievement=ach,
        levels=level_achievement(ach),
        panel=panel,
        design_checks=small_n_checks(design),
        pretrend=pretrend_check(panel),
        effect=guarded_effect(panel),
        group_time=group_time,
        pilot_regions_change=before_after(treated, start=start, by="region"),
        survey_distribution=likert_distribution(data.survey),
        survey_net=net_scores(data.survey),
        survey_change=wave_change(data.survey),
        group_time_reason=group_time_reason,
        outcome_unit=outcome_unit,
    )


# ------------------------------------------------------------------------------ mechanism ranking
@dataclass
class MechanismRanking:
    """Aggregated scores, decision matrix, weights and the ranking table."""

    aggregated: pd.DataFrame
    matrix: pd.DataFrame
    weights: pd.Series
    ahp: AHPResult | None
    table: pd.DataFrame
    unranked: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)  # criterion -> label
    round: ScoringRound | None = None  # the scoring round whose criteria and weights were used

    def weights_summary(self) -> pd.DataFrame:
        """Criterion, label and weight (of a scoring round also its direction: benefit/cost)."""
        from workbench.evaluation.settings import criteria_labels

        labels = self.labels or criteria_labels()
        out = pd.DataFrame(
            {
                "criterion": self.weights.index,
                "label": [labels.get(c, c) for c in self.weights.index],
                "weight": self.weights.to_numpy(),
            }
        )
        if self.round is not None:
            out.insert(2, "direction", [self.round.impacts[c] for c in self.weights.index])
        return out

    def consistency(self) -> pd.DataFrame:
        """Saaty's consistency measures of the AHP judgements (or a note for equal weights)."""
        if self.round is not None:
            return pd.DataFrame(
                [
                    {
                        "weighting": f"scoring round {self.round.round_id}",
                        "note": "weights given in the round's criteria sheet: CR not applicable",
                    }
                ]
            )
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


def weights_for(weighting: str) -> tuple[pd.Series, AHPResult | None]:
    """Criterion weights: AHP from ``default_judgements`` in evaluation.yml, or equal weights."""
    if validate_weighting(weighting) == "ahp":
        result = default_weights()
        return result.weights, result
    codes = criteria_codes()
    return pd.Series(1.0 / len(codes), index=codes, name="weight"), None


def round_scores(scores: pd.DataFrame, round_id: str | None) -> pd.DataFrame:
    """The scores of scoring round ``round_id`` (``None``: the scores of no round, which use the
    default criteria of evaluation.yml)."""
    if "round_id" not in scores.columns:
        return scores.copy() if round_id is None else scores.iloc[0:0].copy()
    rid = scores["round_id"].astype(object).where(scores["round_id"].notna(), None)
    keep = rid.isna() if round_id is None else rid.eq(round_id)
    return scores[keep].reset_index(drop=True)


def _not_ranked(
    aggregated: pd.DataFrame, mechanisms: Iterable[str] | None, codes: list[str] | None = None
) -> pd.DataFrame:
    codes = criteria_codes() if codes is None else codes
    have = aggregated.groupby("mechanism_id")["criterion"].agg(set).to_dict()
    for m in mechanisms or ():
        have.setdefault(m, set())  # in the catalogue, never scored
    return pd.DataFrame(
        [
            {
                "mechanism_id": m,
                "status": "not ranked yet",
                "n_criteria_scored": len(set(codes) & crits),
                "missing_criteria": ", ".join(c for c in codes if c not in crits),
            }
            for m, crits in sorted(have.items())
            if not set(codes) <= crits
        ],
        columns=["mechanism_id", "status", "n_criteria_scored", "missing_criteria"],
    )


def not_ranked(
    scores: pd.DataFrame,
    mechanisms: Iterable[str] | None = None,
    scoring_round: ScoringRound | None = None,
) -> pd.DataFrame:
    """Mechanisms that cannot be ranked yet: a score is missing on at least one criterion (latest
    scores), including the ``mechanisms`` of the catalogue with no score at all.  Columns
    ``mechanism_id``, ``status`` ("not ranked yet"), ``n_criteria_scored``, ``missing_criteria``."""
    codes = scoring_round.codes if scoring_round is not None else None
    if scores.empty:
        return _not_ranked(pd.DataFrame(columns=["mechanism_id", "criterion"]), mechanisms, codes)
    return _not_ranked(aggregate_scores(latest_scores(scores), codes), mechanisms, codes)


def rank_mechanisms(
    scores: pd.DataFrame,
    weighting: str = "ahp",
    mechanisms: Iterable[str] | None = None,
    scoring_round: ScoringRound | None = None,
) -> MechanismRanking:
    """Aggregate the latest scores, rank mechanisms scored on every criterion, list the others as
    not ranked yet (``mechanisms``: the catalogue's ids, so that never-scored ones are listed too).

    With ``scoring_round`` (``scores`` should then be :func:`round_scores` of it) the round's
    criteria, weights (divided by their sum; ``weighting`` is not used) and benefit/cost directions
    replace the defaults of evaluation.yml."""
    codes = scoring_round.codes if scoring_round is not None else None
    aggregated = aggregate_scores(latest_scores(scores), codes)
    unranked = _not_ranked(aggregated, mechanisms, codes)
    scored = set(aggregated["mechanism_id"])
    complete = sorted(scored - set(unranked["mechanism_id"]))
    if not complete:
        raise EvaluationInputError(
            "no mechanism has scores on every criterion yet: nothing can be ranked"
        )
    matrix = decision_matrix(aggregated[aggregated["mechanism_id"].isin(complete)], criteria=codes)
    if scoring_round is None:
        from workbench.evaluation.settings import criteria_labels

        weights, ahp = weights_for(weighting)
        impacts, labels = None, criteria_labels()
    else:
        weights = pd.Series(scoring_round.weights, name="weight")
        ahp, impacts, labels = None, scoring_round.impacts, scoring_round.labels
    return MechanismRanking(
        aggregated=aggregated,
        matrix=matrix,
        weights=weights,
        ahp=ahp,
        table=ranking_table(matrix, weights, impacts=impacts),
        unranked=unranked,
        labels=labels,
        round=scoring_round,
    )
