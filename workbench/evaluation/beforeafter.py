"""Before/after change with bootstrap confidence intervals (``scipy.stats.bootstrap``).

Change = mean(after) - mean(before); with matched peers, the change of the pilot regions minus the
change of the peers, ``(mean A_t - mean B_t) - (mean A_p - mean B_p)``.  Confidence intervals resample
each period group independently (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 14;
BCa by default, configured in ``evaluation.yml``).  This is descriptive: without a credible
counterfactual it is not a causal effect.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from workbench.evaluation.errors import EvaluationInputError, require_columns
from workbench.evaluation.settings import evaluation_defaults


def _bootstrap_ci(
    samples: tuple[np.ndarray, ...], statistic, *, confidence_level: float, n_resamples: int,
    method: str, seed: int,
) -> tuple[float, float, str]:
    """CI of ``statistic(*samples)``; degenerate data (no spread) gives a zero-width interval."""
    point = float(statistic(*samples))
    if all(np.ptp(s) == 0 for s in samples):
        return point, point, "no variation in the data: interval has zero width"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        res = stats.bootstrap(
            samples,
            statistic,
            n_resamples=n_resamples,
            confidence_level=confidence_level,
            method=method,
            vectorized=True,
            paired=False,
            rng=np.random.default_rng(seed),
        )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isnan(low) or np.isnan(high):
        res = stats.bootstrap(
            samples, statistic, n_resamples=n_resamples, confidence_level=confidence_level,
            method="percentile", vectorized=True, paired=False, rng=np.random.default_rng(seed),
        )
        return (
            float(res.confidence_interval.low),
            float(res.confidence_interval.high),
            f"{method} undefined for these data; percentile interval used",
        )
    return low, high, ""


def _split(series: pd.DataFrame, start: object, period: str, value: str) -> tuple[np.ndarray, ...]:
    periods = pd.to_datetime(series[period])
    start_ts = pd.Timestamp(start)
    vals = series[value].astype(float)
    before = vals[(periods < start_ts) & vals.notna()].to_numpy()
    after = vals[(periods >= start_ts) & vals.notna()].to_numpy()
    return before, after


def _diff_means(before, after, axis=-1):
    return np.mean(after, axis=axis) - np.mean(before, axis=axis)


def _diff_in_changes(tb, ta, pb, pa, axis=-1):
    return (np.mean(ta, axis=axis) - np.mean(tb, axis=axis)) - (
        np.mean(pa, axis=axis) - np.mean(pb, axis=axis)
    )


def before_after(
    series: pd.DataFrame,
    *,
    start: object,
    period: str = "period",
    value: str = "value",
    by: str | None = None,
    confidence_level: float | None = None,
    n_resamples: int | None = None,
) -> pd.DataFrame:
    """Per group (``by``, e.g. indicator): mean before ``start``, mean from ``start``, change and CI.

    Needs at least two values on each side; otherwise raises :class:`EvaluationInputError`.
    """
    require_columns(series, [period, value] + ([by] if by else []), "before/after series")
    cfg = evaluation_defaults()["bootstrap"]
    level = confidence_level or float(cfg["confidence_level"])
    resamples = n_resamples or int(cfg["n_resamples"])
    groups = series.groupby(by, sort=True) if by else [(None, series)]
    rows = []
    for key, part in groups:
        key = key[0] if isinstance(key, tuple) else key
        before, after = _split(part, start, period, value)
        if before.size < 2 or after.size < 2:
            raise EvaluationInputError(
                f"before/after{'' if key is None else f' for {by}={key!r}'}: need at least 2 values "
                f"before and 2 from {pd.Timestamp(start).date()}, got {before.size} and {after.size}"
            )
        low, high, note = _bootstrap_ci(
            (before, after), _diff_means, confidence_level=level, n_resamples=resamples,
            method=str(cfg["method"]), seed=int(cfg["seed"]),
        )
        mb, ma = float(before.mean()), float(after.mean())
        row = {
            "n_before": before.size,
            "n_after": after.size,
            "mean_before": mb,
            "mean_after": ma,
            "change": ma - mb,
            "pct_change": (ma - mb) / abs(mb) * 100 if mb != 0 else None,
            "ci_low": low,
            "ci_high": high,
            "confidence_level": level,
            "method": f"bootstrap ({cfg['method']}, {resamples} resamples)",
            "note": note,
        }
        if by:
            row = {by: key, **row}
        rows.append(row)
    out = pd.DataFrame(rows)
    out["pct_change"] = out["pct_change"].astype(float)
    return out


def before_after_vs_peers(
    panel: pd.DataFrame,
    *,
    start: object,
    treated: str = "treated",
    period: str = "period",
    value: str = "value",
    confidence_level: float | None = None,
    n_resamples: int | None = None,
) -> pd.DataFrame:
    """Change in treated regions minus change in matched peer regions, with a bootstrap CI.

    One row: change_treated, change_peers, difference, ci_low, ci_high.  Each of the four
    (treated/peers x before/after) groups of observations is resampled independently.
    """
    require_columns(panel, [treated, period, value], "before/after vs peers panel")
    cfg = evaluation_defaults()["bootstrap"]
    level = confidence_level or float(cfg["confidence_level"])
    resamples = n_resamples or int(cfg["n_resamples"])
    is_t = panel[treated].astype(bool)
    tb, ta = _split(panel[is_t], start, period, value)
    pb, pa = _split(panel[~is_t], start, period, value)
    sizes = {"treated before": tb.size, "treated after": ta.size, "peers before": pb.size,
             "peers after": pa.size}
    small = {k: n for k, n in sizes.items() if n < 2}
    if small:
        raise EvaluationInputError(
            "before/after vs peers: need at least 2 values in each group, got "
            + ", ".join(f"{k}: {n}" for k, n in small.items())
        )
    low, high, note = _bootstrap_ci(
        (tb, ta, pb, pa), _diff_in_changes, confidence_level=level, n_resamples=resamples,
        method=str(cfg["method"]), seed=int(cfg["seed"]),
    )
    ct, cp = float(ta.mean() - tb.mean()), float(pa.mean() - pb.mean())
    return pd.DataFrame(
        [
            {
                "change_treated": ct,
                "change_peers": cp,
                "difference": ct - cp,
                "ci_low": low,
                "ci_high": high,
                "confidence_level": level,
                "n_treated_obs": tb.size + ta.size,
                "n_peer_obs": pb.size + pa.size,
                "method": f"bootstrap ({cfg['method']}, {resamples} resamples)",
                "note": note,
            }
        ]
    )
