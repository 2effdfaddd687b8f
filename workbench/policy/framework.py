"""The current policy framework: coherence of the instruments in force with the six dimensions and
the horizontal multi-level governance theme (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.errors import ValidationError
from workbench.policy.settings import DIMENSIONS, HORIZONTAL

COVERAGE = ("not covered", "covered", "covered twice or more")


def coherence(instruments: pd.DataFrame, regions: Iterable[str] | None = None) -> pd.DataFrame:
    """Region x dimension coverage by instruments in force (every pair present).

    ``n_instruments`` = instruments whose ``dimensions`` list contains the dimension; ``coverage``:
    0 -> ``not covered``, 1 -> ``covered``, >= 2 -> ``covered twice or more`` (possible overlap to
    check for duplication); ``horizontal`` marks the governance theme.
    """
    need = ("instrument_id", "region", "name", "dimensions")
    missing = [c for c in need if c not in instruments.columns]
    if missing:
        raise ValidationError(f"instruments lack column(s) {', '.join(missing)}")
    regions = sorted(set(instruments["region"])) if regions is None else list(regions)
    df = instruments[instruments["region"].isin(regions)]
    df = df.assign(dimensions=df["dimensions"].map(lambda d: list(d) if d is not None else []))
    df = df.explode("dimensions").rename(columns={"dimensions": "dimension"})
    df = df[df["dimension"].notna()]
    grid = pd.MultiIndex.from_product([regions, list(DIMENSIONS)], names=["region", "dimension"])
    agg = (
        df.groupby(["region", "dimension"])
        .agg(n_instruments=("instrument_id", "nunique"),
             instruments=("name", lambda s: "; ".join(sorted(set(map(str, s))))))
        .reindex(grid)
        .reset_index()
    )  # fmt: skip
    agg["n_instruments"] = agg["n_instruments"].fillna(0).astype(int)
    agg["instruments"] = agg["instruments"].fillna("")
    agg["coverage"] = np.select(
        [agg["n_instruments"] == 0, agg["n_instruments"] == 1],
        list(COVERAGE[:2]),
        default=COVERAGE[2],
    )
    agg["horizontal"] = agg["dimension"].isin(HORIZONTAL)
    return agg


def coherence_summary(cov: pd.DataFrame) -> pd.DataFrame:
    """Per region: the dimensions not covered and those covered twice or more (comma-separated)."""
    rows = []
    for region, g in cov.groupby("region", sort=True):
        rows.append({
            "region": region,
            "n_covered": int((g["n_instruments"] > 0).sum()),
            "not_covered": ", ".join(g.loc[g["coverage"] == COVERAGE[0], "dimension"]),
            "covered_twice_or_more": ", ".join(g.loc[g["coverage"] == COVERAGE[2], "dimension"]),
            "governance_covered": bool(g.loc[g["horizontal"], "n_instruments"].sum() > 0),
        })  # fmt: skip
    return pd.DataFrame(rows)
