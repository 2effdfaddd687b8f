"""Classic shift-share decomposition (Dunn 1960).

For region r, sector s, between a start and an end period, with a reference ("national") economy N:

    g_N   = N^1 / N^0 - 1                 growth of the whole reference economy
    g_Ns  = N_s^1 / N_s^0 - 1             growth of sector s in the reference economy
    NS_rs = E_rs^0 * g_N                  national share
    IM_rs = E_rs^0 * (g_Ns - g_N)         industry mix
    RS_rs = E_rs^0 * (g_rs - g_Ns)        regional (competitive) shift
          = (E_rs^1 - E_rs^0) - NS_rs - IM_rs

NS + IM + RS = E_rs^1 - E_rs^0 holds by construction (RS is computed as the remainder, which equals
the formula above whenever E_rs^0 > 0 and makes a sector that is new in the region pure regional
shift).  Source: Dunn, E. S. (1960) "A statistical and analytical technique for regional analysis",
Papers of the Regional Science Association 6(1): 97-112.
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import ValidationError
from workbench.evidence.matrix import Missing, _listing, check_matrix
from workbench.evidence.reference import ReferenceLike, as_reference

COMPONENTS = ("national_share", "industry_mix", "regional_shift")


def shift_share(
    start: pd.DataFrame,
    end: pd.DataFrame,
    reference: ReferenceLike,
    *,
    reference_end: ReferenceLike | None = None,
    missing: Missing = "raise",
) -> pd.DataFrame:
    """Dunn shift-share of every region and sector between two region x sector matrices.

    ``reference`` is resolved against ``start`` and against ``end`` (e.g. ``"own_country"`` sums each
    period's regions of the country); a reference given as sector totals needs ``reference_end``
    (the totals at the end period).  Both matrices must have the same regions and sectors.
    Returns a long table: region, sector, start, end, change, national_share, industry_mix,
    regional_shift.  A sector with zero reference employment at the start raises (g_Ns undefined).
    """
    m0 = check_matrix(start, missing=missing, name="start")
    m1 = check_matrix(end, missing=missing, name="end")
    if set(m0.index) != set(m1.index) or set(m0.columns) != set(m1.columns):
        only0 = sorted(set(m0.index) ^ set(m1.index)) + sorted(set(m0.columns) ^ set(m1.columns))
        raise ValidationError(
            f"shift_share: start and end differ in regions/sectors: {_listing(only0, len(only0))}"
        )
    m1 = m1.loc[m0.index, m0.columns]
    ref0 = as_reference(reference)
    ref1 = ref0 if reference_end is None else as_reference(reference_end)
    if ref0.kind == "totals" and reference_end is None:
        raise ValidationError(
            "shift_share: a reference given as totals needs reference_end (end-period totals)"
        )
    n0_s, n0 = ref0.resolve(m0)
    n1_s, n1 = ref1.resolve(m1)
    zero = (n0_s == 0).any(axis=0)
    if zero.any():
        bad = n0_s.columns[zero.to_numpy()]
        raise ValidationError(
            f"shift_share: sector(s) with zero reference employment at the start: {_listing(bad, len(bad))}"
        )
    if (n0 <= 0).any():
        raise ValidationError(
            "shift_share: reference economy has zero total employment at the start"
        )
    g_n = (n1 / n0 - 1.0).to_numpy()[:, None]
    g_ns = (n1_s / n0_s - 1.0).to_numpy()
    e0 = m0.to_numpy()
    e1 = m1.to_numpy()
    change = e1 - e0
    ns = e0 * g_n
    im = e0 * (g_ns - g_n)
    rs = change - ns - im
    out = pd.DataFrame(
        {
            "region": pd.Index(m0.index).repeat(m0.shape[1]),
            "sector": list(m0.columns) * m0.shape[0],
            "start": e0.ravel(),
            "end": e1.ravel(),
            "change": change.ravel(),
            "national_share": ns.ravel(),
            "industry_mix": im.ravel(),
            "regional_shift": rs.ravel(),
        }
    )
    out.attrs.update(reference=ref0.label)
    return out


def shift_share_summary(result: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`shift_share` table over sectors: one row per region (same columns)."""
    cols = ["start", "end", "change", *COMPONENTS]
    return result.groupby("region", sort=False)[cols].sum().reset_index()
