"""Policy domain against a real knowledge base: demo generator, capture merger, loaders, and the two
notebooks run with papermill (demo region and the real Croatian region HR03)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.notebooks import run_notebook
from support.testing import require_real_data

from workbench import capture
from workbench.config import project_root
from workbench.errors import ValidationError
from workbench.importers import import_file
from workbench.kb import query, writer
from workbench.policy import data
from workbench.policy.settings import DIMENSIONS

NOTEBOOKS = project_root() / "notebooks"


@pytest.fixture(scope="module")
def demo_db(demo_kb: Path) -> Path:
    """The shared demo knowledge base (conftest ``demo_kb``); tests here only read it."""
    return demo_kb


def test_demo_policy_content(demo_db: Path) -> None:
    acts = query("SELECT * FROM policy_actions WHERE dataset_id = 'demo:policy'", db=demo_db)
    assert len(acts) >= 60
    assert set(acts["dimension"]) == set(DIMENSIONS)
    assert (
        acts["synthetic"].all() and (acts["currency"] == "EUR").all() and (acts["budget"] > 0).all()
    )
    done = acts[acts["status"] == "completed"]
    assert done["achieved_outputs"].notna().sum() > 0.8 * len(done)
    assert (acts["end_date"] > acts["start_date"]).all()
    bars = query("SELECT * FROM barriers WHERE dataset_id = 'demo:policy'", db=demo_db)
    inst = query("SELECT * FROM policy_instruments WHERE dataset_id = 'demo:policy'", db=demo_db)
    assert len(bars) > 0 and len(inst) > 0 and bars["synthetic"].all()
    assert set(bars["severity"]) <= {0, 1, 2, 3}
    ds = query("SELECT * FROM datasets WHERE dataset_id = 'demo:policy'", db=demo_db).iloc[0]
    assert ds["synthetic"] and ds["rows"] == len(acts) + len(bars) + len(inst)


def test_load_actions_period_overlap(tmp_db: Path) -> None:
    with writer(tmp_db) as con:
        con.execute(
            "INSERT INTO policy_actions (action_id, region, country, title, start_date, end_date,"
            " programming_period, synthetic) VALUES"
            " ('a', 'R1', 'XX', 'a', '2012-05-01', '2015-02-01', NULL, FALSE),"
            " ('b', 'R1', 'XX', 'b', NULL, NULL, '2014-2020', FALSE),"
            " ('c', 'R1', 'XX', 'c', '2019-01-01', NULL, NULL, TRUE),"
            " ('d', 'R2', 'YY', 'd', NULL, NULL, NULL, FALSE)"
        )
    ids = lambda **kw: data.load_actions(**kw)["action_id"].tolist()  # noqa: E731
    assert ids(region="R1", period="2015") == ["a", "b"]
    assert ids(region="R1", period="2010-2013") == ["a"]
    assert ids(region="R1", period="2019-2020") == ["b", "c"]
    assert ids(region="R1", period="2019-2020", include_synthetic=False) == ["b"]
    assert ids(country="YY") == ["d"]
    assert ids(country="YY", period="2015") == []  # no date and no programming period
    with pytest.raises(ValidationError):
        data.load_actions(region="R1", period="2015/16")


def test_barrier_capture_merge_insert_and_edit(tmp_db: Path) -> None:
    payload = {"region": "SI04", "barrier": "No cluster data", "dimensions": ["governance"],
               "phase": "current_framework", "severity": 2, "barrier_id": "B-test1"}  # fmt: skip
    capture.submit("policy.barrier", payload, client_id="t", idempotency_key="k1")
    with pytest.raises(ValidationError, match="severity"):
        capture.submit(
            "policy.barrier", {**payload, "severity": 9}, client_id="t", idempotency_key="k2"
        )
    assert capture.merge() == 1
    first = query("SELECT * FROM barriers").iloc[0]
    assert first["barrier"] == "No cluster data" and list(first["dimensions"]) == ["governance"]
    assert pd.isna(first["updated_at"])
    capture.submit("policy.barrier", {**payload, "severity": 3, "evidence": "audit 2024"}, client_id="t",
                   idempotency_key="k3")  # fmt: skip
    assert capture.merge() == 1
    rows = query("SELECT * FROM barriers")
    assert len(rows) == 1
    edited = rows.iloc[0]
    assert edited["severity"] == 3 and edited["evidence"] == "audit 2024"
    assert edited["created_at"] == first["created_at"] and pd.notna(edited["updated_at"])
    ds = query("SELECT * FROM datasets WHERE dataset_id = 'capture:barriers'").iloc[0]
    assert ds["rows"] == 1 and not ds["synthetic"]
    loaded = data.load_barriers(["SI04"])
    assert loaded["dimensions"].tolist() == [["governance"]]


def _run(nb: str, out_dir: Path, db: Path, params: dict) -> Path:
    report_dir = out_dir / nb
    run_notebook(NOTEBOOKS / f"{nb}.ipynb", out_dir / f"{nb}.out.ipynb", params, db=db,
                 report_dir=report_dir, cwd=out_dir)  # fmt: skip
    return report_dir


@pytest.mark.slow
def test_past_action_notebook_on_demo_region(demo_db: Path, tmp_path: Path) -> None:
    out = _run("past_action_analysis", tmp_path, demo_db, {"region": "SI03", "period": "2014-2020"})
    spend = pd.read_csv(out / "spend_by_dimension_period.csv")
    acts = data.load_actions("SI03", period="2014-2020", db=demo_db)
    assert spend["n_actions"].sum() == len(acts) > 0
    assert spend["budget"].sum() == pytest.approx(acts["budget"].sum())
    record = json.loads((out / "report.json").read_text())
    assert record["synthetic"] and [d["dataset_id"] for d in record["datasets"]] == ["demo:policy"]
    names = {o["name"] for o in record["outputs"]}
    assert {"spend_by_dimension_period", "effectiveness", "efficiency", "gaps", "timeline"} <= names
    assert len(pd.read_csv(out / "gaps.csv")) == 7


@pytest.mark.slow
def test_barrier_matrix_notebook_on_demo(demo_db: Path, tmp_path: Path) -> None:
    out = _run("barrier_matrix", tmp_path, demo_db, {"regions": ["SI03", "HR03"]})
    matrix = pd.read_csv(out / "barrier_matrix.csv")
    bars = data.load_barriers(["SI03", "HR03"], db=demo_db)
    assert len(matrix) == 28
    assert matrix["n_barriers"].sum() == sum(len(d) for d in bars["dimensions"])
    comp = pd.read_csv(out / "regions_by_dimension.csv")
    assert set(comp["region"]) == {"SI03", "HR03"}
    assert (out / "framework_coherence.csv").exists()


@pytest.mark.slow
def test_past_action_notebook_on_real_croatian_region(tmp_db: Path, tmp_path: Path) -> None:
    from support.hr_operations import hr_operations, region_totals

    path = require_real_data("cohesion_policy", "ESIF_Croatia_2007-2020.csv")
    import_file(path)
    out = _run("past_action_analysis", tmp_path, tmp_db,
               {"region": "HR03", "period": "", "include_synthetic": False})  # fmt: skip
    spend = pd.read_csv(out / "spend_by_dimension_period.csv")
    # operations repeated per county count once; amounts shared equally per location (policy.yml)
    _, ops = hr_operations(path)
    n, expected = region_totals(ops, "Adriatic Croatia")
    assert spend["n_actions"].sum() == n < 737  # 737 = the file's HR03 rows
    by_cur = spend.groupby("currency")["budget"].sum()
    for cur, total in expected.items():
        assert by_cur[cur] == pytest.approx(float(total), rel=1e-9)
    record = json.loads((out / "report.json").read_text())
    assert not record["synthetic"]
    assert record["datasets"][0]["dataset_id"] == "cohesion:hr_operations_2007_2016"
    issues = pd.read_csv(out / "import_issues.csv")
    assert (issues["level"] == "info").sum() == 77  # transport projects reported, none dropped


def test_barrier_and_instrument_templates_import_and_validate(tmp_db: Path, tmp_path: Path) -> None:
    from workbench.errors import ImportFailed

    good = tmp_path / "barriers_hr.csv"
    good.write_text(
        "barrier_id,region,barrier,dimensions,phase,severity,evidence,source,author\n"
        "HR03-B-1,HR03,Weak links to universities,innovation;skills,past_actions,2,survey 2019,WG1,ana\n"
        "HR03-B-2,HR03,No regional cluster monitoring,governance,current_framework,3,,WG1,ana\n",
        encoding="utf-8",
    )
    inst = tmp_path / "instruments_hr.csv"
    inst.write_text(
        "instrument_id,region,country,name,level,dimensions\n"
        "HR03-I-1,HR03,HR,Innovation vouchers,national,innovation;governance\n",
        encoding="utf-8",
    )
    assert import_file(good).rows == 2 and import_file(inst).rows == 1
    bars = data.load_barriers(["HR03"])
    assert bars.set_index("barrier_id").loc["HR03-B-1", "dimensions"] == ["innovation", "skills"]
    assert bars["created_at"].notna().all()
    from workbench.policy import barriers as B

    cell = B.barrier_matrix(bars).set_index(["dimension", "phase"])
    assert cell.loc[("governance", "current_framework"), "evidence_status"] == "no evidence"
    bad = tmp_path / "barriers_bad.csv"
    bad.write_text(
        "barrier_id,region,barrier,dimensions,phase,severity\nX-1,HR03,Something,tourism,past_actions,4\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as exc:
        import_file(bad)
    text = str(exc.value)
    assert (
        "'dimensions'" in text and "tourism" in text and "'severity'" in text and "line 2" in text
    )
    assert len(data.load_barriers()) == 2


def test_dashboard_edit_and_pending_view_in_process(tmp_db: Path) -> None:
    from workbench.dashboards.barriers import BarrierDashboard

    dash = BarrierDashboard(merge=False)  # nothing merged: entries must show from the inbox
    dash.i_region.value = "SI04"
    dash.i_barrier.value = "Calls ignore cluster organisations"
    dash.i_dims["financing"].value = True
    dash.i_phase.value = "current_framework"
    assert dash.save()
    assert "Saved barrier" in dash.status.value
    assert dash.view["pending"].tolist() == [True]
    cell = dash.matrix.set_index(["dimension", "phase"]).loc[("financing", "current_framework")]
    assert cell["n_barriers"] == 1
    assert capture.merge() == 1
    bid = query("SELECT barrier_id FROM barriers")["barrier_id"].iloc[0]
    dash.refresh()
    dash.edit_choice.value = bid  # loads the form
    assert (
        dash.i_barrier.value == "Calls ignore cluster organisations"
        and dash.i_dims["financing"].value
    )
    dash.i_severity.value = 3
    dash.i_evidence.value = "call documents 2023"
    assert dash.save()
    capture.merge()
    rows = query("SELECT * FROM barriers")
    assert (
        len(rows) == 1
        and rows["severity"].iloc[0] == 3
        and rows["evidence"].iloc[0] == "call documents 2023"
    )
    dash.i_barrier.value = "<b>x</b>"
    dash.i_dims["financing"].value = True
    assert dash.save()
    dash.refresh()
    assert "&lt;b&gt;x&lt;/b&gt;" in dash.list_box.value and "<b>x</b>" not in dash.list_box.value
    dash.f_dimension.value = "skills"
    assert len(dash.view) == 0 and "No barrier recorded" in dash.list_box.value
