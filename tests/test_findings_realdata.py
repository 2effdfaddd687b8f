"""Key findings on the real-data plan (issue 13): every number in the findings of the HR03 S3
profile is in its CSV files, the HR03 and SI03 profiles of one batch state the same period and
reference set, and every report of the plan opens with at least 3 findings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.batches import PlanBatch
from support.findings_check import key_findings_in, unmatched_numbers

from workbench.config import load_defaults
from workbench.evidence.findings import min_sectors

# timeout: the first test may run the session's real-plan batch (support/batches.py)
pytestmark = [pytest.mark.realdata, pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def real_batch(real_plan_batch: PlanBatch) -> Path:
    """The batch folder of the session's real-plan run (support/batches.py, read-only)."""
    return real_plan_batch.batch


def _run(batch: Path, pattern: str) -> Path:
    found = sorted(batch.glob(pattern))
    assert len(found) == 1, (pattern, [p.name for p in batch.iterdir()])
    return found[0]


def _findings(run: Path) -> list[str]:
    return key_findings_in((run / "report.html").read_text(encoding="utf-8"))


def test_every_report_of_the_real_plan_opens_with_key_findings(real_batch: Path) -> None:
    runs = [p for p in real_batch.iterdir() if p.is_dir()]
    assert len(runs) == 3
    for run in runs:
        assert len(_findings(run)) >= 3, run.name


def test_hr03_findings_numbers_match_its_csv_files(real_batch: Path) -> None:
    run = _run(real_batch, "s3_profile*HR03*")
    sentences = _findings(run)
    thresholds = (float(load_defaults("evidence")["quadrant"]["lq_threshold"]), min_sectors())
    assert unmatched_numbers(sentences, run, thresholds) == []
    # the headline numbers are those of the region's own rows, not just any cell
    spec = pd.read_csv(run / "specialisation.csv").sort_values("lq", ascending=False)
    top = spec.iloc[0]
    assert f"LQ) {top['lq']:.2f}" in sentences[0] and f"{100 * top['share']:.0f} %" in sentences[0]
    assert "(G-I)" in sentences[0] and "Jadranska Hrvatska (HR03)" in sentences[0]
    total = pd.read_csv(run / "shift_share_total.csv").iloc[0]
    assert any(
        f"from {total['start']:,.0f} thousand to {total['end']:,.0f} thousand" in s
        for s in sentences
    )
    # 10 broad LFS sectors: the complexity caveat is stated
    assert any("only 10 broad sectors" in s for s in sentences)


def test_hr03_and_si03_state_the_same_period_and_reference_set(real_batch: Path) -> None:
    hr, si = _run(real_batch, "s3_profile*HR03*"), _run(real_batch, "s3_profile*SI03*")
    cols = ["source", "start", "end", "reference_economy", "regions_compared", "period_rule"]
    b_hr = pd.read_csv(hr / "comparison_basis.csv")[cols].to_dict("records")
    b_si = pd.read_csv(si / "comparison_basis.csv")[cols].to_dict("records")
    assert b_hr == b_si
    basis = [[s for s in _findings(run) if s.startswith("Comparison basis")] for run in (hr, si)]
    assert basis[0] == basis[1] and len(basis[0]) == 1
    period = f"{b_hr[0]['start']}-{b_hr[0]['end']}"
    for run in (hr, si):
        assert period in (run / "report.html").read_text(encoding="utf-8").split("</h1>")[0]
    # peers: the split Lithuanian regions (identical copies of LT00) are one peer, not two
    peers = pd.read_csv(hr / "peers.csv")
    assert not {"LT01", "LT02"} <= set(peers["region"])
