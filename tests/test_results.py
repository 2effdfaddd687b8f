"""One small result interface: report results carry title, note() and dataset_ids, and
``start_report`` takes the result itself (issue 11, "one shape for every domain")."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.evidence.reports import parallel_contexts, s3_profile
from workbench.policy.reports import barrier_matrix_analysis
from workbench.reporting import start_report
from workbench.results import ReportResult


def test_results_of_every_shape_satisfy_the_interface(
    demo_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DB", str(demo_kb))
    results = [
        s3_profile("HR03", db=str(demo_kb)),
        parallel_contexts("SI03", db=str(demo_kb)),
        barrier_matrix_analysis(["SI03", "HR03"], True),
    ]
    for result in results:
        assert isinstance(result, ReportResult), type(result).__name__
        assert result.note("no such section") == ""
        assert result.dataset_ids


def test_start_report_takes_title_and_datasets_from_the_result(
    demo_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DB", str(demo_kb))
    monkeypatch.setenv("WORKBENCH_REPORT_DIR", str(tmp_path))
    profile = s3_profile("HR03", db=str(demo_kb))
    shown: list[dict] = []
    report = start_report(profile, {"region": "HR03"}, publish=shown.append)
    assert report.title == profile.title
    assert [d["dataset_id"] for d in report.datasets] == profile.dataset_ids
    assert any(profile.title.split(":")[0] in str(out) for out in shown)
