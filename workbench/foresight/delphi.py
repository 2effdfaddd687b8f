"""Delphi statistics: per-item median, IQR and consensus, percentage agreement, Kendall's W, stability.

Sources: consensus by interquartile range (IQR <= 1 on a 5-point / <= 2 on a 9-point scale) and
percentage agreement as reviewed in von der Gracht (2012), *Consensus measurement in Delphi studies*,
Technol. Forecast. Soc. Change 79(8); Kendall's coefficient of concordance with tie correction in
Kendall & Babington Smith (1939) and Schmidt (1997), *Managing Delphi surveys using nonparametric
statistical techniques*, Decision Sciences 28(3); stability between rounds by the share of changed
answers and the Wilcoxon signed-rank test (Dajani et al. 1979; scipy.stats.wilcoxon).
Thresholds are in ``workbench/defaults/foresight.yml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.foresight.settings import agreement_min_value, max_iqr

ANSWER_COLUMNS = ["statement_id", "participant_code", "value"]


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(f"{what}: missing column(s) {missing}")


def latest_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Keep each participant's last answer per (round, statement): revisions replace earlier answers.

    Input columns: round_no, statement_id, participant_code, value, submitted_at (answer_id breaks ties).
    """
    _require(answers, ["round_no", *ANSWER_COLUMNS, "submitted_at"], "answers")
    order = ["submitted_at", "answer_id"] if "answer_id" in answers.columns else ["submitted_at"]
    ordered = answers.sort_values(order, kind="stable")
    keys = ["round_no", "statement_id", "participant_code"]
    return ordered.drop_duplicates(keys, keep="last").sort_values(keys).reset_index(drop=True)


def item_stats(answers: pd.DataFrame, scales: pd.Series | dict[str, int]) -> pd.DataFrame:
    """Per statement: n, median, q1, q3, IQR = q3 - q1, consensus (IQR <= max IQR of its scale) and
    percentage agreement (share of answers >= the scale's agreement value, in %).

    ``answers``: one answer per participant and statement (see :func:`latest_answers`);
    quartiles use linear interpolation (numpy's default, Hyndman & Fan type 7).
    ``scales``: statement_id -> scale points (5 or 9).
    """
    _require(answers, ANSWER_COLUMNS, "answers")
    scales = pd.Series(scales, dtype="int64")
    unknown = sorted(set(answers["statement_id"]) - set(scales.index))
    if unknown:
        raise ValidationError(f"answers for unknown statement(s) {unknown[:5]}")
    rows = []
    for sid, group in answers.groupby("statement_id", sort=True):
        values = group["value"].to_numpy(dtype=float)
        points = int(scales[sid])
        if values.min() < 1 or values.max() > points:
            raise ValidationError(f"statement {sid!r}: answers outside 1..{points}")
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        iqr = q3 - q1
        rows.append(
            {
                "statement_id": sid,
                "scale_points": points,
                "n": len(values),
                "median": float(median),
                "q1": float(q1),
                "q3": float(q3),
                "iqr": float(iqr),
                "consensus": bool(iqr <= max_iqr(points)),
                "agreement_pct": float(100.0 * np.mean(values >= agreement_min_value(points))),
            }
        )
    columns = [
        "statement_id",
        "scale_points",
        "n",
        "median",
        "q1",
        "q3",
        "iqr",
        "consensus",
        "agreement_pct",
    ]
    return pd.DataFrame(rows, columns=columns)


def scale_position(values: pd.Series, points: pd.Series) -> pd.Series:
    """Where an answer lies on its own statement's scale: (value - 1) / (points - 1), 0 = the bottom
    and 1 = the top point (a 3 on a 5-point scale and a 5 on a 9-point scale are both 0.5)."""
    return (values.astype(float) - 1.0) / (points.astype(float) - 1.0)


