"""Key findings in words for the past-action and barrier-matrix reports (pure functions).

Each function takes the analysis object the report already computed and returns 3-7 sentences;
numbers are rounded as in :mod:`workbench.wording` and can be found in the report's CSV files
(``spend_eur.csv``, ``spend_by_dimension_period.csv``, ``gaps.csv``, ``efficiency.csv``,
``barrier_matrix.csv``, ``evidence_gaps.csv``, ``framework_summary.csv``, ...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.kb.names import region_label
from workbench.policy.settings import phases
from workbench.wording import count, join, num, pct, sentence

if TYPE_CHECKING:
    from workbench.policy.reports import BarrierMatrixAnalysis, PastActionAnalysis


def _money(value: float, currency: str) -> str:
    """Amounts in millions when large: ``473793584.9 EUR -> '474 million EUR'``."""
    value = float(value)
    if abs(value) >= 1e6:
        return f"{num(value / 1e6)} million {currency}"
    return f"{num(value)} {currency}"


def past_action_findings(
    analysis: PastActionAnalysis, *, names: dict[str, str] | None = None
) -> list[str]:
    """3-7 sentences: how many actions and where the money went, effectiveness (or the lack of
    indicators), efficiency against the median region, and every gap (dimension with barriers or
    a specialisation but no action and no instrument)."""
    p = analysis.parameters
    where = region_label(p.get("region") or p["country"], names or {})
    period = p.get("period") or "all years"
    acts = analysis.actions
    out: list[str] = []

    spend = analysis.spend_eur if len(analysis.spend_eur) else analysis.spend
    in_eur = len(analysis.spend_eur) > 0
    known = spend[spend["dimension"] != "(no dimension)"]
    by_dim = known.groupby(["dimension", "currency"], as_index=False)[["budget", "n_actions"]].sum()
    text = f"{where}: {count(len(analysis.timeline), 'past policy action')} ({period})"
    if len(by_dim) and by_dim["budget"].notna().any():
        top = by_dim.sort_values("budget", ascending=False).iloc[0]
        row = known[known["dimension"] == top["dimension"]].sort_values("budget").iloc[-1]
        text += (
            f"; the largest budget went to {top['dimension']}: {_money(row['budget'], row['currency'])}"
            f" ({pct(row['share_of_budget'])} of the budget in {row['period']})"
        )
    out.append(sentence(text))
    if in_eur and len(set(acts.get("currency", pd.Series(dtype=str)).dropna())) > 1:
        out.append(
            sentence(
                "Budgets in other currencies are converted to EUR at the fixed rates of policy.yml "
                "for comparison only; the original currency stays in the CSV files"
            )
        )
    most = known.sort_values("n_actions", ascending=False)
    if len(most):
        m = most.iloc[0]
        out.append(
            sentence(
                f"Most actions were in {m['dimension']}: {num(m['n_actions'])} in {m['period']}"
                + (f" ({m['currency']})" if not in_eur else "")
            )
        )

    eff = analysis.effectiveness
    assessed = eff[eff["n_assessed"] > 0] if len(eff) else eff
    if len(assessed) == 0:
        out.append(
            sentence(
                f"Effectiveness cannot be assessed: none of the {num(len(analysis.timeline))} actions "
                "records planned and achieved outputs or results (missing evidence is itself a finding)"
            )
        )
    else:
        a = assessed.dropna(subset=["achievement_rate"]).sort_values("achievement_rate")
        if len(a):
            lo, hi = a.iloc[0], a.iloc[-1]
            out.append(
                sentence(
                    f"Achievement rate (achieved / planned {lo['measure']}s): from "
                    f"{num(lo['achievement_rate'], 2)} in {lo['dimension']} ({lo['unit']}) to "
                    f"{num(hi['achievement_rate'], 2)} in {hi['dimension']} ({hi['unit']}); "
                    "1.00 means the target was reached"
                )
            )

    effy = analysis.efficiency
    if p.get("region") and len(effy) and p["region"] in set(effy["region"]):
        r = effy[effy["region"] == p["region"]].iloc[0]
        out.append(
            sentence(
                f"Cost per achieved output ({r['unit']}, {r['currency']}): {num(r['cost_per_unit'])} "
                f"{r['currency']}, {num(r['relative_to_median'], 2)} times the median of "
                f"{count(int((effy['unit'] == r['unit']).sum()), 'region')} of the country"
            )
        )

    gaps = analysis.gaps
    real = gaps[gaps["gap"].astype(bool)] if len(gaps) else gaps
    if len(real):
        items = [
            f"{g.dimension}" + (f" in {g.region}" if not p.get("region") else "")
            for g in real.itertuples()
        ]
        out.append(
            sentence(
                f"{count(len(real), 'gap')} (barriers or a specialisation but no action and no "
                f"instrument in force): {join(items)}"
            )
        )
    elif len(gaps):
        out.append(
            sentence(
                "No gap: every dimension with barriers or a specialisation has a past action or an "
                "instrument in force"
            )
        )
    return out[:7]


def barrier_matrix_findings(
    analysis: BarrierMatrixAnalysis, *, names: dict[str, str] | None = None
) -> list[str]:
    """3-7 sentences: barriers recorded and the most severe cells, cells without evidence, the region
    with most barriers, and the coherence of the instruments in force."""
    regions = [region_label(r, names or {}) for r in analysis.regions]
    bars = analysis.barriers
    m = analysis.matrix
    labels = phases()
    out = [
        sentence(
            f"{count(len(bars), 'barrier')} recorded for {join(regions)}, in "
            f"{num(int((m['n_barriers'] > 0).sum()))} of the {num(len(m))} cells of the matrix "
            "(dimensions x learning phases)"
        )
    ]
    filled = m[m["n_barriers"] > 0].sort_values(["mean_severity", "n_barriers"], ascending=False)
    if len(filled):
        top = filled.iloc[0]
        out.append(
            sentence(
                f"Most severe cell: {top['dimension']} in the phase {labels.get(top['phase'], top['phase']).lower()} "
                f"(mean severity {num(top['mean_severity'], 1)} on the 0-3 scale, "
                f"{count(int(top['n_barriers']), 'barrier')})"
            )
        )
    gaps = analysis.evidence_gaps
    if len(gaps):
        empty = int((gaps["evidence_status"] == "no entries").sum())
        out.append(
            sentence(
                f"{num(len(gaps))} of the {num(len(m))} cells lack evidence, {num(empty)} of them "
                "with nothing recorded at all (missing evidence is itself a finding)"
            )
        )
    by = analysis.by_dimension
    if len(by):
        per = by.groupby("region")["n_barriers"].sum().sort_values(ascending=False)
        if len(per) > 1 and per.iloc[0] > 0:
            out.append(
                sentence(
                    f"{region_label(str(per.index[0]), names or {})} has the most barriers "
                    f"({num(per.iloc[0])}), {region_label(str(per.index[-1]), names or {})} the "
                    f"fewest ({num(per.iloc[-1])})"
                )
            )
    cs = analysis.coherence_summary
    if len(cs):
        parts = []
        for r in cs.itertuples():
            text = f"{r.region}: {num(r.n_covered)} dimensions covered"
            if r.not_covered:
                text += f", not covered: {r.not_covered}"
            if r.covered_twice_or_more:
                text += f", covered twice or more (check for overlap): {r.covered_twice_or_more}"
            parts.append(text)
        out.append(sentence("Instruments in force - " + "; ".join(parts)))
    else:
        out.append(sentence("No instrument in force is recorded for these regions"))
    return out[:7]
