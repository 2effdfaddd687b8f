"""The LQ pitfall of ReferenceEconomy.totals(..., total=R) (issue 10, item 11): a whole-economy R
with sector-only region totals would inflate every LQ; it is refused, and the consistent call gives
the textbook value computed independently here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence.reference import ReferenceEconomy
from workbench.evidence.specialisation import location_quotient

# Two manufacturing divisions of three regions; each region also employs people in other sectors.
MATRIX = pd.DataFrame(
    {"C10": [30.0, 5.0, 12.0], "C25": [10.0, 25.0, 8.0]}, index=["HR03", "HR04", "SI03"]
)
REGION_TOTALS = pd.Series({"HR03": 400.0, "HR04": 350.0, "SI03": 220.0})  # whole economy
SECTOR_TOTALS = pd.Series({"C10": 4_000.0, "C25": 3_000.0, "F": 20_000.0})
R = 90_000.0  # the reference economy's whole total


def test_whole_economy_total_without_region_totals_is_refused() -> None:
    ref = ReferenceEconomy.totals(SECTOR_TOTALS, label="EU27 2021", total=R)
    with pytest.raises(ValidationError) as err:
        location_quotient(MATRIX, ref)
    message = str(err.value)
    assert "region_totals" in message and "EU27 2021" in message
    inflation = R / SECTOR_TOTALS[["C10", "C25"]].sum()
    assert f"{inflation:.3g}" in message


def test_whole_economy_total_with_region_totals_gives_the_textbook_lq() -> None:
    ref = ReferenceEconomy.totals(SECTOR_TOTALS, total=R)
    lq = location_quotient(MATRIX, ref, region_totals=REGION_TOTALS)
    for region in MATRIX.index:
        for sector in MATRIX.columns:
            expected = (MATRIX.loc[region, sector] / REGION_TOTALS[region]) / (
                SECTOR_TOTALS[sector] / R
            )
            assert lq.loc[region, sector] == pytest.approx(expected)


def test_region_totals_without_a_whole_reference_total_is_refused() -> None:
    with pytest.raises(ValidationError, match="total=R"):
        location_quotient(
            MATRIX, ReferenceEconomy.totals(SECTOR_TOTALS), region_totals=REGION_TOTALS
        )


def test_sector_only_reference_is_unchanged() -> None:
    """Both shares over the matrix's sectors: R defaults to (or equals) the covered sum."""
    covered = float(SECTOR_TOTALS[["C10", "C25"]].sum())
    plain = location_quotient(MATRIX, ReferenceEconomy.totals(SECTOR_TOTALS))
    explicit = location_quotient(MATRIX, ReferenceEconomy.totals(SECTOR_TOTALS, total=covered))
    assert np.allclose(plain.to_numpy(), explicit.to_numpy())
    shares = MATRIX.div(MATRIX.sum(axis=1), axis=0)
    ref_shares = SECTOR_TOTALS[["C10", "C25"]] / covered
    assert np.allclose(plain.to_numpy(), (shares / ref_shares).to_numpy())
