"""Better Regulation criteria scores by several evaluators: validation and aggregation.

Criteria (``evaluation.yml``): effectiveness, efficiency, relevance, coherence, EU added value
(European Commission, Better Regulation Guidelines, SWD(2021) 305, tool #47) plus sustainability,
each scored 1-5 with a confidence (low / medium / high).

Aggregation per mechanism and criterion: mean, confidence-weighted mean
``sum(w_k s_k) / sum(w_k)`` (weights per confidence level from the yml), median, spread, and the
within-group agreement index of James, Demaree & Wolf (1984, J. Applied Psychology 69(1)):

    r_wg = 1 - s^2 / sigma_EU^2,   sigma_EU^2 = (A^2 - 1) / 12   (A = number of scale points)

clipped to [0, 1]; below the configured level the evaluators are flagged as disagreeing.
"""

from __future__ import annotations

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import Problem
from workbench.evaluation.errors import EvaluationInputError, ScoreValidationError, require_columns
from workbench.evaluation.score_rules import check_record
from workbench.evaluation.settings import criteria_codes

SCORE_COLUMNS = ("evaluator", "mechanism_id", "criterion", "score", "confidence")


def validate_scores(
    scores: pd.DataFrame,
    *,
    source: str = "scores",
    mechanisms: list[str] | None = None,
    criteria: list[str] | None = None,
) -> pd.DataFrame:
    """Return a clean copy (score int, confidence lower-case) or raise :class:`ScoreValidationError`.

    Rules: required columns present; evaluator and mechanism not empty; mechanism known (if a list is
    given); criterion one of ``criteria`` (default: the configured codes); score an integer within [min, max]; confidence one
    of the configured levels; comment at most ``max_comment_chars``.
    """
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ScoreValidationError(
            [Problem(file=source, rule=f"missing column {c!r}", column=c) for c in missing]
        )
    problems: list[Problem] = []
    records = []
    for i, rec in enumerate(scores.to_dict("records")):
        clean, found = check_record(
            rec, source=source, row=i + 1, mechanisms=mechanisms, criteria=criteria
        )
        records.append(clean)
        problems += found
    if problems:
        raise ScoreValidationError(problems)
    df = pd.DataFrame.from_records(records, columns=list(scores.columns))
    df["score"] = df["score"].astype(int)
    return df


def latest_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Keep each evaluator's latest score per mechanism and criterion (by ``submitted_at`` if present)."""
    df = scores.copy()
    if "submitted_at" in df.columns:
        df = df.sort_values("submitted_at", kind="stable")
    return df.drop_duplicates(["evaluator", "mechanism_id", "criterion"], keep="last").reset_index(
        drop=True
    )


def aggregate_scores(scores: pd.DataFrame, criteria: list[str] | None = None) -> pd.DataFrame:
    """Per mechanism x criterion: n, mean, weighted_mean, median, sd, min, max, rwg, disagreement.
    ``criteria``: a scoring round's criterion codes (default: those of evaluation.yml)."""
    require_columns(scores, SCORE_COLUMNS, "criteria scores")
    if scores.empty:
        raise EvaluationInputError("criteria scores: no scores to aggregate")
    cfg = load_defaults("evaluation")["scoring"]
    df = latest_scores(validate_scores(scores, criteria=criteria))
    codes = criteria_codes() if criteria is None else list(criteria)
    df["weight"] = df["confidence"].map({k: float(v) for k, v in cfg["confidence_weights"].items()})
    df["weighted"] = df["weight"] * df["score"]
    points = int(cfg["max_score"]) - int(cfg["min_score"]) + 1
    sigma_eu = (points**2 - 1) / 12
    g = df.groupby(["mechanism_id", "criterion"])
    out = g.agg(
        n_evaluators=("evaluator", "nunique"),
        mean=("score", "mean"),
        median=("score", "median"),
        sd=("score", "std"),
        min=("score", "min"),
        max=("score", "max"),
        weight_sum=("weight", "sum"),
        weighted_sum=("weighted", "sum"),
    ).reset_index()
    out["weighted_mean"] = out["weighted_sum"] / out["weight_sum"]
    out["sd"] = out["sd"].fillna(0.0)  # one evaluator: no spread observed
    variance = out["sd"] ** 2
    out["rwg"] = (1 - variance / sigma_eu).clip(lower=0.0, upper=1.0)
    threshold = float(cfg["rwg_disagreement_below"])
    out["disagreement"] = (out["n_evaluators"] > 1) & (out["rwg"] < threshold)
    out["range"] = out["max"] - out["min"]
    order = {c: i for i, c in enumerate(codes)}
    out = out.sort_values(
        ["mechanism_id", "criterion"], key=lambda s: s.map(order) if s.name == "criterion" else s
    )
    return out.drop(columns=["weight_sum", "weighted_sum"]).reset_index(drop=True)


def decision_matrix(
    aggregated: pd.DataFrame, *, value: str = "weighted_mean", criteria: list[str] | None = None
) -> pd.DataFrame:
    """Mechanisms (rows) x criteria (columns) of the aggregated ``value``; refuses gaps.
    ``criteria``: a scoring round's criterion codes (default: those of evaluation.yml)."""
    all_codes = criteria_codes() if criteria is None else list(criteria)
    require_columns(aggregated, ("mechanism_id", "criterion", value), "aggregated scores")
    wide = aggregated.pivot(index="mechanism_id", columns="criterion", values=value)
    codes = [c for c in all_codes if c in wide.columns]
    wide = wide[codes]
    gaps = wide.isna().stack()
    gaps = gaps[gaps]
    if not gaps.empty:
        listed = ", ".join(f"{m}/{c}" for m, c in gaps.index[:10])
        raise EvaluationInputError(
            f"decision matrix: no score for {len(gaps)} mechanism/criterion pair(s): {listed}"
        )
    missing = [c for c in all_codes if c not in codes]
    if missing:
        raise EvaluationInputError(f"decision matrix: no scores at all for criteria {missing}")
    wide.columns.name = None
    return wide
