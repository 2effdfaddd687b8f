"""``workbench import FILE...`` and ``workbench template TABLE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workbench.errors import ImportFailed, WorkbenchError


def show_results(results: list, console: Console | None = None) -> None:
    """A rich summary table of ImportResults."""
    console = console or Console()
    table = Table(title="Import summary")
    for col in ("file", "kind", "dataset", "rows", "outcome", "sha256"):
        table.add_column(col, justify="right" if col == "rows" else "left", overflow="fold")
    for r in results:
        if r.skipped_same_sha:
            outcome = "[yellow]unchanged (same sha256): nothing done[/]"
        elif r.replaced:
            outcome = "[green]new version replaced the old one[/]"
        else:
            outcome = "[green]imported[/]"
        table.add_row(
            Path(r.file).name, r.kind, r.dataset_id, f"{r.rows:,}", outcome, r.sha256[:12]
        )
    console.print(table)
    for r in results:
        for w in r.warnings:
            if not r.skipped_same_sha:
                console.print(f"[yellow]warning[/] {Path(r.file).name}: {w}")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_command(
        files: Annotated[
            list[Path], typer.Argument(help="Files to import (each one transaction).")
        ],
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind",
                help="Importer kind (eurostat_tsv, sdmx_csv, nuts, nace, template, ...); "
                "default: recognised from the file.",
            ),
        ] = None,
        encoding: Annotated[
            str | None,
            typer.Option("--encoding", help="Text encoding, e.g. cp1253 (default: detected)."),
        ] = None,
        dataset_id: Annotated[
            str | None,
            typer.Option(
                "--dataset-id", help="Dataset id (default: from the file; one file only)."
            ),
        ] = None,
        corrections: Annotated[
            Path | None,
            typer.Option(
                "--corrections",
                help="Correction file (YAML) applied to the rows and recorded in provenance "
                "(cohesion-policy files; see workbench/quality/corrections.py).",
            ),
        ] = None,
    ) -> None:
        """Import files into the knowledge base; a file with an error writes nothing."""
        from workbench.importers import import_file

        if dataset_id and len(files) > 1:
            raise WorkbenchError("--dataset-id needs exactly one file")
        console = Console()
        results = []
        failures: list[ImportFailed] = []
        for path in files:
            try:
                results.append(
                    import_file(
                        path,
                        kind=kind,
                        encoding=encoding,
                        dataset_id=dataset_id,
                        corrections=corrections,
                    )  # fmt: skip
                )
            except ImportFailed as exc:
                failures.append(exc)
        if results:
            show_results(results, console)
        if failures:
            if len(failures) == 1:
                raise failures[0]
            raise WorkbenchError(
                f"{len(failures)} of {len(files)} file(s) failed (nothing written from them):\n"
                + "\n".join(str(f) for f in failures)
            )

    @app.command("template")
    def template_command(
        table: Annotated[str, typer.Argument(help="Knowledge-base table, e.g. clusters.")],
        fmt: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "csv",
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Output file (default: <table>_template.<fmt>)."),
        ] = None,
    ) -> None:
        """Write an empty import template for TABLE with documented columns
        (``project``: the multi-sheet XLSX of a cooperation project)."""
        from workbench.importers.templates import get_template, write_template

        fmt = fmt.lower()
        if table in ("foresight_exercise", "scoring_round", "working_group"):  # multi-sheet set-up
            from workbench.cli.setup_templates import write_setup

            write_setup(table, fmt, out)
            return
        if table == "project":
            from workbench.importers.projects import write_project_template

            path = write_project_template(out or Path("project_template.xlsx"))
            Console().print(f"wrote {path}; fill it in and run `workbench project import {path}`")
            return
        if fmt not in ("csv", "xlsx"):
            raise WorkbenchError(f"--format must be csv or xlsx, not {fmt!r}")
        template = get_template(table)
        path = out or Path(f"{table}_template.{fmt}")
        write_template(table, path, fmt)
        console = Console()
        doc = Table(title=f"{template.title}: columns of {path}")
        for col in ("column", "type", "required", "allowed / description"):
            doc.add_column(col, overflow="fold")
        for c in template.columns:
            doc.add_row(
                c.name,
                c.type,
                "yes" if c.required else "",
                (("one of: " + ", ".join(c.allowed) + ". ") if c.allowed else "") + c.description,
            )
        console.print(doc)
        console.print(f"wrote {path}; fill it in and run `workbench import {path}`")
