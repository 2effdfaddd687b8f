"""Ranking: TOPSIS and AHP against published worked examples; weighted sum and Monte Carlo by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.config import load_defaults
from workbench.evaluation import ranking
from workbench.evaluation.errors import EvaluationInputError, InconsistentJudgementsError


def test_topsis_reproduces_tzeng_huang_2011_worked_example() -> None:
    """Tzeng, G.-H. & Huang, J.-J. (2011), *Multiple Attribute Decision Making: Methods and
    Applications*, CRC Press, TOPSIS numerical example: four alternatives, three benefit criteria,
    weights (0.3, 0.4, 0.3); published relative closeness 0.5037, 0.6581, 0.7482, 0.3340
    (ranking A3 > A2 > A1 > A4)."""
    matrix = pd.DataFrame(
        [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]],
        index=["A1", "A2", "A3", "A4"],
        columns=["c1", "c2", "c3"],
    )
    result = ranking.topsis(matrix, {"c1": 0.3, "c2": 0.4, "c3": 0.3})
    assert result["closeness"].round(4).tolist() == [0.5037, 0.6581, 0.7482, 0.3340]
    assert result["rank"].tolist() == [3, 2, 1, 4]


def test_topsis_cost_criterion_prefers_the_cheaper_alternative() -> None:
    # identical except for cost: the cheaper one must be the ideal (closeness 1), the other 0
    matrix = pd.DataFrame({"quality": [3.0, 3.0], "cost": [10.0, 20.0]}, index=["cheap", "dear"])
    result = ranking.topsis(matrix, {"quality": 0.5, "cost": 0.5}, impacts={"cost": "cost"})
    assert result.loc["cheap", "closeness"] == pytest.approx(1.0)
    assert result.loc["dear", "closeness"] == pytest.approx(0.0)


def test_weighted_sum_by_hand() -> None:
    matrix = pd.DataFrame({"a": [4.0, 2.0, 3.0], "b": [1.0, 5.0, 3.0]}, index=["x", "y", "z"])
    result = ranking.weighted_sum(matrix, {"a": 3, "b": 1})  # normalised to 0.75 / 0.25
    # min-max columns: a -> 1, 0, 0.5; b -> 0, 1, 0.5
    assert result["score"].tolist() == pytest.approx([0.75, 0.25, 0.5])
    assert result["rank"].tolist() == [1, 3, 2]


SAATY_1990_CRITERIA = [
    "size",
    "transport",
    "neighbourhood",
    "age",
    "yard",
    "modern",
    "condition",
    "finance",
]
SAATY_1990_MATRIX = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]


def test_saaty_random_index_table() -> None:
    """RI from Saaty (1980), *The Analytic Hierarchy Process*, as reprinted in Saaty (1990)."""
    ri = {int(k): v for k, v in load_defaults("evaluation")["ranking"]["random_index"].items()}
    assert ri == {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
    }


def test_ahp_consistency_ratio_on_saaty_1990_house_example() -> None:
    """Saaty, T.L. (1990), "How to make a decision: the analytic hierarchy process", European Journal
    of Operational Research 48: 9-26, house-buying example.  Published: criteria matrix
    lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169 and priorities .173 .054 .188 .018 .031 .036
    .167 .333; "size of house" lambda_max 3.136, C.I. 0.068, C.R. 0.117; "yard space" lambda_max
    3.086, C.I. 0.043, C.R. 0.074."""
    pairwise = pd.DataFrame(
        SAATY_1990_MATRIX, index=SAATY_1990_CRITERIA, columns=SAATY_1990_CRITERIA
    )
    result = ranking.ahp_weights(pairwise, require_consistent=False)
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.consistency_index, 3) == 0.238
    assert round(result.consistency_ratio, 3) == 0.169
    assert result.weights.round(3).tolist() == [
        0.173,
        0.054,
        0.188,
        0.018,
        0.031,
        0.036,
        0.167,
        0.333,
    ]
    assert not result.accepted
    # Saaty's definition, computed independently: CR = ((lambda_max - n) / (n - 1)) / RI(n)
    lam = max(np.linalg.eigvals(np.array(SAATY_1990_MATRIX)).real)
    assert result.consistency_ratio == pytest.approx(((lam - 8) / 7) / 1.41, rel=1e-9)
    with pytest.raises(InconsistentJudgementsError, match="0.169") as err:
        ranking.ahp_weights(pairwise)
    assert err.value.consistency_ratio == pytest.approx(0.169, abs=5e-4)

    houses = ["A", "B", "C"]
    size = pd.DataFrame([[1, 6, 8], [1 / 6, 1, 4], [1 / 8, 1 / 4, 1]], index=houses, columns=houses)
    size_result = ranking.ahp_weights(size, require_consistent=False)
    assert (round(size_result.lambda_max, 3), round(size_result.consistency_index, 3)) == (
        3.136,
        0.068,
    )
    assert round(size_result.consistency_ratio, 3) == 0.117 and not size_result.accepted

    yard = pd.DataFrame([[1, 5, 4], [1 / 5, 1, 1 / 3], [1 / 4, 3, 1]], index=houses, columns=houses)
    yard_result = ranking.ahp_weights(yard)  # accepted: CR <= 0.10
    assert (round(yard_result.lambda_max, 3), round(yard_result.consistency_ratio, 3)) == (
        3.086,
        0.074,
    )
    assert yard_result.accepted


def test_ahp_consistent_matrix_gives_exact_weights_and_zero_cr() -> None:
    w = np.array([0.5, 0.3, 0.2])
    pairwise = pd.DataFrame(w[:, None] / w[None, :], index=list("abc"), columns=list("abc"))
    result = ranking.ahp_weights(pairwise)
    assert result.weights.tolist() == pytest.approx(w.tolist())
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-9)


def test_ahp_rejects_bad_matrices() -> None:
    crit = ["a", "b", "c"]
    not_reciprocal = pd.DataFrame([[1, 3, 2], [3, 1, 2], [0.5, 0.5, 1]], index=crit, columns=crit)
    with pytest.raises(EvaluationInputError, match="row 'a', column 'b'.*not reciprocal"):
        ranking.ahp_weights(not_reciprocal)
    off_scale = ranking.pairwise_from_judgements(crit, {("a", "b"): 12})
    with pytest.raises(EvaluationInputError, match="outside Saaty's scale"):
        ranking.ahp_weights(off_scale)


def test_default_judgements_are_consistent() -> None:
    result = ranking.default_weights()
    assert result.accepted and result.consistency_ratio <= 0.10
    assert result.weights.sum() == pytest.approx(1.0)


def test_monte_carlo_dominant_mechanism_always_keeps_first_rank() -> None:
    matrix = pd.DataFrame(
        {"c1": [5.0, 3.0, 3.1], "c2": [5.0, 3.2, 3.0], "c3": [5.0, 2.9, 3.1]},
        index=["best", "m2", "m3"],
    )
    weights = {"c1": 1, "c2": 1, "c3": 1}
    for method in ("topsis", "weighted_sum"):
        stab = ranking.rank_stability(matrix, weights, method=method, n_draws=500, seed=1)
        assert stab.loc["best", "keeps_rank"] == 1.0 and stab.loc["best", "top_share"] == 1.0
        # m2 and m3 are near-tied: their ranks must move under weight noise
        assert stab.loc["m2", "keeps_rank"] < 1.0
        # keeps_rank is the share of draws with the base rank, so it is in (0, 1]
        assert 0 < stab.loc["m3", "keeps_rank"] <= 1


def test_monte_carlo_matches_loop_over_public_functions() -> None:
    """The vectorised perturbation equals re-ranking each drawn weight vector with topsis()."""
    rng = np.random.default_rng(4)
    matrix = pd.DataFrame(rng.uniform(1, 5, size=(5, 4)), index=list("vwxyz"), columns=list("abcd"))
    weights = pd.Series([0.4, 0.3, 0.2, 0.1], index=list("abcd"))
    cfg = load_defaults("evaluation")["ranking"]["monte_carlo"]
    stab = ranking.rank_stability(matrix, weights, n_draws=200, seed=9)
    draws = np.random.default_rng(9).dirichlet(weights.to_numpy() * cfg["concentration"], size=200)
    base = ranking.topsis(matrix, weights)["rank"]
    kept = np.mean(
        [
            (ranking.topsis(matrix, pd.Series(d, index=matrix.columns))["rank"] == base).to_numpy()
            for d in draws
        ],
        axis=0,
    )
    assert stab["keeps_rank"].reindex(matrix.index).to_numpy() == pytest.approx(kept)


def test_weights_must_match_criteria() -> None:
    matrix = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
    with pytest.raises(EvaluationInputError, match="missing \\['b'\\]"):
        ranking.topsis(matrix, {"a": 1.0})
