"""``workbench groups status|calendar``: working-group spaces (issue 18, item 3)."""

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
                f"OVERDUE {r.item_id}: {escape(r.title)} (owner {r.owner}, due {r.due_date}, "
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
