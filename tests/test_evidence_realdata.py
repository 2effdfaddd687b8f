"""Evidence on the real Eurostat file lfst_r_lfe2en2.tsv.gz (NUTS 2013 codes side by side with NUTS
2010 ones): import into a temporary knowledge base, harmonise to NUTS 2021, compute LQ and stars, and
run the S3 profile notebook in the batch.  Expected numbers are recomputed here from the raw TSV lines
and the JRC matrix with plain Python, independently of the code under test."""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import ValidationError
from workbench.evidence import cluster_stars, location_quotient
from workbench.evidence.data import employment_panel, indicator_table, matrix_for, observations
from workbench.evidence.reports import parallel_contexts
from workbench.importers import import_file

ROOT = Path(__file__).resolve().parents[1]
FILE = "lfst_r_lfe2en2.tsv.gz"
YEAR = "2015"


def raw_values(path: Path, age: str, year: str) -> dict[tuple[str, str], float]:
    """(geo, nace_r2) -> value of one age group and year, parsed straight from the TSV."""
    out: dict[tuple[str, str], float] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        col = [h.strip() for h in header].index(year)
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            unit, nace, a, geo = cells[0].split(",")
            value = cells[col].strip().split(" ")[0]
            if unit == "THS" and a == age and value != ":":
                out[(geo, nace)] = float(value)
    return out


def jrc_pop18(path: Path, old: str) -> dict[str, float]:
    with open(path, encoding="utf-8") as fh:
        return {
            r["code_v2021"]: float(r["pop18"]) for r in csv.DictReader(fh) if r["code_v2013"] == old
        }


