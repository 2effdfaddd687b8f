"""``workbench serve``: the workshop dashboards with Voila (see :mod:`workbench.serving`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""

    @app.command("serve")
    def serve_command(
        host: Annotated[
            str, typer.Option(help="Address to bind; anything but 127.0.0.1 needs --token.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8866,
        token: Annotated[
            str | None,
            typer.Option(help="Access token (>= 16 characters), required off localhost."),
        ] = None,
        pool_size: Annotated[int, typer.Option(help="Preheated kernels per dashboard.")] = 1,
        participant_pool: Annotated[
            int, typer.Option(help="Preheated kernels for the participant dashboard.")
        ] = 6,
        cull_idle: Annotated[
            int, typer.Option(help="Seconds before an idle kernel of a closed page is shut down.")
        ] = 60,
        notebooks: Annotated[
            Path | None, typer.Option(help="Dashboards folder (default notebooks/dashboards).")
        ] = None,
    ) -> None:
        """Serve the dashboards (Voila; landing page lists them; no JupyterLab)."""
        from workbench.serving import ServeOptions, serve

        opts = ServeOptions(
            host=host,
            port=port,
            token=token,
            pool_size=pool_size,
            participant_pool=participant_pool,
            cull_idle_s=cull_idle,
        )
        if notebooks is not None:
            opts.notebooks_dir = notebooks
        raise typer.Exit(serve(opts))
