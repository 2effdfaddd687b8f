"""Difference-in-differences against comparison regions (statsmodels OLS, cluster-robust SEs).

Panel: one row per region and period with the outcome, ``treated`` (bool, per region) and ``start``
(first treated period for treated regions, empty for comparison regions).

* Common start: two-way fixed effects ``y_it = a_i + l_t + b * D_it + e_it`` with ``D_it`` = treated
  and on/after start; in a balanced panel ``b`` equals the 2x2 difference of mean differences
  (Angrist & Pischke 2009, *Mostly Harmless Econometrics*, ch. 5).  Standard errors are clustered by
  region (Bertrand, Duflo & Mullainathan 2004, QJE 119(1)).
* Staggered starts: TWFE then mixes already-treated units into the control group and can even flip
  the sign (Goodman-Bacon 2021, J. Econometrics 225(2)).  We refuse TWFE and estimate group-time
  effects ATT(g, t) with never-treated regions as the only controls, from the saturated interaction
  regression of Sun & Abraham (2021, J. Econometrics 225(2)); each ATT(g, t) equals the 2x2 DiD of
  cohort g vs never-treated between t and g-1 (Callaway & Sant'Anna 2021).  Without never-treated
  regions we refuse.
* Pre-trend check: on pre-start data, ``y_it = a_i + l_t + c * (treated_i x t) + e_it``; a
  significant ``c`` means trends already differed.  Not rejecting is weak evidence (Roth 2022, AER:
  Insights 4(3)), so the report says "not rejected", never "parallel".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from workbench.config import load_defaults
from workbench.evaluation.errors import (
    EvaluationInputError,
    StaggeredAdoptionError,
    require_columns,
)
from workbench.evidence.peers import peer_regions

PANEL_COLUMNS = ("region", "period", "value", "treated", "start")


def _prepare(panel: pd.DataFrame) -> pd.DataFrame:
    """Validate and add integer period index ``t`` and cohort index ``g`` (NaN for controls)."""
    require_columns(panel, PANEL_COLUMNS, "DiD panel")
    df = panel.loc[:, list(PANEL_COLUMNS)].copy()
    df["period"] = pd.to_datetime(df["period"])
    df["start"] = pd.to_datetime(df["start"])
    df["treated"] = df["treated"].astype(bool)
    df = df[df["value"].notna()]
    if df.empty:
        raise EvaluationInputError("DiD panel: no non-missing values")
    dup = df.duplicated(["region", "period"])
    if dup.any():
        r = df[dup].iloc[0]
        raise EvaluationInputError(
            f"DiD panel: region {r['region']!r} has more than one value for period {r['period'].date()}"
        )
    starts = df.groupby("region")["start"].nunique(dropna=False)
    if (starts > 1).any():
        raise EvaluationInputError(
            f"DiD panel: region {starts[starts > 1].index[0]!r} has several start dates"
        )
    bad = df[df["treated"] & df["start"].isna()]
    if not bad.empty:
        raise EvaluationInputError(
            f"DiD panel: treated region {bad.iloc[0]['region']!r} has no start date (column 'start')"
        )
    df.loc[~df["treated"], "start"] = pd.NaT
    periods = np.sort(df["period"].unique())
    index = {p: i for i, p in enumerate(periods)}
    df["t"] = df["period"].map(index).astype(int)
    starts_t = {s: int(np.searchsorted(periods, s)) for s in df["start"].dropna().unique()}
    df["g"] = df["start"].map(starts_t).astype(float)
    df["post"] = df["treated"] & (df["t"] >= df["g"])
    if not df["treated"].any():
        raise EvaluationInputError("DiD panel: no treated region")
    if df["treated"].all():
        raise EvaluationInputError("DiD panel: no comparison region (all regions are treated)")
    return df.reset_index(drop=True)


def describe_design(panel: pd.DataFrame) -> dict[str, Any]:
    """Counts the small-n guard needs: treated/control units, clusters, pre/post periods, cohorts."""
    df = _prepare(panel)
    treated_units = df.loc[df["treated"], "region"].unique()
    control_units = df.loc[~df["treated"], "region"].unique()
    cohorts = sorted(df.loc[df["treated"], "start"].dropna().unique())
    first = df.loc[df["treated"], "g"].min()
    last = df.loc[df["treated"], "g"].max()
    n_periods = int(df["t"].max()) + 1
    return {
        "n_treated_units": int(len(treated_units)),
        "n_control_units": int(len(control_units)),
        "n_clusters": int(len(treated_units) + len(control_units)),
        "n_periods": n_periods,
        "n_pre_periods": int(first),
        "n_post_periods": int(n_periods - last),
        "n_cohorts": len(cohorts),
        "staggered": len(cohorts) > 1,
        "cohorts": [pd.Timestamp(c).date().isoformat() for c in cohorts],
    }


def _fit(formula: str, df: pd.DataFrame):
    groups = pd.factorize(df["region"])[0]
    return smf.ols(formula, data=df).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )


def _row(method: str, est: float, se: float, p: float, low: float, high: float, **extra: Any):
    return {
        "method": method,
        "estimate": est,
        "se": se,
        "p_value": p,
        "ci_low": low,
        "ci_high": high,
        **extra,
    }


def did_twfe(panel: pd.DataFrame, *, alpha: float | None = None) -> pd.DataFrame:
    """Common-start DiD by two-way fixed effects, SE clustered by region. Refuses staggered starts."""
    df = _prepare(panel)
    design = describe_design(panel)
    if design["staggered"]:
        raise StaggeredAdoptionError(
            "treated regions start at different times ("
            + ", ".join(design["cohorts"])
            + "): two-way fixed effects would compare late starters with already-treated regions "
            "and can mislead (Goodman-Bacon 2021); use did_group_time()"
        )
    if design["n_pre_periods"] < 1 or design["n_post_periods"] < 1:
        raise EvaluationInputError(
            "DiD needs at least one period before and one from the start "
            f"(have {design['n_pre_periods']} before, {design['n_post_periods']} after)"
        )
    alpha = alpha if alpha is not None else float(load_defaults("evaluation")["did"]["alpha"])
    df["D"] = df["post"].astype(float)
    res = _fit("value ~ D + C(region) + C(period)", df)
    low, high = res.conf_int(alpha=alpha).loc["D"]
    return pd.DataFrame(
        [
            _row(
                "difference-in-differences (two-way fixed effects, SE clustered by region)",
                float(res.params["D"]),
                float(res.bse["D"]),
                float(res.pvalues["D"]),
                float(low),
                float(high),
                n_obs=int(res.nobs),
                n_clusters=design["n_clusters"],
                confidence_level=1 - alpha,
            )
        ]
    )


def did_group_time(
    panel: pd.DataFrame, *, alpha: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staggered-robust DiD: (group-time ATT(g, t) table, one-row overall ATT).

    Saturated regression ``y = a_i + l_t + sum_{g, e != -1} d_{g,e} 1[G_i = g, t - g = e]`` with
    never-treated regions as controls; the overall ATT averages post-start ``d_{g,e}`` weighted by
    cohort size, its SE from the clustered covariance (``t_test`` of the linear combination).
    """
    df = _prepare(panel)
    if not (~df["treated"]).any():
        raise StaggeredAdoptionError("group-time DiD needs never-treated comparison regions")
    alpha = alpha if alpha is not None else float(load_defaults("evaluation")["did"]["alpha"])
    names: dict[str, tuple[int, int]] = {}
    treated_rows = df["treated"]
    for g in sorted(df.loc[treated_rows, "g"].unique()):
        g = int(g)
        if g < 1:
            raise StaggeredAdoptionError(
                f"cohort starting at period index {g} has no pre-period: no group-time comparison"
            )
        rel = df.loc[treated_rows & (df["g"] == g), "t"] - g
        for e in sorted(rel.unique()):
            if e == -1:
                continue
            name = f"d_g{g}_e{'m' if e < 0 else ''}{abs(int(e))}"
            df[name] = ((df["g"] == g) & (df["t"] - g == e)).astype(float)
            names[name] = (g, int(e))
    if not any(e >= 0 for _, e in names.values()):
        raise EvaluationInputError("group-time DiD: no treated period after any start")
    res = _fit("value ~ " + " + ".join(["C(region)", "C(period)", *names]), df)
    periods = np.sort(df["period"].unique())
    cohort_size = df.loc[treated_rows].groupby("g")["region"].nunique()
    rows = []
    for name, (g, e) in names.items():
        low, high = res.conf_int(alpha=alpha).loc[name]
        rows.append(
            {
                "cohort": pd.Timestamp(periods[g]).date().isoformat(),
                "period": pd.Timestamp(periods[g + e]).date().isoformat(),
                "event_time": e,
                "att": float(res.params[name]),
                "se": float(res.bse[name]),
                "p_value": float(res.pvalues[name]),
                "ci_low": float(low),
                "ci_high": float(high),
                "n_units": int(cohort_size[g]),
            }
        )
    table = pd.DataFrame(rows)
    post = [(n, cohort_size[g]) for n, (g, e) in names.items() if e >= 0]
    weights = np.array([w for _, w in post], dtype=float)
    weights /= weights.sum()
    contrast = np.zeros(len(res.params))
    for (name, _), w in zip(post, weights, strict=True):
        contrast[list(res.params.index).index(name)] = w
    tt = res.t_test(contrast)
    low, high = np.asarray(tt.conf_int(alpha=alpha)).ravel()
    overall = pd.DataFrame(
        [
            _row(
                "group-time DiD (Sun & Abraham / Callaway & Sant'Anna, never-treated controls, "
                "SE clustered by region)",
                float(np.asarray(tt.effect).ravel()[0]),
                float(np.asarray(tt.sd).ravel()[0]),
                float(np.asarray(tt.pvalue).ravel()[0]),
                float(low),
                float(high),
                n_obs=int(res.nobs),
                n_clusters=int(df["region"].nunique()),
                confidence_level=1 - alpha,
            )
        ]
    )
    return table, overall


