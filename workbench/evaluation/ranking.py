"""Ranking mechanisms: weighted sum, TOPSIS, AHP weights and Monte Carlo weight sensitivity.

* Weighted sum (simple additive weighting, Hwang & Yoon 1981, *Multiple Attribute Decision Making*,
  Springer, sec. 3.3.1): ``S_i = sum_j w_j r_ij`` with weights normalised to 1 and every column
  first brought to 0..1 by a linear scale transformation (:func:`normalise`): benefit
  ``r_ij = (x_ij - lo_j) / (hi_j - lo_j)``, cost ``r_ij = (hi_j - x_ij) / (hi_j - lo_j)``, where
  ``lo_j, hi_j`` are the bounds of a common rating scale when given (e.g. 1..5 scores, which keeps
  the ranking of the plain weighted mean) or else the column's observed min and max (min-max); a
  column without spread gets 0 (it cannot discriminate).  Raw columns in different units would
  otherwise weigh by their magnitude, not by ``w``.
* TOPSIS (Hwang & Yoon 1981, sec. 3.3.2): vector-normalise ``r_ij = x_ij / sqrt(sum_i x_ij^2)``,
  weight ``v_ij = w_j r_ij``, ideal ``A+`` (best per criterion) and anti-ideal ``A-``, Euclidean
  distances ``S+_i``, ``S-_i``; closeness ``C_i = S-_i / (S+_i + S-_i)``.
* AHP (Saaty 1980; Saaty 1990, EJOR 48: 9-26): weights = principal right eigenvector of the reciprocal
  pairwise matrix, ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with Saaty's random index
  table from ``evaluation.yml``; judgements are accepted only if ``CR <= 0.10``.
* Sensitivity: weights drawn from a Dirichlet distribution centred on the base weights
  (``alpha = concentration x w``); share of draws in which each mechanism keeps its base rank
  (benefit and cost criteria, both methods, scored exactly as the base ranking).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg

from workbench.config import load_defaults
from workbench.evaluation.errors import EvaluationInputError, InconsistentJudgementsError

Method = Literal["weighted_sum", "topsis"]


def _weights(matrix: pd.DataFrame, weights: pd.Series | dict[str, float]) -> np.ndarray:
    w = pd.Series(weights, dtype=float)
    missing = [c for c in matrix.columns if c not in w.index]
    extra = [c for c in w.index if c not in matrix.columns]
    if missing or extra:
        raise EvaluationInputError(
            f"weights do not match the criteria: missing {missing}, not in the matrix {extra}"
        )
    w = w.reindex(matrix.columns)
    if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise EvaluationInputError(
            f"weights must be non-negative numbers with a positive sum: {w.to_dict()}"
        )
    return (w / w.sum()).to_numpy()


def _impacts(matrix: pd.DataFrame, impacts: dict[str, str] | None) -> np.ndarray:
    imp = {c: "benefit" for c in matrix.columns} | (impacts or {})
    bad = {c: v for c, v in imp.items() if v not in ("benefit", "cost")}
    if bad:
        raise EvaluationInputError(f"impacts must be 'benefit' or 'cost': {bad}")
    return np.array([imp[c] == "benefit" for c in matrix.columns])


def _check_matrix(matrix: pd.DataFrame) -> np.ndarray:
    if matrix.empty:
        raise EvaluationInputError("decision matrix is empty")
    x = matrix.to_numpy(dtype=float)
    if not np.isfinite(x).all():
        r, c = np.argwhere(~np.isfinite(x))[0]
        raise EvaluationInputError(
            f"decision matrix: row {matrix.index[r]!r}, column {matrix.columns[c]!r} is not a number"
        )
    return x


def _ranks(score: np.ndarray) -> np.ndarray:
    """Rank 1 = best (highest score); ties share the best rank ('min' method)."""
    return pd.Series(score).rank(ascending=False, method="min").to_numpy(dtype=int)


Scale = tuple[float, float]


def _normalised(x: np.ndarray, benefit: np.ndarray, scale: Scale | None) -> np.ndarray:
    if scale is None:
        lo, hi = x.min(axis=0), x.max(axis=0)
    else:
        lo, hi = np.full(x.shape[1], float(scale[0])), np.full(x.shape[1], float(scale[1]))
        if not hi[0] > lo[0] or (x < lo).any() or (x > hi).any():
            raise EvaluationInputError(
                f"decision matrix: values must lie within the scale {scale[0]}..{scale[1]}"
            )
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    r = np.where(benefit, (x - lo) / safe, (hi - x) / safe)
    return np.where(span > 0, r, 0.0)


def normalise(
    matrix: pd.DataFrame, *, impacts: dict[str, str] | None = None, scale: Scale | None = None
) -> pd.DataFrame:
    """Each column on 0..1, 1 = best: benefit ``(x - lo) / (hi - lo)``, cost ``(hi - x) / (hi - lo)``.

    ``lo, hi``: the common rating ``scale`` when given, else each column's observed min and max
    (min-max normalisation; a column without spread becomes 0).  See the module docstring.
    """
    x = _check_matrix(matrix)
    r = _normalised(x, _impacts(matrix, impacts), scale)
    return pd.DataFrame(r, index=matrix.index, columns=matrix.columns)


def weighted_sum(
    matrix: pd.DataFrame,
    weights: pd.Series | dict[str, float],
    *,
    impacts: dict[str, str] | None = None,
    scale: Scale | None = None,
) -> pd.DataFrame:
    """``score = sum_j w_j r_ij`` on the :func:`normalise`-d columns (0..1, 1 = best) and rank.

    Columns: score, rank.
    """
    x = _check_matrix(matrix)
    w = _weights(matrix, weights)
    score = _normalised(x, _impacts(matrix, impacts), scale) @ w
    return pd.DataFrame({"score": score, "rank": _ranks(score)}, index=matrix.index)


def topsis(
    matrix: pd.DataFrame,
    weights: pd.Series | dict[str, float],
    *,
    impacts: dict[str, str] | None = None,
) -> pd.DataFrame:
    """TOPSIS closeness and rank.  Columns: d_best, d_worst, closeness, rank."""
    x = _check_matrix(matrix)
    w = _weights(matrix, weights)
    benefit = _impacts(matrix, impacts)
    norms = np.sqrt((x**2).sum(axis=0))
    if (norms == 0).any():
        zero = [c for c, n in zip(matrix.columns, norms, strict=True) if n == 0]
        raise EvaluationInputError(f"TOPSIS: criteria {zero} are zero for every alternative")
    v = x / norms * w
    best = np.where(benefit, v.max(axis=0), v.min(axis=0))
    worst = np.where(benefit, v.min(axis=0), v.max(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    # all alternatives identical: every one is both ideal and anti-ideal -> closeness 0.5 (a tie)
    closeness = np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 0.5)
    return pd.DataFrame(
        {"d_best": d_best, "d_worst": d_worst, "closeness": closeness, "rank": _ranks(closeness)},
        index=matrix.index,
    )


@dataclass(frozen=True)
class AHPResult:
    """AHP weights with Saaty's consistency measures."""

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    accepted: bool

    def summary(self) -> pd.DataFrame:
        """One-row table of the consistency measures."""
        return pd.DataFrame(
            [
                {
                    "n": len(self.weights),
                    "lambda_max": self.lambda_max,
                    "CI": self.consistency_index,
                    "RI": self.random_index,
                    "CR": self.consistency_ratio,
                    "accepted": self.accepted,
                }
            ]
        )


