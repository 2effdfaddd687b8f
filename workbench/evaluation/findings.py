"""Key findings in words for the pilot-evaluation and mechanism-ranking reports (pure functions).

Each function takes the result objects the report already computed and returns 3-7 sentences;
numbers are rounded as in :mod:`workbench.wording` and come from the report's CSV files
(``effect.csv``, ``achievement.csv``, ``survey_change.csv``, ``ranking.csv``, ``weights.csv``,
``ahp_consistency.csv``, ``disagreements.csv``).  Where the small-n guard refuses the
difference-in-differences estimate, the findings say "descriptive, not causal".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.evaluation.settings import criteria_labels
from workbench.wording import count, join, num, pct, sentence

if TYPE_CHECKING:
    from workbench.evaluation.data import PilotData
    from workbench.evaluation.reports import MechanismRanking, PilotEvaluation


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {num(value, 3)}"


def _signed(value: float, decimals: int = 2) -> str:
    text = num(value, decimals)
    return text if text.startswith("-") else "+" + text


def mechanism_label(mechanism_id: str, names: dict[str, str] | None) -> str:
    """``'Twinning of cluster organisations (M-TWIN)'``; the id alone when no name is known."""
    name = (names or {}).get(mechanism_id)
    return f"{name} ({mechanism_id})" if name else mechanism_id


def pilot_findings(pilot: PilotData, evaluation: PilotEvaluation) -> list[str]:
    """3-6 sentences: the headline change with its interval and how far to trust it (descriptive,
    not causal, when the small-n guard refuses difference-in-differences), achievement against
    targets, and the participant survey."""
    out: list[str] = []
    h = evaluation.headline
    did = evaluation.effect.iloc[0]
    mech = pilot.mechanism.get("name") if len(pilot.mechanism) else None
    title = str(pilot.pilot["title"])
    what = title + (f" (mechanism: {mech})" if mech and str(mech) not in title else "")
    ach_all = evaluation.achievement
    reg = ach_all[ach_all["regional"].astype(bool)] if "regional" in ach_all else ach_all.iloc[0:0]
    if len(reg):
        o = reg[reg["level"] == "outcomes"] if (reg["level"] == "outcomes").any() else reg
        what += f"; outcome: {o['name'].iloc[0]} ({o['unit'].iloc[0]})"
    points = " percentage points" if len(reg) and str(o["unit"].iloc[0]).startswith("%") else ""
    out.append(
        sentence(
            f"{what}: the regional outcome of the {num(h['n_treated_units'])} pilot regions changed "
            f"by {_signed(h['estimate'])}{points} relative to the {num(h['n_control_units'])} comparison "
            f"regions (95 % interval {_signed(h['ci_low'])} to {_signed(h['ci_high'])}, "
            f"{h['approach']})"
        )
    )
    if h["approach"] == "difference-in-differences":
        out.append(
            sentence(
                "The design passed every small-n rule, so the difference-in-differences estimate "
                f"can be read as the pilot's effect ({_p(did['p_value'])})"
            )
        )
    else:
        out.append(
            sentence(
                "Descriptive, not causal: the difference-in-differences estimate is not credible "
                f"({did['reason']}); the headline is the change relative to matched peers"
            )
        )
    ach = evaluation.achievement.dropna(subset=["achievement"])
    if len(ach):
        reached = int((ach["achievement"] >= 1).sum())
        low = ach.sort_values("achievement").iloc[0]
        out.append(
            sentence(
                f"{num(reached)} of {count(len(ach), 'indicator')} reached the target; furthest "
                f"behind: {low['name']} (achievement {num(low['achievement'], 2)}: "
                f"{num(low['actual'], 1)} against a target of {num(low['target'], 1)} {low['unit']}, "
                f"baseline {num(low['baseline'], 1)})"
            )
        )
    sc = evaluation.survey_change
    if len(sc) and "net_change" in sc:
        best = sc.sort_values("net_change", ascending=False).iloc[0]
        sig = int(sc["significant"].fillna(False).astype(bool).sum())
        out.append(
            sentence(
                f"Participant survey: the net score (% agree - % disagree) of '{best['item']}' "
                f"changed most, from {num(best['net_wave1'])} to {num(best['net_wave2'])} points "
                f"({_p(best['p_value'])}); {num(sig)} of {count(len(sc), 'item')} changed "
                "significantly between the waves"
            )
        )
    else:
        out.append(sentence("No participant survey with two waves is recorded for this pilot"))
    return out[:7]


def ranking_findings(
    ranking: MechanismRanking,
    weighting: str,
    *,
    names: dict[str, str] | None = None,
) -> list[str]:
    """3-6 sentences: the top mechanisms (TOPSIS and weighted sum), how stable the ranking is when
    the weights are perturbed, the weights and their consistency, disagreement and unranked ones."""
    labels = ranking.labels or criteria_labels()
    t = ranking.table.sort_values("rank_topsis")
    first = t.index[0]
    out = [
        sentence(
            f"{mechanism_label(first, names)} ranks first by TOPSIS (closeness "
            f"{num(t['topsis'].iloc[0], 2)}, 1 = ideal) and "
            + (
                "also by weighted sum"
                if int(t["rank_weighted_sum"].iloc[0]) == 1
                else f"{num(t['rank_weighted_sum'].iloc[0])} by weighted sum"
            )
            + f" ({num(t['weighted_sum'].iloc[0], 2)} on the 1-5 scale)"
            + (
                "; followed by " + join(mechanism_label(m, names) for m in t.index[1:3])
                if len(t) > 1
                else ""
            )
        )
    ]
    stable = t["keeps_rank"].astype(float)
    out.append(
        sentence(
            f"With perturbed weights the first mechanism keeps its rank in {pct(stable.iloc[0])} "
            f"of the draws; the least stable rank is that of {mechanism_label(stable.idxmin(), names)} "
            f"({pct(stable.min())})"
        )
    )
    w = ranking.weights_summary().sort_values("weight", ascending=False)
    if ranking.ahp is not None:
        c = ranking.consistency().iloc[0]
        out.append(
            sentence(
                f"Criterion weights from the AHP judgements (consistency ratio {num(c['CR'], 3)}, "
                f"{'accepted' if bool(c['accepted']) else 'NOT accepted'} at 0.10): "
                + join(f"{r.label} {num(r.weight, 2)}" for r in w.head(3).itertuples())
                + " weigh most"
            )
        )
    elif ranking.round is not None:
        costs = [r.label for r in w.itertuples() if r.direction == "cost"]
        out.append(
            sentence(
                f"Criterion weights of scoring round {ranking.round.round_id}: "
                + join(f"{r.label} {num(r.weight, 2)}" for r in w.head(3).itertuples())
                + " weigh most"
                + (f"; lower scores are better for {join(costs)}" if costs else "")
            )
        )
    else:
        out.append(
            sentence(
                f"Equal weights: each of the {num(len(w))} criteria weighs {num(w['weight'].iloc[0], 2)}"
                f" ({weighting} weighting; AHP judgements not used)"
            )
        )
    dis = ranking.disagreements
    if len(dis):
        items = [
            f"{mechanism_label(r.mechanism_id, names)} on {labels.get(r.criterion, r.criterion)} "
            f"(scores {num(r.min)} to {num(r.max)})"
            for r in dis.head(2).itertuples()
        ]
        out.append(
            sentence(
                f"Evaluators disagree on {count(len(dis), 'mechanism-criterion cell')}, e.g. "
                + join(items)
            )
        )
    else:
        out.append(
            sentence("Evaluators agree on every mechanism and criterion (r_wg above the threshold)")
        )
    if len(ranking.unranked):
        out.append(
            sentence(
                "Not ranked yet (no score, or scores missing on some criteria): "
                + join(mechanism_label(m, names) for m in ranking.unranked["mechanism_id"])
            )
        )
    return out[:7]


def with_mechanism_names(
    frame: pd.DataFrame, names: dict[str, str], column: str = "mechanism_id"
) -> pd.DataFrame:
    """``frame`` with a ``mechanism`` name column after the id column (or index) ``column``."""
    out = frame.reset_index() if column not in frame.columns else frame.copy()
    if column not in out.columns:
        return frame
    out.insert(out.columns.get_loc(column) + 1, "mechanism", out[column].map(names).fillna(""))
    return out


def labelled_ids(
    frame: pd.DataFrame, names: dict[str, str], column: str = "mechanism_id"
) -> pd.DataFrame:
    """``frame`` with the mechanism ids (a column or the index) replaced by ``'Name (ID)'`` labels,
    for charts a person reads; the CSV keeps ids and names side by side (:func:`with_mechanism_names`)."""
    out = frame.copy()
    if column in out.columns:
        out[column] = out[column].map(lambda m: mechanism_label(m, names))
    elif out.index.name == column:
        out.index = out.index.map(lambda m: mechanism_label(m, names)).rename(column)
    return out
