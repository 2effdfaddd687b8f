"""Relatedness and economic complexity of regions and sectors, vectorised over many periods.

Chain, for every period t (notation of Hidalgo & Hausmann 2009, PNAS 106(26), and Hausmann et al.
2014, *The Atlas of Economic Complexity*):

1. RCA_cp = (X_cp / X_c) / (R_p / R) against an explicit reference economy (LQ), and presence
   M_cp = 1 if RCA_cp >= threshold (1), else 0.
2. diversity k_c = sum_p M_cp, ubiquity k_p = sum_c M_cp.
3. proximity phi_pq = min(P(M_p | M_q), P(M_q | M_p)) = C_pq / max(k_p, k_q), C = M'M the
   co-occurrence counts (Hidalgo, Klinger, Barabasi & Hausmann 2007, Science 317).
4. relatedness density w_cp = sum_q M_cq phi_pq / sum_q phi_pq, in [0, 1] (x100 for EconGeo's 0-100
   scale; EconGeo/Balland et al. 2019 also leave out q = p: ``include_self=False``).
5. ECI/PCI by the eigenvector method: kp = eigenvector of M~pp = D_p^-1 M' D_c^-1 M for the second
   largest eigenvalue, scaled to unit length, kc = D_c^-1 M kp; the sign is chosen so that kc
   correlates positively with diversity.  Raw values are ``eci_raw``/``pci_raw``.  Normalised:
   eci = (kc - mean kc) / sd kc; pci = (kp - mean kc) / sd kc (``pci_normalisation="eci"``, Stata
   ``ecomplexity`` / py-ecomplexity, which keeps ECI = mean PCI of a region's sectors) or
   (kp - mean kp) / sd kp (``"own"``).  sd is the population sd (ddof = 0).
6. complexity outlook COI_c = sum_p w_cp (1 - M_cp) kp_p (``coi_raw``; ``coi`` is its z-score) and
   gain COG_cp = (1 - M_cp) sum_q phi_qp / (sum_r phi_qr) (1 - M_cq) kp_q (``cog_raw``; ``cog`` =
   cog_raw / sd kc, on the scale of the normalised ECI), both with the raw kp, as py-ecomplexity.

Implementation: every step is batched over periods with numpy (stacked matmul, stacked ``eigh``);
the eigenvector is taken from the symmetric form of the smaller of M~cc and M~pp, which has the same
non-zero spectrum.  Results equal py-ecomplexity within 1e-9 (see tests/test_evidence_complexity.py).

Edge cases: NaN/absent cells raise (``missing="zero"`` counts them as zero, py-ecomplexity's
convention).  Regions with zero total, sectors with zero reference total, and regions/sectors left
without any presence (diversity or ubiquity 0) raise, or with ``on_empty="drop"`` are left out of
that period and listed in ``result.dropped``.  ECI needs at least two regions and two sectors and a
simple second eigenvalue; otherwise a ValidationError names the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence.matrix import Missing, OnEmpty, _listing, check_matrix, country_of
from workbench.evidence.reference import ReferenceEconomy, ReferenceLike, as_reference

PciNormalisation = Literal["eci", "own"]


@dataclass
class ComplexityResult:
    """Output of :func:`complexity_panel`.

    cells:   period, region, sector, value, rca, m, density, cog, cog_raw
    regions: period, region, diversity, eci, eci_raw, coi, coi_raw
    sectors: period, sector, ubiquity, pci, pci_raw
    dropped: period, kind ("region"/"sector"), code, reason
    """

    cells: pd.DataFrame
    regions: pd.DataFrame
    sectors: pd.DataFrame
    dropped: pd.DataFrame
    reference: str
    density_scale: float
    _proximity: dict[object, pd.DataFrame] = field(default_factory=dict, repr=False)

    def proximity(self, period: object | None = None) -> pd.DataFrame:
        """Sector x sector proximity matrix of one period (the only period if None)."""
        if not self._proximity:
            raise ValidationError("proximity was not kept (complexity_panel(keep_proximity=False))")
        if period is None:
            if len(self._proximity) != 1:
                raise ValidationError(f"several periods; choose one of {list(self._proximity)}")
            return next(iter(self._proximity.values()))
        if period not in self._proximity:
            raise ValidationError(f"no period {period!r}; periods are {list(self._proximity)}")
        return self._proximity[period]


# --------------------------------------------------------------------------------------- helpers
def _cube_from_long(
    data: pd.DataFrame, period: str, region: str, sector: str, value: str
) -> tuple[np.ndarray, pd.Index, pd.Index, pd.Index]:
    for col in (period, region, sector, value):
        if col not in data.columns:
            raise ValidationError(f"column {col!r} not found; columns are {list(data.columns)}")
    pc, periods = pd.factorize(data[period], sort=True)
    rc, regions = pd.factorize(data[region], sort=True)
    sc, sectors = pd.factorize(data[sector], sort=True)
    if (pc < 0).any() or (rc < 0).any() or (sc < 0).any():
        raise ValidationError(f"missing {period}/{region}/{sector} label in the data")
    t, c, p = len(periods), len(regions), len(sectors)
    lin = (pc.astype(np.int64) * c + rc) * p + sc
    counts = np.bincount(lin, minlength=t * c * p)
    if (counts > 1).any():
        dup = np.flatnonzero(counts > 1)
        labels = [(periods[i // (c * p)], regions[(i // p) % c], sectors[i % p]) for i in dup[:10]]
        raise ValidationError(
            f"{len(dup)} duplicated ({period}, {region}, {sector}) key(s): {_listing(labels, len(dup))}"
        )
    vals = pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=float)
    cube = np.full(t * c * p, np.nan)
    cube[lin] = vals
    return cube.reshape(t, c, p), pd.Index(periods), pd.Index(regions), pd.Index(sectors)


def _reference_arrays(
    ref: ReferenceEconomy, cube: np.ndarray, regions: pd.Index, sectors: pd.Index, periods: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Reference sector totals (T, C|1, P) and reference totals (T, C|1)."""
    if ref.kind == "all_rows":
        rs = cube.sum(axis=1)[:, None, :]
    elif ref.kind in ("regions", "countries"):
        if ref.kind == "regions":
            absent = [r for r in ref.codes if r not in regions]
            if absent:
                raise ValidationError(
                    f"reference economy {ref.label!r}: region(s) not in the data: {_listing(absent, len(absent))}"
                )
            mask = regions.isin(ref.codes)
        else:
            mask = np.array([country_of(r) in ref.codes for r in regions])
            if not mask.any():
                raise ValidationError(
                    f"reference economy {ref.label!r}: no region of it in the data"
                )
        rs = cube[:, mask, :].sum(axis=1)[:, None, :]
    elif ref.kind == "own_country":
        countries, idx = np.unique([country_of(r) for r in regions], return_inverse=True)
        g = np.zeros((len(countries), len(regions)))
        g[idx, np.arange(len(regions))] = 1.0
        by_country = np.einsum("kc,tcp->tkp", g, cube)
        rs = by_country[:, idx, :]
    else:  # totals
        tot = ref.sector_totals
        assert tot is not None  # a "totals" reference always has sector totals
        absent = [s for s in sectors if s not in tot.index]
        if absent:
            raise ValidationError(
                f"reference totals lack sector(s): {_listing(absent, len(absent))}"
            )
        rs = np.broadcast_to(
            tot.reindex(sectors).to_numpy(float)[None, None, :], (len(periods), 1, len(sectors))
        )
        if ref.total is not None:
            return rs, np.full((len(periods), 1), float(ref.total))
    return rs, rs.sum(axis=2)


