"""Evidence loaders, the S3 profile and parallel contexts on the synthetic demo knowledge base, and
the two notebooks run through the batch runner (real papermill runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.batches import PlanBatch

from workbench.errors import ParameterError
from workbench.evidence import location_quotient
from workbench.evidence.data import employment_panel, indicator_table, matrix_for
from workbench.evidence.parameters import evidence_parameters
from workbench.evidence.reports import parallel_contexts, s3_profile
from workbench.kb import query

ROOT = Path(__file__).resolve().parents[1]


def test_employment_panel_and_indicators(demo_kb: Path) -> None:
    panel = employment_panel("demo", db=str(demo_kb))
    raw = query(
        "SELECT region, period, nace_r2, value FROM observations WHERE dataset_id = 'demo:employment'",
        db=str(demo_kb),
    )
    assert len(panel) == len(raw)
    assert panel.attrs["missing_cells"] == int(raw["value"].isna().sum())
    m = matrix_for(panel, "2020")
    assert m.shape == (raw["region"].nunique(), raw["nace_r2"].nunique())
    one = raw[(raw["region"] == "HR03") & (raw["period"] == "2020") & (raw["nace_r2"] == "C10")][
        "value"
    ].iat[0]
    assert m.loc["HR03", "C10"] == one
    ind = indicator_table("demo", "2020", db=str(demo_kb))
    assert list(ind.columns) == ["gdp_per_head", "population_density", "rd_intensity"]
    gdp = query(
        "SELECT value FROM observations WHERE dataset_id='demo:gdp' AND unit='EUR_HAB' AND region='SI03' AND period='2020'",
        db=str(demo_kb),
    )["value"].iat[0]
    assert ind.loc["SI03", "gdp_per_head"] == gdp


def test_s3_profile_tables(demo_kb: Path) -> None:
    prof = s3_profile("HR03", db=str(demo_kb), start="2015", end="2022", reference="SEE")
    assert prof.start == "2015" and prof.end == "2022" and prof.reference == "SEE"
    spec = prof.specialisation.set_index("sector")
    # LQ of the profile equals the LQ of the raw matrix against the SEE regions (missing = 0)
    panel = employment_panel("demo", db=str(demo_kb))
    m = matrix_for(panel, "2022").fillna(0.0)
    lq = location_quotient(m.loc[m.sum(axis=1) > 0], "SEE")
    assert np.allclose(spec["lq"], lq.loc["HR03", spec.index])
    assert prof.specialisation["lq"].is_monotonic_decreasing
    assert set(prof.specialisation["quadrant"]) <= {"star", "mature", "emerging", "transforming"}
    ss = prof.shift_share
    assert np.allclose(
        ss[["national_share", "industry_mix", "regional_shift"]].sum(axis=1), ss["change"]
    )
    assert prof.shift_share_total["change"].iat[0] == pytest.approx(ss["change"].sum())
    assert (prof.options["rca"] < 1).all()  # options are sectors not yet specialised
    assert {"low risk / high gain"} <= set(prof.options["quadrant"])
    assert len(prof.peers) == 5 and "HR03" not in set(prof.peers["region"])
    assert list(prof.peer_variables.index) == ["HR03", *prof.peers["region"]]
    assert prof.dataset_ids == ["demo:employment", "demo:gdp", "demo:density", "demo:rd"]


def test_parallel_contexts_exclude_country(demo_kb: Path) -> None:
    ctx = parallel_contexts("SI03", n=4, exclude_country=True, db=str(demo_kb))
    assert len(ctx.peers) == 4 and not any(r.startswith("SI") for r in ctx.peers["region"])
    with_own = parallel_contexts("SI03", n=83, db=str(demo_kb))
    assert "SI04" in set(with_own.peers["region"])
    shares = ctx.contributions.groupby("peer")["share"].sum()
    assert np.allclose(shares, 1.0)
    assert ctx.peers["distance"].is_monotonic_increasing
    words = ctx.variable_labels(db=str(demo_kb))  # every driver in words, sectors by name
    used = set(ctx.contributions["variable"]) | set(ctx.peers["main_driver"].dropna())
    assert used <= set(words)
    sectors = query("SELECT code, name FROM sectors", db=str(demo_kb)).set_index("code")["name"]
    for v in used:
        if v.startswith("share:"):
            code = v.removeprefix("share:")
            assert words[v] == f"share of {sectors[code]} ({code})"


def test_parameters_are_validated() -> None:
    assert evidence_parameters("hr03")["region"] == "HR03"
    with pytest.raises(ParameterError, match="NUTS 2"):
        evidence_parameters("Croatia")
    with pytest.raises(ParameterError, match="source"):
        evidence_parameters("HR03", source="worldbank")
    with pytest.raises(ParameterError, match="reference"):
        evidence_parameters("HR03", reference="Mars")
    with pytest.raises(ParameterError, match="before"):
        evidence_parameters("HR03", start="2020", end="2015")
    with pytest.raises(ParameterError, match="n must"):
        evidence_parameters("HR03", n=0)


def run_notebook(name: str, db: Path, out: Path, *params: str) -> Path:
    args = [a for i in range(0, len(params), 2) for a in ("-p", params[i], params[i + 1])]
    cmd = [
        str(Path(sys.executable).parent / "workbench"),
        "run",
        str(ROOT / "notebooks" / name),
        *args,
        "--out",
        str(out),
        "-q",
    ]
    proc = subprocess.run(
        cmd,
        env=dict(os.environ, WORKBENCH_DB=str(db)),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (report,) = list(out.rglob("report.json"))
    return report.parent


@pytest.mark.slow
@pytest.mark.timeout(1800)  # may build the session's demo batch
def test_notebooks_run_in_batch_with_csv_beside_each_chart(
    demo_kb: Path, demo_batch: PlanBatch, tmp_path: Path
) -> None:
    folder = run_notebook(
        "parallel_contexts.ipynb",
        demo_kb,
        tmp_path / "pc",
        "region",
        "SI03",
        "n",
        "3",
        "exclude_country",
        "true",
    )
    record = json.loads((folder / "report.json").read_text())
    assert record["synthetic"] is True and record["parameters"]["exclude_country"] is True
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in html and "plotly-graph-div" in html
    peers = pd.read_csv(folder / "peers.csv")
    assert len(peers) == 3 and not peers["region"].str.startswith("SI").any()
    for out in record["outputs"]:
        assert (folder / out["csv"]).exists()

    # s3_profile with region=RO11: the run of the session's demo-plan batch (support/batches.py)
    folder = demo_batch.batch / "s3_profile__region-RO11"
    record = json.loads((folder / "report.json").read_text())
    names = {o["name"] for o in record["outputs"] if o["kind"] == "chart"}
    maps = {n for n in names if n.startswith("map_")}  # workbench.maps: LQ, stars, density
    assert sorted(n.rsplit("_", 1)[0] for n in maps) == ["map_density", "map_lq", "map_stars"]
    assert names - maps == {
        "specialisation",
        "specialisation_quadrant",
        "shift_share",
        "diversification_options",
        "eci_regions",
        "peers",
    }
    for out in record["outputs"]:
        assert (folder / out["csv"]).exists(), out
