"""Core demo data: regions, sectors, employment by NACE division, GDP, population, density, R&D, clusters.

Synthetic but coherent.  Region codes and names are real (GISCO NUTS 2021, shipped extract), the
NACE Rev. 2 list is real; every number is generated.  The structure comes from data files beside this
module, not from code:

* ``country_profiles.csv`` - national GDP per head, growth, R&D intensity, employment rate, size;
* ``sector_profiles.csv``  - base weight of each NACE division in employment, trend, cluster label;
* ``region_roles.csv``     - regions known for manufacturing, tourism, energy or agriculture and
  their specialised divisions (capital regions come from ``country_profiles.csv``).

Employment of region r, division s, year t::

    E[r,s,t] = total[r,t] * share[r,s,t]
    share[r,s,t] ∝ w[s] * m[r,s] * exp(g[r,s] * (t - 2012) + random walk)

with ``w`` the base weight, ``m`` the regional multiplier (capital -> services, coast and mountains ->
tourism, rural share -> agriculture, role -> specialised divisions) and ``g`` the division trend.
Flags follow Eurostat's LFS conventions: ``b`` break in series in 2021, ``p`` provisional 2023,
``u`` low reliability below 0.5 thousand, value NULL with ``c`` (confidential) below 0.1 thousand.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from workbench.demo.context import (
    COUNTRY_PROFILES_FILE,
    REGION_ROLES_FILE,
    SECTOR_PROFILES_FILE,
    DemoContext,
    frame_sha256,
    load_nace,
    load_nuts,
)
from workbench.kb.datasets import ensure_dimension_columns

BASE_YEAR = 2012
COVID_FACTOR = {"tourism": {2020: 0.68, 2021: 0.84}, "all": {2020: 0.985}}
GDP_COVID = {2020: 0.93, 2021: 0.98}

# Regional multipliers on employment shares (documented demo assumptions, not estimates).
CAPITAL_MULTIPLIER = {
    "ict": 2.6,
    "finance": 2.3,
    "business_services": 1.8,
    "research": 2.6,
    "real_estate": 1.6,
    "public_services": 1.35,
    "other_services": 1.2,
    "transport": 1.1,
    "agriculture": 0.06,
    "mining": 0.3,
    "food": 0.5,
    "light_manufacturing": 0.45,
    "heavy_manufacturing": 0.5,
    "advanced_manufacturing": 0.6,
}
MANUFACTURING_GROUPS = (
    "food",
    "light_manufacturing",
    "heavy_manufacturing",
    "advanced_manufacturing",
)
ROLE_GROUP_MULTIPLIER = {
    "manufacturing": dict.fromkeys(MANUFACTURING_GROUPS, 1.5),
    "tourism": {"tourism": 1.2},
    "rural": {"agriculture": 1.6, "food": 1.2},
    "energy": {"utilities": 1.6, "mining": 2.0},
}
ROLE_SPECIALISATION_MULTIPLIER = {"manufacturing": 3.5, "tourism": 1.8, "rural": 2.0, "energy": 4.0}
HIGH_VALUE_GROUPS = ("ict", "finance", "business_services", "research", "advanced_manufacturing")
ORGANISATION_TYPES = ("association", "limited company", "cooperative", "public-private partnership")
CLUSTER_NAME_PATTERNS = (
    "{label} Cluster {place}",
    "{place} {label} Cluster",
    "{label} Network {place}",
    "Cluster {label} {place}",
)


def _regions_table() -> pd.DataFrame:
    nuts = load_nuts()
    return pd.DataFrame(
        {
            "code": nuts["code"],
            "nuts_version": "2021",
            "name": nuts["name"],
            "name_latn": nuts["name_latn"],
            "level": nuts["level"].astype("int8"),
            "country": nuts["country"],
            "parent": nuts["parent"].where(nuts["parent"].notna(), None),
            "dataset_id": "demo:regions",
        }
    )


def _sectors_table() -> pd.DataFrame:
    nace = load_nace()
    return pd.DataFrame(
        {
            "code": nace["code"],
            "nace_version": "NACE_R2",
            "name": nace["name"],
            "level": nace["level"].astype("int8"),
            "parent": nace["parent"].replace("", None),
            "dataset_id": "demo:sectors",
        }
    )


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, upsert_skip: bool = False
) -> None:
    """Insert a frame by column name (``ON CONFLICT DO NOTHING`` keeps rows a real import put there)."""
    con.register("_demo_frame", frame)
    try:
        conflict = " ON CONFLICT DO NOTHING" if upsert_skip else ""
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_frame{conflict}")
    finally:
        con.unregister("_demo_frame")


def region_multipliers(
    rng: np.random.Generator, regions: pd.DataFrame, sectors: pd.DataFrame
) -> np.ndarray:
    """Multiplier m[r, s] of each division's base share in each region (see module docstring)."""
    profiles = pd.read_csv(SECTOR_PROFILES_FILE).set_index("code").loc[sectors["code"]]
    countries = pd.read_csv(COUNTRY_PROFILES_FILE).set_index("country")
    roles = pd.read_csv(REGION_ROLES_FILE, keep_default_na=False).set_index("code")
    groups = profiles["group"].to_numpy()
    codes = list(sectors["code"])
    col = {c: i for i, c in enumerate(codes)}
    mult = np.ones((len(regions), len(codes)))
    clusterable = np.flatnonzero(profiles["cluster_label"].fillna("").to_numpy() != "")
    for i, reg in enumerate(regions.itertuples(index=False)):
        coast, mountain, rural = reg.coastal_share, reg.mountain_share, reg.rural_share
        if reg.is_capital:
            for group, factor in CAPITAL_MULTIPLIER.items():
                mult[i, groups == group] *= factor
        mult[i, col["I55"]] *= 1 + 2.0 * coast + 1.0 * mountain
        mult[i, col["I56"]] *= 1 + 0.5 * coast + 0.3 * mountain
        mult[i, col["N79"]] *= 1 + 1.5 * coast
        mult[i, col["A03"]] *= 0.1 + 6.0 * coast
        mult[i, col["H50"]] *= 0.05 + 4.0 * coast
        mult[i, col["C30"]] *= 0.5 + 1.0 * coast
        mult[i, col["A01"]] *= (0.3 + 1.5 * rural) * countries.loc[reg.country, "agri_factor"]
        mult[i, col["A02"]] *= 0.5 + mountain + rural
        if reg.code in roles.index:
            role = roles.loc[reg.code, "role"]
            for group, factor in ROLE_GROUP_MULTIPLIER.get(role, {}).items():
                mult[i, groups == group] *= factor
            specialised = [
                c for c in str(roles.loc[reg.code, "specialisations"]).split() if c in col
            ]
            for rank, code in enumerate(specialised):
                mult[i, col[code]] *= ROLE_SPECIALISATION_MULTIPLIER[role] * (
                    1.3 if rank == 0 else 1.0
                )
        elif not reg.is_capital:  # an ordinary region still has one or two strengths
            for j in rng.choice(clusterable, size=int(rng.integers(1, 3)), replace=False):
                mult[i, j] *= 2.2
    return mult * rng.lognormal(0.0, 0.25, size=mult.shape)