def ahp_weights(pairwise: pd.DataFrame, *, require_consistent: bool = True) -> AHPResult:
    """Principal-eigenvector weights of a reciprocal pairwise matrix (rows/columns = criteria).

    Raises :class:`InconsistentJudgementsError` if CR > max (0.10) and ``require_consistent``.
    """
    cfg = load_defaults("evaluation")["ranking"]
    if list(pairwise.index) != list(pairwise.columns):
        raise EvaluationInputError(
            "AHP: the pairwise matrix must have the same criteria as rows and columns"
        )
    a = pairwise.to_numpy(dtype=float)
    n = a.shape[0]
    if n < 2:
        raise EvaluationInputError("AHP: need at least two criteria")
    lo, hi = float(cfg["saaty_scale_min"]), float(cfg["saaty_scale_max"])
    for i in range(n):
        for j in range(n):
            v = a[i, j]
            where = f"row {pairwise.index[i]!r}, column {pairwise.columns[j]!r}"
            if not np.isfinite(v) or v <= 0:
                raise EvaluationInputError(f"AHP: {where}: value {v!r} must be a positive number")
            if i == j and not np.isclose(v, 1.0):
                raise EvaluationInputError(f"AHP: {where}: the diagonal must be 1, got {v}")
            if not lo - 1e-9 <= v <= hi + 1e-9:
                raise EvaluationInputError(
                    f"AHP: {where}: value {v} is outside Saaty's scale 1/9..9"
                )
            if not np.isclose(v * a[j, i], 1.0, rtol=1e-3):
                raise EvaluationInputError(
                    f"AHP: {where}: {v} and its mirror {a[j, i]} are not reciprocal (product must be 1)"
                )
    values, vectors = linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    vec = np.abs(vectors[:, k].real)
    w = vec / vec.sum()
    ci = (lam - n) / (n - 1)
    ri_table = {int(k): float(v) for k, v in cfg["random_index"].items()}
    if n not in ri_table:
        raise EvaluationInputError(f"AHP: no random index for {n} criteria in evaluation.yml")
    ri = ri_table[n]
    cr = ci / ri if ri > 0 else 0.0
    cr = max(cr, 0.0) if abs(cr) < 1e-12 else cr
    accepted = cr <= float(cfg["max_consistency_ratio"]) + 1e-12
    result = AHPResult(pd.Series(w, index=pairwise.index, name="weight"), lam, ci, ri, cr, accepted)
    if require_consistent and not accepted:
        raise InconsistentJudgementsError(
            f"AHP judgements are inconsistent: consistency ratio {cr:.3f} > "
            f"{cfg['max_consistency_ratio']} (lambda_max {lam:.3f}, n {n}); revise the comparisons",
            cr,
        )
    return result


