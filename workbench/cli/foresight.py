"""``workbench foresight ...``: create an exercise from a template, invitation links, merge the inbox,
status, publish the participant state, list codes."""

from __future__ import annotations

from pathlib import Path
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

    @group.command("new")
    def new_command(
        file: Annotated[
            Path,
            typer.Argument(help="Filled-in template (workbench template foresight_exercise)."),
        ],
        replace: Annotated[
            bool,
            typer.Option(
                "--replace", help="Replace an exercise of the same id nobody has answered yet."
            ),
        ] = False,
    ) -> None:
        """Create a foresight exercise from a template file (XLSX or YAML), after checking it
        (problems name sheet, row, column and value; nothing is written when there is any)."""
        from workbench.importers.foresight_setup import new_exercise

        plan, counts = new_exercise(file, replace=replace)
        console.print(
            f"created exercise {plan.exercise_id}: {len(plan.statements)} statement(s), "
            f"{len(plan.drivers)} driver(s), {len(plan.rounds)} round(s), "
            f"{len(plan.participants)} participant code(s), "
            f"{len(plan.statement_translations) + len(plan.driver_translations)} translation(s); "
            "published for the participant page",
            highlight=False,
        )
        console.print(
            f"next: workbench foresight invitations {plan.exercise_id} "
            "--base-url http://ADDRESS:8866/ --out invitations.html [--pdf invitations.pdf]",
            highlight=False,
        )

    @group.command("invitations")
    def invitations_command(
        exercise_id: Annotated[str, typer.Argument(help="Exercise id.")],
        base_url: Annotated[
            str,
            typer.Option(
                "--base-url",
                help="Address participants reach `workbench serve` at, e.g. http://192.168.1.10:8866/.",
            ),
        ] = "http://127.0.0.1:8866/",
        out: Annotated[Path, typer.Option("--out", help="HTML sheet of invitation cards.")] = Path(
            "invitations.html"
        ),
        pdf: Annotated[
            Path | None, typer.Option("--pdf", help="Also write the sheet as PDF (WeasyPrint).")
        ] = None,
        token: Annotated[
            str | None,
            typer.Option(
                help="Participants' token if `workbench serve --token` gets another one "
                "(default: the one kept in .serve/tokens.json)."
            ),
        ] = None,
        links: Annotated[
            bool, typer.Option("--links", help="Also print one line per participant: code, link.")
        ] = False,
    ) -> None:
        """Write a printable sheet of invitation links with QR codes (offline; one card per
        participant). Each link opens the participant page already signed in."""
        from workbench.kb.access import require_existing
        from workbench.serving.invitations import invitation_sheet, invitations

        require_existing()
        written = invitation_sheet(exercise_id, base_url, out, pdf=pdf, token=token)
        if links:
            for r in invitations(exercise_id, base_url, token=token):
                console.print(f"{r['code']}  {r['url']}", highlight=False, soft_wrap=True)
        console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)

    @group.command("round")
    def round_command(
        exercise_id: Annotated[str, typer.Argument(help="Exercise id.")],
        round_no: Annotated[int, typer.Argument(help="Round number.", min=1)],
        action: Annotated[str, typer.Argument(help="open, close or share.")],
    ) -> None:
        """Open a round, close it, or share a closed round's results (group median and interquartile
        range) with participants; published at once (the facilitator dashboard has the same buttons)."""
        from workbench.errors import ValidationError
        from workbench.foresight.model import load_exercise
        from workbench.foresight.state import set_round
        from workbench.kb.access import require_existing

        require_existing()
        if action not in ("open", "close", "share"):
            raise ValidationError(f"action must be open, close or share, not {action!r}")
        ex = load_exercise(exercise_id)
        rounds = {int(r.round_no): r for r in ex.rounds.itertuples()}
        if action == "open":
            others = [n for n, r in rounds.items() if r.status == "open" and n != round_no]
            if others:
                raise ValidationError(
                    f"close round {others[0]} first (one round is open at a time)"
                )
            if round_no not in rounds and round_no != max(rounds, default=0) + 1:
                raise ValidationError(
                    f"round {round_no} does not exist; the next new round is {max(rounds, default=0) + 1}"
                )
        elif round_no not in rounds:
            raise ValidationError(f"exercise {exercise_id!r} has no round {round_no}")
        elif action == "share" and rounds[round_no].status != "closed":
            raise ValidationError(f"round {round_no} is {rounds[round_no].status}: close it first")
        status = "open" if action == "open" else "closed"
        shared = action == "share" or (
            action == "close" and bool(rounds[round_no].results_shared)  # closing keeps sharing
        )
        state = set_round(exercise_id, round_no, status, results_shared=shared)
        console.print(
            f"round {round_no} of {exercise_id}: {status}"
            + (", results shared with participants" if action == "share" else "")
            + f"; open round now: {state['open_round'] or 'none'}",
            highlight=False,
        )

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
