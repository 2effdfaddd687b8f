"""Achievement against target, per indicator and per logic-model level.

Distance-to-target formula (European Commission, *Guidance document on monitoring and evaluation*,
ERDF/CF 2014-2020, result indicators with baseline and target):

    achievement = (actual - baseline) / (target - baseline)

so 0 = still at baseline, 1 = target reached, > 1 = exceeded; it works for indicators that should
fall as well as rise (the sign of ``target - baseline`` gives the direction).  Status bands come from
``evaluation.yml`` (``achievement``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.evaluation.errors import EvaluationInputError, require_columns

INDICATOR_COLUMNS = ("indicator_id", "level", "baseline", "target")
VALUE_COLUMNS = ("indicator_id", "period", "value")


def latest_values(values: pd.DataFrame, as_of: object | None = None) -> pd.DataFrame:
    """Latest non-missing value per indicator (mean over regions at that period), up to ``as_of``."""
    require_columns(values, VALUE_COLUMNS, "indicator values")
    v = values.loc[values["value"].notna(), list(VALUE_COLUMNS)].copy()
    v["period"] = pd.to_datetime(v["period"])
    if as_of is not None:
        v = v[v["period"] <= pd.Timestamp(as_of)]
    if v.empty:
        return pd.DataFrame({"indicator_id": [], "period": [], "actual": []})
    by_period = v.groupby(["indicator_id", "period"], as_index=False)["value"].mean()
    idx = by_period.groupby("indicator_id")["period"].idxmax()
    out = by_period.loc[idx].rename(columns={"value": "actual"})
    return out.reset_index(drop=True)


def indicator_achievement(
    indicators: pd.DataFrame, values: pd.DataFrame, *, as_of: object | None = None
) -> pd.DataFrame:
    """Per indicator: latest actual, achievement = (actual - baseline) / (target - baseline), status.

    ``status`` is one of ``achieved``, ``on track``, ``behind``, ``moving away`` (achievement < 0),
    ``no data`` (no value yet) or ``undefined: target equals baseline``; ``achievement`` is NaN only
    for the last two, and the status says why.
    """
    require_columns(indicators, INDICATOR_COLUMNS, "indicators")
    bands = load_defaults("evaluation")["achievement"]
    for col in ("baseline", "target"):
        bad = indicators[pd.to_numeric(indicators[col], errors="coerce").isna()]
        if not bad.empty:
            row = bad.index[0]
            raise EvaluationInputError(
                f"indicators row {row} (indicator {bad.iloc[0]['indicator_id']!r}): column {col!r} "
                f"must be a number, got {bad.iloc[0][col]!r}"
            )
    latest = latest_values(values, as_of)
    out = indicators.merge(latest, on="indicator_id", how="left")
    baseline = out["baseline"].astype(float)
    target = out["target"].astype(float)
    gap = target - baseline
    with np.errstate(divide="ignore", invalid="ignore"):
        ach = (out["actual"].astype(float) - baseline) / gap
    ach = ach.where(gap != 0)
    status = np.select(
        [
            out["actual"].isna(),
            gap == 0,
            ach >= bands["achieved"],
            ach >= bands["on_track"],
            ach >= 0,
        ],
        ["no data", "undefined: target equals baseline", "achieved", "on track", "behind"],
        default="moving away",
    )
    out["achievement"] = ach
    out["status"] = status
    return out


def level_achievement(
    achievement: pd.DataFrame, *, levels: list[str] | None = None
) -> pd.DataFrame:
    """Per logic-model level: indicators, with data, achieved, mean achievement (capped, see yml).

    Mean of ``min(achievement, cap)`` over indicators with a defined achievement, so one
    over-achieving indicator cannot hide the others.  Levels without indicators are listed with 0.
    """
    require_columns(achievement, ("level", "achievement", "status"), "indicator achievement")
    cfg = load_defaults("evaluation")
    levels = levels or list(cfg["logic_model_levels"])
    unknown = sorted(set(achievement["level"].dropna()) - set(levels))
    if unknown:
        raise EvaluationInputError(
            f"indicator achievement: column 'level' has unknown value(s) {unknown}; "
            f"expected one of {levels}"
        )
    cap = float(cfg["achievement"]["cap"])
    rows = []
    for level in levels:
        part = achievement[achievement["level"] == level]
        defined = part["achievement"].dropna()
        rows.append(
            {
                "level": level,
                "indicators": len(part),
                "with_data": int(defined.size),
                "achieved": int((part["status"] == "achieved").sum()),
                "mean_achievement": float(defined.clip(upper=cap).mean()) if defined.size else None,
            }
        )
    out = pd.DataFrame(rows)
    out["mean_achievement"] = out["mean_achievement"].astype(float)
    return out