def pairwise_from_judgements(
    criteria: list[str], judgements: dict[tuple[str, str], float]
) -> pd.DataFrame:
    """Reciprocal matrix from upper-triangle judgements ``{(a, b): how much more important a is than b}``."""
    m = pd.DataFrame(np.ones((len(criteria), len(criteria))), index=criteria, columns=criteria)
    for (a, b), v in judgements.items():
        if a not in criteria or b not in criteria:
            raise EvaluationInputError(f"AHP judgement ({a!r}, {b!r}): unknown criterion")
        m.loc[a, b] = float(v)
        m.loc[b, a] = 1.0 / float(v)
    return m


def rank(
    matrix: pd.DataFrame,
    weights: pd.Series | dict[str, float],
    method: Method = "topsis",
    *,
    impacts: dict[str, str] | None = None,
    scale: Scale | None = None,
) -> pd.DataFrame:
    """Dispatch to :func:`topsis` or :func:`weighted_sum`; adds a common ``score`` column.

    ``scale`` (common rating scale bounds) only matters to the weighted sum.
    """
    if method == "topsis":
        out = topsis(matrix, weights, impacts=impacts)
        out["score"] = out["closeness"]
        return out
    if method == "weighted_sum":
        return weighted_sum(matrix, weights, impacts=impacts, scale=scale)
    raise EvaluationInputError(f"unknown ranking method {method!r}: use 'topsis' or 'weighted_sum'")


def _scores_many(
    x: np.ndarray, draws: np.ndarray, method: Method, benefit: np.ndarray, scale: Scale | None
) -> np.ndarray:
    """Scores of every alternative for each weight vector (rows of ``draws``), as :func:`rank`."""
    if method == "weighted_sum":
        return draws @ _normalised(x, benefit, scale).T
    r = x / np.sqrt((x**2).sum(axis=0))
    v = r[None, :, :] * draws[:, None, :]
    hi, lo = v.max(axis=1, keepdims=True), v.min(axis=1, keepdims=True)
    best = np.where(benefit, hi, lo)
    worst = np.where(benefit, lo, hi)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=2))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=2))
    total = d_best + d_worst
    return np.where(total > 0, d_worst / np.where(total > 0, total, 1.0), 0.5)


