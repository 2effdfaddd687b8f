"""``workbench fetch eurostat CODE``: download a Eurostat bulk TSV with a progress bar, import it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

fetch_app = typer.Typer(help="Download public data and import it.", no_args_is_help=True)


@fetch_app.command("eurostat")
def eurostat(
    code: Annotated[str, typer.Argument(help="Eurostat dataset code, e.g. lfst_r_lfe2en2.")],
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="URL template with {code} (default: env WORKBENCH_EUROSTAT_URL, else Eurostat's "
            "dissemination API).",
        ),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="Folder for the downloaded file (default data/downloads)."),
    ] = None,
) -> None:
    """Download CODE's bulk TSV from Eurostat and import it (one transaction)."""
    from workbench.cli.importing import show_results
    from workbench.config import project_root
    from workbench.fetch import eurostat_url, fetch_eurostat

    console = Console(stderr=True)
    folder = dest or project_root() / "data" / "downloads"
    full_url = eurostat_url(code, url)
    console.print(f"downloading {full_url}")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(code, total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        result = fetch_eurostat(code, dest=folder, url=url, progress=progress)
    show_results([result], Console())


def register(app: typer.Typer) -> None:
    app.add_typer(fetch_app, name="fetch")
