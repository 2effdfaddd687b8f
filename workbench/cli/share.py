"""``workbench share``: one-file HTML reports (charts drawn offline, plotly.js inlined once) plus a
zip of each report's CSV files, from an existing run or batch folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``share`` command to the workbench CLI."""

    @app.command("share")
    def share_command(
        path: Annotated[
            Path,
            typer.Argument(
                help="A run folder (…/<run id>/) or a batch folder (reports/<plan>/<time>/ or "
                "reports/<plan>/latest)."
            ),
        ],
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the shared files (default: <batch>/share/)."),
        ] = None,
    ) -> None:
        """Write each report as one HTML file that draws offline alone, plus <run>-data.zip."""
        from workbench.reporting.sharing import share

        done = share(path, out)
        for item in done:
            size = f"{item.html_bytes / 1e6:.1f} MB"
            data = (
                f", data {item.data_zip.name} ({item.zip_bytes / 1e3:.0f} KB)"
                if item.data_zip
                else ""
            )
            typer.echo(f"{item.html} ({size}{data})")