def did_estimate(panel: pd.DataFrame, *, alpha: float | None = None) -> pd.DataFrame:
    """TWFE for a common start, the group-time approach for staggered starts (one-row result)."""
    if describe_design(panel)["staggered"]:
        return did_group_time(panel, alpha=alpha)[1]
    return did_twfe(panel, alpha=alpha)


def pretrend_check(panel: pd.DataFrame, *, alpha: float | None = None) -> pd.DataFrame:
    """Differential linear pre-trend of treated vs comparison regions before the first start.

    One row: ``checkable``, ``slope_difference``, ``se``, ``p_value``, ``verdict``.
    """
    df = _prepare(panel)
    cfg = load_defaults("evaluation")["did"]
    alpha = alpha if alpha is not None else float(cfg["alpha"])
    first = int(df.loc[df["treated"], "g"].min())
    pre = df[df["t"] < first].copy()
    need = int(cfg["min_pre_periods_for_trend"])
    base = {"n_pre_periods": first, "alpha": alpha}
    if first < need:
        return pd.DataFrame(
            [
                {
                    **base,
                    "checkable": False,
                    "slope_difference": np.nan,
                    "se": np.nan,
                    "p_value": np.nan,
                    "verdict": f"not checkable: {first} pre-period(s), at least {need} needed",
                }
            ]
        )
    pre["trend_t"] = pre["t"] * pre["treated"].astype(float)
    res = _fit("value ~ trend_t + C(region) + C(period)", pre)
    p = float(res.pvalues["trend_t"])
    verdict = (
        f"pre-trends differ (p = {p:.3f} < {alpha}): the DiD comparison is doubtful"
        if p < alpha
        else f"no differential pre-trend detected (p = {p:.3f}); this does not prove parallel trends"
    )
    return pd.DataFrame(
        [
            {
                **base,
                "checkable": True,
                "slope_difference": float(res.params["trend_t"]),
                "se": float(res.bse["trend_t"]),
                "p_value": p,
                "verdict": verdict,
            }
        ]
    )


