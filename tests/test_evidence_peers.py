"""Peer regions: hand-computed standardised distances, own-country exclusion, contributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence import contributions_long, peer_regions, structure_variables
from workbench.evidence.peers import default_weights

# a: 0,1,2,3 -> mean 1.5, population sd sqrt(1.25) ; b: 0,0,0,4 -> mean 1, sd sqrt(3)
VARS = pd.DataFrame(
    {"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0, 0.0, 0.0, 4.0]}, index=["HR03", "HR04", "SI03", "AT11"]
)


def test_distances_hand_computed() -> None:
    out = peer_regions(VARS, "HR03", n=3, log_variables=[]).set_index("region")
    # d^2 = (sum_k (dz_k)^2) / 2 with equal weights
    # HR04: dz_a = 1/sqrt(1.25) -> 0.8 / 2 = 0.4
    # SI03: dz_a = 2/sqrt(1.25) -> 3.2 / 2 = 1.6
    # AT11: dz_a^2 = 9/1.25 = 7.2, dz_b^2 = 16/3 -> (7.2 + 5.333) / 2
    assert out.loc["HR04", "distance"] == pytest.approx(math.sqrt(0.4))
    assert out.loc["SI03", "distance"] == pytest.approx(math.sqrt(1.6))
    assert out.loc["AT11", "distance"] == pytest.approx(math.sqrt((7.2 + 16 / 3) / 2))
    assert out["rank"].tolist() == [1, 2, 3]
    assert out.loc["AT11", "contrib:a"] == pytest.approx(7.2 / (7.2 + 16 / 3))
    assert out.loc["AT11", "main_driver"] == "a"
    assert np.allclose(out[["contrib:a", "contrib:b"]].sum(axis=1), 1.0)


def test_exclude_own_country_keeps_standardisation() -> None:
    out = peer_regions(VARS, "HR03", n=5, exclude_own_country=True, log_variables=[])
    assert "HR04" not in set(out["region"]) and len(out) == 2
    # exclusion does not rescale: same distance to SI03 as without exclusion
    assert out.set_index("region").loc["SI03", "distance"] == pytest.approx(math.sqrt(1.6))
    assert out.attrs["exclude_own_country"] is True


def test_weights_log_and_structure_block() -> None:
    emp = pd.DataFrame(
        {"C10": [10.0, 30.0, 20.0, 5.0], "C20": [90.0, 70.0, 80.0, 95.0]}, index=VARS.index
    )
    extra = pd.DataFrame({"gdp_per_head": [10e3, 12e3, 20e3, 40e3]}, index=VARS.index)
    v = structure_variables(emp, extra)
    assert list(v.columns) == ["share:C10", "share:C20", "gdp_per_head"]
    assert v.loc["HR04", "share:C10"] == pytest.approx(0.3)
    w = default_weights(list(v.columns))
    assert w == {"share:C10": 0.5, "share:C20": 0.5, "gdp_per_head": 1.0}  # block sums to 1
    out = peer_regions(v, "HR03", n=1)
    # gdp_per_head is logged (evidence.yml): z of log values
    lg = np.log(extra["gdp_per_head"])
    z_gdp = (lg - lg.mean()) / lg.std(ddof=0)
    sh = v["share:C10"]
    z_sh = (sh - sh.mean()) / sh.std(ddof=0)  # C20 = 1 - C10: same |dz|
    d = {
        r: math.sqrt(
            (0.5 * 2 * (z_sh[r] - z_sh["HR03"]) ** 2 + (z_gdp[r] - z_gdp["HR03"]) ** 2) / 2
        )
        for r in ["HR04", "SI03", "AT11"]
    }
    best = min(d, key=d.get)
    assert out["region"].iat[0] == best and out["distance"].iat[0] == pytest.approx(d[best])
    only_gdp = peer_regions(v, "HR03", n=3, weights={"gdp_per_head": 1.0})
    assert only_gdp["region"].tolist() == ["HR04", "SI03", "AT11"]
    long = contributions_long(out)
    assert set(long["variable"]) == {"share:C10", "share:C20", "gdp_per_head"}


def test_missing_and_bad_input() -> None:
    v = VARS.copy()
    v.loc["SI03", "b"] = np.nan
    with pytest.raises(ValidationError, match="missing values for region"):
        peer_regions(v, "HR03", log_variables=[])
    out = peer_regions(v, "HR03", log_variables=[], missing="exclude_regions")
    assert "SI03" not in set(out["region"])
    with pytest.raises(ValidationError, match="missing values for"):
        peer_regions(v, "SI03", log_variables=[])
    with pytest.raises(ValidationError, match="not in the variables"):
        peer_regions(VARS, "XX11")
    with pytest.raises(ValidationError, match="n must be"):
        peer_regions(VARS, "HR03", n=0)
    with pytest.raises(ValidationError, match="log needs positive"):
        peer_regions(VARS.rename(columns={"a": "gdp_per_head"}), "HR03")
    with pytest.raises(ValidationError, match="no candidate"):
        peer_regions(VARS.loc[["HR03", "HR04"]], "HR03", exclude_own_country=True, log_variables=[])
    # a constant variable carries no information: dropped and reported
    out = peer_regions(VARS.assign(c=5.0), "HR03", log_variables=[])
    assert out.attrs["constant_variables"] == ["c"]
