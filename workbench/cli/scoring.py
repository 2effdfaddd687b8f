"""``workbench scoring new|rounds``: scoring rounds set up from a template file (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    """Add the ``scoring`` command group."""
    group = typer.Typer(
        help="Scoring rounds: mechanisms, criteria (weights, benefit/cost) and evaluators.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="scoring")
    console = Console()

    @group.command("new")
    def new_command(
        file: Annotated[
            Path, typer.Argument(help="Filled-in template (workbench template scoring_round).")
        ],
        replace: Annotated[
            bool,
            typer.Option("--replace", help="Replace a round of the same id nobody has scored in."),
        ] = False,
    ) -> None:
        """Store a scoring round from a template file (XLSX or YAML), after checking it (problems
        name sheet, row, column and value; nothing is written when there is any)."""
        from workbench.importers.scoring_setup import new_round

        plan, _counts = new_round(file, replace=replace)
        weights = ", ".join(
            f"{c['criterion']} {float(c['weight']):g}"
            + (" (cost)" if c["direction"] == "cost" else "")
            for c in plan.criteria
        )
        console.print(
            f"stored scoring round {plan.round_id}: {len(plan.mechanisms)} mechanism(s), "
            f"{len(plan.criteria)} criteria (weights {weights}), "
            f"{len(plan.evaluators)} evaluator(s).\n"
            f"Scoring dashboard: .../voila/render/dashboards/scoring.ipynb?round={plan.round_id}; "
            f"report: workbench run notebooks/mechanism_ranking.ipynb -p round_id {plan.round_id}",
            highlight=False,
            soft_wrap=True,
        )

    @group.command("rounds")
    def rounds_command() -> None:
        """List the stored scoring rounds."""
        from workbench.kb import query

        df = query(
            "SELECT r.round_id, r.title, CAST(r.opens_on AS VARCHAR) AS opens_on,"
            " CAST(r.closes_on AS VARCHAR) AS closes_on,"
            " (SELECT count(*) FROM scoring_round_mechanisms m WHERE m.round_id = r.round_id) AS mechanisms,"
            " (SELECT count(*) FROM scoring_round_criteria c WHERE c.round_id = r.round_id) AS criteria,"
            " (SELECT count(*) FROM criteria_scores s WHERE s.round_id = r.round_id) AS scores"
            " FROM scoring_rounds r ORDER BY r.round_id"
        )
        table = Table(*df.columns)
        for row in df.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
