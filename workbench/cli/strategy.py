"""``workbench strategy export|import|check``: the joint strategy's action plan (issue 17).

Partners update the plan offline in the same format it is exported in (XLSX with one sheet per
table, or a folder of CSV files), weights and progress included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    strategy_app = typer.Typer(help="Joint strategy: export/import the action plan, check it.")
    app.add_typer(strategy_app, name="strategy")

    @strategy_app.command("export")
    def export_command(
        strategy_id: Annotated[str, typer.Argument(help="Strategy id, e.g. see-joint-strategy.")],
        out: Annotated[
            Path, typer.Option("--out", help="plan.xlsx, or a folder for the CSV files.")
        ],
    ) -> None:
        """Write the action plan (objectives, actions, indicators, progress, results)."""
        from workbench.strategy.exchange import export_plan

        path = export_plan(strategy_id, out)
        Console().print(f"action plan of {strategy_id} written to {path}", highlight=False)

    @strategy_app.command("import")
    def import_command(
        path: Annotated[Path, typer.Argument(help="plan.xlsx or a folder of CSV files.")],
    ) -> None:
        """Replace a strategy's action plan by the file's (nothing is written on any problem)."""
        from workbench.strategy.exchange import import_plan

        sid = import_plan(path)
        Console().print(f"action plan of {sid} imported from {path}", highlight=False)

    @strategy_app.command("check")
    def check_command(
        strategy_id: Annotated[str, typer.Argument(help="Strategy id, e.g. see-joint-strategy.")],
    ) -> None:
        """List every action's gaps against the minimum content; exit 1 when there are any."""
        from workbench.strategy.data import load_plan
        from workbench.strategy.plan import validate_plan

        plan = load_plan(strategy_id)
        gaps = validate_plan(plan.actions, plan.links, plan.indicators)
        console = Console()
        for message in gaps["message"]:
            console.print(message, highlight=False)
        if len(gaps):
            raise typer.Exit(1)
        console.print(f"{strategy_id}: every action has the minimum content", highlight=False)
