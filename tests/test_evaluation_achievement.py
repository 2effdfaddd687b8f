"""Achievement against target per indicator and per logic-model level, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.evaluation.achievement import indicator_achievement, level_achievement
from workbench.evaluation.errors import EvaluationInputError

INDICATORS = pd.DataFrame(
    [
        {"indicator_id": "out", "level": "outputs", "baseline": 0.0, "target": 40.0},
        {"indicator_id": "res", "level": "outcomes", "baseline": 12.0, "target": 15.0},
        {
            "indicator_id": "cost",
            "level": "outcomes",
            "baseline": 100.0,
            "target": 80.0,
        },  # should fall
        {"indicator_id": "flat", "level": "impact", "baseline": 5.0, "target": 5.0},
        {"indicator_id": "none", "level": "impact", "baseline": 0.0, "target": 3.0},
    ]
)
VALUES = pd.DataFrame(
    [
        {"indicator_id": "out", "period": "2026-05-01", "value": 30.0},
        {"indicator_id": "out", "period": "2026-06-01", "value": 50.0},  # latest: 50 -> 1.25
        {"indicator_id": "res", "period": "2026-06-01", "value": 14.0},  # (14-12)/3 = 0.667
        {
            "indicator_id": "res",
            "period": "2026-06-01",
            "value": 15.0,
        },  # two regions: mean 14.5 -> 0.833
        {"indicator_id": "cost", "period": "2026-06-01", "value": 105.0},  # (105-100)/(-20) = -0.25
        {"indicator_id": "flat", "period": "2026-06-01", "value": 6.0},
    ]
)


def test_indicator_achievement_by_hand() -> None:
    out = indicator_achievement(INDICATORS, VALUES).set_index("indicator_id")
    assert out.loc["out", "achievement"] == pytest.approx(1.25)
    assert out.loc["out", "status"] == "achieved"
    assert out.loc["res", "actual"] == pytest.approx(14.5)
    assert out.loc["res", "achievement"] == pytest.approx(2.5 / 3)
    assert out.loc["res", "status"] == "on track"
    assert out.loc["cost", "achievement"] == pytest.approx(-0.25)
    assert out.loc["cost", "status"] == "moving away"
    assert out.loc["flat", "status"] == "undefined: target equals baseline"
    assert out.loc["none", "status"] == "no data"


def test_as_of_uses_values_up_to_that_date() -> None:
    out = indicator_achievement(INDICATORS, VALUES, as_of="2026-05-15").set_index("indicator_id")
    assert out.loc["out", "achievement"] == pytest.approx(0.75)
    assert out.loc["res", "status"] == "no data"


def test_level_achievement_caps_over_achievement() -> None:
    levels = level_achievement(indicator_achievement(INDICATORS, VALUES)).set_index("level")
    assert levels.loc["outputs", "mean_achievement"] == pytest.approx(1.25)  # cap 1.5 not reached
    assert levels.loc["outcomes", "mean_achievement"] == pytest.approx((2.5 / 3 - 0.25) / 2)
    assert levels.loc["impact", ["indicators", "with_data"]].tolist() == [2, 0]
    assert levels.loc["inputs", "indicators"] == 0
    capped = indicator_achievement(INDICATORS.iloc[[0]], VALUES.assign(value=VALUES["value"] * 10))
    assert level_achievement(capped).set_index("level").loc["outputs", "mean_achievement"] == 1.5


def test_bad_inputs_are_named() -> None:
    with pytest.raises(EvaluationInputError, match="column 'target' must be a number, got 'lots'"):
        indicator_achievement(INDICATORS.assign(target=["lots", 1, 1, 1, 1]), VALUES)
    bad_level = indicator_achievement(INDICATORS, VALUES).assign(level="results")
    with pytest.raises(EvaluationInputError, match="unknown value"):
        level_achievement(bad_level)
