"""Before/after with bootstrap confidence intervals: point values by hand, coverage by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.evaluation.beforeafter import before_after, before_after_vs_peers
from workbench.evaluation.errors import EvaluationInputError


def series(
    values_before: list[float], values_after: list[float], start: str = "2026-01-01"
) -> pd.DataFrame:
    s = pd.Timestamp(start)
    before = [s - pd.DateOffset(months=len(values_before) - i) for i in range(len(values_before))]
    after = [s + pd.DateOffset(months=i) for i in range(len(values_after))]
    return pd.DataFrame({"period": before + after, "value": values_before + values_after})


def test_change_and_percent_by_hand() -> None:
    out = before_after(series([10, 12, 11, 13], [15, 14, 16]), start="2026-01-01").iloc[0]
    assert out["mean_before"] == pytest.approx(11.5)
    assert out["mean_after"] == pytest.approx(15.0)
    assert out["change"] == pytest.approx(3.5)
    assert out["pct_change"] == pytest.approx(3.5 / 11.5 * 100)
    assert out["ci_low"] < 3.5 < out["ci_high"]


@pytest.mark.slow
def test_bootstrap_ci_covers_the_true_change() -> None:
    """95 % interval over 200 simulated series with true change 1.0: coverage near 95 %."""
    rng = np.random.default_rng(12)
    covered = 0
    runs = 200
    for _ in range(runs):
        df = series(list(rng.normal(5, 1, 12)), list(rng.normal(6, 1, 12)))
        row = before_after(df, start="2026-01-01", n_resamples=999).iloc[0]
        covered += row["ci_low"] <= 1.0 <= row["ci_high"]
    # binomial(200, 0.95) is above 176 with probability > 0.999; BCa with n = 12 is slightly narrow
    assert 0.87 <= covered / runs <= 0.99


def test_constant_data_gives_zero_width_interval_with_a_note() -> None:
    out = before_after(series([2, 2, 2], [5, 5, 5]), start="2026-01-01").iloc[0]
    assert (out["ci_low"], out["change"], out["ci_high"]) == (3.0, 3.0, 3.0)
    assert "no variation" in out["note"]


def test_too_few_values_is_a_clear_error() -> None:
    with pytest.raises(EvaluationInputError, match="at least 2 values before.*got 1 and 3"):
        before_after(series([1], [2, 3, 4]), start="2026-01-01")


def test_by_group() -> None:
    a = series([1, 2, 3], [4, 5, 6]).assign(indicator="a")
    b = series([10, 10, 11], [9, 9, 10]).assign(indicator="b")
    out = before_after(pd.concat([a, b]), start="2026-01-01", by="indicator")
    assert out.set_index("indicator")["change"].to_dict() == pytest.approx({"a": 3.0, "b": -1.0})


def test_versus_peers_by_hand() -> None:
    rows = []
    for region, treated, before, after in [
        ("T1", True, [10, 11, 12], [15, 16, 17]),  # change +5
        ("T2", True, [20, 20, 23], [24, 25, 24]),  # change +3.333
        ("P1", False, [5, 6, 7], [7, 8, 9]),  # change +2
        ("P2", False, [30, 31, 29], [30, 30, 30]),  # change 0
    ]:
        s = series(before, after)
        rows.append(
            s.assign(
                region=region,
                treated=treated,
                start=pd.Timestamp("2026-01-01") if treated else pd.NaT,
            )
        )
    out = before_after_vs_peers(pd.concat(rows)).iloc[0]
    assert out["change_treated"] == pytest.approx((5 + 10 / 3) / 2)
    assert out["change_peers"] == pytest.approx(1.0)
    assert out["difference"] == pytest.approx((5 + 10 / 3) / 2 - 1.0)
    assert out["ci_low"] <= out["difference"] <= out["ci_high"]
    assert (out["n_treated_regions"], out["n_peer_regions"]) == (2, 2)


def ar1_series(rng: np.random.Generator, n: int, rho: float, shift_after: int, change: float):
    """Monthly AR(1) series (stationary start), ``change`` added from month ``shift_after``."""
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - rho**2)
    for t in range(1, n):
        x[t] = rho * x[t - 1] + e[t]
    x[shift_after:] += change
    return x


@pytest.mark.slow
def test_serially_correlated_months_get_a_block_bootstrap_with_near_nominal_coverage() -> None:
    """AR(1) rho = 0.6, 60 + 60 months, true change 1.0: the independent-months bootstrap covers
    about 0.6 of the time (issue 10, item 11); the moving-block bootstrap close to 0.95."""
    from workbench.evaluation.beforeafter import _bootstrap_ci, _diff_means

    rng = np.random.default_rng(20261201)
    runs, months = 200, 60
    covered = covered_iid = 0
    blocks = []
    for _ in range(runs):
        x = ar1_series(rng, 2 * months, 0.6, months, 1.0)
        df = series(list(x[:months]), list(x[months:]))
        row = before_after(df, start="2026-01-01", n_resamples=999).iloc[0]
        covered += row["ci_low"] <= 1.0 <= row["ci_high"]
        blocks.append(row["block_length"])
        low, high, _ = _bootstrap_ci(
            (x[:months], x[months:]),
            _diff_means,
            confidence_level=0.95,
            n_resamples=999,
            method="percentile",
            seed=1,
        )
        covered_iid += low <= 1.0 <= high
    # the dependence is detected in (nearly) every run, with blocks of several months
    assert sum(b is not None and not pd.isna(b) for b in blocks) >= 0.95 * runs
    assert 4 <= np.nanmedian(np.array(blocks, dtype=float)) <= 15
    assert covered_iid / runs < 0.75
    # binomial sd at 200 runs is 0.02; block bootstraps of 60 months are known to run a little narrow
    print(
        f"coverage: moving-block {covered / runs:.3f}, independent months {covered_iid / runs:.3f}"
    )
    assert 0.85 <= covered / runs <= 0.99, covered / runs


def test_independent_months_keep_the_bca_interval() -> None:
    rng = np.random.default_rng(3)
    df = series(list(rng.normal(5, 1, 30)), list(rng.normal(6, 1, 30)))
    row = before_after(df, start="2026-01-01", n_resamples=999).iloc[0]
    assert row["method"].startswith("bootstrap (BCa")
    assert pd.isna(row["block_length"])
    assert abs(row["lag1_autocorrelation"]) < 1.96 / np.sqrt(60)


def test_short_correlated_series_gets_a_caveat_instead_of_blocks() -> None:
    x = np.arange(14, dtype=float)  # a steady trend: lag-1 autocorrelation 0.57 > 1.96 / sqrt(14)
    df = series(list(x[:7]), list(x[7:]))
    row = before_after(df, start="2026-01-01", n_resamples=999).iloc[0]
    assert pd.isna(row["block_length"])
    assert "serially correlated" in row["note"] and "too narrow" in row["note"]


def test_block_length_rules() -> None:
    from workbench.evaluation.beforeafter import block_length

    rng = np.random.default_rng(5)
    x = ar1_series(rng, 240, 0.6, 120, 0.0)
    samples = (x[:120], x[120:])
    from arch.bootstrap import optimal_block_length

    resid = np.concatenate([s - s.mean() for s in samples])
    expected = int(np.ceil(optimal_block_length(resid)["circular"].iloc[0]))
    assert block_length(samples, "politis_white") == expected
    assert block_length(samples, "cube_root") == int(np.ceil(240 ** (1 / 3)))
