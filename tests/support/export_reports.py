"""Synthetic export reports (``workbench.export.model.Report``) for PDF layout tests: only the
blocks differ between tests; the frame (run folder, title, findings, provenance) is built here."""

from __future__ import annotations

from pathlib import Path

from workbench.export.model import Report


def synthetic_report(
    tmp_path: Path, n: int, blocks: list, *, title: str, finding: str, provenance_html: str
) -> Report:
    """Report number ``n`` with ``blocks``, its run folder ``tmp_path/run<n>`` created."""
    run = tmp_path / f"run{n}"
    run.mkdir()
    return Report(
        run_dir=run,
        run_id=f"run{n}",
        title=title,
        kind="Regional profile",
        subtitle="",
        generated_at="2026-12-01T10:00:00Z",
        synthetic=False,
        synthetic_note="",
        key_findings=[finding],
        blocks=blocks,
        provenance_html=provenance_html,
        record={},
    )
