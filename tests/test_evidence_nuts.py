"""NUTS 2013/2016 -> 2021 harmonisation with the real JRC conversion matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence import code_changes, conversion_table, harmonise_to_2021

# JRC n2_cm_v2013_v2021.csv, pop18 of the pieces of HR04 (read from the file by hand):
HR04_POP = {"HR02": 1099109.0, "HR05": 803527.8, "HR06": 823037.0}
HR04_TOTAL = sum(HR04_POP.values())  # 2725673.8


def test_conversion_table_shares(real_data: Path) -> None:
    t = conversion_table("2013", directory=real_data / "classifications")
    hr04 = t[t["from_code"] == "HR04"].set_index("to_code")
    assert hr04["share_of_from"].to_dict() == pytest.approx(
        {k: v / HR04_TOTAL for k, v in HR04_POP.items()}
    )
    assert hr04.loc["HR02", "share_of_to"] == pytest.approx(1.0)  # HR02 comes only from HR04
    assert t.groupby("from_code")["share_of_from"].sum().to_numpy() == pytest.approx(1.0)
    area = conversion_table("2013", weight="areaKm", directory=real_data / "classifications")
    # areaKm: HR02 23049.7 of 23049.7 + 640.9 + 8004.8
    assert area.set_index(["from_code", "to_code"]).loc[
        ("HR04", "HR02"), "share_of_from"
    ] == pytest.approx(23049.7 / (23049.7 + 640.9 + 8004.8))
    with pytest.raises(ValidationError, match="weight must be"):
        conversion_table("2013", weight="people")
    with pytest.raises(ValidationError, match="no JRC matrix"):
        conversion_table("2010")


def test_code_changes(real_data: Path) -> None:
    ch = code_changes("2013", directory=real_data / "classifications").set_index(
        ["from_code", "to_code"]
    )
    assert ch.loc[("HR03", "HR03"), "change"] == "unchanged"
    assert ch.loc[("HR04", "HR05"), "change"] == "split"
    assert ch.loc[("FR24", "FRB0"), "change"] == "recoded"
    assert ch.loc[("HU10", "HU11"), "change"] == "split"
    v16 = code_changes("2016", directory=real_data / "classifications").set_index(
        ["from_code", "to_code"]
    )
    assert v16.loc[("NO01", "NO08"), "change"] == "merged"  # NO01 + NO02 + part of NO03 -> NO08
    assert v16.loc[("NO03", "NO09"), "change"] == "split+merged"


def test_harmonise_extensive_and_intensive(real_data: Path) -> None:
    d = pd.DataFrame(
        {
            "period": ["2015"] * 4,
            "region": ["HR03", "HR04", "MK00", "SI03"],
            "value": [100.0, 300.0, 50.0, 70.0],
            "flag": ["", "b", "", ""],
        }
    )
    out = harmonise_to_2021(d, "2013", directory=real_data / "classifications")
    got = out.set_index("region")["value"]
    assert got["HR03"] == pytest.approx(100.0)
    for code, pop in HR04_POP.items():
        assert got[code] == pytest.approx(300.0 * pop / HR04_TOTAL)
    assert got["MK00"] == 50.0  # outside the JRC matrices but a valid NUTS 2021 code: kept
    assert out.attrs["kept_unchanged"] == ["MK00"]
    assert got.sum() == pytest.approx(d["value"].sum())  # counts are preserved
    assert list(out.columns) == ["period", "region", "value", "coverage"]  # flags are not combined
    v16 = harmonise_to_2021(d, "2016", directory=real_data / "classifications")
    assert v16.set_index("region")["value"].sum() == pytest.approx(d["value"].sum())
    assert "HR04" not in set(v16["region"]) and "HR06" in set(v16["region"])
    rate = harmonise_to_2021(d, "2013", kind="intensive", directory=real_data / "classifications")
    assert rate.set_index("region").loc["HR05", "value"] == pytest.approx(
        300.0
    )  # HR05 lies inside HR04


def test_harmonise_unknown_and_incomplete(real_data: Path) -> None:
    d = pd.DataFrame(
        {
            "period": ["2008", "2008", "2015"],
            "region": ["SI01", "HR03", "HR04"],
            "value": [1.0, 2.0, np.nan],
        }
    )
    with pytest.raises(ValidationError, match="SI01"):  # a NUTS 2010 code
        harmonise_to_2021(d, "2013", directory=real_data / "classifications")
    out = harmonise_to_2021(d, "2013", unknown="drop", directory=real_data / "classifications")
    assert out.attrs["unknown"] == ["SI01"]
    assert out["region"].tolist() == ["HR03"]  # HR04 missing in 2015 -> HR02/HR05/HR06 incomplete
    inc = out.attrs["incomplete"]
    assert set(inc["region"]) == set(HR04_POP) and (inc["coverage"] == 0).all()
    # HR04 present with a value, IE01 absent: IE06 (from IE01 and IE02) is incomplete
    d2 = pd.DataFrame({"region": ["IE02"], "value": [10.0]})
    out2 = harmonise_to_2021(d2, "2013", directory=real_data / "classifications")
    assert "IE06" not in set(out2["region"]) and "IE05" in set(out2["region"])
    assert "IE06" in set(out2.attrs["incomplete"]["region"])
    lenient = harmonise_to_2021(
        d2, "2013", min_coverage=0.5, directory=real_data / "classifications"
    )
    ie06 = lenient.set_index("region").loc["IE06"]
    assert 0.5 <= ie06["coverage"] < 1.0
