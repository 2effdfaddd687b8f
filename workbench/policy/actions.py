"""Past policy actions: spend, effectiveness, efficiency, gaps and timeline (pure functions).

Input is a frame of ``policy_actions`` rows (:func:`workbench.policy.data.load_actions`).  Amounts are
never added across currencies: every money result is grouped by ``currency`` (use :func:`to_eur` first
to compare in EUR with the fixed rates of ``policy.yml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.policy.settings import DIMENSIONS

NO_DIMENSION = "(no dimension)"
ACTION_COLUMNS = ("action_id", "region", "dimension", "budget", "currency")
PERIOD_RULES = {"programming", "year", "all"}
PROGRAMMING_PERIODS = ((2000, 2006), (2007, 2013), (2014, 2020), (2021, 2027), (2028, 2034))


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(f"{what} lacks column(s) {', '.join(missing)}")


def programming_period_of(year: float | int | None) -> str | None:
    """``2016 -> '2014-2020'`` (EU multiannual financial frameworks); None for a missing year."""
    if year is None or pd.isna(year):
        return None
    for lo, hi in PROGRAMMING_PERIODS:
        if lo <= int(year) <= hi:
            return f"{lo}-{hi}"
    return str(int(year))


def with_period(actions: pd.DataFrame, period: str = "programming") -> pd.DataFrame:
    """Add a ``period`` column.

    ``programming``: the action's ``programming_period`` or, when empty, the EU programming period of
    its start year; ``year``: the start year (``'2016'``); ``all``: one period ``'all'``.
    """
    if period not in PERIOD_RULES:
        raise ValidationError(f"period must be one of {sorted(PERIOD_RULES)}, got {period!r}")
    out = actions.copy()
    start_year = (
        pd.to_datetime(out.get("start_date"), errors="coerce").dt.year
        if "start_date" in out
        else None
    )
    if period == "all":
        out["period"] = "all"
    elif period == "year":
        if start_year is None:
            raise ValidationError("period='year' needs a start_date column")
        out["period"] = start_year.map(lambda y: None if pd.isna(y) else str(int(y)))
    else:
        derived = (
            start_year.map(programming_period_of)
            if start_year is not None
            else pd.Series(None, index=out.index, dtype=object)
        )
        given = (
            out["programming_period"]
            if "programming_period" in out
            else pd.Series(None, index=out.index)
        )
        out["period"] = given.where(given.notna() & (given.astype(str) != ""), derived)
    out["period"] = out["period"].fillna("(no date)")
    return out


def _label_dimension(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["dimension"] = out["dimension"].where(out["dimension"].notna(), NO_DIMENSION)
    return out


def to_eur(actions: pd.DataFrame, rates: dict[str, float] | None = None) -> pd.DataFrame:
    """Convert ``budget``/``eu_amount``/``grant_amount`` to EUR: amount / rate (units per EUR).

    Rates default to ``policy.yml`` ``eur_rates`` (HRK: the irrevocable 7.53450 of Council Regulation
    (EU) 2022/1208).  A currency without a rate raises :class:`ValidationError`.
    """
    _require(actions, ("currency",), "actions")
    rates = rates or load_defaults("policy")["eur_rates"]
    unknown = sorted(set(actions["currency"].dropna()) - set(rates))
    if unknown:
        raise ValidationError(
            f"no EUR rate for currency {', '.join(unknown)} (policy.yml eur_rates)"
        )
    out = actions.copy()
    factor = out["currency"].map(lambda c: 1.0 / float(rates[c]) if c in rates else np.nan)
    for col in ("budget", "eu_amount", "grant_amount"):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce") * factor
    out["currency"] = out["currency"].where(out["currency"].isna(), "EUR")
    return out


def spend_by(
    actions: pd.DataFrame,
    by: Sequence[str] = ("dimension", "region", "period", "instrument"),
    *,
    period: str = "programming",
) -> pd.DataFrame:
    """Number of actions and spend per group (and ``currency``).

    ``budget`` = sum of action budgets (total eligible / planned cost), ``eu_amount`` = sum of EU
    contributions; ``share_of_budget`` = group budget / budget of all groups with the same currency
    and the same values of the non-dimension keys (e.g. share of a dimension in a region's spend).
    Actions without dimension are kept as ``(no dimension)``.
    """
    _require(actions, ACTION_COLUMNS, "actions")
    df = _label_dimension(with_period(actions, period) if "period" in by else actions)
    keys = [*by, "currency"]
    _require(df, keys, "actions")
    df = df.assign(
        budget=pd.to_numeric(df["budget"], errors="coerce"),
        eu_amount=pd.to_numeric(df.get("eu_amount"), errors="coerce")
        if "eu_amount" in df
        else np.nan,
    )
    for k in keys:
        df[k] = df[k].fillna("(unknown)")
    out = (
        df.groupby(keys, dropna=False)
        .agg(
            n_actions=("action_id", "count"),
            budget=("budget", lambda s: s.sum(min_count=1)),
            eu_amount=("eu_amount", lambda s: s.sum(min_count=1)),
            n_without_budget=("budget", lambda s: int(s.isna().sum())),
        )
        .reset_index()
    )
    context = [k for k in keys if k != "dimension"]
    totals = out.groupby(context, dropna=False)["budget"].transform(lambda s: s.sum(min_count=1))
    out["share_of_budget"] = out["budget"] / totals
    return out.sort_values(keys).reset_index(drop=True)


def _band(rate: float) -> str | None:
    if rate is None or pd.isna(rate):
        return None
    for band in load_defaults("policy")["achievement"]["bands"]:
        if rate < float(band["upper"]):
            return band["label"]
    return None


def action_achievement(actions: pd.DataFrame) -> pd.DataFrame:
    """Per action: ``output_rate = achieved_outputs / planned_outputs`` and ``result_rate`` likewise.

    Achievement rate as in the EC *Guidance document on monitoring and evaluation* (ERDF/CF 2014-2020):
    achieved / target; 1 = target reached.  A missing or zero target gives no rate and
    ``*_status = 'no target'``; a target without achieved value gives ``'not reported'``.
    """
    _require(actions, ("action_id", "planned_outputs", "achieved_outputs", "planned_results",
                       "achieved_results"), "actions")  # fmt: skip
    out = actions.copy()
    for m in ("outputs", "results"):
        planned = pd.to_numeric(out[f"planned_{m}"], errors="coerce")
        achieved = pd.to_numeric(out[f"achieved_{m}"], errors="coerce")
        ok = planned.notna() & (planned != 0) & achieved.notna()
        rate = (achieved / planned).where(ok)
        short = m[:-1]
        out[f"{short}_rate"] = rate
        out[f"{short}_status"] = np.select(
            [planned.isna() | (planned == 0), achieved.isna()],
            ["no target", "not reported"],
            default=rate.map(_band).astype(object),
        )
    return out


def effectiveness(actions: pd.DataFrame, by: Sequence[str] = ("dimension",)) -> pd.DataFrame:
    """Planned vs achieved outputs and results per group and unit (long format, ``measure`` column).

    ``achievement_rate`` = sum achieved / sum planned over the group's actions that have both values
    (same unit only); ``median_action_rate`` = median of the per-action rates
    (:func:`action_achievement`); ``n_without_target`` counts actions that cannot be assessed.
    """
    _require(actions, ("action_id", "dimension", "output_unit", "result_unit"), "actions")
    per = _label_dimension(action_achievement(actions))
    keys = list(by)
    _require(per, keys, "actions")
    parts = []
    for m in ("outputs", "results"):
        short = m[:-1]
        df = per.assign(
            measure=short,
            unit=per[f"{short}_unit"].fillna("(no unit)"),
            planned=pd.to_numeric(per[f"planned_{m}"], errors="coerce"),
            achieved=pd.to_numeric(per[f"achieved_{m}"], errors="coerce"),
            rate=per[f"{short}_rate"],
        )
        for k in keys:
            df[k] = df[k].fillna("(unknown)")
        assessed = df[df["rate"].notna()]
        g = assessed.groupby([*keys, "measure", "unit"])
        agg = g.agg(
            n_assessed=("action_id", "count"),
            planned=("planned", "sum"),
            achieved=("achieved", "sum"),
            median_action_rate=("rate", "median"),
        ).reset_index()
        missing = (
            df[df["rate"].isna()]
            .groupby([*keys, "measure"])
            .size()
            .rename("n_without_target")
            .reset_index()
        )
        agg = agg.merge(missing, on=[*keys, "measure"], how="outer")
        agg["unit"] = agg["unit"].fillna("(none assessed)")
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    out["n_assessed"] = out["n_assessed"].fillna(0).astype(int)
    out["n_without_target"] = out["n_without_target"].fillna(0).astype(int)
    out["achievement_rate"] = (out["achieved"] / out["planned"]).where(out["planned"] > 0)
    out["band"] = out["achievement_rate"].map(_band)
    return out.sort_values([*keys, "measure", "unit"]).reset_index(drop=True)


def efficiency(
    actions: pd.DataFrame, measure: str = "output", by: Sequence[str] = ("region",)
) -> pd.DataFrame:
    """Cost per achieved output (or result) per group, unit and currency, compared across groups.

    ``cost_per_unit`` = sum budget / sum achieved over actions with a budget and achieved > 0;
    ``relative_to_median`` = cost_per_unit / median cost_per_unit of all groups with the same unit and
    currency (1 = typical, 2 = twice as costly).  See :func:`efficiency_spread` for the spread.
    """
    if measure not in ("output", "result"):
        raise ValidationError(f"measure must be 'output' or 'result', got {measure!r}")
    col, unit = f"achieved_{measure}s", f"{measure}_unit"
    _require(actions, ("action_id", "budget", "currency", col, unit, *by), "actions")
    df = actions.assign(
        budget=pd.to_numeric(actions["budget"], errors="coerce"),
        achieved=pd.to_numeric(actions[col], errors="coerce"),
        unit=actions[unit].fillna("(no unit)"),
    )
    df = df[df["budget"].notna() & (df["achieved"] > 0)]
    keys = [*by, "unit", "currency"]
    if df.empty:
        return pd.DataFrame(columns=[*keys, "n_actions", "budget", "achieved", "cost_per_unit",
                                     "median_cost", "relative_to_median"])  # fmt: skip
    out = (
        df.groupby(keys, dropna=False)
        .agg(
            n_actions=("action_id", "count"), budget=("budget", "sum"), achieved=("achieved", "sum")
        )
        .reset_index()
    )
    out["cost_per_unit"] = out["budget"] / out["achieved"]
    out["median_cost"] = out.groupby(["unit", "currency"])["cost_per_unit"].transform("median")
    out["relative_to_median"] = out["cost_per_unit"] / out["median_cost"]
    return out.sort_values(keys).reset_index(drop=True)


def efficiency_spread(eff: pd.DataFrame) -> pd.DataFrame:
    """Spread of cost per unit across groups, per unit and currency.

    ``p90_p10_ratio`` = 90th / 10th percentile (linear interpolation, numpy default); ``cv`` =
    standard deviation (ddof=1) / mean; both need at least ``efficiency.min_regions_for_spread`` groups,
    else they are empty and ``note`` says why.
    """
    _require(eff, ("unit", "currency", "cost_per_unit"), "efficiency table")
    need = int(load_defaults("policy")["efficiency"]["min_regions_for_spread"])
    rows = []
    for (unit, cur), g in eff.groupby(["unit", "currency"]):
        v = g["cost_per_unit"].astype(float).to_numpy()
        enough = len(v) >= need
        p10, p90 = np.percentile(v, [10, 90]) if enough else (np.nan, np.nan)
        rows.append({
            "unit": unit, "currency": cur, "n_groups": len(v), "min": v.min(), "median": float(np.median(v)),
            "max": v.max(), "p10": p10, "p90": p90,
            "p90_p10_ratio": p90 / p10 if enough and p10 > 0 else np.nan,
            "cv": float(np.std(v, ddof=1) / np.mean(v)) if enough else np.nan,
            "note": "" if enough else f"fewer than {need} groups: no spread",
        })  # fmt: skip
    return pd.DataFrame(rows)


def gaps(
    region: str,
    actions: pd.DataFrame,
    barriers: pd.DataFrame | None = None,
    instruments: pd.DataFrame | None = None,
    strengths: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per dimension of ``region``: actions, instruments in force, barriers, strength, and the gap flag.

    ``gap`` is True when the region is specialised in the dimension (``strengths``: region, dimension,
    specialised) or has a barrier of severity >= ``gaps.min_barrier_severity`` there, and there is
    neither a past action nor an instrument in force in that dimension.  ``reason`` explains it.
    ``n_barriers`` counts the barriers at or above that severity; ``max_severity`` covers all.
    """
    _require(actions, ("region", "dimension"), "actions")
    min_sev = int(load_defaults("policy")["gaps"]["min_barrier_severity"])
    acts = actions[actions["region"] == region]
    n_actions = acts["dimension"].value_counts()
    rows = []
    bar = (
        barriers
        if barriers is not None and len(barriers)
        else pd.DataFrame(columns=["region", "dimensions", "severity"])
    )
    bar = bar[bar["region"] == region].explode("dimensions")
    inst = (
        instruments
        if instruments is not None and len(instruments)
        else pd.DataFrame(columns=["region", "dimensions"])
    )
    inst = inst[inst["region"] == region].explode("dimensions")
    strong = set()
    if strengths is not None and len(strengths):
        _require(strengths, ("region", "dimension", "specialised"), "strengths")
        s = strengths[(strengths["region"] == region) & strengths["specialised"].astype(bool)]
        strong = set(s["dimension"])
    for dim in DIMENSIONS:
        b = bar[bar["dimensions"] == dim]
        sev = pd.to_numeric(b["severity"], errors="coerce")
        n_bar = int((sev >= min_sev).sum())
        n_act = int(n_actions.get(dim, 0))
        n_inst = int((inst["dimensions"] == dim).sum())
        why = []
        if dim in strong:
            why.append("region is specialised")
        if n_bar:
            why.append(f"{n_bar} barrier(s) of severity >= {min_sev}")
        gap = bool(why) and n_act == 0 and n_inst == 0
        rows.append({
            "region": region, "dimension": dim, "n_actions": n_act, "n_instruments": n_inst,
            "n_barriers": n_bar, "max_severity": None if sev.dropna().empty else int(sev.max()),
            "specialised": dim in strong, "gap": gap,
            "reason": ("; ".join(why) + " but no action and no instrument") if gap else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def timeline(actions: pd.DataFrame) -> pd.DataFrame:
    """Actions ordered by start: start, end, duration in days; missing dates fall back to the
    programming period's first/last day (``dates_from = 'programming period'``)."""
    _require(actions, ("action_id", "title", "dimension", "region"), "actions")
    df = _label_dimension(actions)
    start = pd.to_datetime(df.get("start_date"), errors="coerce")
    end = pd.to_datetime(df.get("end_date"), errors="coerce")
    pp = df["programming_period"] if "programming_period" in df else pd.Series(None, index=df.index)
    pp_start = pd.to_datetime(pp.str.slice(0, 4) + "-01-01", errors="coerce")
    pp_end = pd.to_datetime(pp.str.slice(5, 9) + "-12-31", errors="coerce")
    out = pd.DataFrame({
        "action_id": df["action_id"], "title": df["title"], "region": df["region"],
        "dimension": df["dimension"], "instrument": df.get("instrument"),
        "start": start.fillna(pp_start), "end": end.fillna(pp_end),
        "budget": df.get("budget"), "currency": df.get("currency"),
    })  # fmt: skip
    out["dates_from"] = np.where(
        start.notna(), "action", np.where(pp_start.notna(), "programming period", "none")
    )
    out["duration_days"] = (out["end"] - out["start"]).dt.days
    return out.sort_values(["start", "action_id"], na_position="last").reset_index(drop=True)