def rank_stability(
    matrix: pd.DataFrame,
    weights: pd.Series | dict[str, float],
    *,
    method: Method = "topsis",
    impacts: dict[str, str] | None = None,
    scale: Scale | None = None,
    n_draws: int | None = None,
    concentration: float | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Monte Carlo weight perturbation: how often each mechanism keeps its base rank.

    ``impacts`` marks cost criteria (lower is better) as in :func:`topsis` / :func:`weighted_sum`.

    Columns: base_rank, keeps_rank (share of draws), top_share (share ranked 1st), mean_rank,
    rank_p05, rank_p95.
    """
    cfg = load_defaults("evaluation")["ranking"]["monte_carlo"]
    n_draws = int(n_draws or cfg["n_draws"])
    conc = float(concentration or cfg["concentration"])
    rng = np.random.default_rng(int(seed if seed is not None else cfg["seed"]))
    w = _weights(matrix, weights)
    base = rank(matrix, pd.Series(w, index=matrix.columns), method, impacts=impacts, scale=scale)[
        "rank"
    ].to_numpy()
    alpha = np.maximum(w * conc, 1e-3)
    draws = rng.dirichlet(alpha, size=n_draws)
    benefit = _impacts(matrix, impacts)
    scores = _scores_many(_check_matrix(matrix), draws, method, benefit, scale)
    # rank 1 = best, ties share the best rank (as in _ranks): 1 + number of strictly better ones
    ranks = 1 + (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
    return pd.DataFrame(
        {
            "base_rank": base,
            "keeps_rank": (ranks == base).mean(axis=0),
            "top_share": (ranks == 1).mean(axis=0),
            "mean_rank": ranks.mean(axis=0),
            "rank_p05": np.percentile(ranks, 5, axis=0),
            "rank_p95": np.percentile(ranks, 95, axis=0),
        },
        index=matrix.index,
    ).sort_values("base_rank")


def default_weights() -> AHPResult:
    """AHP weights of the criteria from ``default_judgements`` in ``evaluation.yml``."""
    from workbench.evaluation.settings import criteria_codes

    cfg = load_defaults("evaluation")
    judgements = {(a, b): float(v) for a, b, v in cfg["default_judgements"]}
    return ahp_weights(pairwise_from_judgements(criteria_codes(), judgements))


def ranking_table(
    matrix: pd.DataFrame,
    weights: pd.Series | dict[str, float],
    *,
    impacts: dict[str, str] | None = None,
    scale: Scale | None = None,
) -> pd.DataFrame:
    """Weighted sum and TOPSIS side by side, with how often the TOPSIS rank survives weight noise.

    ``scale`` defaults to the criteria-score scale of ``evaluation.yml`` (``scoring.min_score`` ..
    ``max_score``) when every value lies on it; ``weighted_sum`` is then reported on that scale
    (``lo + (hi - lo) x score``), otherwise as the 0..1 score of :func:`weighted_sum`.
    """
    if scale is None:
        cfg = load_defaults("evaluation")["scoring"]
        lo, hi = float(cfg["min_score"]), float(cfg["max_score"])
        x = _check_matrix(matrix)
        scale = (lo, hi) if ((x >= lo) & (x <= hi)).all() else None
    ws = weighted_sum(matrix, weights, impacts=impacts, scale=scale)
    tp = topsis(matrix, weights, impacts=impacts)
    stab = rank_stability(matrix, weights, method="topsis", impacts=impacts)
    reported = ws["score"] if scale is None else scale[0] + (scale[1] - scale[0]) * ws["score"]
    out = pd.DataFrame(
        {
            "weighted_sum": reported,
            "rank_weighted_sum": ws["rank"],
            "topsis": tp["closeness"],
            "rank_topsis": tp["rank"],
            "keeps_rank": stab["keeps_rank"].reindex(matrix.index),
            "top_share": stab["top_share"].reindex(matrix.index),
        },
        index=matrix.index,
    )
    out.index.name = matrix.index.name or "mechanism_id"
    return out.sort_values(["rank_topsis", "rank_weighted_sum"])
