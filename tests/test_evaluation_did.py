"""Difference-in-differences: equals the hand 2x2 computation; staggered starts are handled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.evaluation import did
from workbench.evaluation.errors import EvaluationInputError, StaggeredAdoptionError


def make_panel(
    starts: dict[str, str | None],
    n_periods: int = 8,
    *,
    seed: int = 3,
    effect: float = 2.0,
    trend_gap: float = 0.0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2025-01-01", periods=n_periods, freq="MS")
    rows = []
    for region, start in starts.items():
        level = rng.normal(10, 3)
        for t, p in enumerate(periods):
            on = start is not None and p >= pd.Timestamp(start)
            slope = trend_gap if start is not None else 0.0
            rows.append(
                {
                    "region": region,
                    "period": p,
                    "treated": start is not None,
                    "start": pd.Timestamp(start) if start else pd.NaT,
                    "value": level
                    + 0.3 * t
                    + slope * t
                    + (effect if on else 0.0)
                    + rng.normal(0, 1),
                }
            )
    return pd.DataFrame(rows)


def mean_of(panel: pd.DataFrame, regions: list[str], mask: pd.Series) -> float:
    return float(panel.loc[panel["region"].isin(regions) & mask, "value"].mean())


def test_two_by_two_equals_hand_difference_of_mean_differences() -> None:
    panel = make_panel(
        {"A": "2025-02-01", "B": "2025-02-01", "C": None, "D": None, "E": None}, n_periods=2
    )
    result = did.did_twfe(panel).iloc[0]
    pre = panel["period"] == pd.Timestamp("2025-01-01")
    post = ~pre
    t, c = ["A", "B"], ["C", "D", "E"]
    hand = (mean_of(panel, t, post) - mean_of(panel, t, pre)) - (
        mean_of(panel, c, post) - mean_of(panel, c, pre)
    )
    assert result["estimate"] == pytest.approx(hand, abs=1e-10)
    assert result["ci_low"] < result["estimate"] < result["ci_high"]
    assert result["n_clusters"] == 5
    assert "clustered by region" in result["method"]


def test_multi_period_common_start_equals_hand_pre_post_means() -> None:
    starts = {f"T{i}": "2025-05-01" for i in range(4)} | {f"C{i}": None for i in range(5)}
    panel = make_panel(starts, n_periods=8)
    result = did.did_twfe(panel).iloc[0]
    post = panel["period"] >= pd.Timestamp("2025-05-01")
    t = [r for r in starts if r.startswith("T")]
    c = [r for r in starts if r.startswith("C")]
    hand = (mean_of(panel, t, post) - mean_of(panel, t, ~post)) - (
        mean_of(panel, c, post) - mean_of(panel, c, ~post)
    )
    assert result["estimate"] == pytest.approx(hand, abs=1e-10)
    # the simulated effect is 2.0 with noise sd 1: the 95 % CI should contain it
    assert result["ci_low"] < 2.0 < result["ci_high"]


def test_noise_free_effect_is_recovered_exactly() -> None:
    periods = pd.date_range("2025-01-01", periods=6, freq="MS")
    rows = []
    for region, treated, level in [
        ("A", True, 5.0),
        ("B", True, 7.0),
        ("C", False, 1.0),
        ("D", False, 3.0),
    ]:
        for t, p in enumerate(periods):
            value = level + 0.5 * t + (1.25 if treated and t >= 3 else 0.0)
            rows.append(
                {
                    "region": region,
                    "period": p,
                    "value": value,
                    "treated": treated,
                    "start": periods[3] if treated else pd.NaT,
                }
            )
    assert did.did_twfe(pd.DataFrame(rows)).iloc[0]["estimate"] == pytest.approx(1.25, abs=1e-9)


def test_staggered_starts_refuse_twfe_and_use_group_time() -> None:
    starts = {
        "E1": "2025-03-01",
        "E2": "2025-03-01",
        "L1": "2025-06-01",
        "L2": "2025-06-01",
        "L3": "2025-06-01",
        "N1": None,
        "N2": None,
        "N3": None,
        "N4": None,
    }
    panel = make_panel(starts, n_periods=8, seed=11)
    with pytest.raises(StaggeredAdoptionError, match="Goodman-Bacon"):
        did.did_twfe(panel)
    table, overall = did.did_group_time(panel)
    assert "group-time" in did.did_estimate(panel).iloc[0]["method"]
    never = ["N1", "N2", "N3", "N4"]
    late = ["L1", "L2", "L3"]
    # ATT(g=2025-06, t=2025-08) = 2x2 of the late cohort vs never-treated, 2025-08 vs 2025-05 (g-1)
    at = lambda p: panel["period"] == pd.Timestamp(p)  # noqa: E731
    hand = (mean_of(panel, late, at("2025-08-01")) - mean_of(panel, late, at("2025-05-01"))) - (
        mean_of(panel, never, at("2025-08-01")) - mean_of(panel, never, at("2025-05-01"))
    )
    row = table[(table["cohort"] == "2025-06-01") & (table["period"] == "2025-08-01")].iloc[0]
    assert row["att"] == pytest.approx(hand, abs=1e-9)
    assert row["event_time"] == 2
    # overall ATT = cohort-size weighted mean of the post-start ATT(g, t)
    post = table[table["event_time"] >= 0]
    expected = np.average(post["att"], weights=post["n_units"])
    assert overall.iloc[0]["estimate"] == pytest.approx(expected, abs=1e-9)


def test_staggered_without_never_treated_is_refused() -> None:
    panel = make_panel({"A": "2025-03-01", "B": "2025-05-01", "C": "2025-05-01"}, n_periods=6)
    with pytest.raises(EvaluationInputError, match="no comparison region"):
        did.did_estimate(panel)


def test_pretrend_check_flags_diverging_trends_only() -> None:
    starts = {f"T{i}": "2025-07-01" for i in range(6)} | {f"C{i}": None for i in range(6)}
    parallel = did.pretrend_check(make_panel(starts, n_periods=10, seed=5)).iloc[0]
    diverging = did.pretrend_check(make_panel(starts, n_periods=10, seed=5, trend_gap=1.5)).iloc[0]
    assert parallel["checkable"] and parallel["p_value"] > 0.05
    assert "does not prove" in parallel["verdict"]
    assert diverging["p_value"] < 0.05 and "pre-trends differ" in diverging["verdict"]
    short = did.pretrend_check(
        make_panel(starts | {}, n_periods=10).assign(
            start=lambda d: d["start"].where(d["start"].isna(), pd.Timestamp("2025-03-01"))
        )
    ).iloc[0]
    assert not short["checkable"] and "2 pre-period" in short["verdict"]


def test_design_counts() -> None:
    panel = make_panel({"A": "2025-04-01", "B": None, "C": None}, n_periods=6)
    design = did.describe_design(panel)
    assert design == {
        "n_treated_units": 1,
        "n_control_units": 2,
        "n_clusters": 3,
        "n_periods": 6,
        "n_pre_periods": 3,
        "n_post_periods": 3,
        "n_cohorts": 1,
        "staggered": False,
        "cohorts": ["2025-04-01"],
    }


def test_bad_panels_are_named() -> None:
    panel = make_panel({"A": "2025-04-01", "B": None}, n_periods=4)
    with pytest.raises(EvaluationInputError, match="missing column"):
        did.did_twfe(panel.drop(columns="start"))
    with pytest.raises(EvaluationInputError, match="region 'A' has more than one value"):
        did.did_twfe(pd.concat([panel, panel.iloc[[0]]]))
    with pytest.raises(EvaluationInputError, match="treated region 'A' has no start"):
        did.did_twfe(panel.assign(start=pd.NaT))


def test_comparison_regions_given_or_from_peer_finder() -> None:
    given = did.comparison_regions(["HR03"], given=["HR03", "SI03", "HR05", "SI03"])
    assert given["region"].tolist() == ["SI03", "HR05"]
    assert set(given["source"]) == {"given"}

    def finder(region: str, n: int) -> pd.DataFrame:
        return pd.DataFrame({"region": ["HR05", "RS11", "BG41", "RO11", "SI04"][:n]})

    found = did.comparison_regions(["HR03", "HR05"], n=2, peer_finder=finder)
    assert "HR05" not in found["region"].tolist()  # a treated region is never a comparison
    assert found.groupby("matched_to").size().to_dict() == {"HR03": 2, "HR05": 2}
    assert found["region"].is_unique


def test_comparison_regions_from_the_evidence_peer_finder() -> None:
    from workbench.evidence import peers

    variables = pd.DataFrame(
        {
            "gdp_per_head": [10.0, 10.5, 30.0, 11.0, 29.0, 12.0],
            "rd_intensity": [0.5, 0.6, 2.0, 0.4, 2.1, 0.7],
        },
        index=["HR03", "RS11", "AT13", "BG41", "SI04", "RO11"],
    )
    found = did.comparison_regions(["HR03"], n=2, variables=variables)
    expected = peers.peer_regions(variables, "HR03", n=2)["region"].tolist()
    assert found["region"].tolist() == expected
    assert set(found["region"]).isdisjoint({"AT13", "SI04"})  # the rich regions are not peers
    assert set(found["source"]) == {"workbench.evidence.peers"}
    with pytest.raises(EvaluationInputError, match="no comparison regions"):
        did.comparison_regions(["HR03"])