def _eigen_pair(
    m: np.ndarray, kc: np.ndarray, kp: np.ndarray, periods: list
) -> tuple[np.ndarray, np.ndarray]:
    """Raw kc (G, c) and kp (G, p): second eigenvectors, kp of unit length, sign by diversity."""
    g, c, p = m.shape
    if c < 2 or p < 2:
        raise ValidationError(
            f"ECI/PCI need at least 2 regions and 2 sectors with presence; period(s) {periods} have {c} x {p}"
        )
    a = m / np.sqrt(kc)[:, :, None] / np.sqrt(kp)[:, None, :]  # D_c^-1/2 M D_p^-1/2
    # the smaller symmetric form: similar to M~cc (c <= p) or to M~pp
    s = a @ a.transpose(0, 2, 1) if c <= p else a.transpose(0, 2, 1) @ a
    w, v = np.linalg.eigh(s)
    top = w[:, -1]
    gap_low = (w[:, -2] - w[:, -3]) / top if w.shape[1] >= 3 else np.ones(g)
    gap_high = (w[:, -1] - w[:, -2]) / top
    bad = (gap_low < 1e-10) | (gap_high < 1e-10)
    if bad.any():
        which = [periods[i] for i in np.flatnonzero(bad)]
        raise ValidationError(
            f"ECI/PCI undefined in period(s) {which}: the second eigenvalue is not simple "
            "(the region-sector network is disconnected or too regular)"
        )
    vec = v[:, :, -2]
    if c <= p:
        kc_vec = vec / np.sqrt(kc)
        kp_vec = (m.transpose(0, 2, 1) @ kc_vec[:, :, None])[:, :, 0] / kp
    else:
        kp_vec = vec / np.sqrt(kp)
    kp_vec = kp_vec / np.linalg.norm(kp_vec, axis=1, keepdims=True)
    kc_vec = (m @ kp_vec[:, :, None])[:, :, 0] / kc
    dc = kc - kc.mean(axis=1, keepdims=True)
    ec = kc_vec - kc_vec.mean(axis=1, keepdims=True)
    cov = (dc * ec).sum(axis=1)
    if (np.abs(cov) <= 1e-300).any() or (dc == 0).all(axis=1).any():
        which = [
            periods[i] for i in np.flatnonzero((np.abs(cov) <= 1e-300) | (dc == 0).all(axis=1))
        ]
        raise ValidationError(
            f"ECI sign undefined in period(s) {which}: ECI does not correlate with diversity "
            "(e.g. all regions equally diverse)"
        )
    sign = np.sign(cov)
    return kc_vec * sign[:, None], kp_vec * sign[:, None]


