"""The batch runner with real papermill runs: failures, outputs, manifest, index, incremental runs,
locking, timeouts, and a Dask LocalCluster."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from batch_kb import build_kb

from workbench.batch.execution import NOTEBOOK_NAME
from workbench.batch.locking import BatchLocked, batch_lock
from workbench.batch.plans import load_plan
from workbench.batch.runner import run_plan
from workbench.kb import query

pytestmark = pytest.mark.slow  # batches / processes: not in make test-fast

NOTEBOOKS = Path(__file__).parent / "notebooks"
CHARTS = str(NOTEBOOKS / "region_charts.ipynb")


def write_plan(folder: Path, runs: list, name: str) -> Path:
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump({"name": name, "runs": runs}))
    return path


def kb_sha() -> str:
    return query("SELECT sha256 FROM datasets WHERE dataset_id = 'test_obs'").iloc[0, 0]


def test_one_failing_notebook_leaves_the_others_complete(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)
    plan = write_plan(
        tmp_path,
        [
            {
                "notebook": CHARTS,
                "parameter_sets": [{"region": "HR03"}, {"region": "SI03", "n_charts": 3}],
            },
            {"notebook": str(NOTEBOOKS / "raises.ipynb"), "parameters": {"region": "HR05"}},
        ],
        "mixed",
    )
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "workbench"),
            "run",
            str(plan),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    index = Path(proc.stdout.strip().removeprefix("Report index: "))
    batch = index.parent
    assert (out / "latest").resolve() == batch.resolve()
    assert (out / "mixed" / "latest").resolve() == batch.resolve()

    manifest = json.loads((batch / "manifest.json").read_text())
    runs = {r["run_id"]: r for r in manifest["runs"]}
    assert manifest["summary"] == {"total": 3, "ok": 2, "reused": 0, "failed": 1}
    assert manifest["status"] == "failed"

    failed = runs["raises__region-HR05"]
    assert failed["status"] == "failed"
    assert failed["error"]["ename"] == "ValueError"
    assert failed["error"]["evalue"] == "deliberate failure for HR05"
    assert failed["error"]["cell_source"] == 'raise ValueError(f"deliberate failure for {region}")'
    cell = failed["error"]["cell_index"]
    executed = json.loads((batch / "raises__region-HR05" / NOTEBOOK_NAME).read_text())
    assert executed["cells"][cell]["outputs"][-1]["ename"] == "ValueError"  # kept with its error

    sha = kb_sha()
    for run_id, charts in [
        ("region_charts__region-HR03", 5),
        ("region_charts__n_charts-3__region-SI03", 3),
    ]:
        run = runs[run_id]
        assert run["status"] == "ok" and run["error"] is None
        assert run["datasets"] == [{"dataset_id": "test_obs", "sha256": sha, "synthetic": True}]
        html = (batch / run["outputs"]["html"]).read_text()
        assert html.count('class="plotly-graph-div"') == charts
        assert "Provenance" in html and sha in html
        assert len(run["outputs"]["csv"]) == charts + 1
        assert run["html_bytes"] <= 600_000
    assert runs["region_charts__region-HR03"]["parameters"] == {
        "region": "HR03",
        "n_charts": 5,
        "scale": 1.0,
    }
    assert (batch / "plotly.min.js").stat().st_size > 3_000_000
    assert not list(batch.glob("*/plotly.min.js"))  # once per folder

    page = index.read_text()
    assert "1 failed" in page and "2 ok" in page
    assert "deliberate failure for HR05" in page
    assert "raise ValueError(f&#34;deliberate failure for {region}&#34;)" in page
    assert f"in cell {cell + 1}" in page
    assert 'href="region_charts__region-HR03/report.html"' in page
    assert manifest["versions"]["papermill"]
    assert manifest["kb_path"] == str(tmp_db)
    assert "raises__region-HR05" in proc.stderr  # the failure is named in the log


def test_changed_only_reuses_unchanged_runs(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)
    out = tmp_path / "reports"
    plan_path = write_plan(
        tmp_path,
        [{"notebook": CHARTS, "parameter_sets": [{"region": "HR03"}, {"region": "HR05"}]}],
        "inc",
    )
    first = run_plan(load_plan(plan_path), out=out, workers=2, changed_only=True, progress=False)
    assert first.manifest["summary"]["ok"] == 2

    second = run_plan(load_plan(plan_path), out=out, workers=2, changed_only=True, progress=False)
    assert second.executed == 0
    assert {r["status"] for r in second.manifest["runs"]} == {"reused"}
    assert all(r["reused_from"] == first.folder.name for r in second.manifest["runs"])
    for run in second.manifest["runs"]:  # outputs copied into the new batch, byte for byte
        old = (first.folder / run["outputs"]["notebook"]).read_bytes()
        assert (second.folder / run["outputs"]["notebook"]).read_bytes() == old
        assert (second.folder / run["outputs"]["html"]).exists()
    assert "2 reused" in second.index.read_text()

    # a changed parameter set re-executes that run only
    plan_path.write_text(
        yaml.safe_dump(
            {
                "name": "inc",
                "runs": [
                    {
                        "notebook": CHARTS,
                        "parameter_sets": [{"region": "HR03"}, {"region": "HR05", "scale": 2}],
                    }
                ],
            }
        )
    )
    third = run_plan(load_plan(plan_path), out=out, workers=2, changed_only=True, progress=False)
    assert {r["run_id"]: r["status"] for r in third.manifest["runs"]} == {
        "region_charts__region-HR03": "reused",
        "region_charts__region-HR05__scale-2.0": "ok",
    }

    # changed input data re-executes everything that used it
    new_sha = build_kb(tmp_db, shift=1.0)
    fourth = run_plan(load_plan(plan_path), out=out, workers=2, changed_only=True, progress=False)
    assert [r["status"] for r in fourth.manifest["runs"]] == ["ok", "ok"]
    assert all(r["datasets"][0]["sha256"] == new_sha for r in fourth.manifest["runs"])


def test_overlapping_batches_wait_then_stop_with_a_clear_message(
    tmp_db: Path, tmp_path: Path
) -> None:
    build_kb(tmp_db)
    out = tmp_path / "reports"
    plan = load_plan(write_plan(tmp_path, [{"notebook": CHARTS}], "locked"))
    with batch_lock(out / "locked"), pytest.raises(BatchLocked) as err:
        run_plan(plan, out=out, lock_wait=0.5, progress=False)
    import os

    assert f"PID {os.getpid()}" in str(err.value)
    assert "waited 0 s" in str(err.value) or "waited 1 s" in str(err.value)
    assert not [p for p in (out / "locked").iterdir() if p.is_dir()]  # no batch folder started


def test_timeout_stops_one_run(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)
    plan = load_plan(
        write_plan(
            tmp_path,
            [
                {
                    "notebook": str(NOTEBOOKS / "sleeps.ipynb"),
                    "parameter_sets": [{"seconds": 60.0}, {"seconds": 0.1}],
                }
            ],
            "slow",
        )
    )
    result = run_plan(plan, out=tmp_path / "reports", timeout=15, workers=2, progress=False)
    status = {r["run_id"]: r for r in result.manifest["runs"]}
    slow = status["sleeps__seconds-60.0"]
    assert slow["status"] == "timeout"
    assert slow["error"]["ename"] == "RunTimeout"
    assert "time.sleep(seconds)" in slow["error"]["cell_source"]
    assert slow["duration_s"] < 45
    assert status["sleeps__seconds-0.1"]["status"] == "ok"
    assert result.failed == 1


def test_dask_local_cluster_runs_the_plan(tmp_db: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    build_kb(tmp_db)
    plan = load_plan(
        write_plan(
            tmp_path,
            [
                {
                    "notebook": CHARTS,
                    "parameter_sets": [
                        {"region": "HR03", "n_charts": 2},
                        {"region": "SI03", "n_charts": 2},
                    ],
                },
                {"notebook": str(NOTEBOOKS / "raises.ipynb")},
            ],
            "dasked",
        )
    )
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = run_plan(
            plan, out=tmp_path / "reports", dask=cluster.scheduler_address, progress=False
        )
        worker_pids = {
            int(addr.rsplit(":", 1)[-1]) for addr in cluster.scheduler_info["workers"]
        } and {w.process.process.pid for w in cluster.workers.values()}
    runs = {r["run_id"]: r for r in result.manifest["runs"]}
    assert result.manifest["engine"].startswith("dask tcp://")
    assert runs["raises"]["status"] == "failed" and runs["raises"]["error"]["ename"] == "ValueError"
    for run_id in (
        "region_charts__n_charts-2__region-HR03",
        "region_charts__n_charts-2__region-SI03",
    ):
        run = runs[run_id]
        assert run["status"] == "ok"
        assert int(run["worker"].rsplit(":", 1)[-1]) in worker_pids  # executed on a Dask worker
        folder = result.folder / run_id
        assert (folder / "report.html").read_text().count('class="plotly-graph-div"') == 2
        assert sorted(p.name for p in folder.glob("*.csv")) == [
            "chart_1.csv",
            "chart_2.csv",
            "totals.csv",
        ]


def test_single_notebook_from_the_command_line(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "workbench"),
            "run",
            CHARTS,
            "-p",
            "region",
            "SI03",
            "-p",
            "n_charts",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.strip().removeprefix("Report index: "))
    assert index.parent.parent == out / "region_charts"
    (run,) = json.loads((index.parent / "manifest.json").read_text())["runs"]
    assert run["given_parameters"] == {"region": "SI03", "n_charts": 1}  # typed from text
    html = (index.parent / run["outputs"]["html"]).read_text()
    assert html.count('class="plotly-graph-div"') == 1
    assert "Chart 1 for SI03" in html
