"""``workbench project import|check|calendar``: cooperation projects (issue 19).

The empty XLSX template: ``workbench template project``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from workbench.errors import WorkbenchError


def register(app: typer.Typer) -> None:
    project_app = typer.Typer(help="Cooperation projects: import, pre-submission checks, calendar.")
    app.add_typer(project_app, name="project")

    @project_app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help="Project file: XLSX template or JSON.")],
    ) -> None:
        """Import a project (replaces its previous rows), then list the pre-submission checks."""
        from workbench.config import load_defaults
        from workbench.importers.projects import import_project
        from workbench.projects.checks import check_project

        model, rows = import_project(file)
        console = Console()
        console.print(f"imported project {model.project_id} ({model.acronym}): {rows} rows")
        for message in check_project(model, load_defaults("projects")["checks"]):
            console.print(f"[yellow]check:[/yellow] {message}")

    @project_app.command("check")
    def check_command(
        file: Annotated[
            Path | None, typer.Argument(help="Project file to check (default: the KB project).")
        ] = None,
        project_id: Annotated[str, typer.Option("--project", help="Project id in the KB.")] = "",
    ) -> None:
        """Run the pre-submission checks; exit 1 when any fails."""
        from workbench.config import load_defaults
        from workbench.importers.projects import read_project
        from workbench.projects.checks import check_project
        from workbench.projects.data import load_project

        model = read_project(file) if file else load_project(project_id)
        messages = check_project(model, load_defaults("projects")["checks"])
        console = Console()
        for message in messages:
            console.print(message, highlight=False)
        if messages:
            raise typer.Exit(1)
        console.print(f"project {model.project_id}: all pre-submission checks pass")

    @project_app.command("calendar")
    def calendar_command(
        out: Annotated[Path, typer.Option("--out", help="The .ics file to write.")],
        project_id: Annotated[str, typer.Option("--project", help="Project id in the KB.")] = "",
    ) -> None:
        """Write the reporting calendar (one event per reporting deadline) as iCalendar."""
        from workbench.projects.calendar import calendar_ics
        from workbench.projects.data import load_project
        from workbench.projects.workplan import reporting_deadlines

        model = load_project(project_id)
        if model["periods"].empty:
            raise WorkbenchError(f"project {model.project_id} has no periods")
        deadlines = reporting_deadlines(model["periods"], model.acronym)
        out.write_bytes(calendar_ics(deadlines, model.project_id, model.acronym))
        Console().print(f"wrote {out}: {len(deadlines)} deadlines")
