"""Before/after change with bootstrap confidence intervals (``scipy.stats.bootstrap``).

Change = mean(after) - mean(before); with matched peers, the mean change of the pilot regions minus
the mean change of the peer regions.  Confidence intervals resample each group of observations
independently (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 14;
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
    samples: tuple[np.ndarray, ...],
    statistic,
    *,
    confidence_level: float,
    n_resamples: int,
    method: str,
    seed: int,
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
            samples,
            statistic,
            n_resamples=n_resamples,
            confidence_level=confidence_level,
            method="percentile",
            vectorized=True,
            paired=False,
            rng=np.random.default_rng(seed),
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
            (before, after),
            _diff_means,
            confidence_level=level,
            n_resamples=resamples,
            method=str(cfg["method"]),
            seed=int(cfg["seed"]),
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
    start: object | None = None,
    unit: str = "region",
    treated: str = "treated",
    period: str = "period",
    value: str = "value",
    confidence_level: float | None = None,
    n_resamples: int | None = None,
) -> pd.DataFrame:
    """Mean change of the pilot regions minus mean change of the matched peer regions, with a CI.

    Each region's change is ``mean(after) - mean(before)`` split at its own ``start`` (column, if the
    panel has one) or at ``start``; peers are split at ``start`` (default: the earliest pilot start).
    The bootstrap resamples months within each region and side (stratified), so the interval shows
    month-to-month noise only: with two or three pilot regions nothing can be said about
    between-region variation, which is why this is descriptive, not a causal estimate.
    """
    require_columns(panel, [unit, treated, period, value], "before/after vs peers panel")
    cfg = evaluation_defaults()["bootstrap"]
    level = confidence_level or float(cfg["confidence_level"])
    resamples = n_resamples or int(cfg["n_resamples"])
    df = panel.copy()
    df[treated] = df[treated].astype(bool)
    has_start = "start" in df.columns
    if start is None:
        if not has_start or df.loc[df[treated], "start"].isna().all():
            raise EvaluationInputError("before/after vs peers: give start= or a 'start' column")
        start = pd.to_datetime(df.loc[df[treated], "start"]).min()
    samples: list[np.ndarray] = []
    kinds: list[bool] = []
    for region, part in df.groupby(unit, sort=True):
        is_t = bool(part[treated].iloc[0])
        own = part["start"].dropna() if has_start and is_t else pd.Series(dtype=object)
        before, after = _split(part, own.iloc[0] if len(own) else start, period, value)
        if before.size < 2 or after.size < 2:
            raise EvaluationInputError(
                f"before/after vs peers: region {region!r} needs at least 2 values before and "
                f"2 after its start, got {before.size} and {after.size}"
            )
        samples += [before, after]
        kinds.append(is_t)
    flags = np.array(kinds)
    if not flags.any() or flags.all():
        raise EvaluationInputError("before/after vs peers: need pilot regions and peer regions")

    def statistic(*arrays, axis=-1):
        changes = [
            np.mean(arrays[2 * k + 1], axis=axis) - np.mean(arrays[2 * k], axis=axis)
            for k in range(len(arrays) // 2)
        ]
        t = [c for c, f in zip(changes, flags, strict=True) if f]
        p = [c for c, f in zip(changes, flags, strict=True) if not f]
        return np.mean(t, axis=0) - np.mean(p, axis=0)

    low, high, note = _bootstrap_ci(
        tuple(samples),
        statistic,
        confidence_level=level,
        n_resamples=resamples,
        method=str(cfg["method"]),
        seed=int(cfg["seed"]),
    )
    changes = np.array(
        [samples[2 * k + 1].mean() - samples[2 * k].mean() for k in range(len(flags))]
    )
    ct, cp = float(changes[flags].mean()), float(changes[~flags].mean())
    return pd.DataFrame(
        [
            {
                "change_treated": ct,
                "change_peers": cp,
                "difference": ct - cp,
                "ci_low": low,
                "ci_high": high,
                "confidence_level": level,
                "n_treated_regions": int(flags.sum()),
                "n_peer_regions": int((~flags).sum()),
                "method": f"bootstrap within regions ({cfg['method']}, {resamples} resamples)",
                "note": note,
            }
        ]
    )
