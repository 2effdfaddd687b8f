"""``workbench foresight ...``: merge the inbox, status, publish the participant state, list codes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    """Add the ``foresight`` command group."""
    group = typer.Typer(
        help="Foresight workshops: inbox merge and status, publish state, codes.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="foresight")
    console = Console()

    @group.command("merge")
    def merge_command(
        wait: Annotated[
            float,
            typer.Option(
                "--wait", min=0, help="Seconds to wait for a busy knowledge base before giving up."
            ),
        ] = 10.0,
    ) -> None:
        """Merge pending dashboard submissions into the knowledge base (error if the KB stays busy)."""
        from workbench import capture
        from workbench.kb.access import require_existing

        require_existing()
        n = capture.merge(lock_wait=wait, raise_busy=True)
        console.print(f"merged {n} submission(s)")

    @group.command("status")
    def status_command() -> None:
        """Inbox rows per kind: total, pending, failed."""
        from workbench import capture
        from workbench.kb.access import require_existing

        require_existing()

        table = Table("kind", "total", "pending", "failed")
        for kind, counts in capture.status().items():
            table.add_row(kind, str(counts["total"]), str(counts["pending"]), str(counts["failed"]))
        console.print(table)

    @group.command("publish")
    def publish_command(exercise_id: Annotated[str, typer.Argument(help="Exercise id.")]) -> None:
        """Publish what participants may see of an exercise (open round, shared results)."""
        from workbench.foresight.state import publish_state

        state = publish_state(exercise_id)
        console.print(f"published {exercise_id}: open round {state['open_round']}")

    @group.command("codes")
    def codes_command(exercise_id: Annotated[str, typer.Argument(help="Exercise id.")]) -> None:
        """Print the participant codes to hand out (facilitator only)."""
        from workbench.kb import query

        codes = query(
            "SELECT participant_code FROM foresight_participants WHERE exercise_id = ? ORDER BY 1",
            [exercise_id],
        )
        for code in codes["participant_code"]:
            console.print(code, highlight=False)