def comparison_regions(
    treated_regions: list[str],
    *,
    given: list[str] | None = None,
    n: int | None = None,
    variables: pd.DataFrame | None = None,
    peer_finder: Any | None = None,
) -> pd.DataFrame:
    """Comparison regions for the treated ones: the ``given`` list, else matched peers.

    Peers come from the peer-region finder :func:`workbench.evidence.peers.peer_regions` applied to
    ``variables`` (region x structural variables), or from ``peer_finder``, a callable
    ``(region, n) -> DataFrame`` with a ``region`` column, nearest first.  Treated regions are never
    their own comparison; each treated region gets ``n`` (yml ``peers.n_matched``) distinct peers.
    Columns: region, source, matched_to.
    """
    treated = set(treated_regions)
    if given:
        regions = [r for r in dict.fromkeys(given) if r not in treated]
        if not regions:
            raise EvaluationInputError(
                "comparison regions: the given list contains only treated regions"
            )
        return pd.DataFrame({"region": regions, "source": "given", "matched_to": None})
    n = n or int(load_defaults("evaluation")["peers"]["n_matched"])
    finder = peer_finder
    source = "peer finder"
    if finder is None and variables is not None:
        source = "workbench.evidence.peers"

        def finder(region: str, k: int) -> pd.DataFrame:
            return peer_regions(variables, region, n=min(k, len(variables) - 1))

    if finder is None:
        raise EvaluationInputError(
            "no comparison regions: give a list (given=[...]) or structural variables for the "
            "peer-region finder (variables=...)"
        )
    rows: list[dict[str, Any]] = []
    for region in treated_regions:
        peers = finder(region, n + len(treated) + len(rows))  # room for skipped ones
        for peer in peers["region"]:
            if peer in treated or any(r["region"] == peer for r in rows):
                continue
            rows.append({"region": peer, "source": source, "matched_to": region})
            if sum(r["matched_to"] == region for r in rows) >= n:
                break
    if not rows:
        raise EvaluationInputError(
            f"the peer finder found no comparison regions for {treated_regions}"
        )
    return pd.DataFrame(rows)
