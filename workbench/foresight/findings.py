"""Key findings in words for the foresight report (pure function).

Takes the :class:`~workbench.foresight.reports.ForesightSummary` the report already computed and
returns 3-7 sentences: consensus after the last Delphi round, the statements still without it,
Kendall's W across rounds, stability, the two critical uncertainties that span the scenarios and the
most influential drivers of the MICMAC analysis.  Statements and drivers are named by their text
with the code in brackets; numbers come from the report's CSV files after the rounding of
:mod:`workbench.wording`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.wording import count, join, num, sentence

if TYPE_CHECKING:
    from workbench.foresight.reports import ForesightSummary


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {num(value, 3)}"


def driver_labels(summary: ForesightSummary) -> dict[str, str]:
    """Driver code -> label of the exercise (from its drivers table)."""
    d = summary.exercise.drivers
    if d is None or d.empty or "driver_id" not in d:
        return {}
    col = "label" if "label" in d else ("name" if "name" in d else None)
    return dict(zip(d["driver_id"], d[col], strict=True)) if col else {}


def _named(code: str, labels: dict[str, str]) -> str:
    label = str(labels.get(code) or "").strip().rstrip(".")
    return f"'{label}' ({code})" if label else code


def foresight_findings(summary: ForesightSummary) -> list[str]:
    """3-7 sentences summarising the exercise (see the module docstring)."""
    out: list[str] = []
    texts = summary.exercise.statements.set_index("statement_id")["text"].to_dict()
    if summary.item_stats:
        last = max(summary.item_stats)
        st = summary.item_stats[last]
        cons = st[st["consensus"].astype(bool)]
        best = st.sort_values(["agreement_pct", "iqr"], ascending=[False, True]).iloc[0]
        out.append(
            sentence(
                f"After Delphi round {last}, {num(len(cons))} of {count(len(st), 'statement')} reached "
                "consensus (IQR at most 1 on 5-point and 2 on 9-point scales); the widest agreement "
                f"is on {_named(best['statement_id'], texts)} ({num(best['agreement_pct'])} % agree, "
                f"median {num(best['median'])} on a {num(best['scale_points'])}-point scale)"
            )
        )
        open_ = st[~st["consensus"].astype(bool)]
        if len(open_):
            out.append(
                sentence(
                    "Still without consensus: "
                    + join(
                        f"{_named(r.statement_id, texts)} (IQR {num(r.iqr, 1)})"
                        for r in open_.head(3).itertuples()
                    )
                    + (f" and {num(len(open_) - 3)} more" if len(open_) > 3 else "")
                )
            )
    else:
        out.append(sentence("No Delphi answers are recorded for this exercise yet"))
    k = summary.kendall
    if len(k):
        first, lastk = k.iloc[0], k.iloc[-1]
        if len(k) > 1:
            out.append(
                sentence(
                    f"Agreement on the order of the statements (Kendall's W, 0 = none, 1 = full) "
                    f"went from {num(first['W'], 2)} in round {num(first['round_no'])} to "
                    f"{num(lastk['W'], 2)} in round {num(lastk['round_no'])} ({_p(lastk['p_value'])})"
                )
            )
        else:
            out.append(
                sentence(
                    f"Agreement on the order of the statements: Kendall's W {num(lastk['W'], 2)} "
                    f"({_p(lastk['p_value'])}; 0 = none, 1 = full)"
                )
            )
    if summary.stability:
        r = max(summary.stability)
        s = summary.stability[r]
        moved = s[~s["stable"].astype(bool)]
        out.append(
            sentence(
                f"Between the last two rounds {num(len(moved))} of {count(len(s), 'statement')} changed "
                "significantly (Wilcoxon signed-rank test)"
                + (
                    f": {join(_named(str(x), texts) for x in moved['statement_id'])}"
                    if len(moved)
                    else ""
                )
                + ("; the answers are stable" if not len(moved) else "")
            )
        )
    labels = driver_labels(summary)
    m = summary.matrix
    if len(m) and summary.axes:
        labels = {**dict(zip(m["driver_id"], m["label"], strict=True)), **labels}
        axes: Any = summary.axes["axes"]
        a, b = str(axes[0]), str(axes[1])
        ra = m.set_index("driver_id").loc[a]
        rb = m.set_index("driver_id").loc[b]
        text = (
            f"The two critical uncertainties that span the scenario frame are {_named(a, labels)} "
            f"(impact {num(ra['impact_median'])}, uncertainty {num(ra['uncertainty_median'])}) and "
            f"{_named(b, labels)} (impact {num(rb['impact_median'])}, uncertainty "
            f"{num(rb['uncertainty_median'])}; medians on the rating scale)"
        )
        if summary.axes.get("warning"):
            text += f"; caveat: {summary.axes['warning']}"
        out.append(sentence(text))
    else:
        out.append(
            sentence(
                "No impact/uncertainty ratings of the drivers yet: no critical uncertainties and no "
                "scenario frame"
            )
        )
    mm = summary.micmac
    if len(mm):
        top = mm.sort_values("influence_indirect", ascending=False).head(2)
        out.append(
            sentence(
                "Most influential drivers in the MICMAC analysis (indirect influence, matrix power "
                f"{num(summary.micmac_power)}): "
                + join(
                    f"{_named(r.variable, labels)} ({num(r.influence_indirect, 1)})"
                    for r in top.itertuples()
                )
            )
        )
    else:
        out.append(sentence("No influence matrix of the drivers yet: no MICMAC analysis"))
    return out[:7]


def statement_table(stats: pd.DataFrame) -> pd.DataFrame:
    """Round statistics with the statement text first (codes stay in the statement_id column)."""
    cols = [
        "statement",
        "statement_id",
        *[c for c in stats.columns if c not in ("statement", "statement_id")],
    ]
    return stats[[c for c in cols if c in stats.columns]]
