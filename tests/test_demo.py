"""The synthetic demo knowledge base: real NUTS codes, plausible structure, synthetic flags, determinism,
and the kb_overview notebook executed on it with papermill."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.notebooks import run_notebook
from support.testing import require_real_data

from workbench.demo import DEFAULT_SEED, build_demo
from workbench.demo.context import DEMO_COUNTRIES
from workbench.kb import writer

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261127
# Regions containing the national capital (geography, independent of the generator's data files).
CAPITAL_REGIONS = {
    "AT13",
    "BG41",
    "EL30",
    "HR05",
    "HU11",
    "ITI4",
    "RO32",
    "RS11",
    "SI04",
    "SK01",
    "AL02",
}
CORE_TABLES = ("regions", "sectors", "observations", "clusters")
CORE_DATASETS = (
    "regions",
    "sectors",
    "employment",
    "gdp",
    "population",
    "density",
    "rd",
    "clusters",
)


@pytest.fixture(scope="module")
def demo_db(demo_kb: Path) -> Path:
    """The shared demo knowledge base (conftest ``demo_kb``, built with the default seed = SEED)."""
    assert SEED == DEFAULT_SEED
    return demo_kb


def _q(db: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params).df() if params else con.execute(sql).df()
    finally:
        con.close()


def _digest(db: Path, table: str, where: str) -> str:
    exclude = " EXCLUDE (imported_at)" if table == "datasets" else ""
    return _q(
        db,
        f"SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM "
        f'(SELECT CAST(t AS VARCHAR) AS x FROM (SELECT *{exclude} FROM "{table}" WHERE {where}) t)',
    ).iloc[0, 0]


def _content(db: Path) -> dict[str, str]:
    """Order-independent checksum of each core table and of the core datasets rows (no timestamps)."""
    out = {table: _digest(db, table, "dataset_id LIKE 'demo:%'") for table in CORE_TABLES}
    ids = ", ".join(f"'demo:{d}'" for d in CORE_DATASETS)
    out["datasets"] = _digest(db, "datasets", f"dataset_id IN ({ids})")
    return out


def _all_demo_content(db: Path) -> dict[str, str]:
    """Checksum of the demo rows of every table with a dataset_id (all domain generators)."""
    tables = _q(
        db,
        "SELECT DISTINCT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_name) WHERE c.column_name = 'dataset_id' AND t.table_type = 'BASE TABLE'",
    )["table_name"]
    return {t: _digest(db, t, "dataset_id LIKE 'demo:%'") for t in sorted(tables)}


def test_every_see_country_with_real_nuts2_codes_and_names(demo_db: Path) -> None:
    real = pd.read_csv(
        require_real_data("classifications", "NUTS_AT_2021.csv"), dtype=str, keep_default_na=False
    )
    real = real[real["CNTR_CODE"].isin(DEMO_COUNTRIES) & (real["NUTS_ID"].str.len() == 4)]
    kb = _q(
        demo_db,
        "SELECT code, name, name_latn, country FROM regions WHERE level = 2 AND nuts_version = '2021'",
    )
    assert set(kb["code"]) == set(real["NUTS_ID"])
    assert set(kb["country"]) == set(DEMO_COUNTRIES)
    merged = kb.merge(real, left_on="code", right_on="NUTS_ID")
    assert (merged["name"] == merged["NUTS_NAME"]).all()
    assert (merged["name_latn"] == merged["NAME_LATN"]).all()
    observed = _q(
        demo_db, "SELECT DISTINCT region FROM observations WHERE dataset_id = 'demo:employment'"
    )
    assert set(observed["region"]) == set(real["NUTS_ID"])


def _shares(db: Path, year: str = "2023") -> pd.DataFrame:
    return _q(
        db,
        "SELECT o.region,"
        " sum(o.value) FILTER (WHERE s.parent BETWEEN 'G' AND 'S') / sum(o.value) AS services,"
        " sum(o.value) FILTER (WHERE s.parent = 'C') / sum(o.value) AS manufacturing,"
        " sum(o.value) FILTER (WHERE s.parent = 'A') / sum(o.value) AS agriculture,"
        " sum(o.value) FILTER (WHERE o.nace_r2 = 'I55') / sum(o.value) AS accommodation"
        " FROM observations o JOIN sectors s ON s.code = o.nace_r2"
        " WHERE o.dataset_id = 'demo:employment' AND o.period = ? GROUP BY o.region",
        [year],
    ).set_index("region")


def test_capital_regions_are_service_heavy_and_others_differ(demo_db: Path) -> None:
    shares = _shares(demo_db)
    median = shares.median()
    capitals = shares.loc[sorted(CAPITAL_REGIONS)]
    assert (capitals["services"] > median["services"]).all(), capitals["services"]
    assert (capitals["agriculture"] < median["agriculture"]).all()
    # some regions are manufacturing-specialised: clearly above the median share
    assert (shares["manufacturing"] > 1.5 * median["manufacturing"]).sum() >= 8
    # tourism is coastal: Adriatic Croatia and Crete above inland Pannonian Croatia and the median
    assert shares.loc["HR03", "accommodation"] > 2 * shares.loc["HR02", "accommodation"]
    assert shares.loc["EL43", "accommodation"] > 2 * median["accommodation"]
    # agriculture in the rural east
    assert shares.loc["RO21", "agriculture"] > 3 * median["agriculture"]


def test_size_sectors_years_clusters(demo_db: Path) -> None:
    emp = _q(
        demo_db,
        "SELECT count(DISTINCT nace_r2) AS sectors, count(DISTINCT period) AS years, count(*) AS n,"
        " count(DISTINCT region) AS regions FROM observations WHERE dataset_id = 'demo:employment'",
    ).iloc[0]
    assert emp["sectors"] >= 30 and emp["years"] >= 10
    assert emp["n"] == emp["sectors"] * emp["years"] * emp["regions"]  # one cell per key
    clusters = _q(demo_db, "SELECT * FROM clusters WHERE dataset_id = 'demo:clusters'")
    assert len(clusters) >= 40
    regions = set(_q(demo_db, "SELECT code FROM regions WHERE level = 2")["code"])
    sectors = set(_q(demo_db, "SELECT code FROM sectors")["code"])
    assert set(clusters["region"]) <= regions
    assert all(set(codes) <= sectors for codes in clusters["nace_codes"])
    assert clusters["cluster_id"].is_unique


def test_clusters_sit_where_the_region_is_specialised(demo_db: Path) -> None:
    """Location quotient recomputed independently in SQL for each cluster's division (last year)."""
    lq = _q(
        demo_db,
        "WITH e AS (SELECT region, nace_r2, coalesce(value, 0) AS v FROM observations"
        "  WHERE dataset_id = 'demo:employment' AND period = '2023'),"
        " r AS (SELECT region, sum(v) AS vr FROM e GROUP BY region),"
        " s AS (SELECT nace_r2, sum(v) AS vs FROM e GROUP BY nace_r2),"
        " t AS (SELECT sum(v) AS vt FROM e)"
        " SELECT c.cluster_id, (e.v / r.vr) / (s.vs / t.vt) AS lq FROM clusters c"
        " JOIN e ON e.region = c.region AND e.nace_r2 = c.nace_codes[1]"
        " JOIN r ON r.region = e.region JOIN s ON s.nace_r2 = e.nace_r2, t",
    )
    assert len(lq) >= 40
    assert (lq["lq"] >= 1.25 - 1e-9).all()


