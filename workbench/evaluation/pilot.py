"""One pilot's evaluation in one call (what the ``pilot_evaluation`` notebook shows)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.evaluation.achievement import indicator_achievement, level_achievement
from workbench.evaluation.beforeafter import before_after
from workbench.evaluation.data import PilotData, did_panel, pilot_level_values
from workbench.evaluation.did import describe_design, did_group_time, pretrend_check
from workbench.evaluation.guard import guarded_effect, small_n_checks
from workbench.evaluation.surveys import likert_distribution, net_scores, wave_change


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
    )
