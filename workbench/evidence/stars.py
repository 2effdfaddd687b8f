"""Cluster strength stars (European Cluster Observatory) and the specialisation-growth quadrant.

Stars (Ketels, C. & Protsiv, S. (2014) "European Cluster Panorama 2014", European Cluster
Observatory; method of Ketels & Sölvell 2006): a region-category (cluster category or sector) gets
one star for each of

- size:            employment among the top ``size_top_share`` (10 %) of regions in the same category;
- specialisation:  LQ >= ``specialisation_lq`` (2);
- focus:           the category's share of the region's employment among the top
                   ``focus_top_share`` (10 %) of regions in the same category.

The regions in the matrix are the comparison population.  "Top 10 %" of n regions means the first
ceil(0.10 * n) ranks (descending); ties share the better rank ("min" ranking), so every region tied
at the cut-off is in.  A region with zero employment in a category never gets a size or focus star.
Thresholds come from ``evidence.yml`` and can be overridden per call.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence.matrix import Missing, OnEmpty
from workbench.evidence.reference import ReferenceLike
from workbench.evidence.specialisation import location_quotient, reaches


def _top_share(values: pd.DataFrame, share: float) -> pd.DataFrame:
    """True where a value is within the top ``share`` of its column (ties at the cut-off included)."""
    if not 0 < share <= 1:
        raise ValidationError(f"top share must be in (0, 1], got {share}")
    n = values.shape[0]
    k = max(1, math.ceil(share * n - 1e-9))
    ranks = values.rank(axis=0, ascending=False, method="min")
    return (ranks <= k) & (values > 0)


def cluster_stars(
    employment: pd.DataFrame,
    reference: ReferenceLike,
    *,
    region_totals: pd.Series | None = None,
    size_top_share: float | None = None,
    specialisation_lq: float | None = None,
    focus_top_share: float | None = None,
    missing: Missing = "raise",
    on_empty: OnEmpty = "raise",
) -> pd.DataFrame:
    """ECO stars of every region x category.

    ``employment``: region x category matrix.  ``reference``: the economy of the LQ (explicit).
    ``region_totals``: each region's total employment when the categories do not cover the whole
    economy (used for LQ and focus; default row sums).
    Returns a long table: region, category, employment, lq, focus (share of region employment),
    size_star, specialisation_star, focus_star (booleans) and stars (0-3).
    """
    cfg = load_defaults("evidence")["stars"]
    size_share = cfg["size_top_share"] if size_top_share is None else size_top_share
    lq_min = cfg["specialisation_lq"] if specialisation_lq is None else specialisation_lq
    focus_share = cfg["focus_top_share"] if focus_top_share is None else focus_top_share

    lq = location_quotient(
        employment, reference, region_totals=region_totals, missing=missing, on_empty=on_empty
    )
    emp = employment.loc[lq.index, lq.columns].astype(float)
    if missing == "zero":
        emp = emp.fillna(0.0)
    totals = (
        emp.sum(axis=1) if region_totals is None else region_totals.reindex(emp.index).astype(float)
    )
    focus = emp.div(totals, axis=0)
    size_star = _top_share(emp, size_share)
    spec_star = reaches(lq, lq_min) & (emp > 0)
    focus_star = _top_share(focus, focus_share)
    out = pd.DataFrame(
        {
            "region": np.repeat(emp.index.to_numpy(), emp.shape[1]),
            "category": np.tile(emp.columns.to_numpy(), emp.shape[0]),
            "employment": emp.to_numpy().ravel(),
            "lq": lq.to_numpy().ravel(),
            "focus": focus.to_numpy().ravel(),
            "size_star": size_star.to_numpy().ravel(),
            "specialisation_star": spec_star.to_numpy().ravel(),
            "focus_star": focus_star.to_numpy().ravel(),
        }
    )
    out["stars"] = out[["size_star", "specialisation_star", "focus_star"]].sum(axis=1).astype(int)
    out.attrs.update(
        reference=lq.attrs["reference"],
        size_top_share=size_share,
        specialisation_lq=lq_min,
        focus_top_share=focus_share,
        dropped_regions=lq.attrs["dropped_regions"],
        dropped_sectors=lq.attrs["dropped_sectors"],
    )
    return out


def specialisation_quadrant(
    lq_start: pd.DataFrame,
    lq_end: pd.DataFrame,
    *,
    lq_threshold: float | None = None,
    change_threshold: float | None = None,
) -> pd.DataFrame:
    """Classify each region x sector by LQ (end period) against the change in LQ over the period.

    specialised (LQ_end >= lq_threshold) and growing (LQ_end - LQ_start > change_threshold): star;
    specialised and not growing: mature; not specialised and growing: emerging; neither:
    transforming.  Thresholds (1 and 0) and the labels come from ``evidence.yml``.  A change exactly
    at the threshold is "not growing"; an LQ exactly at the threshold is "specialised".
    Returns a long table: region, sector, lq_start, lq_end, lq_change, quadrant.
    """
    cfg = load_defaults("evidence")["quadrant"]
    t_lq = cfg["lq_threshold"] if lq_threshold is None else lq_threshold
    t_ch = cfg["change_threshold"] if change_threshold is None else change_threshold
    labels = cfg["labels"]
    if set(lq_start.index) != set(lq_end.index) or set(lq_start.columns) != set(lq_end.columns):
        raise ValidationError(
            "specialisation_quadrant: start and end LQ have different regions/sectors"
        )
    lq1 = lq_end.loc[lq_start.index, lq_start.columns]
    if lq_start.isna().to_numpy().any() or lq1.isna().to_numpy().any():
        raise ValidationError("specialisation_quadrant: LQ matrices have NaN cells")
    change = lq1 - lq_start
    spec = reaches(lq1, t_lq).to_numpy().ravel()
    grow = (change > t_ch).to_numpy().ravel()
    quadrant = np.where(
        spec,
        np.where(grow, labels["specialised_growing"], labels["specialised_declining"]),
        np.where(grow, labels["not_specialised_growing"], labels["not_specialised_declining"]),
    )
    return pd.DataFrame(
        {
            "region": np.repeat(lq_start.index.to_numpy(), lq_start.shape[1]),
            "sector": np.tile(lq_start.columns.to_numpy(), lq_start.shape[0]),
            "lq_start": lq_start.to_numpy().ravel(),
            "lq_end": lq1.to_numpy().ravel(),
            "lq_change": change.to_numpy().ravel(),
            "quadrant": quadrant,
        }
    )
