"""Ranking with cost criteria and column normalisation (issue 10, item 11), checked against
independent computations (pandas min-max, a loop over the public functions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.config import load_defaults
from workbench.evaluation import ranking

IMPACTS = {"budget_eur": "cost", "months_to_effect": "cost"}


def _matrix() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    return pd.DataFrame(
        {
            "jobs": rng.uniform(10, 400, 6).round(),
            "budget_eur": rng.uniform(2e5, 5e6, 6).round(-3),
            "satisfaction": rng.uniform(1, 5, 6).round(1),
            "months_to_effect": rng.integers(3, 36, 6).astype(float),
        },
        index=[f"M{i}" for i in range(6)],
    )


WEIGHTS = {"jobs": 0.4, "budget_eur": 0.3, "satisfaction": 0.2, "months_to_effect": 0.1}


def _independent_weighted_sum(matrix: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    span = matrix.max() - matrix.min()
    norm = (matrix - matrix.min()) / span
    for col, kind in IMPACTS.items():
        if kind == "cost":
            norm[col] = 1 - norm[col]
    w = pd.Series(weights) / sum(weights.values())
    return (norm * w).sum(axis=1)


def test_weighted_sum_normalises_columns_and_reverses_costs() -> None:
    matrix = _matrix()
    got = ranking.weighted_sum(matrix, WEIGHTS, impacts=IMPACTS)
    expected = _independent_weighted_sum(matrix, WEIGHTS)
    assert got["score"].to_numpy() == pytest.approx(expected.to_numpy())
    assert got["rank"].tolist() == expected.rank(ascending=False, method="min").astype(int).tolist()
    assert ((got["score"] >= 0) & (got["score"] <= 1)).all()


def test_weighted_sum_does_not_depend_on_units() -> None:
    """A budget in EUR or in million EUR gives the same ranking (without normalisation the
    column in EUR would outweigh everything)."""
    matrix = _matrix()
    in_millions = matrix.assign(budget_eur=matrix["budget_eur"] / 1e6)
    a = ranking.weighted_sum(matrix, WEIGHTS, impacts=IMPACTS)
    b = ranking.weighted_sum(in_millions, WEIGHTS, impacts=IMPACTS)
    assert a["score"].to_numpy() == pytest.approx(b["score"].to_numpy())


def test_cheaper_alternative_wins_on_cost() -> None:
    matrix = pd.DataFrame({"quality": [3.0, 3.0], "cost": [10.0, 20.0]}, index=["cheap", "dear"])
    out = ranking.weighted_sum(matrix, {"quality": 0.5, "cost": 0.5}, impacts={"cost": "cost"})
    assert out.loc["cheap", "rank"] == 1 and out.loc["dear", "rank"] == 2


@pytest.mark.parametrize("method", ["topsis", "weighted_sum"])
def test_rank_stability_with_cost_criteria_matches_a_loop(method: str) -> None:
    matrix = _matrix()
    weights = pd.Series(WEIGHTS)
    cfg = load_defaults("evaluation")["ranking"]["monte_carlo"]
    stab = ranking.rank_stability(
        matrix, weights, method=method, impacts=IMPACTS, n_draws=150, seed=3
    )
    draws = np.random.default_rng(3).dirichlet(weights.to_numpy() * cfg["concentration"], size=150)
    base = ranking.rank(matrix, weights, method, impacts=IMPACTS)["rank"]
    kept = np.mean(
        [
            (
                ranking.rank(matrix, pd.Series(d, index=matrix.columns), method, impacts=IMPACTS)[
                    "rank"
                ]
                == base
            ).to_numpy()
            for d in draws
        ],
        axis=0,
    )
    assert stab["base_rank"].reindex(matrix.index).tolist() == base.tolist()
    assert stab["keeps_rank"].reindex(matrix.index).to_numpy() == pytest.approx(kept)


def test_rank_stability_base_rank_uses_costs() -> None:
    matrix = pd.DataFrame(
        {"quality": [3.0, 3.0, 2.0], "cost": [10.0, 20.0, 30.0]}, index=list("abc")
    )
    stab = ranking.rank_stability(matrix, {"quality": 0.5, "cost": 0.5}, impacts={"cost": "cost"})
    assert stab.loc["a", "base_rank"] == 1 and stab.loc["c", "base_rank"] == 3


def test_ranking_table_on_the_score_scale_keeps_the_weighted_mean() -> None:
    """1-5 criteria scores: normalising on the 1..5 scale keeps the plain weighted mean."""
    rng = np.random.default_rng(2)
    matrix = pd.DataFrame(rng.uniform(1, 5, size=(4, 3)), index=list("wxyz"), columns=list("abc"))
    weights = {"a": 0.5, "b": 0.3, "c": 0.2}
    table = ranking.ranking_table(matrix, weights)
    mean = (matrix * pd.Series(weights)).sum(axis=1)
    assert table["weighted_sum"].reindex(matrix.index).to_numpy() == pytest.approx(mean.to_numpy())
