"""The real-data batch: S3 profiles from the real Eurostat LFS file and the past-action report of a
real Croatian region run through `workbench run` with the plan's inputs imported first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.batches import PlanBatch, copy_kb

from workbench.kb import query

pytestmark = pytest.mark.slow  # batches / processes: not in make test-fast

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "notebooks" / "plans" / "real.yml"


def _workbench(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.timeout(1200)  # may run the session's real-plan batch
def test_real_plan_imports_inputs_and_every_report_succeeds(
    real_plan_batch: PlanBatch, tmp_path: Path
) -> None:
    # the first run is the session's real-plan batch (support/batches.py: `workbench --db DB run
    # PLAN --out OUT -q` on a fresh knowledge base, exit status 0); the second run writes, so it
    # gets a copy of that knowledge base and its own --out folder
    done, out = real_plan_batch.done, real_plan_batch.out
    db = copy_kb(real_plan_batch.db, tmp_path / "real.duckdb")
    assert "input eurostat:lfst_r_lfe2en2" in done.stderr

    manifest = json.loads(next(out.glob("real/*/manifest.json")).read_text())
    runs = manifest["runs"]
    assert len(runs) == 3
    assert {r["status"] for r in runs} == {"ok"}
    # nothing synthetic went into these reports: the KB holds only the imported real datasets
    datasets = query("SELECT dataset_id, synthetic FROM datasets", db=db)
    assert not datasets["synthetic"].any()
    assert set(datasets["dataset_id"]) == {
        "eurostat:lfst_r_lfe2en2",
        "eurostat:nama_10r_2gdp",
        "cohesion:hr_operations_2007_2016",
    }
    html = next(out.glob("real/*/past_action_analysis*HR03*/*.html")).read_text()
    assert "synthetic demo data" not in html.lower()

    # a second run re-imports nothing (same sha256): the inputs are reported unchanged
    again = _workbench(
        "run", str(PLAN), "--out", str(tmp_path / "reports"), "-q", "--only", "s3_profile*HR03*",
        db=db,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("unchanged") == 3
