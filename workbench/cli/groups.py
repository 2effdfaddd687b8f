"""``workbench groups status|calendar|template|import|export``: working-group spaces (issue 18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape


def register(app: typer.Typer) -> None:
    groups_app = typer.Typer(
        help="Working groups: progress, overdue action items, meetings calendar."
    )
    app.add_typer(groups_app, name="groups")

    def _as_of(text: str) -> dt.date:
        from workbench.errors import ValidationError

        try:
            return dt.date.fromisoformat(text) if text else dt.date.today()
        except ValueError:
            raise ValidationError(f"--as-of {text!r} is not a date such as 2026-12-01") from None

    @groups_app.command("status")
    def status_command(
        group: Annotated[str, typer.Option("--group", help="One group id (default: all).")] = "",
        as_of: Annotated[str, typer.Option("--as-of", help="Date (default today).")] = "",
    ) -> None:
        """Progress per group and the overdue action items (exit 1 when any is overdue)."""
        from workbench.learning import data
        from workbench.learning.groups import flag_overdue, group_progress

        day = _as_of(as_of)
        t = data.group_tables(group_id=group or None)
        progress = group_progress(
            t["groups"], t["members"], t["meetings"], t["attendance"], t["decisions"],
            t["action_items"], day,
        )  # fmt: skip
        console = Console()
        for r in progress.itertuples():
            console.print(
                f"{r.group_id} {escape(r.name)}: {r.members} members, {r.meetings_held} meetings held, "
                f"{r.done} of {r.items} action items done, {r.overdue} overdue",
                highlight=False,
            )
        late = flag_overdue(t["action_items"], day)
        late = late[late["overdue"]]
        for r in late.itertuples():
            console.print(
                f"OVERDUE {r.item_id}: {escape(r.title)} (owner {r.owner}, "
                f"due {str(r.due_date)[:10]}, "
                f"{r.days_overdue} days late)",
                highlight=False,
            )
        if len(late):
            raise typer.Exit(1)

    @groups_app.command("calendar")
    def calendar_command(
        out: Annotated[Path, typer.Option("--out", help="The .ics file to write.")],
        group: Annotated[str, typer.Option("--group", help="One group id (default: all).")] = "",
    ) -> None:
        """Write the meetings as an iCalendar file (one event per meeting)."""
        from workbench.learning import data
        from workbench.learning.groups import meetings_calendar

        t = data.group_tables(group_id=group or None)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(meetings_calendar(t["meetings"], t["groups"]))
        Console().print(f"written: {out} ({len(t['meetings'])} meetings)", highlight=False)

    @groups_app.command("template")
    def template_command(
        out: Annotated[Path, typer.Argument(help="The .xlsx file or a folder to write it into.")],
    ) -> None:
        """Write the documented XLSX template of a working group's records (README sheet, one
        sheet per table, a comment on every column)."""
        from workbench.importers.working_groups import write_group_template

        path = write_group_template(out)
        Console().print(
            f"wrote {path}; fill it in and run `workbench groups import {path}`", highlight=False
        )

    @groups_app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help="A filled-in template or an export (.xlsx).")],
        synthetic: Annotated[
            bool, typer.Option("--synthetic", help="Mark new rows as synthetic (demo data).")
        ] = False,
    ) -> None:
        """Add or update members, meetings, attendance, decisions and action items from FILE in one
        transaction (every problem named by sheet, row, column and value; nothing written if
        any)."""
        from workbench.importers.working_groups import import_groups

        summary = import_groups(file, synthetic=synthetic)
        console = Console()
        for line in summary.lines():
            console.print(line, highlight=False)
        if not summary.changed:
            console.print("nothing changed: every row is already in the knowledge base")

    @groups_app.command("export")
    def export_command(
        group: Annotated[str, typer.Argument(help="Group id, e.g. WG-SKIL, or 'all'.")],
        out: Annotated[Path, typer.Option("--out", help="The .xlsx file to write.")],
    ) -> None:
        """Write a group's records in the template's format, to update offline and import again."""
        from workbench.importers.working_groups import export_groups

        path = export_groups(group, out)
        Console().print(
            f"wrote {path}; edit it and run `workbench groups import {path}`", highlight=False
        )