def _chain(
    m: np.ndarray,
    *,
    density_scale: float,
    include_self: bool,
    pci_normalisation: PciNormalisation,
    periods: list,
) -> dict[str, np.ndarray]:
    """Proximity, density, ECI/PCI, COI/COG for a stack of presence matrices m (G, c, p)."""
    kc = m.sum(axis=2)
    kp = m.sum(axis=1)
    m32 = m.astype(np.float32)  # 0/1: exact co-occurrence counts (< 2**24) at float32 speed
    co = (m32.transpose(0, 2, 1) @ m32).astype(np.float64)
    phi = co / np.maximum(kp[:, :, None], kp[:, None, :])
    if not include_self:
        idx = np.arange(phi.shape[1])
        phi[:, idx, idx] = 0.0
    rowsum = phi.sum(axis=2)  # symmetric: row sums = column sums
    kc_raw, kp_raw = _eigen_pair(m, kc, kp, periods)
    w = np.divide(kp_raw, rowsum, out=np.zeros_like(kp_raw), where=rowsum > 0)
    c = m.shape[1]
    y = np.concatenate([m, m * w[:, None, :]], axis=1) @ phi  # [M phi ; (M*w) phi]
    density = np.divide(
        y[:, :c], rowsum[:, None, :], out=np.zeros_like(y[:, :c]), where=rowsum[:, None, :] > 0
    )
    col_b = (w[:, :, None] * phi).sum(axis=1)  # 1' B with B = diag(w) phi
    not_m = 1.0 - m
    cog_raw = not_m * (col_b[:, None, :] - y[:, c:])  # (1-M) * ((1-M) B)
    coi_raw = (density * not_m * kp_raw[:, None, :]).sum(axis=2)
    mu = kc_raw.mean(axis=1, keepdims=True)
    sd = kc_raw.std(axis=1, keepdims=True)
    eci = (kc_raw - mu) / sd
    if pci_normalisation == "eci":
        pci = (kp_raw - mu) / sd
    elif pci_normalisation == "own":
        pci = (kp_raw - kp_raw.mean(axis=1, keepdims=True)) / kp_raw.std(axis=1, keepdims=True)
    else:
        raise ValidationError(
            f"pci_normalisation must be 'eci' or 'own', not {pci_normalisation!r}"
        )
    coi_sd = coi_raw.std(axis=1, keepdims=True)
    coi = np.divide(
        coi_raw - coi_raw.mean(axis=1, keepdims=True),
        coi_sd,
        out=np.zeros_like(coi_raw),
        where=coi_sd > 0,
    )
    return {
        "diversity": kc,
        "ubiquity": kp,
        "phi": phi,
        "density": density * density_scale,
        "eci_raw": kc_raw,
        "pci_raw": kp_raw,
        "eci": eci,
        "pci": pci,
        "coi_raw": coi_raw,
        "coi": coi,
        "cog_raw": cog_raw,
        "cog": cog_raw / sd[:, :, None],
    }


