"""Synthetic region x sector employment panels (labelled synthetic) for the complexity tests and
benchmark: a nested structure (capable regions hold complex sectors, as in Hidalgo & Hausmann
2009) with lognormal noise, so that RCA, ECI and PCI have something to find."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_employment_panel(
    regions: int, sectors: int, periods: int, seed: int = 1, first_period: int = 2010
) -> pd.DataFrame:
    """Columns period, region (``R000`` ...), sector (``S000`` ...), value (employment).

    value = lognormal(3, 1)_region x lognormal(2, 1)_sector x exp(1.5 clip(cap_r - req_s, -3, 3))
    x lognormal(0, 0.5) noise per period, with capability cap and requirement req ~ N(0, 1).
    """
    rng = np.random.default_rng(seed)
    cap = rng.normal(size=regions)
    req = rng.normal(size=sectors)
    base = (
        rng.lognormal(3, 1, regions)[:, None]
        * rng.lognormal(2, 1, sectors)[None, :]
        * np.exp(1.5 * np.clip(cap[:, None] - req[None, :], -3, 3))
    )
    cube = np.stack([base * rng.lognormal(0, 0.5, base.shape) for _ in range(periods)])
    t, c, p = np.indices(cube.shape)
    return pd.DataFrame(
        {
            "period": first_period + t.ravel(),
            "region": [f"R{i:03d}" for i in c.ravel()],
            "sector": [f"S{i:03d}" for i in p.ravel()],
            "value": cube.ravel(),
        }
    )
