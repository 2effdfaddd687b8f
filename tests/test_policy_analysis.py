"""Policy analyses on small hand-made frames; every expected number is worked out by hand here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.policy import actions as A
from workbench.policy import barriers as B
from workbench.policy import framework as F
from workbench.policy.parameters import past_action_parameters, region_list

NAN = np.nan


@pytest.fixture
def acts() -> pd.DataFrame:
    cols = ["action_id", "region", "country", "title", "dimension", "instrument", "start_date", "end_date",
            "budget", "currency", "eu_amount", "planned_outputs", "achieved_outputs", "output_unit",
            "planned_results", "achieved_results", "result_unit", "programming_period"]  # fmt: skip
    rows = [
        ["a1", "R1", "XX", "t1", "innovation", "voucher", "2015-01-01", "2016-12-31", 100.0, "EUR", 80.0, 10, 8, "firms", 5, 5, "products", None],
        ["a2", "R1", "XX", "t2", "innovation", "grant", "2016-06-01", "2018-01-01", 300.0, "EUR", 240.0, 20, 20, "firms", 10, 12, "products", None],
        ["a3", "R1", "XX", "t3", "skills", "academy", "2019-01-01", "2020-01-01", 50.0, "EUR", NAN, 100, 50, "people", NAN, NAN, None, None],
        ["a4", "R2", "XX", "t4", "innovation", "voucher", "2015-03-01", "2015-12-31", 200.0, "EUR", NAN, 10, 10, "firms", 0, 3, "products", None],
        ["a5", "R2", "XX", "t5", None, "grant", None, None, 75.345, "HRK", NAN, NAN, NAN, None, NAN, NAN, None, "2007-2013"],
        ["a6", "R3", "XX", "t6", "innovation", "voucher", "2016-01-01", "2016-12-31", 400.0, "EUR", NAN, 10, 5, "firms", NAN, NAN, "products", None],
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    for c in ("start_date", "end_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def test_spend_by_dimension_and_region_never_mixes_currencies(acts: pd.DataFrame) -> None:
    s = A.spend_by(acts, by=("region", "dimension")).set_index(["region", "dimension", "currency"])
    assert s.loc[("R1", "innovation", "EUR"), "n_actions"] == 2
    assert s.loc[("R1", "innovation", "EUR"), "budget"] == 400.0
    assert s.loc[("R1", "innovation", "EUR"), "eu_amount"] == 320.0
    assert s.loc[("R1", "innovation", "EUR"), "share_of_budget"] == pytest.approx(400 / 450)
    assert s.loc[("R2", A.NO_DIMENSION, "HRK"), "budget"] == 75.345
    assert s.loc[("R2", A.NO_DIMENSION, "HRK"), "share_of_budget"] == 1.0  # alone in its currency
    assert s.loc[("R2", "innovation", "EUR"), "share_of_budget"] == 1.0


def test_spend_by_period_uses_programming_period_or_start_year(acts: pd.DataFrame) -> None:
    s = A.spend_by(acts, by=("period",))
    got = {(p, c): b for p, c, b in zip(s["period"], s["currency"], s["budget"], strict=True)}
    assert got == {("2007-2013", "HRK"): 75.345, ("2014-2020", "EUR"): 1050.0}
    y = A.spend_by(acts, by=("period",), period="year")
    assert dict(zip(y["period"] + y["currency"], y["n_actions"], strict=True)) == {
        "(no date)HRK": 1, "2015EUR": 2, "2016EUR": 2, "2019EUR": 1}  # fmt: skip


def test_to_eur_uses_fixed_rate_and_refuses_unknown_currency(acts: pd.DataFrame) -> None:
    eur = A.to_eur(acts)
    assert eur.loc[eur["action_id"] == "a5", "budget"].iloc[0] == pytest.approx(10.0)
    assert set(eur["currency"]) == {"EUR"}
    with pytest.raises(ValidationError, match="USD"):
        A.to_eur(acts.assign(currency="USD"))


def test_action_achievement_rates_and_statuses(acts: pd.DataFrame) -> None:
    a = A.action_achievement(acts).set_index("action_id")
    assert a.loc["a1", "output_rate"] == 0.8 and a.loc["a2", "result_rate"] == 1.2
    assert a.loc["a4", "result_status"] == "no target"  # planned 0
    assert math.isnan(a.loc["a4", "result_rate"])
    assert a.loc["a5", "output_status"] == "no target"
    assert a.loc["a1", "output_status"] == "below target"  # 0.8 in [0.5, 0.9)
    assert a.loc["a2", "output_status"] == "on target"
    assert a.loc["a3", "output_status"] == "below target"  # 0.5
    assert a.loc["a6", "output_status"] == "below target"


def test_effectiveness_by_dimension(acts: pd.DataFrame) -> None:
    e = A.effectiveness(acts).set_index(["dimension", "measure", "unit"])
    out = e.loc[("innovation", "output", "firms")]
    # a1 8/10, a2 20/20, a4 10/10, a6 5/10 -> 43/50; per-action rates .8 1 1 .5 -> median .9
    assert (out["n_assessed"], out["planned"], out["achieved"]) == (4, 50, 43)
    assert out["achievement_rate"] == pytest.approx(0.86)
    assert out["median_action_rate"] == pytest.approx(0.9)
    res = e.loc[("innovation", "result", "products")]
    # a1 5/5, a2 12/10; a4 (target 0) and a6 (no target) cannot be assessed
    assert (res["n_assessed"], res["planned"], res["achieved"], res["n_without_target"]) == (
        2,
        15,
        17,
        2,
    )
    assert res["achievement_rate"] == pytest.approx(17 / 15)
    assert res["band"] == "above target"
    assert e.loc[("skills", "output", "people"), "achievement_rate"] == 0.5


def test_efficiency_and_spread_across_regions(acts: pd.DataFrame) -> None:
    eff = A.efficiency(acts).set_index("region")
    firms = eff[eff["unit"] == "firms"]
    # R1 (100+300)/(8+20), R2 200/10, R3 400/5
    assert firms.loc["R1", "cost_per_unit"] == pytest.approx(400 / 28)
    assert firms.loc["R2", "cost_per_unit"] == 20.0 and firms.loc["R3", "cost_per_unit"] == 80.0
    assert firms["median_cost"].unique().tolist() == [20.0]
    assert firms.loc["R3", "relative_to_median"] == 4.0
    spread = A.efficiency_spread(eff.reset_index()).set_index("unit")
    c = sorted([400 / 28, 20.0, 80.0])
    p10 = c[0] + 0.2 * (c[1] - c[0])  # linear interpolation at position 0.1 * (3 - 1) = 0.2
    p90 = c[1] + 0.8 * (c[2] - c[1])  # position 1.8
    assert spread.loc["firms", "p10"] == pytest.approx(p10) and spread.loc[
        "firms", "p90"
    ] == pytest.approx(p90)
    assert spread.loc["firms", "p90_p10_ratio"] == pytest.approx(p90 / p10)
    mean = sum(c) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in c) / 2)
    assert spread.loc["firms", "cv"] == pytest.approx(sd / mean)
    assert spread.loc["people", "note"].startswith("fewer than 2")
    assert math.isnan(spread.loc["people", "cv"])
    with pytest.raises(ValidationError):
        A.efficiency(acts, measure="impact")


def test_gaps_flag_specialised_or_blocked_dimensions_without_action(acts: pd.DataFrame) -> None:
    barriers = pd.DataFrame({
        "region": ["R1", "R1", "R2"], "dimensions": [["financing"], ["innovation"], ["skills"]],
        "severity": [2, 3, 3],
    })  # fmt: skip
    instruments = pd.DataFrame({"region": ["R1"], "dimensions": [["governance"]]})
    strengths = pd.DataFrame({"region": ["R1", "R1"], "dimension": ["sustainability", "innovation"],
                              "specialised": [True, True]})  # fmt: skip
    g = A.gaps("R1", acts, barriers, instruments, strengths).set_index("dimension")
    assert g["gap"].to_dict() == {
        "innovation": False, "sustainability": True, "international": False, "financing": True,
        "specialisation": False, "skills": False, "governance": False,
    }  # fmt: skip
    assert g.loc["financing", "reason"].startswith("1 barrier(s) of severity >= 1")
    assert g.loc["sustainability", "reason"].startswith("region is specialised")
    assert g.loc["innovation", "n_actions"] == 2 and g.loc["innovation", "max_severity"] == 3
    assert g.loc["governance", "n_instruments"] == 1


def test_timeline_falls_back_to_programming_period(acts: pd.DataFrame) -> None:
    t = A.timeline(acts)
    assert t["action_id"].tolist() == ["a5", "a1", "a4", "a6", "a2", "a3"]
    first = t.iloc[0]
    assert first["dates_from"] == "programming period"
    assert str(first["start"].date()) == "2007-01-01" and str(first["end"].date()) == "2013-12-31"
    assert t.set_index("action_id").loc["a1", "duration_days"] == 730


@pytest.fixture
def bars() -> pd.DataFrame:
    return pd.DataFrame({
        "barrier_id": ["b1", "b2", "b3"], "region": ["R1", "R1", "R2"],
        "barrier": ["x1", "x2", "x3"], "dimensions": [["innovation", "skills"], ["innovation"], ["governance"]],
        "phase": ["past_actions", "past_actions", "current_framework"], "severity": [3, 1, 2],
        "evidence": ["survey", None, "  "],
    })  # fmt: skip


def test_barrier_matrix_counts_severity_and_evidence(bars: pd.DataFrame) -> None:
    m = B.barrier_matrix(bars)
    assert len(m) == 7 * 4
    cell = m.set_index(["dimension", "phase"])
    inn = cell.loc[("innovation", "past_actions")]
    assert (inn["n_barriers"], inn["n_regions"], inn["mean_severity"], inn["max_severity"]) == (
        2,
        1,
        2.0,
        3.0,
    )
    assert inn["evidence_status"] == "partly evidenced" and inn["lacks_evidence"]
    assert cell.loc[("skills", "past_actions"), "evidence_status"] == "evidenced"
    assert not cell.loc[("skills", "past_actions"), "lacks_evidence"]
    assert (
        cell.loc[("governance", "current_framework"), "evidence_status"] == "no evidence"
    )  # blank text
    assert cell.loc[("financing", "future_visions"), "evidence_status"] == "no entries"
    assert m["n_barriers"].sum() == 4  # b1 counts in two dimensions
    assert m["lacks_evidence"].sum() == 27
    only_r2 = B.barrier_matrix(bars, ["R2"]).set_index(["dimension", "phase"])
    assert only_r2.loc[("innovation", "past_actions"), "n_barriers"] == 0
    wide = B.matrix_pivot(m)
    assert wide.shape == (7, 4) and wide.loc["innovation", "past_actions"] == 2
    gaps = B.evidence_gaps(m)
    assert gaps.iloc[0]["dimension"] == "innovation" and len(gaps) == 27


def test_region_comparison_has_every_region(bars: pd.DataFrame) -> None:
    c = B.region_comparison(bars, ["R1", "R2", "R3"]).set_index(["region", "dimension"])
    assert len(c) == 21
    assert c.loc[("R1", "innovation"), "n_barriers"] == 2
    assert c.loc[("R1", "innovation"), "share_evidenced"] == 0.5
    assert c.loc[("R3", "skills"), "n_barriers"] == 0 and math.isnan(
        c.loc[("R3", "skills"), "max_severity"]
    )
    p = B.region_comparison(bars, ["R1"], by="phase").set_index("phase")
    assert p.loc["past_actions", "n_barriers"] == 3


def test_validate_barrier_messages() -> None:
    ok = B.validate_barrier({"region": "hr03", "barrier": " Weak links ", "dimensions": "skills, innovation",
                             "phase": "future_visions", "severity": "2", "evidence": ""})  # fmt: skip
    assert (
        ok["region"] == "HR03"
        and ok["dimensions"] == ["skills", "innovation"]
        and ok["severity"] == 2
    )
    assert (
        ok["evidence"] is None
        and ok["barrier"] == "Weak links"
        and ok["barrier_id"].startswith("B-")
    )
    with pytest.raises(ValidationError) as exc:
        B.validate_barrier({"region": "Croatia", "barrier": "x", "dimensions": ["tourism"], "phase": "past",
                            "severity": 5})  # fmt: skip
    text = str(exc.value)
    for part in ("region 'Croatia'", "barrier:", "tourism", "phase 'past'", "severity 5"):
        assert part in text
    with pytest.raises(ValidationError, match="severity 1.5"):
        B.validate_barrier({"region": "HR03", "barrier": "abc", "dimensions": ["skills"],
                            "phase": "past_actions", "severity": 1.5})  # fmt: skip


def test_framework_coherence_covered_twice_and_not_at_all() -> None:
    inst = pd.DataFrame({
        "instrument_id": ["i1", "i2", "i3"], "region": ["R1", "R1", "R2"], "name": ["A", "B", "C"],
        "dimensions": [["innovation", "governance"], ["innovation"], ["skills"]],
    })  # fmt: skip
    cov = F.coherence(inst, ["R1", "R2", "R3"]).set_index(["region", "dimension"])
    assert cov.loc[("R1", "innovation"), "coverage"] == "covered twice or more"
    assert cov.loc[("R1", "innovation"), "instruments"] == "A; B"
    assert (
        cov.loc[("R1", "governance"), "coverage"] == "covered"
        and cov.loc[("R1", "governance"), "horizontal"]
    )
    assert cov.loc[("R3", "skills"), "coverage"] == "not covered"
    s = F.coherence_summary(cov.reset_index()).set_index("region")
    assert s.loc["R1", "covered_twice_or_more"] == "innovation"
    assert (
        s.loc["R1", "not_covered"]
        == "sustainability, international, financing, specialisation, skills"
    )
    assert s.loc["R1", "governance_covered"] and not s.loc["R2", "governance_covered"]
    assert s.loc["R3", "n_covered"] == 0


def test_notebook_parameter_validation() -> None:
    p = past_action_parameters("hr03", "", "2014-2020", True)
    assert p["region"] == "HR03" and p["span"] == (2014, 2020)
    assert past_action_parameters("", "EL", "", False)["span"] is None
    for bad in (("HR03", "HR", "", True), ("", "", "", True), ("Zagreb", "", "", True),
                ("HR03", "", "2020-2014", True), ("HR03", "", "last year", True)):  # fmt: skip
        with pytest.raises(ValidationError):
            past_action_parameters(*bad)
    assert region_list("hr03, SI04;si04") == ["HR03", "SI04"]
    with pytest.raises(ValidationError):
        region_list([])
