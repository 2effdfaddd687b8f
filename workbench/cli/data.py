"""``workbench data catalogue``: which Eurostat datasets each analysis uses or gains from."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workbench.errors import ValidationError

data_app = typer.Typer(help="Data sources: the catalogue of Eurostat datasets the analyses use.",
                       no_args_is_help=True)  # fmt: skip


@data_app.command("catalogue")
def catalogue(
    analysis: Annotated[
        str | None,
        typer.Option("--analysis", help="Only datasets of this analysis (e.g. s3_profile)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, markdown or commands.")] = "table",
) -> None:
    """List the Eurostat datasets each analysis uses or gains from, with the exact fetch command
    and whether the knowledge base already holds them (workbench/defaults/catalogue.yml)."""
    from workbench.quality.catalogue import catalogue_frame

    frame = catalogue_frame(analysis)
    if fmt == "commands":
        for code in dict.fromkeys(frame["code"]):
            typer.echo(f"workbench fetch eurostat {code}")
        return
    if fmt == "markdown":
        typer.echo(
            "| dataset | analysis | role | in knowledge base | command |\n|---|---|---|---|---|"
        )
        for row in frame.to_dict("records"):
            typer.echo(
                f"| `{row['code']}` {row['title']} | {row['analysis']} | {row['role']} | "
                f"{row['in_kb']} | `{row['command']}` |"
            )
        return
    if fmt != "table":
        raise ValidationError(f"--format must be table, markdown or commands, not {fmt!r}")
    table = Table(
        title="Eurostat data for the analyses (workbench/defaults/catalogue.yml)", show_lines=True
    )
    for col in ("dataset", "analysis", "role", "in knowledge base", "get it with"):
        table.add_column(col, overflow="fold")
    for r in frame.to_dict("records"):
        table.add_row(
            f"{r['code']}\n{r['title']}",
            *(str(r[c]) for c in ("analysis", "role", "in_kb", "command")),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
