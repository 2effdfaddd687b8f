"""Peer regions ("parallel contexts"): which regions are structurally most similar to a region.

Distance (documented choice): weighted Euclidean distance between standardised variables,

    z_rk = (x_rk - mean_k) / sd_k          over the compared regions (population sd, ddof = 0),
    d_ij = sqrt( sum_k w_k (z_ik - z_jk)^2 / sum_k w_k ),

after log-transforming strongly skewed level variables (``evidence.yml`` ``peers.log_variables``).
Sector-structure shares enter as one block whose weights sum to ``structure_block_weight`` (1), so
that 88 sector shares do not outweigh GDP per head.  The contribution of variable k to a distance
is its share of the squared distance, w_k (z_ik - z_jk)^2 / sum_k' w_k' (z_ik' - z_jk')^2 (sums to 1).
Standardised Euclidean distance for regional benchmarking follows e.g. the Regional Benchmarking
approach of Navarro et al. (2014), "Regional benchmarking in the smart specialisation process",
JRC S3 Working Paper Series 03/2014 (structural similarity of regions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence.matrix import _listing, check_matrix, country_of

STRUCTURE_PREFIX = "share:"


def structure_variables(
    employment: pd.DataFrame, extra: pd.DataFrame | None = None, *, missing: str = "raise"
) -> pd.DataFrame:
    """Region x variable table: sector shares of employment (``share:<sector>``) plus ``extra``.

    ``extra``: region x variable table of other structural variables (gdp_per_head,
    population_density, rd_intensity, ...).  Only regions present in both are kept.
    """
    m = check_matrix(employment, missing=missing, name="employment")  # type: ignore[arg-type]
    tot = m.sum(axis=1)
    if (tot <= 0).any():
        bad = tot.index[(tot <= 0).to_numpy()]
        raise ValidationError(
            f"structure_variables: region(s) without employment: {_listing(bad, len(bad))}"
        )
    shares = m.div(tot, axis=0).add_prefix(STRUCTURE_PREFIX)
    if extra is None:
        return shares
    return shares.join(extra, how="inner")


def default_weights(
    columns: Sequence[str], structure_block_weight: float | None = None
) -> dict[str, float]:
    """Weight 1 per variable; the ``share:`` columns share ``structure_block_weight`` equally."""
    block = (
        load_defaults("evidence")["peers"]["structure_block_weight"]
        if structure_block_weight is None
        else structure_block_weight
    )
    shares = [c for c in columns if str(c).startswith(STRUCTURE_PREFIX)]
    return {c: (block / len(shares) if c in shares else 1.0) for c in columns}


def standardise(
    variables: pd.DataFrame, *, log_variables: Sequence[str] | None = None
) -> pd.DataFrame:
    """z-scores of each column over the rows (ddof = 0), after log of ``log_variables``.

    Constant columns carry no information and are dropped (listed in ``attrs["constant"]``).
    Non-positive values of a log variable raise.
    """
    logs = (
        load_defaults("evidence")["peers"]["log_variables"]
        if log_variables is None
        else log_variables
    )
    x = variables.astype(float).copy()
    for col in logs:
        if col in x.columns:
            if (x[col] <= 0).any():
                bad = x.index[(x[col] <= 0).to_numpy()]
                raise ValidationError(
                    f"{col}: log needs positive values; not positive for {_listing(bad, len(bad))}"
                )
            x[col] = np.log(x[col])
    sd = x.std(axis=0, ddof=0)
    constant = [str(c) for c in x.columns[(sd == 0).to_numpy()]]
    x = x.loc[:, sd > 0]
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=0)
    z.attrs["constant"] = constant
    return z


def peer_regions(
    variables: pd.DataFrame,
    region: str,
    *,
    n: int | None = None,
    exclude_own_country: bool | None = None,
    weights: Mapping[str, float] | None = None,
    log_variables: Sequence[str] | None = None,
    missing: str = "raise",
) -> pd.DataFrame:
    """The ``n`` regions nearest to ``region`` by weighted Euclidean distance on standardised variables.

    ``variables``: region x variable table (e.g. from :func:`structure_variables`).
    ``exclude_own_country``: leave out regions of the same country (NUTS prefix).
    ``missing``: NaN values raise (``"raise"``) or exclude those candidate regions
    (``"exclude_regions"``; the region itself must be complete).
    Returns one row per peer, nearest first: rank, region, country, distance, main_driver,
    same_data_as (other candidate regions with identical variables, e.g. regions split from one
    NUTS 2013 region; with ``peers.identical_regions: collapse`` in evidence.yml they are not listed
    as separate peers) and a column ``contrib:<variable>`` per variable with its share of the
    squared distance.
    """
    cfg = load_defaults("evidence")["peers"]
    n_peers = cfg["n"] if n is None else int(n)
    excl = cfg["exclude_own_country"] if exclude_own_country is None else bool(exclude_own_country)
    if n_peers < 1:
        raise ValidationError(f"n must be at least 1, got {n_peers}")
    if region not in variables.index:
        raise ValidationError(f"region {region!r} is not in the variables table")
    v = variables.astype(float)
    nan_rows = v.index[v.isna().any(axis=1).to_numpy()]
    if len(nan_rows):
        if region in nan_rows:
            cols = list(v.columns[v.loc[region].isna().to_numpy()])
            raise ValidationError(
                f"region {region!r} has missing values for: {_listing(cols, len(cols))}"
            )
        if missing == "raise":
            raise ValidationError(
                f"missing values for region(s) {_listing(nan_rows, len(nan_rows))}; "
                "pass missing='exclude_regions' to leave them out"
            )
        v = v.drop(index=nan_rows)
    # standardise over all compared regions, then pick candidates (exclusion does not rescale)
    z = standardise(v, log_variables=log_variables)
    candidates = pd.Index([r for r in z.index if r != region])
    if excl:
        own = country_of(region)
        candidates = pd.Index([r for r in candidates if country_of(r) != own])
    if len(candidates) == 0:
        raise ValidationError(f"no candidate peers for {region!r}")
    w_all = default_weights(list(z.columns)) if weights is None else dict(weights)
    unknown = [k for k in w_all if k not in variables.columns]
    if unknown:
        raise ValidationError(f"weights for unknown variable(s): {_listing(unknown, len(unknown))}")
    w = pd.Series({c: float(w_all.get(c, 0.0)) for c in z.columns})
    if (w < 0).any() or w.sum() <= 0:
        raise ValidationError("weights must be non-negative with a positive sum")
    diff2 = (z - z.loc[region]) ** 2 * w
    dist = np.sqrt(diff2.sum(axis=1) / w.sum()).loc[candidates]
    ranked = dist.sort_values(kind="stable").index
    # regions with identical standardised variables (split from one older NUTS region): one peer
    key = z.round(9).apply(tuple, axis=1)
    groups: dict[tuple, list[str]] = {}
    for r in ranked:
        groups.setdefault(key[r], []).append(r)
    if cfg.get("identical_regions", "collapse") == "collapse":
        order = pd.Index([r for r in ranked if groups[key[r]][0] == r][:n_peers])
    else:
        order = ranked[:n_peers]
    same = [", ".join(x for x in groups[key[r]] if x != r) for r in order]
    sq = diff2.loc[order]
    contrib = sq.div(sq.sum(axis=1).where(sq.sum(axis=1) > 0, 1.0), axis=0)
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "region": order,
            "country": [country_of(r) for r in order],
            "distance": dist.loc[order].to_numpy(),
            "main_driver": contrib.idxmax(axis=1).to_numpy(),
            "same_data_as": same,
        }
    )
    out = pd.concat([out, contrib.add_prefix("contrib:").reset_index(drop=True)], axis=1)
    out.attrs.update(
        region=region,
        exclude_own_country=excl,
        constant_variables=z.attrs["constant"],
        weights=w.to_dict(),
    )
    return out


def contributions_long(peers: pd.DataFrame) -> pd.DataFrame:
    """The ``contrib:`` columns of :func:`peer_regions` as a long table: region, variable, share."""
    cols = [c for c in peers.columns if c.startswith("contrib:")]
    long = peers.melt(id_vars=["region"], value_vars=cols, var_name="variable", value_name="share")
    long["variable"] = long["variable"].str.removeprefix("contrib:")
    return long
