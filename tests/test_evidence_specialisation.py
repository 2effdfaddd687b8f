"""Specialisation measures: hand-checked examples (arithmetic written out) and edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence import (
    ReferenceEconomy,
    binary_specialisation,
    cagr,
    hachman_index,
    herfindahl_index,
    krugman_index,
    location_quotient,
    long_to_matrix,
    matrix_to_long,
)

# Two regions, two sectors.  A: X=30, Y=70 (total 100); B: X=10, Y=90 (total 100).
# All regions together: X=40, Y=160, total 200 -> s_X = 0.2, s_Y = 0.8.
AB = pd.DataFrame({"X": [30.0, 10.0], "Y": [70.0, 90.0]}, index=["HR03", "HR04"])


def test_lq_hand_example_all_rows() -> None:
    lq = location_quotient(AB, "all")
    # LQ_A,X = (30/100)/(40/200) = 0.3/0.2 = 1.5 ; LQ_A,Y = 0.7/0.8 = 0.875
    # LQ_B,X = 0.1/0.2 = 0.5                     ; LQ_B,Y = 0.9/0.8 = 1.125
    assert lq.loc["HR03", "X"] == pytest.approx(1.5)
    assert lq.loc["HR03", "Y"] == pytest.approx(0.875)
    assert lq.loc["HR04", "X"] == pytest.approx(0.5)
    assert lq.loc["HR04", "Y"] == pytest.approx(1.125)
    assert lq.attrs["reference"] == "all regions in the matrix"
    assert binary_specialisation(lq).to_dict() == {
        "X": {"HR03": 1, "HR04": 0},
        "Y": {"HR03": 0, "HR04": 1},
    }


def test_lq_reference_given_totals_and_own_country() -> None:
    # Reference totals X=50, Y=450 (total 500): s_X = 0.1, s_Y = 0.9
    lq = location_quotient(AB, pd.Series({"X": 50.0, "Y": 450.0}))
    assert lq.loc["HR03", "X"] == pytest.approx(0.3 / 0.1)  # 3.0
    assert lq.loc["HR03", "Y"] == pytest.approx(0.7 / 0.9)  # 0.777...
    # Add a Slovenian region SI03: X=50, Y=50.  Own country: HR = HR03+HR04, SI = SI03 alone.
    three = pd.concat([AB, pd.DataFrame({"X": [50.0], "Y": [50.0]}, index=["SI03"])])
    own = location_quotient(three, "own_country")
    assert own.loc["HR03", "X"] == pytest.approx(1.5)  # same as against HR03+HR04
    assert own.loc["SI03"].tolist() == pytest.approx([1.0, 1.0])  # a region alone in its country
    # Reference = HR only (country code): SI03 is compared with Croatia: (50/100)/(40/200) = 2.5
    hr = location_quotient(three, "HR")
    assert hr.loc["SI03", "X"] == pytest.approx(2.5)
    # The same through an explicit list of regions
    listed = location_quotient(three, ReferenceEconomy.regions(["HR03", "HR04"]))
    assert np.allclose(listed.to_numpy(), hr.to_numpy())
    # Named group from evidence.yml: SEE includes both HR and SI -> X = 90, Y = 210 (total 300)
    see = location_quotient(three, "SEE")
    assert see.loc["HR04", "X"] == pytest.approx(0.1 / 0.3)
    assert see.attrs["reference"] == "SEE"


def test_reference_is_required_and_validated() -> None:
    with pytest.raises(ValidationError, match="explicitly"):
        location_quotient(AB, None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not in the data"):
        location_quotient(AB, ["HR03", "XX99"])
    with pytest.raises(ValidationError, match="no region of"):
        location_quotient(AB, "AT")
    with pytest.raises(ValidationError, match="no total for sector"):
        location_quotient(AB, pd.Series({"X": 1.0}))


def test_tie_at_threshold_counts_as_specialised() -> None:
    # Identical structures -> every LQ is 1 mathematically; floating sums give 1 +- 1 ulp.
    m = pd.DataFrame({"X": [0.1, 0.2, 0.7], "Y": [0.2, 0.4, 1.4]}, index=["A1", "A2", "A3"])
    lq = location_quotient(m, "all")
    assert np.allclose(lq.to_numpy(), 1.0, rtol=0, atol=1e-15)
    assert (binary_specialisation(lq) == 1).all().all()
    assert (binary_specialisation(lq, 1.0 + 1e-9) == 0).all().all()
    # strict comparison (py-ecomplexity) is available: tie_tolerance=0
    exact = pd.DataFrame({"X": [1.0 - 2e-16 * 2]}, index=["A1"])
    assert binary_specialisation(exact, 1.0, tie_tolerance=0).iat[0, 0] == 0
    assert binary_specialisation(exact, 1.0).iat[0, 0] == 1


def test_hachman_krugman_herfindahl_hand_example() -> None:
    # Hachman A: 1 / (0.3^2/0.2 + 0.7^2/0.8) = 1 / (0.45 + 0.6125) = 1 / 1.0625 = 16/17
    # Hachman B: 1 / (0.1^2/0.2 + 0.9^2/0.8) = 1 / (0.05 + 1.0125) = 16/17
    hi = hachman_index(AB, "all")
    assert hi["HR03"] == pytest.approx(16 / 17)
    assert hi["HR04"] == pytest.approx(16 / 17)
    # Against its own structure a region scores 1
    assert hachman_index(AB.loc[["HR03"]], "all")["HR03"] == pytest.approx(1.0)
    # Krugman A: |0.3-0.2| + |0.7-0.8| = 0.2 ; with the 1/2 factor 0.1
    assert krugman_index(AB, "all")["HR03"] == pytest.approx(0.2)
    assert krugman_index(AB, "all", half=True)["HR03"] == pytest.approx(0.1)
    assert krugman_index(AB, "all").attrs["half"] is False
    # Herfindahl A: 0.3^2 + 0.7^2 = 0.58 ; B: 0.01 + 0.81 = 0.82
    h = herfindahl_index(AB)
    assert h.loc["HR03", "herfindahl"] == pytest.approx(0.58)
    assert h.loc["HR04", "diversity"] == pytest.approx(1 / 0.82)


def test_cagr_hand_and_invalid() -> None:
    # 100 -> 121 over 2 years: sqrt(1.21) - 1 = 0.1
    s = cagr(pd.Series({"A": 100.0, "B": 50.0}), pd.Series({"A": 121.0, "B": 50.0}), 2)
    assert s["A"] == pytest.approx(0.1)
    assert s["B"] == pytest.approx(0.0)
    with pytest.raises(ValidationError, match="start not positive"):
        cagr(pd.Series({"A": 0.0}), pd.Series({"A": 5.0}), 3)
    out = cagr(
        pd.Series({"A": 0.0, "B": 100.0}), pd.Series({"A": 5.0, "B": 110.0}), 1, invalid="nan"
    )
    assert np.isnan(out["A"]) and out["B"] == pytest.approx(0.1)
    with pytest.raises(ValidationError, match="years"):
        cagr(pd.Series({"A": 1.0}), pd.Series({"A": 1.0}), 0)


def test_edge_cases_zero_sector_empty_region_nan_single_region() -> None:
    zero_sector = AB.assign(Z=0.0)
    with pytest.raises(ValidationError, match=r"zero employment in the reference economy .*: Z"):
        location_quotient(zero_sector, "all")
    dropped = location_quotient(zero_sector, "all", on_empty="drop")
    assert list(dropped.columns) == ["X", "Y"] and dropped.attrs["dropped_sectors"] == ["Z"]

    empty_region = pd.concat([AB, pd.DataFrame({"X": [0.0], "Y": [0.0]}, index=["HR05"])])
    with pytest.raises(ValidationError, match=r"region\(s\) with zero total: HR05"):
        location_quotient(empty_region, "all")
    assert location_quotient(empty_region, "all", on_empty="drop").attrs["dropped_regions"] == [
        "HR05"
    ]

    nan = AB.copy()
    nan.loc["HR04", "X"] = np.nan
    with pytest.raises(ValidationError, match=r"missing \(NaN\) cell.*\(HR04, X\)"):
        location_quotient(nan, "all")
    as_zero = location_quotient(nan, "all", missing="zero")
    # HR04 = (0, 90): LQ_X = 0 / (30/190) = 0
    assert as_zero.loc["HR04", "X"] == 0.0

    single = location_quotient(AB.loc[["HR03"]], "all")
    assert single.to_numpy().tolist() == [[1.0, 1.0]]  # a region against itself

    with pytest.raises(ValidationError, match="negative"):
        location_quotient(AB.assign(X=[-1.0, 2.0]), "all")

    # sector with zero employment in an external reference: LQ undefined -> error
    with pytest.raises(ValidationError, match="zero employment in the reference"):
        location_quotient(AB, pd.Series({"X": 0.0, "Y": 10.0}))
    # a sector absent from the regions but present in the reference: LQ 0, well defined
    absent = location_quotient(zero_sector, pd.Series({"X": 40.0, "Y": 160.0, "Z": 50.0}))
    assert (absent["Z"] == 0.0).all()


def test_region_totals_when_matrix_covers_part_of_economy() -> None:
    # Manufacturing only, with total employment given: A total 200, B total 300.
    # LQ_A,X = (30/200) / ((30+10)/(200+300)) = 0.15 / 0.08 = 1.875
    lq = location_quotient(AB, "all", region_totals=pd.Series({"HR03": 200.0, "HR04": 300.0}))
    assert lq.loc["HR03", "X"] == pytest.approx(1.875)


def test_long_matrix_round_trip_keeps_missing_cells() -> None:
    m = pd.DataFrame({"X": [1.0, np.nan], "Y": [2.0, 3.0]}, index=["A1", "A2"])
    long = matrix_to_long(m)
    assert len(long) == 4 and long["value"].isna().sum() == 1
    back = long_to_matrix(long)
    assert back.equals(m.rename_axis(index="region", columns="sector"))
    with pytest.raises(ValidationError, match="duplicated"):
        long_to_matrix(pd.concat([long, long.iloc[[0]]]))
