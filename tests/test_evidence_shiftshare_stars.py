"""Shift-share (Dunn), ECO cluster stars and the specialisation quadrant: hand-checked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence import (
    cluster_stars,
    shift_share,
    shift_share_summary,
    specialisation_quadrant,
)

# t0: A: X=100, Y=200; B: X=300, Y=400  -> N0: X=400, Y=600, total 1000
# t1: A: X=120, Y=190; B: X=340, Y=450  -> N1: X=460, Y=640, total 1100
START = pd.DataFrame({"X": [100.0, 300.0], "Y": [200.0, 400.0]}, index=["HR03", "HR04"])
END = pd.DataFrame({"X": [120.0, 340.0], "Y": [190.0, 450.0]}, index=["HR03", "HR04"])


def test_shift_share_hand_example() -> None:
    out = shift_share(START, END, "all").set_index(["region", "sector"])
    # g_N = 1100/1000 - 1 = 0.1 ; g_NX = 460/400 - 1 = 0.15 ; g_NY = 640/600 - 1 = 1/15
    # A,X: NS = 100*0.1 = 10 ; IM = 100*(0.15-0.1) = 5 ; RS = 100*(0.20-0.15) = 5 ; change 20
    a_x = out.loc[("HR03", "X")]
    assert (a_x["national_share"], a_x["industry_mix"], a_x["regional_shift"]) == pytest.approx(
        (10, 5, 5)
    )
    # A,Y: NS = 20 ; IM = 200*(1/15 - 1/10) = -20/3 ; RS = 200*(-0.05 - 1/15) = -70/3 ; change -10
    a_y = out.loc[("HR03", "Y")]
    assert (a_y["national_share"], a_y["industry_mix"], a_y["regional_shift"]) == pytest.approx(
        (20, -20 / 3, -70 / 3)
    )
    # B,X: NS = 30 ; IM = 15 ; RS = 300*(40/300 - 0.15) = -5
    b_x = out.loc[("HR04", "X")]
    assert (b_x["national_share"], b_x["industry_mix"], b_x["regional_shift"]) == pytest.approx(
        (30, 15, -5)
    )
    # Components sum to the change in every cell
    total = out["national_share"] + out["industry_mix"] + out["regional_shift"]
    assert np.allclose(total, out["change"], rtol=0, atol=1e-12)
    # With the regions forming the reference, regional shifts cancel out within each sector
    assert np.allclose(out.groupby("sector")["regional_shift"].sum(), 0.0)
    summary = shift_share_summary(out.reset_index()).set_index("region")
    assert summary.loc["HR03", "change"] == pytest.approx(10.0)  # 310 - 300
    assert summary.loc["HR03", "national_share"] == pytest.approx(30.0)


def test_shift_share_external_reference_and_new_sector() -> None:
    # National totals given: N0 X=1000, Y=1000 ; N1 X=1200, Y=900 -> g_N = 0.05, g_X = 0.2, g_Y = -0.1
    n0 = pd.Series({"X": 1000.0, "Y": 1000.0})
    n1 = pd.Series({"X": 1200.0, "Y": 900.0})
    start = START.copy()
    start.loc["HR03", "X"] = 0.0  # sector new in the region
    out = shift_share(start, END, n0, reference_end=n1).set_index(["region", "sector"])
    new = out.loc[("HR03", "X")]
    assert (new["national_share"], new["industry_mix"], new["regional_shift"]) == (0.0, 0.0, 120.0)
    # B,Y: NS = 400*0.05 = 20 ; IM = 400*(-0.1-0.05) = -60 ; RS = 50 - 20 + 60 = 90
    b_y = out.loc[("HR04", "Y")]
    assert (b_y["national_share"], b_y["industry_mix"], b_y["regional_shift"]) == pytest.approx(
        (20, -60, 90)
    )
    with pytest.raises(ValidationError, match="reference_end"):
        shift_share(START, END, n0)


def test_shift_share_mismatch_and_zero_reference_sector() -> None:
    with pytest.raises(ValidationError, match="differ"):
        shift_share(START, END.drop(columns="Y"), "all")
    zero = START.assign(Z=0.0)
    with pytest.raises(ValidationError, match="zero reference employment at the start: Z"):
        shift_share(zero, END.assign(Z=1.0), "all")


def stars_matrix() -> pd.DataFrame:
    # K = category of interest, O = the rest of the economy; reference totals K=100, O=900 (s_K = 0.1)
    rows = {"R0": (50, 50), "R1": (50, 150), "R2": (20, 20)}
    rows |= {f"R{i}": (10, 190) for i in range(3, 10)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["K", "O"]).astype(float)


def test_cluster_stars_hand_example_with_ties() -> None:
    ref = pd.Series({"K": 100.0, "O": 900.0})
    out = cluster_stars(stars_matrix(), ref).set_index(["region", "category"])
    # 10 regions -> top 10 % = first ceil(1.0) = 1 rank; ties share the rank.
    # K size: R0 = R1 = 50 tie at rank 1 -> both; R2 (20) not.
    # K LQ: R0 0.5/0.1 = 5, R1 0.25/0.1 = 2.5, R2 0.5/0.1 = 5, others 0.05/0.1 = 0.5 -> R0,R1,R2.
    # K focus: R0 = R2 = 0.5 tie at rank 1 -> both; R1 (0.25) not.
    assert out.loc[("R0", "K"), "stars"] == 3
    assert out.loc[("R1", "K"), ["size_star", "specialisation_star", "focus_star"]].tolist() == [
        True,
        True,
        False,
    ]
    assert out.loc[("R2", "K"), ["size_star", "specialisation_star", "focus_star"]].tolist() == [
        False,
        True,
        True,
    ]
    assert out.loc[("R5", "K"), "stars"] == 0
    assert out.loc[("R1", "K"), "lq"] == pytest.approx(2.5)
    # O: R3..R9 all 190 (tie) -> all seven get size; focus 0.95 tie -> all seven; LQ 0.95/0.9 < 2.
    o = out.xs("O", level="category")
    assert o.loc[[f"R{i}" for i in range(3, 10)], "stars"].tolist() == [2] * 7
    assert o.loc[["R0", "R1", "R2"], "stars"].tolist() == [0, 0, 0]


def test_cluster_stars_thresholds_configurable_and_ties_at_lq() -> None:
    ref = pd.Series({"K": 100.0, "O": 900.0})
    # LQ of R1 in K is exactly 2.5: a tie at the threshold earns the star
    out = cluster_stars(stars_matrix(), ref, specialisation_lq=2.5).set_index(
        ["region", "category"]
    )
    assert bool(out.loc[("R1", "K"), "specialisation_star"])
    out = cluster_stars(stars_matrix(), ref, specialisation_lq=2.6).set_index(
        ["region", "category"]
    )
    assert not bool(out.loc[("R1", "K"), "specialisation_star"])
    # top 30 % of 10 regions = 3 ranks: K size -> R0, R1 (rank 1), R2 (rank 3)
    wide = cluster_stars(stars_matrix(), ref, size_top_share=0.3).set_index(["region", "category"])
    assert bool(wide.loc[("R2", "K"), "size_star"])
    assert out.attrs["specialisation_lq"] == 2.6
    with pytest.raises(ValidationError, match="top share"):
        cluster_stars(stars_matrix(), ref, focus_top_share=0)


def test_cluster_stars_zero_employment_never_a_star() -> None:
    m = pd.DataFrame({"K": [0.0, 0.0, 0.0], "O": [10.0, 20.0, 30.0]}, index=["A", "B", "C"])
    out = cluster_stars(m, pd.Series({"K": 5.0, "O": 60.0}))
    assert out.loc[out["category"] == "K", "stars"].tolist() == [0, 0, 0]


def test_specialisation_quadrant_hand_example() -> None:
    lq0 = pd.DataFrame({"X": [1.2, 0.5], "Y": [1.5, 0.9]}, index=["A", "B"])
    lq1 = pd.DataFrame({"X": [1.5, 0.8], "Y": [1.0, 0.9]}, index=["A", "B"])
    q = specialisation_quadrant(lq0, lq1).set_index(["region", "sector"])["quadrant"]
    assert q[("A", "X")] == "star"  # 1.5 >= 1, +0.3
    assert q[("A", "Y")] == "mature"  # 1.0 at the threshold counts as specialised, -0.5
    assert q[("B", "X")] == "emerging"  # 0.8 < 1, +0.3
    assert q[("B", "Y")] == "transforming"  # 0.9 < 1, change exactly 0 is not growth
    with pytest.raises(ValidationError, match="NaN"):
        specialisation_quadrant(lq0, lq1.assign(X=[np.nan, 1.0]))
