"""``workbench demo``: build the synthetic SEE demo knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


def demo(
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same data.")
    ] = 20261127,
) -> None:
    """Build (or rebuild) the synthetic demo knowledge base; everything is marked synthetic."""
    from workbench.demo import build_demo

    console = Console()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("starting", total=None)
        summary = build_demo(seed=seed, progress=lambda msg: bar.update(task, description=msg))
    table = Table(title=f"Demo knowledge base (seed {summary.seed}) - SYNTHETIC data")
    table.add_column("dataset")
    table.add_column("title")
    table.add_column("rows", justify="right")
    for d in summary.datasets:
        table.add_row(d["dataset_id"], d["title"] or "", f"{d['rows']:,}")
    console.print(table)
    console.print(
        f"written to {summary.db} in {summary.seconds:.1f} s; generators: {', '.join(summary.generators)}"
        + (f"; not installed: {', '.join(summary.skipped)}" if summary.skipped else "")
    )


def register(app: typer.Typer) -> None:
    """Add ``workbench demo``."""
    app.command("demo")(demo)
