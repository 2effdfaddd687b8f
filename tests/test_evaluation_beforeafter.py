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
