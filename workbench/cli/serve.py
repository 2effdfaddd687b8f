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
            typer.Option(
                help="Participants' token (>= 16 characters), required off localhost "
                "(on 127.0.0.1 participant pages are open without it)."
            ),
        ] = None,
        facilitator_token: Annotated[
            str | None,
            typer.Option(
                help="Facilitator's token (default: generated once, kept in .serve/tokens.json)."
            ),
        ] = None,
        group_token: Annotated[
            str | None,
            typer.Option(help="Working-group members' token (default: generated once, kept)."),
        ] = None,
        allowed_host: Annotated[
            list[str] | None,
            typer.Option(
                help="Extra host name the server may be reached by (Host header check); repeatable."
            ),
        ] = None,
        pool_size: Annotated[int, typer.Option(help="Preheated kernels per dashboard.")] = 1,
        participant_pool: Annotated[
            int,
            typer.Option(
                help="Preheated kernels for the participant dashboard when serving starts: one "
                "per participant arriving in the first minutes, e.g. 110 for 100 people (about "
                "70 MiB each; filling takes a few CPU-seconds per kernel)."
            ),
        ] = 6,
        participant_standby: Annotated[
            int,
            typer.Option(
                help="Participant kernels kept ready once those have been handed out (late "
                "arrivals, reloads)."
            ),
        ] = 6,
        cull_idle: Annotated[
            int, typer.Option(help="Seconds before an idle kernel of a closed page is shut down.")
        ] = 60,
        notebooks: Annotated[
            Path | None, typer.Option(help="Dashboards folder (default notebooks/dashboards).")
        ] = None,
    ) -> None:
        """Serve the dashboards (Voila; no JupyterLab): prints the link for each role (participant,
        working group, facilitator); each role opens only its own pages."""
        from workbench.serving import ServeOptions, serve

        opts = ServeOptions(
            host=host,
            port=port,
            token=token,
            facilitator_token=facilitator_token,
            group_token=group_token,
            allowed_hosts=tuple(h.lower() for h in allowed_host or ()),
            pool_size=pool_size,
            participant_pool=participant_pool,
            participant_standby=participant_standby,
            cull_idle_s=cull_idle,
        )
        if notebooks is not None:
            opts.notebooks_dir = notebooks
        raise typer.Exit(serve(opts))
