"""The data doctor's findings for people: a rich table in the terminal, a CSV, a self-contained HTML page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.console import Console
from rich.table import Table

from workbench.config import load_defaults
from workbench.quality.doctor import DoctorReport
from workbench.wording import count

CHECK_LABELS = {
    "repeated_operations": "operations repeated per location",
    "duplicate_rows": "duplicate rows",
    "currency_labels": "currency labels that do not fit the amounts",
    "outliers": "outliers",
    "coverage_gaps": "coverage gaps by region and year",
    "mixed_nuts_versions": "mixed NUTS versions",
    "flagged_values": "flagged values",
}
_TEMPLATES = Path(__file__).parent / "templates"


def _cell(value: Any) -> str:
    """A value as a person reads it: no NaN/None/True, thousands separators, dates without time."""
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def print_report(report: DoctorReport, console: Console | None = None) -> None:
    """Summary and findings as rich tables."""
    console = console or Console()
    summary = Table(title=f"Data check of {report.source} ({report.seconds:.1f} s)")
    for col in ("dataset", "rows", "warnings", "notes", "flagged rows"):
        summary.add_column(col, justify="left" if col == "dataset" else "right", overflow="fold")
    for d in report.summary.to_dict("records"):
        flagged = d["flagged_share"]
        share = "" if flagged is None or pd.isna(flagged) else f" ({float(flagged):.1%})"
        summary.add_row(
            str(d["dataset_id"]), f"{int(d['rows']):,}", str(d["warnings"]), str(d["infos"]),
            f"{int(d['flagged_rows']):,}{share}",
        )  # fmt: skip
    console.print(summary)
    table = Table(title="Findings", show_lines=True)
    for col in ("severity", "dataset", "check", "rows", "finding"):
        table.add_column(col, overflow="fold", justify="right" if col == "rows" else "left")
    for f in sorted(
        report.findings, key=lambda f: (f.severity != "warning", f.dataset_id, f.check)
    ):
        sev = "[bold yellow]warning[/]" if f.severity == "warning" else "note"
        table.add_row(
            sev, f.dataset_id, CHECK_LABELS.get(f.check, f.check), f"{f.n_rows:,}", f.message
        )
    console.print(table)
    for c in report.corrections.itertuples() if len(report.corrections) else []:
        console.print(
            f"[cyan]correction applied[/] {c.dataset_id}: {c.correction_id} ({c.changes}, {c.n_rows:,} rows)"
        )


def write_csv(report: DoctorReport, path: str | os.PathLike[str]) -> Path:
    """One row per finding (dataset, check, severity, rows, share, message)."""
    path = Path(path)
    report.table().to_csv(path, index=False)
    return path


def render_html(report: DoctorReport) -> str:
    """A self-contained HTML page (no scripts, no external requests) listing every finding."""
    conf = load_defaults("quality")["report"]
    max_rows = int(conf["max_rows"])
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["j2", "html"])
    )
    findings = []
    for f in sorted(
        report.findings, key=lambda f: (f.severity != "warning", f.dataset_id, f.check)
    ):
        ex = f.examples if isinstance(f.examples, pd.DataFrame) else pd.DataFrame()
        shown = ex.head(max_rows)
        findings.append({
            "dataset_id": f.dataset_id, "check": f.check, "check_label": CHECK_LABELS.get(f.check, f.check),
            "severity": f.severity, "message": f.message, "n_rows": int(f.n_rows),
            "share": None if f.share is None or pd.isna(f.share) else float(f.share),
            "columns": [str(c) for c in shown.columns],
            "examples": [[_cell(v) for v in row] for row in shown.itertuples(index=False, name=None)],
            "examples_caption": f"{len(shown):,} of {count(len(ex), 'row')}" + ("" if len(ex) <= max_rows else " (CSV export for all)"),
        })  # fmt: skip
    summary = [
        {**d, "flagged_share": None if d["flagged_share"] is None or pd.isna(d["flagged_share"]) else d["flagged_share"]}
        for d in report.summary.to_dict("records")
    ]  # fmt: skip
    return env.get_template("check.html.j2").render(
        source=report.source,
        seconds=report.seconds,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        n_datasets=len(report.summary),
        n_warnings=sum(f["severity"] == "warning" for f in findings),
        n_infos=sum(f["severity"] == "info" for f in findings),
        summary=summary,
        corrections=report.corrections.to_dict("records") if len(report.corrections) else [],
        findings=findings,
    )


def write_html(report: DoctorReport, path: str | os.PathLike[str]) -> Path:
    """Write :func:`render_html` to ``path``."""
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path