def population_and_area(
    rng: np.random.Generator, regions: pd.DataFrame, years: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Population (thousands, regions x years) and area (km2) from NUTS 3 counts and country profiles."""
    countries = pd.read_csv(COUNTRY_PROFILES_FILE).set_index("country")
    prof = countries.loc[regions["country"]]
    n3 = regions["nuts3_count"].to_numpy(dtype=float)
    regions_per_country = regions.groupby("country")["code"].transform("size").to_numpy()
    city = regions["is_capital"].to_numpy() & (n3 <= 2) & (regions_per_country > 1)
    pop0 = n3 * prof["pop_per_nuts3_ths"].to_numpy() * rng.lognormal(0.0, 0.25, len(regions))
    pop0 = np.where(city, pop0 * 2.8, pop0)
    trend = prof["pop_trend_pct"].to_numpy() / 100 + np.where(regions["is_capital"], 0.006, 0.0)
    trend = trend - 0.004 * regions["rural_share"].to_numpy()
    t = np.asarray(years) - BASE_YEAR
    pop = pop0[:, None] * (1 + trend[:, None]) ** t[None, :]
    pop *= np.exp(np.cumsum(rng.normal(0, 0.002, pop.shape), axis=1))
    shape = 0.5 + regions["rural_share"].to_numpy() + 0.5 * regions["mountain_share"].to_numpy()
    area = (
        n3 * prof["area_per_nuts3_km2"].to_numpy() * shape * rng.lognormal(0.0, 0.2, len(regions))
    )
    area = np.where(city, area * 0.12, area)
    return np.round(pop, 1), np.round(area, 0)


def employment_frame(
    rng: np.random.Generator,
    regions: pd.DataFrame,
    sectors: pd.DataFrame,
    years: list[int],
    population: np.ndarray,
) -> pd.DataFrame:
    """Employment (thousands) by region, division and year; columns region, sector, year, value, flag."""
    profiles = pd.read_csv(SECTOR_PROFILES_FILE).set_index("code").loc[sectors["code"]]
    countries = pd.read_csv(COUNTRY_PROFILES_FILE).set_index("country")
    weights = profiles["base_weight"].to_numpy() / profiles["base_weight"].sum()
    mult = region_multipliers(rng, regions, sectors)
    t = np.asarray(years) - BASE_YEAR
    growth = profiles["trend_pct"].to_numpy() / 100
    growth = growth[None, :] + rng.normal(0, 0.008, mult.shape)
    walk = np.cumsum(rng.normal(0, 0.02, (*mult.shape, len(years))), axis=2)
    walk -= walk[:, :, :1]
    log_share = np.log(weights * mult)[:, :, None] + growth[:, :, None] * t[None, None, :] + walk
    groups = profiles["group"].to_numpy()
    for year, factor in COVID_FACTOR["tourism"].items():
        if year in years:
            log_share[:, groups == "tourism", years.index(year)] += np.log(factor)
    share = np.exp(log_share)
    share /= share.sum(axis=1, keepdims=True)
    rate = countries.loc[regions["country"], "employment_rate"].to_numpy()
    total = population * rate[:, None] * (1 + 0.006 * t[None, :])
    for year, factor in COVID_FACTOR["all"].items():
        if year in years:
            total[:, years.index(year)] *= factor
    values = np.round(total[:, None, :] * share, 1)
    r_idx, s_idx, y_idx = np.meshgrid(
        np.arange(len(regions)), np.arange(len(sectors)), np.arange(len(years)), indexing="ij"
    )
    frame = pd.DataFrame(
        {
            "region": regions["code"].to_numpy()[r_idx.ravel()],
            "sector": sectors["code"].to_numpy()[s_idx.ravel()],
            "year": np.asarray(years)[y_idx.ravel()],
            "value": values.ravel(),
        }
    )
    flag = np.where(frame["year"] == 2021, "b", np.where(frame["year"] == years[-1], "p", ""))
    flag = np.char.add(flag.astype(str), np.where(frame["value"] < 0.5, "u", ""))
    confidential = frame["value"] < 0.1
    flag = np.where(confidential, np.char.add(np.char.replace(flag, "u", ""), "c"), flag)
    frame["value"] = frame["value"].where(~confidential)
    frame["flag"] = pd.Series(flag, dtype=object).replace("", None)
    return frame


def indicator_frames(
    rng: np.random.Generator,
    regions: pd.DataFrame,
    employment: pd.DataFrame,
    years: list[int],
    population: np.ndarray,
    area: np.ndarray,
) -> dict[str, pd.DataFrame]:
    """GDP (EUR_HAB, MIO_EUR), population (THS), density (PER_KM2), R&D (PC_GDP) consistent with structure."""
    countries = pd.read_csv(COUNTRY_PROFILES_FILE).set_index("country")
    profiles = pd.read_csv(SECTOR_PROFILES_FILE).set_index("code")
    prof = countries.loc[regions["country"]]
    first = employment[employment["year"] == years[0]].copy()
    first["group"] = first["sector"].map(profiles["group"])
    total = first.groupby("region")["value"].sum()
    high = first[first["group"].isin(HIGH_VALUE_GROUPS)].groupby("region")["value"].sum() / total
    knowledge = first[first["group"].isin(("research", "advanced_manufacturing", "ict"))]
    knowledge = knowledge.groupby("region")["value"].sum() / total
    high = high.reindex(regions["code"]).to_numpy()
    knowledge = knowledge.reindex(regions["code"]).to_numpy()
    capital = regions["is_capital"].to_numpy()
    t = np.asarray(years) - BASE_YEAR

    factor = (
        (1 + 0.55 * capital)
        * np.exp(2.0 * (high - np.median(high)))
        * rng.lognormal(0, 0.07, len(regions))
    )
    weights = pd.DataFrame(
        {"country": regions["country"], "f": factor * population[:, 0], "p": population[:, 0]}
    )
    by_country = weights.groupby("country")[["f", "p"]].transform("sum")
    factor = factor / (by_country["f"] / by_country["p"]).to_numpy()  # population-weighted mean 1
    growth = prof["gdp_growth_pct"].to_numpy() / 100
    gdp_ph = (
        prof["gdp_per_head_2012"].to_numpy()[:, None] * factor[:, None] * (1 + growth[:, None]) ** t
    )
    gdp_ph *= np.exp(np.cumsum(rng.normal(0, 0.01, gdp_ph.shape), axis=1))
    for year, f in GDP_COVID.items():
        if year in years:
            gdp_ph[:, years.index(year)] *= f
    gdp_ph = np.round(gdp_ph, -2)
    mio_eur = np.round(gdp_ph * population / 1000, 1)

    rd = prof["rd_pc_gdp_2012"].to_numpy() * np.where(capital, 1.8, 1.0)
    rd = rd * np.exp(4.0 * (knowledge - np.median(knowledge))) * rng.lognormal(0, 0.2, len(regions))
    rd = (
        rd[:, None]
        * (1.02**t)
        * np.exp(np.cumsum(rng.normal(0, 0.03, (len(regions), len(years))), axis=1))
    )
    rd = np.round(np.clip(rd, 0.05, 5.5), 2)
    density = np.round(population * 1000 / area[:, None], 1)

    def long(values: np.ndarray, unit: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "region": np.repeat(regions["code"].to_numpy(), len(years)),
                "period": np.tile([str(y) for y in years], len(regions)),
                "value": values.ravel().astype(float),
                "unit": unit,
            }
        )

    return {
        "demo:gdp": pd.concat(
            [long(gdp_ph, "EUR_HAB"), long(mio_eur, "MIO_EUR")], ignore_index=True
        ),
        "demo:population": long(population, "THS"),
        "demo:density": long(density, "PER_KM2"),
        "demo:rd": long(rd, "PC_GDP"),
    }


def clusters_frame(
    rng: np.random.Generator, regions: pd.DataFrame, employment: pd.DataFrame, years: list[int]
) -> pd.DataFrame:
    """Clusters where a region is specialised (location quotient >= 1.25) in a cluster-able division.

    LQ[r,s] = (E[r,s] / E[r]) / (E[s] / E) over the demo regions in the last year.
    """
    labels = pd.read_csv(SECTOR_PROFILES_FILE, keep_default_na=False).set_index("code")[
        "cluster_label"
    ]
    last = employment[employment["year"] == years[-1]].fillna({"value": 0.0})
    e_rs = last.pivot(index="region", columns="sector", values="value")
    lq = e_rs.div(e_rs.sum(axis=1), axis=0) / (e_rs.sum(axis=0) / e_rs.to_numpy().sum())
    clusterable = [c for c in e_rs.columns if labels.get(c, "")]
    rows = []
    info = regions.set_index("code")
    for code in regions["code"]:
        cand = lq.loc[code, clusterable]
        emp = e_rs.loc[code, clusterable]
        cand = cand[(cand >= 1.25) & (emp >= 1.0)]
        if cand.empty:
            continue
        ranked = (cand * np.sqrt(emp[cand.index])).sort_values(ascending=False).index
        keep = [ranked[0]] + [s for k, s in enumerate(ranked[1:3]) if rng.random() < (0.55, 0.3)[k]]
        for sector in keep:
            place = info.loc[code, "name_latn"].split("/")[0]
            pattern = CLUSTER_NAME_PATTERNS[int(rng.integers(len(CLUSTER_NAME_PATTERNS)))]
            label = labels[sector]
            slug = "".join(ch for ch in f"{label}-{code}".lower() if ch.isalnum() or ch == "-")
            rows.append(
                {
                    "name": pattern.format(label=label, place=place),
                    "region": code,
                    "country": info.loc[code, "country"],
                    "nace_codes": [sector],
                    "sector_label": label,
                    "founded": int(rng.integers(1998, 2021)),
                    "members": int(
                        rng.integers(12, int(40 + 30 * min(float(lq.loc[code, sector]), 4.0)))
                    ),
                    "employees": int(round(emp[sector] * 1000 * rng.uniform(0.12, 0.4), -1)),
                    "organisation_type": ORGANISATION_TYPES[
                        int(rng.integers(len(ORGANISATION_TYPES)))
                    ],
                    "website": f"https://{slug}.example.org",
                    "lq": round(float(lq.loc[code, sector]), 3),
                }
            )
    clusters = pd.DataFrame(rows)
    clusters.insert(0, "cluster_id", [f"DEMO-CL-{i + 1:03d}" for i in range(len(clusters))])
    clusters["dataset_id"] = "demo:clusters"
    clusters["synthetic"] = True
    return clusters


def _observations(dataset_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "dataset_id", dataset_id)
    if "flag" not in out:
        out["flag"] = None
    return out


def generate(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, ctx: DemoContext) -> None:
    """Write regions, sectors, employment, GDP, population, density, R&D and clusters (synthetic)."""
    regions_tbl = _regions_table()
    _insert(con, "regions", regions_tbl, upsert_skip=True)
    ctx.register(
        "demo:regions",
        title="NUTS 2021 regions of the demo countries (GISCO codes and names)",
        rows=len(regions_tbl),
        kind="demo",
        sha256=frame_sha256(regions_tbl),
        notes="codes and names are real (GISCO NUTS 2021); shipped extract see_nuts2_2021.csv",
    )
    sectors_tbl = _sectors_table()
    _insert(con, "sectors", sectors_tbl, upsert_skip=True)
    ctx.register(
        "demo:sectors",
        title="NACE Rev. 2 sections and divisions",
        rows=len(sectors_tbl),
        sha256=frame_sha256(sectors_tbl),
        notes="codes and names are real (Eurostat NACE Rev. 2); shipped nace_r2_divisions.csv",
    )

    ensure_dimension_columns(con, ["unit", "nace_r2"])
    population, area = population_and_area(rng, ctx.regions, ctx.years)
    employment = employment_frame(rng, ctx.regions, ctx.sectors, ctx.years, population)
    ctx.employment = employment[["region", "sector", "year", "value"]].copy()
    emp_obs = pd.DataFrame(
        {
            "region": employment["region"],
            "period": employment["year"].astype(str),
            "value": employment["value"],
            "flag": employment["flag"],
            "unit": "THS",
            "nace_r2": employment["sector"],
        }
    )
    emp_obs = _observations("demo:employment", emp_obs)
    _insert(con, "observation_rows", emp_obs)
    ctx.register(
        "demo:employment",
        title="Employment by NACE Rev. 2 division and NUTS 2 region (thousands)",
        rows=len(emp_obs),
        dimensions=["unit", "nace_r2"],
        sha256=frame_sha256(emp_obs),
    )

    titles = {
        "demo:gdp": "GDP at current market prices (EUR per inhabitant, million EUR)",
        "demo:population": "Population on 1 January (thousands)",
        "demo:density": "Population density (persons per km2)",
        "demo:rd": "Gross domestic expenditure on R&D (% of GDP)",
    }
    for dataset_id, frame in indicator_frames(
        rng, ctx.regions, employment, ctx.years, population, area
    ).items():
        obs = _observations(dataset_id, frame)
        _insert(con, "observation_rows", obs)
        ctx.register(
            dataset_id,
            title=titles[dataset_id],
            rows=len(obs),
            dimensions=["unit"],
            sha256=frame_sha256(obs),
        )

    clusters = clusters_frame(rng, ctx.regions, employment, ctx.years)
    ctx.clusters = clusters
    _insert(con, "clusters", clusters.drop(columns=["lq"]))
    ctx.register(
        "demo:clusters",
        title="Cluster organisations (synthetic)",
        rows=len(clusters),
        sha256=frame_sha256(clusters.drop(columns=["lq"])),
        notes="clusters placed where the region's location quotient is >= 1.25",
    )
