"""Specialisation measures of regions: LQ/RCA, binary specialisation, Hachman, Krugman, Herfindahl, CAGR.

Input is a region x sector matrix (see :mod:`workbench.evidence.matrix`) and an explicit reference
economy (see :mod:`workbench.evidence.reference`).  Notation: E_rs employment of region r in sector s,
E_r its total, R_s and R the same for the reference economy; s_rs = E_rs / E_r, s_Rs = R_s / R.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ValidationError
from workbench.evidence.matrix import Missing, OnEmpty, _listing, check_matrix, drop_empty
from workbench.evidence.reference import ReferenceEconomy, ReferenceLike, as_reference
from workbench.evidence.settings import setting


def _prepared(
    matrix: pd.DataFrame, missing: Missing, on_empty: OnEmpty
) -> tuple[pd.DataFrame, list[str]]:
    m = check_matrix(matrix, missing=missing)
    return drop_empty(m, on_empty=on_empty)


def _check_totals_consistent(
    ref: ReferenceEconomy, matrix: pd.DataFrame, region_totals: pd.Series | None
) -> None:
    """Refuse an LQ whose two shares are taken over different economies.

    With ``ReferenceEconomy.totals(..., total=R)`` R covers the whole reference economy; the
    regional share E_rs / E_r must then use each region's whole-economy total E_r too.  Without
    ``region_totals`` E_r would be the sum of the matrix's sectors only, and every LQ would be
    multiplied by R / sum_s R_s (issue 10, item 11).  The converse (region totals given, R only the
    matrix's sectors) deflates every LQ by the same kind of factor and is refused as well.
    """
    if ref.kind != "totals" or ref.sector_totals is None:
        return
    covered = float(ref.sector_totals.reindex(matrix.columns).sum())
    total = float(ref.total) if ref.total is not None else None
    whole = total is not None and not np.isclose(total, covered, rtol=1e-9)
    if whole and region_totals is None:
        raise ValidationError(
            f"reference economy {ref.label!r}: total R = {total:,.6g} is larger than the "
            f"sum of its sector totals over the matrix's sectors ({covered:,.6g}), so it covers "
            "the whole economy: give region_totals (each region's total over the same whole "
            "economy) as well, or leave total= out; otherwise every LQ would be inflated by a "
            f"factor of {(total or 0.0) / covered:.3g}"
        )
    if not whole and region_totals is not None:
        raise ValidationError(
            f"reference economy {ref.label!r}: region_totals cover each region's whole economy "
            "but the reference total is only the sum of the matrix's sectors: give the reference "
            "economy's whole total as ReferenceEconomy.totals(..., total=R)"
        )


def location_quotient(
    matrix: pd.DataFrame,
    reference: ReferenceLike,
    *,
    region_totals: pd.Series | None = None,
    missing: Missing = "raise",
    on_empty: OnEmpty = "raise",
) -> pd.DataFrame:
    """Location quotient (Balassa-Hoover RCA): LQ_rs = (E_rs / E_r) / (R_s / R).

    Sources: Balassa (1965) "Trade liberalisation and revealed comparative advantage", Manchester
    School 33(2); Hoover (1936).  ``reference`` is required (no silent "total of the rows passed").
    ``region_totals``: E_r when the matrix covers only part of the economy (default: row sums).
    Regions with zero total and sectors with zero reference total raise, or are dropped with
    ``on_empty="drop"`` (listed in ``result.attrs["dropped_regions"/"dropped_sectors"]``).
    """
    ref = as_reference(reference)
    m, dropped_r = _prepared(matrix, missing, on_empty)
    totals = (
        m.sum(axis=1) if region_totals is None else region_totals.reindex(m.index).astype(float)
    )
    if totals.isna().any() or (totals <= 0).any():
        bad = totals.index[(totals.isna() | (totals <= 0)).to_numpy()]
        raise ValidationError(
            f"region total missing or not positive for: {_listing(bad, len(bad))}"
        )
    _check_totals_consistent(ref, m, region_totals)
    ref_s, ref_total = ref.resolve(m, None if region_totals is None else totals)
    zero = (ref_s == 0).any(axis=0)
    dropped_s = [str(c) for c in ref_s.columns[zero.to_numpy()]]
    if dropped_s:
        if on_empty == "raise":
            raise ValidationError(
                f"sector(s) with zero employment in the reference economy {ref.label!r}: "
                f"{_listing(dropped_s, len(dropped_s))}; the LQ is undefined "
                "(pass on_empty='drop' to leave them out, or change the reference)"
            )
        m, ref_s = m.loc[:, ~zero.to_numpy()], ref_s.loc[:, ~zero.to_numpy()]
    num = m.to_numpy() / totals.to_numpy()[:, None]
    den = ref_s.to_numpy() / ref_total.to_numpy()[:, None]
    lq = pd.DataFrame(num / den, index=m.index, columns=m.columns)
    lq.attrs.update(
        reference=ref.label, dropped_regions=dropped_r, dropped_sectors=dropped_s, measure="LQ"
    )
    return lq


rca = location_quotient


def reaches(
    values: pd.DataFrame | pd.Series, threshold: float, tie_tolerance: float | None = None
) -> pd.DataFrame | pd.Series:
    """values >= threshold, counting values within a relative ``tie_tolerance`` below it as ties."""
    tol = setting("specialisation", "tie_tolerance") if tie_tolerance is None else tie_tolerance
    return values >= threshold * (1.0 - tol) if threshold > 0 else values >= threshold - tol


def binary_specialisation(
    lq: pd.DataFrame, threshold: float | None = None, *, tie_tolerance: float | None = None
) -> pd.DataFrame:
    """Binary specialisation M_rs = 1 if LQ_rs >= threshold else 0 (threshold from evidence.yml, 1).

    A tie (LQ exactly at the threshold, up to ``tie_tolerance``) counts as specialised.
    """
    t = setting("specialisation", "lq_threshold") if threshold is None else float(threshold)
    if lq.isna().to_numpy().any():
        raise ValidationError("binary_specialisation: the LQ matrix has NaN cells")
    out = reaches(lq, t, tie_tolerance).astype(int)
    out.attrs.update(lq.attrs, threshold=t)
    return out


def hachman_index(
    matrix: pd.DataFrame,
    reference: ReferenceLike,
    *,
    missing: Missing = "raise",
    on_empty: OnEmpty = "raise",
) -> pd.Series:
    """Hachman index HI_r = 1 / sum_s (LQ_rs * s_rs) = 1 / sum_s (s_rs^2 / s_Rs), in (0, 1].

    1 means the region's sector structure equals the reference economy's; lower is more specialised.
    Source: Hachman (1994), Economic Report to the Governor, State of Utah; see Wagner (2000),
    J. Regional Analysis and Policy 30(2).
    """
    lq = location_quotient(matrix, reference, missing=missing, on_empty=on_empty)
    m = check_matrix(matrix, missing=missing).loc[lq.index, lq.columns]
    s = m.div(m.sum(axis=1), axis=0)
    hi = 1.0 / (lq * s).sum(axis=1)
    hi.name = "hachman"
    hi.attrs.update(reference=lq.attrs["reference"])
    return hi


def krugman_index(
    matrix: pd.DataFrame,
    reference: ReferenceLike,
    *,
    half: bool | None = None,
    missing: Missing = "raise",
    on_empty: OnEmpty = "raise",
) -> pd.Series:
    """Krugman specialisation index K_r = sum_s |s_rs - s_Rs| (range 0..2).

    With ``half=True`` it is multiplied by 1/2 (range 0..1); the default comes from evidence.yml
    (``krugman_half: false``: no 1/2 factor, as in Krugman 1991, "Geography and Trade", and
    Midelfart-Knarvik et al. 2000).  0 = same structure as the reference economy.
    """
    use_half = setting("specialisation", "krugman_half") if half is None else half
    ref = as_reference(reference)
    m, _ = _prepared(matrix, missing, on_empty)
    ref_s, _ = ref.resolve(m)
    s = m.div(m.sum(axis=1), axis=0)
    sr = ref_s.div(ref_s.sum(axis=1), axis=0)
    k = (s - sr).abs().sum(axis=1)
    if use_half:
        k = k / 2.0
    k.name = "krugman"
    k.attrs.update(reference=ref.label, half=bool(use_half))
    return k


def herfindahl_index(
    matrix: pd.DataFrame, *, missing: Missing = "raise", on_empty: OnEmpty = "raise"
) -> pd.DataFrame:
    """Herfindahl-Hirschman concentration H_r = sum_s s_rs^2 and diversity 1/H_r.

    1/H_r is the "effective number of sectors" (Adelman 1969); H = 1/n for an even spread over n
    sectors, 1 for a single sector.  Returns columns ``herfindahl`` and ``diversity``.
    """
    m, _ = _prepared(matrix, missing, on_empty)
    s = m.div(m.sum(axis=1), axis=0)
    h = (s**2).sum(axis=1)
    return pd.DataFrame({"herfindahl": h, "diversity": 1.0 / h})


def cagr(
    start: pd.Series | pd.DataFrame,
    end: pd.Series | pd.DataFrame,
    years: float,
    *,
    invalid: str = "raise",
) -> pd.Series | pd.DataFrame:
    """Compound annual growth rate: (end / start) ** (1 / years) - 1.

    ``start`` must be positive and ``end`` non-negative; otherwise raise (``invalid="raise"``) or
    give NaN for exactly those cells (``invalid="nan"``).
    """
    if years <= 0:
        raise ValidationError(f"cagr: years must be positive, got {years}")
    start_f = start.astype(float)
    end_f = end.astype(float)
    bad = (start_f <= 0) | (end_f < 0) | start_f.isna() | end_f.isna()
    if np.asarray(bad).any():
        if invalid == "raise":
            where = bad.stack() if isinstance(bad, pd.DataFrame) else bad
            labels = where.index[where.to_numpy()]
            raise ValidationError(
                f"cagr: start not positive, end negative or missing at {_listing(labels, len(labels))}"
                " (pass invalid='nan' to give NaN there)"
            )
        if invalid != "nan":
            raise ValidationError(f"invalid must be 'raise' or 'nan', not {invalid!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (end_f / start_f) ** (1.0 / years) - 1.0
    return out.mask(bad)
