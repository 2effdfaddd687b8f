"""The real-data batch: S3 profiles from the real Eurostat LFS file and the past-action report of a
real Croatian region run through `workbench run` with the plan's inputs imported first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.testing import require_real_data

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


def test_real_plan_imports_inputs_and_every_report_succeeds(tmp_path: Path) -> None:
    require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    require_real_data("cohesion_policy", "ESIF_Croatia_2007-2020.csv")
    db = tmp_path / "real.duckdb"
    out = tmp_path / "reports"

    done = _workbench("run", str(PLAN), "--out", str(out), "-q", db=db)
    assert done.returncode == 0, done.stderr
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
        "run", str(PLAN), "--out", str(out), "-q", "--only", "s3_profile*HR03*", db=db
    )
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("unchanged") == 3
