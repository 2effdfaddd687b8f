"""Participant surveys on Likert items: distributions, net scores, change between waves.

Net score (net agreement) = 100 x (share answering in ``agree`` - share answering in ``disagree``),
points from ``evaluation.yml`` (``surveys``; 4-5 vs 1-2 on a 5-point scale), the "top-2-box minus
bottom-2-box" summary of survey research.  Change between waves is tested on the ordinal answers, not
on means: Wilcoxon signed-rank for the same respondents in both waves (paired), Mann-Whitney U for
independent samples (both from ``scipy.stats``; Agresti 2010, *Analysis of Ordinal Categorical Data*).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from workbench.config import load_defaults
from workbench.evaluation.errors import EvaluationInputError, require_columns

RESPONSE_COLUMNS = ("respondent_id", "item", "wave", "score")


def validate_responses(responses: pd.DataFrame) -> pd.DataFrame:
    """Check columns and that every score is an integer on the configured scale."""
    require_columns(responses, RESPONSE_COLUMNS, "survey responses")
    scale = list(load_defaults("evaluation")["surveys"]["scale"])
    df = responses.copy()
    score = pd.to_numeric(df["score"], errors="coerce")
    bad = df[score.isna() | ~score.isin(scale)]
    if not bad.empty:
        row = bad.index[0]
        raise EvaluationInputError(
            f"survey responses row {row}: column 'score' must be one of {scale}, "
            f"got {bad.loc[row, 'score']!r}"
        )
    df["score"] = score.astype(int)
    return df


def likert_distribution(
    responses: pd.DataFrame, by: tuple[str, ...] = ("item", "wave")
) -> pd.DataFrame:
    """Counts and shares (%) per scale point, every point listed (zeros included)."""
    df = validate_responses(responses)
    scale = list(load_defaults("evaluation")["surveys"]["scale"])
    counts = (
        (df.groupby([*by, "score"]).size().unstack("score").reindex(columns=scale, fill_value=0))
        .fillna(0)
        .astype(int)
    )
    long = counts.stack().rename("count").reset_index()
    totals = long.groupby(list(by))["count"].transform("sum")
    long["share"] = long["count"] / totals * 100
    return long


def net_scores(responses: pd.DataFrame, by: tuple[str, ...] = ("item", "wave")) -> pd.DataFrame:
    """Per group: n, % agree, % disagree, net score (% agree - % disagree), mean and median."""
    df = validate_responses(responses)
    cfg = load_defaults("evaluation")["surveys"]
    agree, disagree = set(cfg["agree"]), set(cfg["disagree"])
    g = df.groupby(list(by))["score"]
    out = g.agg(
        n="size",
        agree=lambda s: s.isin(agree).mean() * 100,
        disagree=lambda s: s.isin(disagree).mean() * 100,
        mean="mean",
        median="median",
    ).reset_index()
    out["net_score"] = out["agree"] - out["disagree"]
    return out


def wave_change(
    responses: pd.DataFrame,
    *,
    waves: tuple[object, object] | None = None,
    paired: bool | None = None,
) -> pd.DataFrame:
    """Per item: net score in each wave, its change, and a test of the shift in answers.

    ``paired=None`` decides per item: paired when every respondent answered in both waves.  If all
    paired differences are zero the Wilcoxon test is undefined; the result is p = 1 with a note.
    """
    df = validate_responses(responses)
    alpha = float(load_defaults("evaluation")["surveys"]["alpha"])
    found = sorted(df["wave"].unique())
    if waves is None:
        if len(found) < 2:
            raise EvaluationInputError(f"survey responses: need two waves, found {found}")
        waves = (found[0], found[-1])
    w1, w2 = waves
    for w in waves:
        if w not in set(found):
            raise EvaluationInputError(f"survey responses: no answers in wave {w!r} (have {found})")
    nets = net_scores(df[df["wave"].isin(waves)]).set_index(["item", "wave"])
    rows = []
    for item, part in df.groupby("item", sort=True):
        a = part[part["wave"] == w1].set_index("respondent_id")["score"]
        b = part[part["wave"] == w2].set_index("respondent_id")["score"]
        if a.empty or b.empty:
            raise EvaluationInputError(
                f"survey item {item!r}: no answers in one of the waves {waves}"
            )
        is_paired = paired if paired is not None else set(a.index) == set(b.index)
        note = ""
        if is_paired:
            common = a.index.intersection(b.index)
            diff = b.loc[common].to_numpy() - a.loc[common].to_numpy()
            if len(common) < 1:
                raise EvaluationInputError(f"survey item {item!r}: no respondent in both waves")
            if np.all(diff == 0):
                stat, p, note = np.nan, 1.0, "every respondent gave the same answer in both waves"
            else:
                res = stats.wilcoxon(diff, zero_method="wilcox")
                stat, p = float(res.statistic), float(res.pvalue)
            test = "Wilcoxon signed-rank (paired)"
        else:
            res = stats.mannwhitneyu(b.to_numpy(), a.to_numpy(), alternative="two-sided")
            stat, p = float(res.statistic), float(res.pvalue)
            test = "Mann-Whitney U (independent waves)"
        n1, n2 = nets.loc[(item, w1)], nets.loc[(item, w2)]
        rows.append(
            {
                "item": item,
                "n_wave1": int(n1["n"]),
                "n_wave2": int(n2["n"]),
                "net_wave1": float(n1["net_score"]),
                "net_wave2": float(n2["net_score"]),
                "net_change": float(n2["net_score"] - n1["net_score"]),
                "median_wave1": float(n1["median"]),
                "median_wave2": float(n2["median"]),
                "test": test,
                "statistic": stat,
                "p_value": p,
                "significant": p < alpha,
                "note": note,
            }
        )
    return pd.DataFrame(rows)