def kendall_w(answers: pd.DataFrame, scales: pd.Series | dict[str, int] | None = None) -> pd.Series:
    """Kendall's W of the raters' rankings of the items (participants rank statements by their ratings).

    W = 12 S / (m^2 (n^3 - n) - m sum_j T_j), S = sum_i (R_i - mean R)^2, R_i the rank sum of item i,
    T_j = sum (t^3 - t) over the tie groups of rater j (Kendall & Babington Smith 1939).  Only raters
    who answered every item are used.  Returns W, m (raters), n (items), chi2 = m (n - 1) W and its
    p-value (chi-square, n - 1 df).  Needs at least 2 raters and 2 items.

    **Mixed scales**: each rater's answers are ranked after putting every answer on its own
    statement's scale (:func:`scale_position`: (value - 1) / (points - 1)), so a 6 on a 9-point
    statement (0.625) does not outrank a 4 on a 5-point one (0.75) merely because 9 > 5.  Ranking raw
    answers of 5- and 9-point statements biases W upwards: with purely random answers on the demo's
    mixed round the mean W was 0.24 and 65 % of rounds looked "significant"; on scale positions it
    is about 1/m and the 5 % test holds its level (tests/test_foresight_exercise.py).  ``scales``:
    statement_id -> scale points (or a ``scale_points`` column in ``answers``); without either, all
    statements are taken to share one scale.
    """
    _require(answers, ANSWER_COLUMNS, "answers")
    if scales is not None:
        points = answers["statement_id"].map(pd.Series(scales, dtype="int64"))
        if points.isna().any():
            unknown = sorted(set(answers.loc[points.isna(), "statement_id"]))
            raise ValidationError(f"answers for statement(s) without a scale: {unknown[:5]}")
        answers = answers.assign(value=scale_position(answers["value"], points))
    elif "scale_points" in answers.columns:
        answers = answers.assign(value=scale_position(answers["value"], answers["scale_points"]))
    wide = (
        answers.drop_duplicates(["participant_code", "statement_id"], keep="last")
        .pivot(index="participant_code", columns="statement_id", values="value")
        .dropna()
    )
    m, n = wide.shape
    if m < 2 or n < 2:
        raise ValidationError(
            f"Kendall's W needs >= 2 complete raters and >= 2 items (got {m} x {n})"
        )
    ranks = stats.rankdata(wide.to_numpy(dtype=float), axis=1)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    ties = 0.0
    for row in wide.to_numpy(dtype=float):
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    w = 12.0 * s / denominator if denominator > 0 else float("nan")
    if not np.isfinite(w):
        raise ValidationError("Kendall's W undefined: every rater gave all items the same value")
    chi2 = m * (n - 1) * w
    return pd.Series(
        {"W": w, "m": m, "n": n, "chi2": chi2, "p_value": float(stats.chi2.sf(chi2, n - 1))}
    )


def stability(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per statement, between two rounds (pairs of the same participant): n_pairs, share_changed (%),
    mean change, Wilcoxon signed-rank statistic and p-value (zero differences dropped, 'wilcox'), and
    ``stable`` = p >= alpha (foresight.yml).  All-equal pairs give p = 1 (no change)."""
    _require(previous, ANSWER_COLUMNS, "previous round")
    _require(current, ANSWER_COLUMNS, "current round")
    alpha = float(load_defaults("foresight")["stability"]["alpha"])
    pairs = previous[ANSWER_COLUMNS].merge(
        current[ANSWER_COLUMNS], on=["statement_id", "participant_code"], suffixes=("_a", "_b")
    )
    rows = []
    for sid, group in pairs.groupby("statement_id", sort=True):
        diff = group["value_b"].to_numpy(dtype=float) - group["value_a"].to_numpy(dtype=float)
        changed = diff != 0
        if changed.sum() == 0:
            stat, p = 0.0, 1.0
        else:
            result = stats.wilcoxon(diff, zero_method="wilcox")
            stat, p = float(result.statistic), float(result.pvalue)
        rows.append(
            {
                "statement_id": sid,
                "n_pairs": len(diff),
                "share_changed_pct": float(100.0 * changed.mean()),
                "mean_change": float(diff.mean()),
                "wilcoxon_stat": stat,
                "p_value": p,
                "stable": bool(p >= alpha),
            }
        )
    columns = [
        "statement_id",
        "n_pairs",
        "share_changed_pct",
        "mean_change",
        "wilcoxon_stat",
        "p_value",
        "stable",
    ]
    return pd.DataFrame(rows, columns=columns)
