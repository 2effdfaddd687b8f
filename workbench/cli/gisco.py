"""``workbench fetch gisco``: download Eurostat GISCO NUTS boundaries into the map cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)


def gisco(
    year: Annotated[str, typer.Option("--year", help="NUTS version year.")] = "2021",
    scale: Annotated[
        str, typer.Option("--scale", help="GISCO scale: 60M (reports), 20M, 10M, 03M, 01M.")
    ] = "60M",
    levels: Annotated[
        str, typer.Option("--levels", help="NUTS levels, comma-separated (default 0,1,2,3).")
    ] = "0,1,2,3",
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="Base URL of the GISCO files (default: env WORKBENCH_GISCO_URL, else GISCO's "
            "distribution API, maps.yml).",
        ),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option(
            "--dest",
            help="Cache folder (default: env WORKBENCH_GISCO_DIR, else gisco/ next to the KB).",
        ),
    ] = None,
) -> None:
    """Download GISCO NUTS region polygons (and label points) for maps; maps never download."""
    from rich.table import Table

    from workbench.errors import ValidationError
    from workbench.maps import gisco as g

    try:
        lv = [int(x) for x in levels.split(",") if x.strip()]
    except ValueError as exc:
        raise ValidationError(f"--levels must be numbers like 0,1,2,3, not {levels!r}") from exc
    console = Console(stderr=True)
    folder = dest or g.cache_dir()
    console.print(f"downloading GISCO NUTS {year} {scale} from {g.base_url(url)} into {folder}")
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        entries = g.fetch_gisco(year, scale, levels=lv, dest=folder, url=url, progress=progress)
    table = Table(title=f"GISCO files in {folder}")
    for col in ("file", "features", "bytes", "sha256"):
        table.add_column(col, overflow="fold")
    for e in entries:
        table.add_row(e["file"], str(e["features"]), f"{e['bytes']:,}", e["sha256"][:12] + "…")
    Console().print(table)
    Console().print("Maps must credit: © EuroGeographics for the administrative boundaries")


def register(app: typer.Typer) -> None:
    from workbench.cli.fetch import fetch_app

    fetch_app.command("gisco")(gisco)