def test_indicators_are_consistent(demo_db: Path) -> None:
    gdp = _q(
        demo_db,
        "SELECT g.region, g.period, g.value AS eur_hab, m.value AS mio_eur, p.value AS pop"
        " FROM observations g"
        " JOIN observations m ON m.dataset_id = 'demo:gdp' AND m.unit = 'MIO_EUR' AND m.region = g.region AND m.period = g.period"
        " JOIN observations p ON p.dataset_id = 'demo:population' AND p.region = g.region AND p.period = g.period"
        " WHERE g.dataset_id = 'demo:gdp' AND g.unit = 'EUR_HAB'",
    )
    assert len(gdp) == 84 * 12
    # MIO_EUR = EUR per head x thousand inhabitants / 1000 (rounded to 0.1)
    assert ((gdp["mio_eur"] - gdp["eur_hab"] * gdp["pop"] / 1000).abs() <= 0.051).all()
    last = gdp[gdp["period"] == "2023"].set_index("region")
    last["country"] = last.index.str[:2]
    for cap in CAPITAL_REGIONS:
        peers = last[(last["country"] == cap[:2]) & (last.index != cap)]
        assert (last.loc[cap, "eur_hab"] > peers["eur_hab"]).all(), cap
    rd = _q(
        demo_db,
        "SELECT region, value FROM observations WHERE dataset_id = 'demo:rd' AND period = '2023'",
    )
    rd = rd.set_index("region")["value"]
    assert rd.loc[sorted(CAPITAL_REGIONS)].median() > rd.median()
    density = _q(
        demo_db,
        "SELECT region, value FROM observations WHERE dataset_id = 'demo:density' AND period = '2023'",
    ).set_index("region")["value"]
    assert density.loc["AT13"] > 10 * density.loc["AT33"]  # Vienna vs Tyrol


