"""Pure parts of issue 12: apportioning operations in several regions, and data-doctor checks that
must stay silent on sound data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.policy.locations import apportion
from workbench.quality import checks as C

ACTIONS = pd.DataFrame({
    "action_id": ["a", "b", "c"], "region": ["HR0", "HR03", "HR04"], "budget": [210.0, 50.0, 70.0],
    "eu_amount": [21.0, 5.0, 7.0], "currency": ["HRK"] * 3, "n_locations": [3, 1, 1],
})  # fmt: skip
LOCATIONS = pd.DataFrame({
    "action_id": ["a", "a", "a", "b", "c"],
    "location_code": ["HR031", "HR032", "HR041", "HR033", "HR042"],
    "region": ["HR03", "HR03", "HR04", "HR03", "HR04"],
})  # fmt: skip


def test_equal_shares_count_each_operation_once() -> None:
    out = apportion(ACTIONS, LOCATIONS, ["HR03"], "equal").set_index("action_id")
    assert list(out.index) == ["a", "b"]  # c lies only in HR04
    assert out.loc["a", "location_share"] == pytest.approx(2 / 3)
    assert out.loc["a", "budget"] == pytest.approx(140.0) and out.loc["a", "budget_total"] == 210.0
    assert out.loc["a", "eu_amount"] == pytest.approx(14.0)
    assert out.loc["a", "region"] == "HR03" and out.loc["a", "operation_region"] == "HR0"
    assert out.loc["b", "budget"] == 50.0


def test_population_shares_and_fallback_to_equal() -> None:
    pop = {"HR031": 300.0, "HR032": 100.0, "HR041": 600.0}
    out = apportion(ACTIONS, LOCATIONS, ["HR03"], "population", pop).set_index("action_id")
    assert out.loc["a", "location_share"] == pytest.approx((300 + 100) / 1000)
    assert out.attrs["population_fallback"] == []  # single-location operations need no figure
    assert out.loc["b", "location_share"] == 1.0
    del pop["HR032"]  # one location without a figure: equal shares for that operation
    out = apportion(ACTIONS, LOCATIONS, ["HR03"], "population", pop).set_index("action_id")
    assert out.attrs["population_fallback"] == ["a"]
    assert out.loc["a", "location_share"] == pytest.approx(2 / 3)


def test_parent_rule_leaves_shared_operations_to_the_parent() -> None:
    out = apportion(ACTIONS, LOCATIONS, ["HR03"], "parent")
    assert out["action_id"].tolist() == ["b"]
    whole = apportion(ACTIONS, LOCATIONS, ["HR0"], "parent")
    assert whole["action_id"].tolist() == ["a", "b", "c"] and (whole["location_share"] == 1).all()
    with pytest.raises(ValidationError, match="operations.apportion"):
        apportion(ACTIONS, LOCATIONS, ["HR03"], "by_area")


def _amounts(rng: np.random.Generator, n: int, median: float) -> np.ndarray:
    return np.exp(rng.normal(np.log(median), 0.8, n))


def test_currency_check_flags_labels_only_when_amounts_do_not_fit() -> None:
    rng = np.random.default_rng(7)
    rates = {"EUR": 1.0, "HRK": 7.5345}
    right = pd.DataFrame({  # EUR projects as large in EUR as the HRK ones: labels fit
        "action_id": [f"r{i}" for i in range(80)], "fund": "ESF", "programme": "P",
        "currency": ["EUR"] * 40 + ["HRK"] * 40,
        "budget": np.r_[_amounts(rng, 40, 100_000), _amounts(rng, 40, 753_450)],
        "start_date": pd.Timestamp("2015-01-01"),
    })  # fmt: skip
    assert C.currency_labels("d", right, rates, min_rows=5, max_ratio=3.0) == []
    wrong = right.assign(budget=np.r_[_amounts(rng, 40, 1_100_000), _amounts(rng, 40, 753_450)])
    (found,) = C.currency_labels("d", wrong, rates, min_rows=5, max_ratio=3.0)
    assert found.severity == "warning" and set(found.examples["currency"]) == {"EUR"}
    assert found.n_rows == 40


def test_mixed_nuts_versions() -> None:
    versions = {"2013": frozenset({"SI03", "SI04", "HR03", "HR04"}),
                "2021": frozenset({"SI03", "SI04", "HR02", "HR03", "HR05", "HR06"})}  # fmt: skip
    assert C.mixed_nuts_versions("d", ["SI03", "SI04", "HR03", "HR04", "BA01"], versions, 5) == []
    (found,) = C.mixed_nuts_versions("d", ["SI01", "SI03", "HR04", "HR05", "HRZZ"], versions, 5)
    assert list(found.examples["country"]) == ["HR", "SI"]
    assert "SI01 (no known version" in found.examples.set_index("country").loc["SI", "codes"]
