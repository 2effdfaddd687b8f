"""Golden tests of workbench.evidence.complexity against py-ecomplexity (test-only dependency).

Convention differences, all documented in workbench/evidence/complexity.py and adjusted here:
- py-ecomplexity's RCA is implicitly against the total of the rows passed; we pass the reference
  explicitly as ReferenceEconomy.all_rows() ("all").
- py-ecomplexity returns only normalised ECI/PCI/COI/COG; our ``eci``/``pci``/``coi``/``cog`` columns
  use the same normalisation (pci with the ECI mean/sd, coi z-scored, cog / sd(raw ECI)); raw values
  are checked separately against the eigenvector definitions.
- py-ecomplexity silently drops regions with zero total in a year; we do that only with
  on_empty="drop" (default: a ValidationError).
- presence: RCA >= 1 in both; our tie tolerance (1e-12 relative) cannot change M on this data
  because no RCA lies within 1e-12 of 1 (asserted).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity
from ecomplexity import proximity as ecx_proximity

from workbench.demo.panels import synthetic_employment_panel
from workbench.errors import ValidationError
from workbench.evidence import (
    complexity_panel,
    diversification_options,
    economic_complexity,
    proximity,
    relatedness_density,
)

TOL = 1e-9
COLS = {"time": "period", "loc": "region", "prod": "sector", "val": "value"}


def run_ecomplexity(df: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(df, COLS, check_logsupermodularity=False, verbose=False)
    return out


def merged(ours, ecx: pd.DataFrame) -> pd.DataFrame:
    cells = ours.cells.astype({"region": str, "sector": str})
    regs = ours.regions.astype({"region": str})
    secs = ours.sectors.astype({"sector": str})
    m = ecx.dropna(subset=["eci"]).merge(
        cells, on=["period", "region", "sector"], suffixes=("_ecx", "")
    )
    m = m.merge(regs, on=["period", "region"], suffixes=("_ecx", ""))
    m = m.merge(secs, on=["period", "sector"], suffixes=("_ecx", ""))
    assert len(m) == len(cells), "every cell of ours must match one row of ecomplexity"
    return m


@pytest.mark.parametrize(
    ("regions", "sectors"), [(40, 70), (90, 25)]
)  # both eigen paths (c<=p, c>p)
def test_golden_against_ecomplexity(regions: int, sectors: int) -> None:
    df = synthetic_employment_panel(regions, sectors, 3, seed=regions)
    ours = complexity_panel(df, "all")
    ecx = run_ecomplexity(df)
    m = merged(ours, ecx)
    assert (np.abs(m["rca"] - 1.0) > 1e-12).all()  # no tie: tolerance cannot matter here
    pairs = {
        "rca_ecx": "rca",
        "mcp": "m",
        "diversity_ecx": "diversity",
        "ubiquity_ecx": "ubiquity",
        "density_ecx": "density",
        "eci_ecx": "eci",
        "pci_ecx": "pci",
        "coi_ecx": "coi",
        "cog_ecx": "cog",
    }
    for theirs, mine in pairs.items():
        diff = np.abs(m[theirs].to_numpy(float) - m[mine].to_numpy(float)).max()
        assert diff <= TOL, f"{mine}: max |diff| = {diff}"
    # sanity: the comparison is not vacuous
    assert m["mcp"].between(0, 1).all() and 0 < m["mcp"].mean() < 1
    assert m["eci"].std() > 0.5 and m["cog"].abs().max() > 0


def test_proximity_equals_ecomplexity() -> None:
    df = synthetic_employment_panel(30, 40, 2, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ecx_proximity(df, COLS)
    ours = complexity_panel(df, "all")
    for period in (2010, 2011):
        t = theirs[theirs["period"] == period].pivot(
            index="sector_1", columns="sector_2", values="proximity"
        )
        mine = ours.proximity(period)
        mine = mine.rename(index=str, columns=str).loc[t.index, t.columns]
        assert np.abs(mine.to_numpy() - t.to_numpy()).max() <= TOL
        assert np.allclose(np.diag(mine), 1.0)


def test_raw_values_satisfy_eigenvector_definition() -> None:
    df = synthetic_employment_panel(35, 50, 1, seed=3)
    res = complexity_panel(df, "all")
    m = res.cells.pivot(index="region", columns="sector", values="m").to_numpy(float)
    kc, kp = m.sum(1), m.sum(0)
    regs = res.regions.set_index("region")
    secs = res.sectors.set_index("sector")
    kp_raw = secs["pci_raw"].to_numpy()
    kc_raw = regs["eci_raw"].to_numpy()
    mpp = (m / kp).T @ (m / kc[:, None])  # D_p^-1 M' D_c^-1 M
    lam = (mpp @ kp_raw) / kp_raw
    assert (
        np.allclose(lam, lam[0], atol=1e-9) and 0 < lam[0] < 1
    )  # an eigenvector, not the trivial one
    assert np.isclose(np.linalg.norm(kp_raw), 1.0)
    assert np.allclose(kc_raw, (m @ kp_raw) / kc)  # ECI raw = mean raw PCI of present sectors
    assert np.corrcoef(kc, kc_raw)[0, 1] > 0  # sign by diversity
    z = (kc_raw - kc_raw.mean()) / kc_raw.std()
    assert np.allclose(regs["eci"].to_numpy(), z)
    own = complexity_panel(df, "all", pci_normalisation="own").sectors["pci"].to_numpy()
    assert np.allclose(own, (kp_raw - kp_raw.mean()) / kp_raw.std())


def test_density_econgeo_scale_and_standalone_functions() -> None:
    df = synthetic_employment_panel(20, 15, 1, seed=5)
    base = complexity_panel(df, "all")
    pct = complexity_panel(df, "all", density_scale=100)
    assert np.allclose(pct.cells["density"], 100 * base.cells["density"])
    mm = base.cells.pivot(index="region", columns="sector", values="m").astype(float)
    phi = proximity(mm)
    # independent loop: phi_pq = min(P(p|q), P(q|p))
    arr = mm.to_numpy()
    for p in range(3):
        for q in range(3):
            both = (arr[:, p] * arr[:, q]).sum()
            expect = min(both / arr[:, q].sum(), both / arr[:, p].sum())
            assert phi.iat[p, q] == pytest.approx(expect, abs=1e-12)
    # EconGeo: leave out the sector itself, scale 0-100
    dens = relatedness_density(mm, phi, scale=100, include_self=False)
    c, p = 4, 6
    others = [q for q in range(arr.shape[1]) if q != p]
    expect = (
        100 * sum(arr[c, q] * phi.iat[p, q] for q in others) / sum(phi.iat[p, q] for q in others)
    )
    assert dens.iat[c, p] == pytest.approx(expect, rel=1e-12)
    assert ((dens >= 0) & (dens <= 100)).all().all()
    with_self = relatedness_density(mm, phi)
    assert np.allclose(
        with_self.to_numpy(), base.cells.pivot(index="region", columns="sector", values="density")
    )


def test_single_matrix_wrapper_matches_panel() -> None:
    df = synthetic_employment_panel(15, 12, 1, seed=11)
    mat = df.pivot(index="region", columns="sector", values="value")
    one = economic_complexity(mat, "all")
    panel = complexity_panel(df, "all")
    assert np.allclose(one.regions["eci"], panel.regions["eci"])


def test_zero_total_region_raises_or_drops_like_ecomplexity() -> None:
    df = synthetic_employment_panel(30, 40, 2, seed=13)
    df.loc[(df["region"] == "R005") & (df["period"] == 2011), "value"] = 0.0
    with pytest.raises(ValidationError, match="R005"):
        complexity_panel(df, "all")
    ours = complexity_panel(df, "all", on_empty="drop")
    assert list(ours.dropped[["period", "kind", "code"]].itertuples(index=False, name=None)) == [
        (2011, "region", "R005")
    ]
    assert "R005" not in set(ours.regions.loc[ours.regions["period"] == 2011, "region"].astype(str))
    assert "R005" in set(ours.regions.loc[ours.regions["period"] == 2010, "region"].astype(str))
    ecx = run_ecomplexity(df)  # drops the region in 2011 silently
    m = merged(ours, ecx)
    for theirs, mine in {
        "eci_ecx": "eci",
        "pci_ecx": "pci",
        "cog_ecx": "cog",
        "density_ecx": "density",
    }.items():
        assert np.abs(m[theirs] - m[mine]).max() <= TOL


def test_nan_cells_raise_or_count_as_zero() -> None:
    df = synthetic_employment_panel(20, 20, 1, seed=17)
    df.loc[3, "value"] = np.nan
    with pytest.raises(ValidationError, match="missing"):
        complexity_panel(df, "all")
    ours = complexity_panel(df, "all", missing="zero")
    ecx = run_ecomplexity(df)  # coerces NaN to zero
    m = merged(ours, ecx)
    assert np.abs(m["eci_ecx"] - m["eci"]).max() <= TOL


def test_reference_must_be_explicit_and_single_region_is_an_error() -> None:
    df = synthetic_employment_panel(10, 8, 1)
    with pytest.raises(ValidationError, match="explicitly"):
        complexity_panel(df, None)  # type: ignore[arg-type]
    one = df[df["region"] == "R000"]
    with pytest.raises(ValidationError, match="at least 2 regions"):
        complexity_panel(one, "all")


def test_sector_without_presence_against_external_reference() -> None:
    # With an external reference, a sector can have RCA < 1 everywhere (ubiquity 0).
    df = synthetic_employment_panel(12, 6, 1, seed=2)
    mat = df.pivot(index="region", columns="sector", values="value")
    mat["Z"] = 1e-3
    ref = mat.sum(axis=0)
    ref["Z"] = 1000 * mat["Z"].sum()  # the reference economy is far more specialised in Z
    with pytest.raises(ValidationError, match="ubiquity 0"):
        economic_complexity(mat, ref)
    res = economic_complexity(mat, ref, on_empty="drop")
    assert list(res.dropped["code"]) == ["Z"]
    assert set(res.sectors["sector"].astype(str)) == set(mat.columns) - {"Z"}


def test_duplicated_keys_are_refused() -> None:
    df = synthetic_employment_panel(5, 5, 1)
    df = pd.concat([df, df.iloc[[0]]])
    with pytest.raises(ValidationError, match="duplicated"):
        complexity_panel(df, "all")


def test_diversification_options_quadrants() -> None:
    df = synthetic_employment_panel(40, 60, 1, seed=21)
    res = complexity_panel(df, "all")
    opts = diversification_options(res, "R010")
    cells = res.cells[(res.cells["region"] == "R010")]
    assert len(opts) == int((cells["m"] == 0).sum())  # only sectors not yet specialised
    d_cut, c_cut = opts.attrs["density_split"], opts.attrs["complexity_split"]
    assert d_cut == pytest.approx(opts["density"].median())
    best = opts[opts["quadrant"] == "low risk / high gain"]
    assert len(best) > 0
    assert (best["density"] >= d_cut).all() and (best["pci"] >= c_cut).all()
    worst = opts[opts["quadrant"] == "high risk / low gain"]
    assert (worst["density"] < d_cut).all() and (worst["pci"] < c_cut).all()


def test_sector_with_zero_total_raises_or_is_left_out() -> None:
    df = synthetic_employment_panel(20, 15, 2, seed=23)
    zero = df[df["sector"] == "S000"].assign(sector="ZZZ", value=0.0)
    with_zero = pd.concat([df, zero], ignore_index=True)
    with pytest.raises(ValidationError, match="ZZZ: zero reference total"):
        complexity_panel(with_zero, "all")
    dropped = complexity_panel(with_zero, "all", on_empty="drop")
    assert set(dropped.dropped["code"]) == {"ZZZ"} and len(dropped.dropped) == 2  # both periods
    plain = complexity_panel(df, "all")
    assert np.allclose(dropped.regions["eci"], plain.regions["eci"])
    assert np.allclose(dropped.cells["cog"], plain.cells["cog"])