def test_everything_generated_is_synthetic(demo_db: Path) -> None:
    ds = _q(demo_db, "SELECT dataset_id, synthetic, source, rows FROM datasets")
    assert len(ds) and ds["dataset_id"].str.startswith("demo:").all()
    assert ds["synthetic"].all()
    assert ds["source"].str.contains("synthetic").all()
    obs = _q(demo_db, "SELECT dataset_id, count(*) AS n FROM observations GROUP BY 1").set_index(
        "dataset_id"
    )
    assert set(obs.index) <= set(ds["dataset_id"])
    assert (obs["n"] == ds.set_index("dataset_id").loc[obs.index, "rows"]).all()
    tables = _q(
        demo_db,
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'synthetic'"
        " AND table_name <> 'datasets'",
    )["table_name"]
    for table in tables:
        bad = _q(demo_db, f"SELECT count(*) AS n FROM {table} WHERE NOT synthetic").iloc[0, 0]
        assert bad == 0, table


@pytest.mark.slow
def test_same_seed_same_content_and_rerun_is_safe(demo_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "again.duckdb"
    build_demo(other, seed=SEED)
    assert _content(other) == _content(demo_db)
    # real (non-demo) data in the file survives a re-run, and the demo rows are not duplicated
    with writer(other, purpose="test real data") as con:
        con.execute(
            "INSERT INTO datasets (dataset_id, source, kind, rows, synthetic) VALUES ('eurostat:x', 'Eurostat', 'eurostat_tsv', 1, FALSE)"
        )
        con.execute(
            "INSERT INTO observation_rows (dataset_id, region, period, value) VALUES ('eurostat:x', 'HR03', '2015', 1.5)"
        )
    build_demo(other, seed=SEED)
    assert _content(other) == _content(demo_db)
    kept = _q(other, "SELECT value FROM observations WHERE dataset_id = 'eurostat:x'")
    assert kept["value"].tolist() == [1.5]
    build_demo(other, seed=SEED + 1)
    changed = _content(other)
    assert changed["observations"] != _content(demo_db)["observations"]
    assert (
        changed["regions"] == _content(demo_db)["regions"]
    )  # real codes do not depend on the seed


@pytest.mark.slow
def test_whole_demo_is_deterministic(tmp_path: Path) -> None:
    """Every domain generator present (core, policy, pilots, foresight) gives the same rows for a seed."""
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    summary = build_demo(first, seed=7)
    build_demo(second, seed=7)
    assert "core" in summary.generators
    a, b = _all_demo_content(first), _all_demo_content(second)
    assert a == b, sorted(t for t in a if a[t] != b.get(t))


def _run_notebook(db: Path, out_dir: Path, country: str) -> Path:
    run_notebook(
        "kb_overview.ipynb",
        out_dir / "kb_overview.ipynb",
        {"country": country},
        db=db,
        report_dir=out_dir,
    )
    return out_dir


@pytest.mark.slow
def test_kb_overview_notebook_runs_and_matches_the_kb(demo_db: Path, tmp_path: Path) -> None:
    out = _run_notebook(demo_db, tmp_path / "si", "si")
    text = (out / "kb_overview.ipynb").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in text
    matrix = pd.read_csv(out / "coverage_region_year.csv", index_col="region")
    # CSV files from synthetic data carry the flag column (workbench.reporting.report)
    assert set(matrix.pop("synthetic_data")) == {"yes - generated demo data, not real statistics"}
    expected = _q(
        demo_db,
        "SELECT region, period, count(value) AS n FROM observations WHERE region LIKE 'SI%' GROUP BY ALL",
    ).pivot(index="region", columns="period", values="n")
    expected.columns = expected.columns.astype(str)
    matrix.columns = matrix.columns.astype(str)
    pd.testing.assert_frame_equal(
        matrix.sort_index(), expected.sort_index().astype(matrix.dtypes.iloc[0]), check_names=False
    )
    flags = pd.read_csv(out / "flags.csv", keep_default_na=False)
    assert (
        flags.loc[flags["flag"] == "bu", "meaning"].iloc[0]
        == "break in time series; low reliability"
    )
    datasets = pd.read_csv(out / "datasets.csv")
    assert set(datasets["dataset_id"]) == set(
        _q(demo_db, "SELECT dataset_id FROM datasets")["dataset_id"]
    )
    # the shown table leaves the checksum and importer to the CSV (it fits a screen), and says so
    shown = text[text.index("Datasets in the knowledge base</caption>") :]
    head = shown[: shown.index("</thead>")]
    assert "Dataset ID" in head and "Sha256" not in head and "Importer" not in head
    assert "more columns in the CSV datasets.csv" in shown[: shown.index("</table>") + 200]
    stored = _q(demo_db, "SELECT dataset_id, sha256 FROM datasets").set_index("dataset_id")
    csv_sha = datasets.set_index("dataset_id")["sha256"].fillna("")
    assert csv_sha.to_dict() == stored["sha256"].fillna("").to_dict()


@pytest.mark.slow
def test_kb_overview_notebook_rejects_unknown_country(demo_db: Path, tmp_path: Path) -> None:
    import papermill

    with pytest.raises(papermill.PapermillExecutionError, match="'DE' has no data"):
        _run_notebook(demo_db, tmp_path / "de", "DE")