# --------------------------------------------------------------------------------------- public
def complexity_panel(
    data: pd.DataFrame,
    reference: ReferenceLike,
    *,
    period: str = "period",
    region: str = "region",
    sector: str = "sector",
    value: str = "value",
    rca_threshold: float | None = None,
    tie_tolerance: float | None = None,
    density_scale: float | None = None,
    include_self: bool = True,
    pci_normalisation: PciNormalisation | None = None,
    missing: Missing = "raise",
    on_empty: OnEmpty = "raise",
    keep_proximity: bool = True,
) -> ComplexityResult:
    """RCA -> presence -> proximity -> density -> ECI/PCI -> COI/COG for every period at once.

    ``data``: long table (one row per period, region, sector).  ``reference``: the economy of the RCA
    (``"all"`` = all regions of the period, the py-ecomplexity convention).  Defaults of threshold,
    density scale (1 or 100) and PCI normalisation come from ``evidence.yml``.  See the module
    docstring for formulas, sources and edge cases.
    """
    cfg = load_defaults("evidence")
    thr = cfg["complexity"]["rca_threshold"] if rca_threshold is None else float(rca_threshold)
    tol = cfg["specialisation"]["tie_tolerance"] if tie_tolerance is None else float(tie_tolerance)
    scale = cfg["complexity"]["density_scale"] if density_scale is None else float(density_scale)
    pci_norm = (
        cfg["complexity"]["pci_normalisation"] if pci_normalisation is None else pci_normalisation
    )
    if scale not in (1, 100):
        raise ValidationError(f"density_scale must be 1 or 100, not {scale}")
    ref = as_reference(reference)
    cube, periods, regions, sectors = _cube_from_long(data, period, region, sector, value)
    nan = np.isnan(cube)
    if nan.any():
        if missing == "zero":
            cube = np.where(nan, 0.0, cube)
        else:
            t, r, s = np.nonzero(nan)
            cells = [
                (periods[i], regions[j], sectors[k])
                for i, j, k in zip(t[:10], r[:10], s[:10], strict=True)
            ]
            raise ValidationError(
                f"{int(nan.sum())} missing (NaN or absent) cell(s): {_listing(cells, int(nan.sum()))}; "
                "pass missing='zero' to count them as zero"
            )
    if (cube < 0).any():
        t, r, s = np.nonzero(cube < 0)
        cells = [
            (periods[i], regions[j], sectors[k])
            for i, j, k in zip(t[:10], r[:10], s[:10], strict=True)
        ]
        raise ValidationError(f"negative value(s) at {_listing(cells, len(t))}")

    ref_s, ref_total = _reference_arrays(ref, cube, regions, sectors, periods)
    region_total = cube.sum(axis=2)
    region_ok: np.ndarray = region_total > 0
    sector_ok: np.ndarray = np.asarray(
        (ref_s > 0).all(axis=1)
        if ref_s.shape[1] == 1
        else ((ref_s > 0) | ~region_ok[:, :, None]).all(axis=1)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = (cube / region_total[:, :, None]) / (ref_s / ref_total[:, :, None])
    rca = np.where(region_ok[:, :, None] & sector_ok[:, None, :], rca, 0.0)
    presence = (rca >= thr * (1.0 - tol)).astype(np.float64)

    dropped: list[tuple[object, str, str, str]] = []
    for ti in range(len(periods)):
        dropped += [
            (periods[ti], "region", regions[i], "zero total")
            for i in np.flatnonzero(~region_ok[ti])
        ]
        dropped += [
            (periods[ti], "sector", sectors[i], "zero reference total")
            for i in np.flatnonzero(~sector_ok[ti])
        ]
    # leave out regions / sectors without any presence, until none is left
    while True:
        mm = presence * region_ok[:, :, None] * sector_ok[:, None, :]
        div_zero = region_ok & (mm.sum(axis=2) == 0)
        ubi_zero = sector_ok & (mm.sum(axis=1) == 0)
        if not div_zero.any() and not ubi_zero.any():
            break
        for ti, i in zip(*np.nonzero(div_zero), strict=True):
            dropped.append(
                (periods[ti], "region", regions[i], "diversity 0 (no sector with RCA >= threshold)")
            )
        for ti, i in zip(*np.nonzero(ubi_zero), strict=True):
            dropped.append(
                (periods[ti], "sector", sectors[i], "ubiquity 0 (no region with RCA >= threshold)")
            )
        region_ok &= ~div_zero
        sector_ok &= ~ubi_zero
    dropped_df = pd.DataFrame(dropped, columns=["period", "kind", "code", "reason"])
    if len(dropped_df) and on_empty == "raise":
        items = [f"{r.period}/{r.kind} {r.code}: {r.reason}" for r in dropped_df.itertuples()]
        raise ValidationError(
            f"{len(items)} region/sector-period(s) cannot enter the complexity calculation: "
            f"{_listing(items, len(items))}; pass on_empty='drop' to leave them out"
        )

    # batch periods that share the same set of regions and sectors
    groups: dict[bytes, list[int]] = {}
    for ti in range(len(periods)):
        groups.setdefault(region_ok[ti].tobytes() + sector_ok[ti].tobytes(), []).append(ti)
    cells, regs, secs = [], [], []
    prox: dict[object, pd.DataFrame] = {}
    for tis in groups.values():
        rmask, smask = region_ok[tis[0]], sector_ok[tis[0]]
        ridx, sidx = np.flatnonzero(rmask), np.flatnonzero(smask)
        if len(ridx) == 0 or len(sidx) == 0:
            continue
        sub = np.ix_(np.asarray(tis), ridx, sidx)
        out = _chain(
            presence[sub],
            density_scale=scale,
            include_self=include_self,
            pci_normalisation=pci_norm,
            periods=[periods[i] for i in tis],
        )
        g, c, p = len(tis), len(ridx), len(sidx)
        per = np.repeat(periods.to_numpy()[tis], c * p)
        cells.append(
            pd.DataFrame(
                {
                    "period": per,
                    "region": pd.Categorical.from_codes(np.tile(np.repeat(ridx, p), g), regions),
                    "sector": pd.Categorical.from_codes(np.tile(sidx, g * c), sectors),
                    "value": cube[sub].ravel(),
                    "rca": rca[sub].ravel(),
                    "m": presence[sub].ravel().astype(np.int8),
                    "density": out["density"].ravel(),
                    "cog": out["cog"].ravel(),
                    "cog_raw": out["cog_raw"].ravel(),
                }
            )
        )
        regs.append(
            pd.DataFrame(
                {
                    "period": np.repeat(periods.to_numpy()[tis], c),
                    "region": pd.Categorical.from_codes(np.tile(ridx, g), regions),
                    **{
                        k: out[k].ravel() for k in ("diversity", "eci", "eci_raw", "coi", "coi_raw")
                    },
                }
            )
        )
        secs.append(
            pd.DataFrame(
                {
                    "period": np.repeat(periods.to_numpy()[tis], p),
                    "sector": pd.Categorical.from_codes(np.tile(sidx, g), sectors),
                    **{k: out[k].ravel() for k in ("ubiquity", "pci", "pci_raw")},
                }
            )
        )
        if keep_proximity:
            for j, ti in enumerate(tis):
                prox[periods[ti]] = pd.DataFrame(
                    out["phi"][j], index=sectors[sidx], columns=sectors[sidx]
                )
    if not cells:
        raise ValidationError(
            "no period has any region and sector left for the complexity calculation"
        )
    return ComplexityResult(
        cells=pd.concat(cells, ignore_index=True).sort_values(
            ["period", "region", "sector"], kind="stable", ignore_index=True
        )
        if len(cells) > 1
        else cells[0],
        regions=pd.concat(regs, ignore_index=True).sort_values(
            ["period", "region"], kind="stable", ignore_index=True
        ),
        sectors=pd.concat(secs, ignore_index=True).sort_values(
            ["period", "sector"], kind="stable", ignore_index=True
        ),
        dropped=dropped_df,
        reference=ref.label,
        density_scale=scale,
        _proximity=prox,
    )


def economic_complexity(
    matrix: pd.DataFrame, reference: ReferenceLike, **options
) -> ComplexityResult:
    """:func:`complexity_panel` for one region x sector matrix (period label ``"all"``)."""
    m = check_matrix(matrix, missing=options.get("missing", "raise"))
    long = m.rename_axis(index="region", columns="sector").stack().rename("value").reset_index()
    long["period"] = "all"
    return complexity_panel(long, reference, **options)


def proximity(presence: pd.DataFrame) -> pd.DataFrame:
    """Sector x sector proximity phi_pq = min(P(p|q), P(q|p)) from a binary region x sector matrix.

    Hidalgo et al. (2007), Science 317: 482-487.  Sectors present nowhere raise.
    """
    m = check_matrix(presence, name="presence").to_numpy()
    if not np.isin(m, (0.0, 1.0)).all():
        raise ValidationError("proximity: presence matrix must be 0/1")
    kp = m.sum(axis=0)
    if (kp == 0).any():
        bad = presence.columns[kp == 0]
        raise ValidationError(
            f"proximity: sector(s) present in no region: {_listing(bad, len(bad))}"
        )
    phi = (m.T @ m) / np.maximum(kp[:, None], kp[None, :])
    return pd.DataFrame(phi, index=presence.columns, columns=presence.columns)


def relatedness_density(
    presence: pd.DataFrame,
    proximity_matrix: pd.DataFrame,
    *,
    scale: float | None = None,
    include_self: bool = True,
) -> pd.DataFrame:
    """Relatedness density w_cp = sum_q M_cq phi_pq / sum_q phi_pq (x scale).

    Hidalgo et al. (2007); ``scale=100, include_self=False`` is EconGeo's ``relatedness_density``
    (Balland 2017; Balland et al. 2019, Regional Studies 53(9)).
    """
    s = load_defaults("evidence")["complexity"]["density_scale"] if scale is None else scale
    phi = proximity_matrix.loc[presence.columns, presence.columns].to_numpy(dtype=float).copy()
    if not include_self:
        np.fill_diagonal(phi, 0.0)
    rowsum = phi.sum(axis=1)
    m = check_matrix(presence, name="presence").to_numpy()
    dens = np.divide(
        m @ phi, rowsum[None, :], out=np.zeros((m.shape[0], m.shape[1])), where=rowsum[None, :] > 0
    )
    return pd.DataFrame(dens * s, index=presence.index, columns=presence.columns)


PRIORITY_LABELS = {
    (True, True): "low risk / high gain",
    (False, True): "high risk / high gain",
    (True, False): "low risk / low gain",
    (False, False): "high risk / low gain",
}


def diversification_options(
    result: ComplexityResult,
    region: str,
    period: object | None = None,
    *,
    density_split: float | str | None = None,
    complexity_split: float | str | None = None,
) -> pd.DataFrame:
    """Sectors a region is not yet specialised in, placed on relatedness density vs complexity.

    Balland, Boschma, Crespo & Rigby (2019) "Smart specialization policy in the European Union:
    relatedness, knowledge complexity and regional diversification", Regional Studies 53(9):
    high density = low risk, high PCI = high gain.  Splits are the median over these candidate
    sectors by default (``evidence.yml`` ``priorities``), or given numbers.
    Returns: sector, density, pci, cog, rca, quadrant (e.g. "low risk / high gain").
    """
    cfg = load_defaults("evidence")["priorities"]
    ds = cfg["density_split"] if density_split is None else density_split
    cs = cfg["complexity_split"] if complexity_split is None else complexity_split
    cells = result.cells
    if period is None:
        period = cells["period"].max()
    sel = cells[(cells["period"] == period) & (cells["region"] == region)]
    if sel.empty:
        raise ValidationError(f"region {region!r} has no complexity results in period {period!r}")
    sec = result.sectors[result.sectors["period"] == period][["sector", "pci"]]
    cand = sel[sel["m"] == 0].merge(sec, on="sector", how="left")
    if cand.empty:
        raise ValidationError(
            f"region {region!r} is specialised in every sector; no options to rank"
        )
    d_cut = float(cand["density"].median()) if ds == "median" else float(ds)
    c_cut = float(cand["pci"].median()) if cs == "median" else float(cs)
    hi_d = (cand["density"] >= d_cut).to_numpy()
    hi_c = (cand["pci"] >= c_cut).to_numpy()
    out = cand[["sector", "density", "pci", "cog", "rca"]].copy()
    out["sector"] = out["sector"].astype(str)
    out["quadrant"] = [PRIORITY_LABELS[(bool(a), bool(b))] for a, b in zip(hi_d, hi_c, strict=True)]
    out.attrs.update(density_split=d_cut, complexity_split=c_cut, region=region, period=period)
    return out.sort_values(["quadrant", "cog"], ascending=[True, False], ignore_index=True)
