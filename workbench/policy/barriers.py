"""The matrix approach: barrier validation, the dimensions x phases matrix and cross-region comparison.

A barrier is recorded for one region, one learning phase (``policy.yml`` ``phases``) and one or more
dimensions, with a severity 0-3 and the evidence behind it.  Cells of the matrix without any barrier
or without evidence are findings too ("missing data is itself a finding").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.errors import ValidationError
from workbench.policy.barrier_input import validate_barrier
from workbench.policy.settings import DIMENSIONS, phases

__all__ = ["barrier_matrix", "evidence_gaps", "explode_dimensions", "matrix_pivot",
           "region_comparison", "validate_barrier"]  # fmt: skip
EVIDENCE_STATUS = ("no entries", "no evidence", "partly evidenced", "evidenced")


def _has_evidence(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip() != ""


def explode_dimensions(barriers: pd.DataFrame) -> pd.DataFrame:
    """One row per (barrier, dimension)."""
    need = ("barrier_id", "region", "dimensions", "phase", "severity")
    missing = [c for c in need if c not in barriers.columns]
    if missing:
        raise ValidationError(f"barriers lack column(s) {', '.join(missing)}")
    out = barriers.assign(
        dimensions=barriers["dimensions"].map(lambda d: list(d) if d is not None else [])
    )
    out = out.explode("dimensions").rename(columns={"dimensions": "dimension"})
    return out[out["dimension"].notna()]


def barrier_matrix(barriers: pd.DataFrame, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """The full dimensions x phases grid (7 x 4 cells, long format) for the given regions.

    Per cell: ``n_barriers`` (a barrier with two dimensions counts in both), ``n_regions``,
    ``mean_severity`` / ``max_severity`` (NaN for an empty cell), ``n_with_evidence`` and
    ``evidence_status``: ``no entries`` (nothing recorded - missing data), ``no evidence``,
    ``partly evidenced`` or ``evidenced``; ``lacks_evidence`` is True unless evidenced.
    """
    df = explode_dimensions(barriers)
    if regions is not None:
        df = df[df["region"].isin(list(regions))]
    df = df.assign(
        severity=pd.to_numeric(df["severity"], errors="coerce"),
        evidenced=_has_evidence(df["evidence"]) if "evidence" in df else False,
    )
    grid = pd.MultiIndex.from_product([DIMENSIONS, list(phases())], names=["dimension", "phase"])
    agg = (
        df.groupby(["dimension", "phase"])
        .agg(n_barriers=("barrier_id", "count"), n_regions=("region", "nunique"),
             mean_severity=("severity", "mean"), max_severity=("severity", "max"),
             n_with_evidence=("evidenced", "sum"))
        .reindex(grid)
        .reset_index()
    )  # fmt: skip
    for c in ("n_barriers", "n_regions", "n_with_evidence"):
        agg[c] = agg[c].fillna(0).astype(int)
    agg["evidence_status"] = np.select(
        [
            agg["n_barriers"] == 0,
            agg["n_with_evidence"] == 0,
            agg["n_with_evidence"] < agg["n_barriers"],
        ],
        ["no entries", "no evidence", "partly evidenced"],
        default="evidenced",
    )
    agg["lacks_evidence"] = agg["evidence_status"] != "evidenced"
    return agg


def matrix_pivot(matrix: pd.DataFrame, value: str = "n_barriers") -> pd.DataFrame:
    """Wide dimension x phase table of one matrix column (rows and columns in vocabulary order)."""
    if value not in matrix.columns:
        raise ValidationError(f"matrix has no column {value!r}")
    wide = matrix.pivot(index="dimension", columns="phase", values=value)
    return wide.reindex(index=list(DIMENSIONS), columns=list(phases()))


def region_comparison(
    barriers: pd.DataFrame, regions: Iterable[str], by: str = "dimension"
) -> pd.DataFrame:
    """Regions side by side: per region and ``by`` (``dimension`` or ``phase``) the number of barriers,
    the maximum and mean severity and the share evidenced; every region x category pair is present."""
    if by not in ("dimension", "phase"):
        raise ValidationError(f"by must be 'dimension' or 'phase', got {by!r}")
    regions = list(regions)
    df = explode_dimensions(barriers)
    df = df[df["region"].isin(regions)]
    df = df.assign(
        severity=pd.to_numeric(df["severity"], errors="coerce"),
        evidenced=_has_evidence(df["evidence"]) if "evidence" in df else False,
    )
    cats = list(DIMENSIONS) if by == "dimension" else list(phases())
    grid = pd.MultiIndex.from_product([regions, cats], names=["region", by])
    out = (
        df.groupby(["region", by])
        .agg(n_barriers=("barrier_id", "count"), max_severity=("severity", "max"),
             mean_severity=("severity", "mean"), n_with_evidence=("evidenced", "sum"))
        .reindex(grid)
        .reset_index()
    )  # fmt: skip
    out["n_barriers"] = out["n_barriers"].fillna(0).astype(int)
    out["n_with_evidence"] = out["n_with_evidence"].fillna(0).astype(int)
    out["share_evidenced"] = (out["n_with_evidence"] / out["n_barriers"]).where(
        out["n_barriers"] > 0
    )
    return out


def evidence_gaps(matrix: pd.DataFrame) -> pd.DataFrame:
    """The cells of a :func:`barrier_matrix` that lack evidence, most severe first."""
    cells = matrix[matrix["lacks_evidence"]].copy()
    order = {s: i for i, s in enumerate(EVIDENCE_STATUS)}
    cells["_o"] = cells["evidence_status"].map(order)
    cells = cells.sort_values(["max_severity", "_o"], ascending=[False, True], na_position="last")
    return cells.drop(columns="_o").reset_index(drop=True)
