"""``workbench check [FILE | --kb]``: the data doctor."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from workbench.errors import WorkbenchError


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check_command(
        files: Annotated[
            list[Path] | None,
            typer.Argument(help="Files to check (imported into a temporary knowledge base first)."),
        ] = None,
        kb: Annotated[
            bool, typer.Option("--kb", help="Check every dataset of the knowledge base.")
        ] = False,
        dataset: Annotated[
            list[str] | None,
            typer.Option("--dataset", help="With --kb: only this dataset id (repeatable)."),
        ] = None,
        kind: Annotated[str | None, typer.Option("--kind", help="Importer kind of FILE.")] = None,
        corrections: Annotated[
            Path | None,
            typer.Option("--corrections", help="Correction file to apply to FILE before checking."),
        ] = None,
        csv: Annotated[
            Path | None, typer.Option("--csv", help="Write the findings as CSV.")
        ] = None,
        html: Annotated[
            Path | None, typer.Option("--html", help="Write a self-contained HTML page.")
        ] = None,
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 1 when there is any warning.")
        ] = False,
        suggest: Annotated[
            Path | None,
            typer.Option(
                "--suggest-corrections",
                help="Write a correction file proposing fixes for flagged currency labels "
                "(review it; it is applied only when passed to `workbench import --corrections`).",
            ),
        ] = None,
    ) -> None:
        """Check data for duplicate rows, operations repeated per location, currency labels that do not
        fit the amounts, outliers, coverage gaps, mixed NUTS versions and flagged values.  Changes nothing."""
        from workbench.quality import check_file, check_kb
        from workbench.quality.output import print_report, write_csv, write_html

        if bool(files) == kb:
            raise WorkbenchError("give FILE(s) or --kb (not both)")
        if kb:
            reports = [check_kb(datasets=dataset or None)]
        else:
            reports = [check_file(f, kind=kind, corrections=corrections) for f in files or []]
        console = Console()
        for report in reports:
            print_report(report, console)
        merged = reports[0]
        if len(reports) > 1:
            import pandas as pd

            from workbench.quality.doctor import DoctorReport

            merged = DoctorReport(
                [f for r in reports for f in r.findings],
                pd.concat([r.summary for r in reports], ignore_index=True),
                sum(r.seconds for r in reports),
                ", ".join(r.source for r in reports),
                pd.concat([r.corrections for r in reports], ignore_index=True),
            )
        if csv:
            console.print(f"wrote {write_csv(merged, csv)}")
        if html:
            console.print(f"wrote {write_html(merged, html)}")
        if suggest:
            from workbench.quality.corrections import suggest_corrections

            suggest.write_text(suggest_corrections(merged.findings), encoding="utf-8")
            console.print(f"wrote {suggest} (a proposal: review it before importing with it)")
        if strict and merged.warnings:
            raise typer.Exit(1)
