"""Benchmark: Monte Carlo rank stability of mechanisms (TOPSIS under perturbed weights).

Side by side in one process, same decision matrix, same Dirichlet weight draws:
- ``loop``:       the obvious way, call ``ranking.topsis()`` (DataFrame in/out) once per draw;
- ``workbench``:  ``ranking.rank_stability`` (all draws batched in numpy).
The share of draws in which each mechanism keeps its rank is asserted equal.

Run:  .venv/bin/python benchmarks/bench_evaluation.py            (8/30 mechanisms x 6 criteria; 500/2000/10000 draws)
      .venv/bin/python benchmarks/bench_evaluation.py --quick    (small smoke run)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from workbench.evaluation import ranking


def loop_keeps_rank(matrix: pd.DataFrame, weights: pd.Series, draws: np.ndarray) -> np.ndarray:
    base = ranking.topsis(matrix, weights)["rank"].to_numpy()
    kept = np.zeros(len(matrix))
    for d in draws:
        kept += (
            ranking.topsis(matrix, pd.Series(d, index=matrix.columns))["rank"].to_numpy() == base
        )
    return kept / len(draws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    sizes = [(8, 200)] if args.quick else [(8, 500), (8, 2000), (30, 2000), (30, 10000)]
    concentration, seed = 50.0, 3
    rng = np.random.default_rng(1)
    print(f"{'mechanisms':>10} {'draws':>7} {'loop s':>9} {'workbench s':>12} {'speed-up':>9}")
    for n_mech, n_draws in sizes:
        matrix = pd.DataFrame(
            rng.uniform(1, 5, size=(n_mech, 6)),
            index=[f"M{i:02d}" for i in range(n_mech)],
            columns=[
                "effectiveness",
                "efficiency",
                "relevance",
                "coherence",
                "eu_added_value",
                "sustainability",
            ],
        )
        weights = pd.Series([0.3, 0.15, 0.15, 0.1, 0.1, 0.2], index=matrix.columns)
        t0 = time.perf_counter()
        fast = ranking.rank_stability(
            matrix, weights, n_draws=n_draws, concentration=concentration, seed=seed
        )
        t_fast = time.perf_counter() - t0
        draws = np.random.default_rng(seed).dirichlet(
            weights.to_numpy() * concentration, size=n_draws
        )
        t0 = time.perf_counter()
        slow = loop_keeps_rank(matrix, weights, draws)
        t_slow = time.perf_counter() - t0
        assert np.allclose(fast["keeps_rank"].reindex(matrix.index).to_numpy(), slow), (
            "results differ"
        )
        print(f"{n_mech:>10} {n_draws:>7} {t_slow:>9.3f} {t_fast:>12.4f} {t_slow / t_fast:>8.0f}x")


if __name__ == "__main__":
    main()
