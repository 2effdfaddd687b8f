"""Financial monitoring: reported spending against the plan, absorption, underspend, forecast.

Absorption (programme practice, Jems partner and project reports): cumulative reported spending
divided by cumulative planned budget up to the end of a period.  Only spending in the ``counted``
report statuses (``projects.yml`` ``counted_statuses``: submitted, certified) counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def counted_spending(spending: pd.DataFrame, counted: Sequence[str]) -> pd.DataFrame:
    """Spending rows whose report status counts; columns partner_id, category, period, amount_eur."""
    rows = spending[spending["status"].isin(list(counted))]
    out = rows.groupby(["partner_id", "category", "period"], as_index=False)["amount_eur"].sum()
    out["period"] = out["period"].astype(int)
    return out


def spending_vs_plan(budget: pd.DataFrame, spending: pd.DataFrame) -> pd.DataFrame:
    """Per partner, cost category and period: ``planned_eur``, ``reported_eur``, ``difference_eur``
    (reported - planned) and ``absorption`` (reported / planned, NaN where nothing was planned).

    ``spending`` is already restricted to counted statuses (:func:`counted_spending`).
    """
    plan = budget.rename(columns={"amount_eur": "planned_eur"})
    plan["period"] = plan["period"].astype(int)
    rep = spending.rename(columns={"amount_eur": "reported_eur"})
    out = plan.merge(rep, on=["partner_id", "category", "period"], how="outer")
    out[["planned_eur", "reported_eur"]] = out[["planned_eur", "reported_eur"]].fillna(0.0)
    out["difference_eur"] = out["reported_eur"] - out["planned_eur"]
    planned = out["planned_eur"].where(out["planned_eur"] > 0)
    out["absorption"] = out["reported_eur"] / planned
    return out.sort_values(["partner_id", "period", "category"], ignore_index=True)


def absorption(plan: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Cumulative absorption per partner at the end of each period.

    ``absorption_p = sum_{q<=p} reported_q / sum_{q<=p} planned_q``; ``underspend`` is True where
    absorption < ``threshold`` (``projects.yml`` finance.underspend_threshold).  Input: the table of
    :func:`spending_vs_plan`.  Output: partner_id, period, planned_cum_eur, reported_cum_eur,
    absorption, underspend.
    """
    per = plan.groupby(["partner_id", "period"], as_index=False)[
        ["planned_eur", "reported_eur"]
    ].sum()
    per = per.sort_values(["partner_id", "period"], ignore_index=True)
    grouped = per.groupby("partner_id")
    per["planned_cum_eur"] = grouped["planned_eur"].cumsum()
    per["reported_cum_eur"] = grouped["reported_eur"].cumsum()
    per["absorption"] = per["reported_cum_eur"] / per["planned_cum_eur"].where(
        per["planned_cum_eur"] > 0
    )
    per["underspend"] = per["absorption"] < threshold
    return per[
        ["partner_id", "period", "planned_cum_eur", "reported_cum_eur", "absorption", "underspend"]
    ]


def partners_at_risk(cumulative: pd.DataFrame, period: int, threshold: float) -> pd.DataFrame:
    """Partners unlikely to reach ``threshold`` absorption at the next deadline (end of ``period+1``).

    ``needed_eur = threshold * planned_cum(period+1) - reported_cum(period)``;
    ``run_rate_eur = reported_cum(period) / period`` (average reported per period so far);
    ``at_risk = needed_eur > run_rate_eur``.  At the last period the current period is used
    (``needed_eur`` against the end).  Output: partner_id, absorption, needed_eur, run_rate_eur,
    at_risk, sorted by absorption.
    """
    now = cumulative[cumulative["period"] == period].set_index("partner_id")
    nxt_period = min(period + 1, int(cumulative["period"].max()))
    nxt = cumulative[cumulative["period"] == nxt_period].set_index("partner_id")
    out = pd.DataFrame(index=now.index)
    out["absorption"] = now["absorption"]
    out["needed_eur"] = (threshold * nxt["planned_cum_eur"] - now["reported_cum_eur"]).clip(lower=0)
    out["run_rate_eur"] = now["reported_cum_eur"] / max(period, 1)
    out["at_risk"] = out["needed_eur"] > out["run_rate_eur"]
    out["next_period"] = nxt_period
    return out.reset_index().sort_values("absorption", ignore_index=True)


def forecast_to_end(cumulative: pd.DataFrame, period: int, totals: pd.Series) -> pd.DataFrame:
    """Linear forecast of each partner's spending at project end from its run rate so far.

    ``forecast_eur = reported_cum(period) + reported_cum(period) / period * (n_periods - period)``;
    ``forecast_absorption = forecast_eur / total_budget_eur``; ``unspent_eur = total - forecast``
    (>= 0).  ``totals``: partner total budget by partner_id.
    """
    n = int(cumulative["period"].max())
    now = cumulative[cumulative["period"] == period].set_index("partner_id")
    rate = now["reported_cum_eur"] / max(period, 1)
    out = pd.DataFrame(index=now.index)
    out["reported_cum_eur"] = now["reported_cum_eur"]
    out["forecast_eur"] = now["reported_cum_eur"] + rate * (n - period)
    out["total_budget_eur"] = totals.reindex(out.index).astype(float)
    out["forecast_absorption"] = out["forecast_eur"] / out["total_budget_eur"]
    out["unspent_eur"] = np.maximum(out["total_budget_eur"] - out["forecast_eur"], 0.0)
    return out.reset_index().sort_values("forecast_absorption", ignore_index=True)