@pytest.fixture(scope="module")
def real_kb(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("kb") / "real.duckdb"
    result = import_file(real_data / "eurostat_tsv" / FILE, db=db)
    assert result.dataset_id == "eurostat:lfst_r_lfe2en2" and result.rows > 200_000
    return db


def gdp_per_head(path: Path, geo: str, year: str) -> float:
    """EUR_HAB of one region and year, parsed straight from nama_10r_2gdp.tsv.gz."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = [h.strip() for h in fh.readline().rstrip("\n").split("\t")]
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            if cells[0] == f"EUR_HAB,{geo}":
                return float(cells[header.index(year)].strip().split(" ")[0])
    raise AssertionError(geo)


def test_panel_harmonised_to_nuts2021(real_kb: Path, real_data: Path) -> None:
    panel = employment_panel("eurostat", db=str(real_kb))
    regions = set(panel["region"])
    assert {"HR02", "HR03", "HR05", "HR06"} <= regions and "HR04" not in regions
    assert {"SI03", "SI04"} <= regions and "SI01" not in regions  # NUTS 2010 code dropped...
    assert "SI01" in panel.attrs["unknown_regions"]  # ...and listed
    assert not any(r.startswith(("EU", "EA")) for r in regions)
    assert not set(panel["sector"]) & {"TOTAL", "NRP"}
    raw = raw_values(real_data / "eurostat_tsv" / FILE, "Y_GE15", YEAR)
    pop = jrc_pop18(real_data / "classifications" / "n2_cm_v2013_v2021.csv", "HR04")
    got = panel[(panel["period"] == YEAR) & (panel["sector"] == "B-E")].set_index("region")["value"]
    # HR04 split by population 2018: HR02 gets pop(HR02) / pop(HR04) of it
    assert got["HR02"] == pytest.approx(raw[("HR04", "B-E")] * pop["HR02"] / sum(pop.values()))
    assert got[["HR02", "HR05", "HR06"]].sum() == pytest.approx(raw[("HR04", "B-E")])
    assert got["HR03"] == pytest.approx(raw[("HR03", "B-E")])  # unchanged region


def test_lq_and_stars_on_real_data(real_kb: Path, real_data: Path) -> None:
    panel = employment_panel("eurostat", db=str(real_kb))
    m = matrix_for(panel, YEAR)
    with pytest.raises(ValidationError, match="missing"):
        location_quotient(m, "HR")  # confidential cells are NaN: the caller must decide
    lq = location_quotient(m, "HR", missing="zero")
    # Croatia = HR02 + HR03 + HR05 + HR06 = HR03 + HR04 in NUTS 2013 terms (shares sum to 1)
    raw = raw_values(real_data / "eurostat_tsv" / FILE, "Y_GE15", YEAR)
    sectors = ["A", "B-E", "F", "G-I", "J", "K", "L", "M_N", "O-Q", "R-U"]
    hr03 = {s: raw.get(("HR03", s), 0.0) for s in sectors}
    hr04 = {s: raw.get(("HR04", s), 0.0) for s in sectors}
    t03, tot = sum(hr03.values()), sum(hr03.values()) + sum(hr04.values())
    for s in sectors:
        expect = (hr03[s] / t03) / ((hr03[s] + hr04[s]) / tot)
        assert lq.loc["HR03", s] == pytest.approx(expect, rel=1e-9), s

    full = m.fillna(0.0)
    full = full.loc[full.sum(axis=1) > 0]
    stars = cluster_stars(full, "all")
    n = len(full)
    k = math.ceil(0.1 * n)
    a = stars[stars["category"] == "A"].set_index("region")
    # size star: the k largest employments in A (ties would share the rank)
    cutoff = sorted(full["A"], reverse=True)[k - 1]
    assert set(a.index[a["size_star"]]) == set(full.index[full["A"] >= cutoff])
    assert (a["specialisation_star"] == (a["lq"] >= 2.0)).all()
    assert set(stars["stars"]) <= {0, 1, 2, 3}


def test_observation_loader_errors(real_kb: Path) -> None:
    with pytest.raises(ValidationError, match="not in the knowledge base"):
        observations("eurostat:nope", db=str(real_kb))
    with pytest.raises(ValidationError, match="not a dimension"):
        observations("eurostat:lfst_r_lfe2en2", filters={"sex": "T"}, db=str(real_kb))
    spec = {
        "dataset_id": "eurostat:lfst_r_lfe2en2",
        "sector_column": "nace_r2",
        "filters": {"unit": "THS"},
    }
    with pytest.raises(ValidationError, match="age"):  # five age groups: would double count
        employment_panel(spec=spec, nuts_from="2013", db=str(real_kb))
    ind = indicator_table("eurostat", YEAR, db=str(real_kb))
    assert ind.attrs["missing_indicators"] == ["gdp_per_head"]  # nama_10r_2gdp not imported yet


def test_gdp_indicator_harmonised_and_used_by_peers(
    real_kb: Path, real_data: Path, tmp_path: Path
) -> None:
    db = tmp_path / "with_gdp.duckdb"
    shutil.copy(real_kb, db)
    import_file(real_data / "eurostat_tsv" / "nama_10r_2gdp.tsv.gz", db=db)
    ind = indicator_table("eurostat", YEAR, db=str(db))
    assert ind.attrs["used"]["gdp_per_head"]["period"] == "2014"  # latest year <= 2015 in the file
    raw = real_data / "eurostat_tsv" / "nama_10r_2gdp.tsv.gz"
    # a per-head value is intensive: HR05 (inside old HR04) takes HR04's value; HR03 is unchanged
    assert ind.loc["HR05", "gdp_per_head"] == pytest.approx(gdp_per_head(raw, "HR04", "2014"))
    assert ind.loc["HR03", "gdp_per_head"] == pytest.approx(gdp_per_head(raw, "HR03", "2014"))
    ctx = parallel_contexts("HR03", n=5, exclude_country=True, source="eurostat", db=str(db))
    assert "gdp_per_head" in ctx.variables.columns
    assert not ctx.peers["region"].str.startswith("HR").any()
    assert set(ctx.dataset_ids) == {"eurostat:lfst_r_lfe2en2", "eurostat:nama_10r_2gdp"}


@pytest.mark.slow
def test_s3_profile_notebook_on_real_data_in_batch(
    real_kb: Path, tmp_path: Path, real_data: Path
) -> None:
    out = tmp_path / "reports"
    env = dict(os.environ, WORKBENCH_DB=str(real_kb))
    cmd = [
        str(Path(sys.executable).parent / "workbench"), "run", str(ROOT / "notebooks" / "s3_profile.ipynb"),
        "-p", "region", "HR03", "-p", "source", "eurostat", "-p", "reference", "HR", "--out", str(out), "-q",
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = list(out.rglob("report.json"))
    assert len(reports) == 1
    folder = reports[0].parent
    record = json.loads(reports[0].read_text())
    assert record["synthetic"] is False
    assert [d["dataset_id"] for d in record["datasets"]] == ["eurostat:lfst_r_lfe2en2"]
    charts = {o["name"]: o for o in record["outputs"]}
    for name in (
        "specialisation",
        "specialisation_quadrant",
        "shift_share",
        "diversification_options",
        "eci_regions",
        "peers",
    ):
        assert (folder / charts[name]["csv"]).exists(), name  # every chart's data beside it
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("plotly-graph-div") >= 6 and "SYNTHETIC DEMO DATA" not in html
    spec = pd.read_csv(folder / "specialisation.csv").set_index("sector")
    raw = raw_values(real_data / "eurostat_tsv" / FILE, "Y_GE15", YEAR)
    s = "G-I"
    sectors = ["A", "B-E", "F", "G-I", "J", "K", "L", "M_N", "O-Q", "R-U"]
    t03 = sum(raw.get(("HR03", x), 0.0) for x in sectors)
    thr = t03 + sum(raw.get(("HR04", x), 0.0) for x in sectors)
    expect = (raw[("HR03", s)] / t03) / ((raw[("HR03", s)] + raw[("HR04", s)]) / thr)
    assert spec.loc[s, "lq"] == pytest.approx(expect, rel=1e-9)
    ss = pd.read_csv(folder / "shift_share.csv")
    parts = ss["national_share"] + ss["industry_mix"] + ss["regional_shift"]
    assert (parts - ss["change"]).abs().max() < 1e-9
