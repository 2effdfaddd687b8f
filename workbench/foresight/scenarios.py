"""Impact/uncertainty matrix, choice of two critical uncertainties and the 2x2 scenario frame.

Method: the scenario-axes technique (Schwartz, *The Art of the Long View*, 1991; van der Heijden,
*Scenarios*, 2005): drivers rated high on both impact and uncertainty are critical uncertainties; two
of them, ideally independent, span four scenarios.  Thresholds are in ``foresight.yml``.
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

from workbench.config import load_defaults
from workbench.errors import ValidationError


def latest_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """Each participant's last impact/uncertainty rating per driver."""
    df = (
        ratings.sort_values("submitted_at", kind="stable") if "submitted_at" in ratings else ratings
    )
    return df.drop_duplicates(["driver_id", "participant_code"], keep="last").reset_index(drop=True)


def impact_uncertainty(ratings: pd.DataFrame, drivers: pd.DataFrame) -> pd.DataFrame:
    """Per driver: n, median and mean impact and uncertainty (1-5), score = mean impact x mean
    uncertainty, and quadrant: 'critical uncertainty' (both >= thresholds), 'predetermined element'
    (impact high, uncertainty low), 'to monitor' (uncertainty high, impact low), 'secondary'."""
    for col in ("driver_id", "participant_code", "impact", "uncertainty"):
        if col not in ratings.columns:
            raise ValidationError(f"ratings: missing column {col!r}")
    cfg = load_defaults("foresight")["critical_uncertainties"]
    latest = latest_ratings(ratings)
    grouped = latest.groupby("driver_id").agg(
        n=("participant_code", "size"),
        impact_median=("impact", "median"),
        uncertainty_median=("uncertainty", "median"),
        impact_mean=("impact", "mean"),
        uncertainty_mean=("uncertainty", "mean"),
    )
    table = drivers[["driver_id", "label", "steep"]].merge(
        grouped.reset_index(), on="driver_id", how="inner"
    )
    table["score"] = table["impact_mean"] * table["uncertainty_mean"]
    hi_i = table["impact_mean"] >= float(cfg["impact_threshold"])
    hi_u = table["uncertainty_mean"] >= float(cfg["uncertainty_threshold"])
    table["quadrant"] = "secondary"
    table.loc[hi_i & hi_u, "quadrant"] = "critical uncertainty"
    table.loc[hi_i & ~hi_u, "quadrant"] = "predetermined element"
    table.loc[~hi_i & hi_u, "quadrant"] = "to monitor"
    return table.sort_values("score", ascending=False).reset_index(drop=True)


def critical_uncertainties(
    matrix: pd.DataFrame,
    ratings: pd.DataFrame,
    chosen: tuple[str, str] | None = None,
) -> dict[str, object]:
    """The two axes (``chosen`` or the two highest-scoring critical uncertainties) and a warning when
    they are strongly correlated: Spearman's rho between the two drivers' uncertainty x impact ratings
    across the participants who rated both; |rho| > max_abs_correlation (foresight.yml) warns.
    Returns {"axes": (a, b), "rho": float|None, "p_value", "n": int, "warning": str|None}."""
    cfg = load_defaults("foresight")["critical_uncertainties"]
    if chosen is None:
        candidates = matrix.loc[matrix["quadrant"] == "critical uncertainty", "driver_id"].tolist()
        if len(candidates) < 2:
            candidates = matrix["driver_id"].tolist()  # fall back to the highest scores
        if len(candidates) < 2:
            raise ValidationError("need at least two rated drivers to frame scenarios")
        chosen = (candidates[0], candidates[1])
    a, b = chosen
    if a == b:
        raise ValidationError("choose two different drivers as critical uncertainties")
    known = set(matrix["driver_id"])
    for d in (a, b):
        if d not in known:
            raise ValidationError(f"driver {d!r} has no ratings")
    latest = latest_ratings(ratings)
    latest = latest.assign(product=latest["impact"] * latest["uncertainty"])
    wide = latest.pivot_table(
        index="participant_code", columns="driver_id", values="product"
    ).dropna(subset=[a, b])
    rho = p = None
    warning = None
    if len(wide) >= 3 and wide[a].nunique() > 1 and wide[b].nunique() > 1:
        result = stats.spearmanr(wide[a], wide[b])
        rho, p = float(result.statistic), float(result.pvalue)
        limit = float(cfg["max_abs_correlation"])
        if abs(rho) > limit:
            warning = (
                f"the two uncertainties are strongly correlated (Spearman rho = {rho:.2f}, |rho| > {limit}): "
                "the four scenarios would not be independent; consider another pair"
            )
    return {"axes": (a, b), "rho": rho, "p_value": p, "n": int(len(wide)), "warning": warning}


def scenario_frame(a_label: str, b_label: str) -> pd.DataFrame:
    """The 2x2 scenario set spanned by two critical uncertainties (low/high on each axis)."""
    rows = []
    for a_level in ("high", "low"):
        for b_level in ("high", "low"):
            rows.append(
                {
                    "scenario": f"{a_level[0].upper()}{b_level[0].upper()}",
                    "axis_a": a_label,
                    "level_a": a_level,
                    "axis_b": b_label,
                    "level_b": b_level,
                    "title": f"{a_level.capitalize()} {a_label} / {b_level} {b_label}",
                }
            )
    return pd.DataFrame(rows)
