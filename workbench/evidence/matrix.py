"""Region x sector matrices: building them from long tables and checking them before analysis.

Every evidence function takes a *matrix*: a DataFrame with one row per region (index = region code)
and one column per sector, holding non-negative amounts (employment, value added ...).  Bad input is
refused with a :class:`~workbench.errors.ValidationError` naming the offending cells; the two
conventions that change numbers (missing cells, empty rows/columns) are explicit parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ValidationError
from workbench.geography.codes import country_of  # noqa: F401 (re-exported)

Missing = Literal["raise", "zero"]
OnEmpty = Literal["raise", "drop"]
MAX_LISTED = 10


def _listing(items: Iterable[object], total: int) -> str:
    shown = ", ".join(str(i) for i in list(items)[:MAX_LISTED])
    more = f" ... and {total - MAX_LISTED} more" if total > MAX_LISTED else ""
    return shown + more


def long_to_matrix(
    data: pd.DataFrame,
    *,
    region: str = "region",
    sector: str = "sector",
    value: str = "value",
) -> pd.DataFrame:
    """Pivot a long table (one row per region and sector) into a region x sector matrix.

    Region/sector pairs absent from the long table become NaN cells (missing, not zero), so that
    :func:`check_matrix` decides what happens to them.  Duplicate pairs are an error.
    """
    for col in (region, sector, value):
        if col not in data.columns:
            raise ValidationError(f"column {col!r} not found; columns are {list(data.columns)}")
    dup = data.duplicated([region, sector], keep=False)
    if dup.any():
        pairs = data.loc[dup, [region, sector]].drop_duplicates().itertuples(index=False)
        n = int(data.loc[dup, [region, sector]].drop_duplicates().shape[0])
        raise ValidationError(
            f"{n} duplicated ({region}, {sector}) pair(s): {_listing(map(tuple, pairs), n)}"
        )
    wide = data.pivot(index=region, columns=sector, values=value)
    wide.index.name = "region"
    wide.columns.name = "sector"
    return wide.astype(float)


def matrix_to_long(matrix: pd.DataFrame, value_name: str = "value") -> pd.DataFrame:
    """Region x sector matrix -> long table with columns region, sector, ``value_name``."""
    out = matrix.rename_axis(index="region", columns="sector").stack()  # keeps NaN cells (pandas 3)
    return out.rename(value_name).reset_index()


def check_matrix(
    matrix: pd.DataFrame,
    *,
    missing: Missing = "raise",
    name: str = "matrix",
) -> pd.DataFrame:
    """Validate a region x sector matrix and return it as float.

    Rules: not empty; unique region and sector labels; numeric; no negative values; no infinite
    values; NaN cells raise (``missing="raise"``) or count as zero (``missing="zero"``, the
    py-ecomplexity convention).
    """
    if not isinstance(matrix, pd.DataFrame):
        raise ValidationError(f"{name}: expected a region x sector DataFrame, got {type(matrix)}")
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValidationError(
            f"{name}: empty matrix ({matrix.shape[0]} regions x {matrix.shape[1]} sectors)"
        )
    for axis, labels in (("region", matrix.index), ("sector", matrix.columns)):
        if labels.has_duplicates:
            d = labels[labels.duplicated()].unique()
            raise ValidationError(f"{name}: duplicated {axis} label(s): {_listing(d, len(d))}")
    try:
        values = matrix.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name}: non-numeric values ({exc})") from exc
    arr = values.to_numpy()
    if np.isinf(arr).any():
        r, c = np.nonzero(np.isinf(arr))
        cells = [f"({values.index[i]}, {values.columns[j]})" for i, j in zip(r, c, strict=True)]
        raise ValidationError(
            f"{name}: infinite value in {len(cells)} cell(s): {_listing(cells, len(cells))}"
        )
    neg = arr < 0
    if neg.any():
        r, c = np.nonzero(neg)
        cells = [
            f"({values.index[i]}, {values.columns[j]}) = {arr[i, j]:g}"
            for i, j in zip(r, c, strict=True)
        ]
        raise ValidationError(
            f"{name}: negative value in {len(cells)} cell(s): {_listing(cells, len(cells))}"
        )
    nan = np.isnan(arr)
    if nan.any():
        if missing == "zero":
            values = values.fillna(0.0)
        elif missing == "raise":
            r, c = np.nonzero(nan)
            cells = [f"({values.index[i]}, {values.columns[j]})" for i, j in zip(r, c, strict=True)]
            raise ValidationError(
                f"{name}: {len(cells)} missing (NaN) cell(s): {_listing(cells, len(cells))}; "
                "fill them, drop the regions/sectors, or pass missing='zero' to count them as zero"
            )
        else:
            raise ValidationError(f"missing must be 'raise' or 'zero', not {missing!r}")
    values.index.name = values.index.name or "region"
    values.columns.name = values.columns.name or "sector"
    return values


def drop_empty(
    matrix: pd.DataFrame, *, on_empty: OnEmpty = "raise", name: str = "matrix"
) -> tuple[pd.DataFrame, list[str]]:
    """Handle regions whose total is zero (their sector shares are 0/0).

    ``on_empty="raise"``: ValidationError naming them.  ``"drop"``: remove them and return their
    codes, so the caller can report what was left out.  Returns (matrix, dropped regions).
    (Sectors with zero total are harmless for shares; an LQ checks its reference economy instead.)
    """
    if on_empty not in ("raise", "drop"):
        raise ValidationError(f"on_empty must be 'raise' or 'drop', not {on_empty!r}")
    region_empty = matrix.index[(matrix.sum(axis=1) == 0).to_numpy()]
    if len(region_empty) == 0:
        return matrix, []
    if on_empty == "raise":
        raise ValidationError(
            f"{name}: region(s) with zero total: {_listing(region_empty, len(region_empty))} "
            "(shares are undefined; pass on_empty='drop' to leave them out)"
        )
    kept = matrix.loc[~matrix.index.isin(region_empty)]
    return kept, [str(r) for r in region_empty]


def shares(matrix: pd.DataFrame, totals: pd.Series | None = None) -> pd.DataFrame:
    """Sector shares of each region: s_rs = E_rs / E_r (E_r = row sum unless ``totals`` given)."""
    denom = matrix.sum(axis=1) if totals is None else totals.reindex(matrix.index)
    if denom.isna().any() or (denom <= 0).any():
        bad = denom.index[(denom.isna() | (denom <= 0)).to_numpy()]
        raise ValidationError(
            f"region total missing or not positive for: {_listing(bad, len(bad))}"
        )
    return matrix.div(denom, axis=0)
