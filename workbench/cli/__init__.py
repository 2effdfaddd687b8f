"""The ``workbench`` command line (typer).  One module per command group registers its commands.

Expected failures (:class:`workbench.errors.WorkbenchError`) are printed to stderr with a non-zero exit
code; only genuine bugs show a traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from workbench.errors import WorkbenchError

app = typer.Typer(
    name="workbench",
    help="SEE Cluster Policy Lab: knowledge base, evidence, reports and workshop dashboards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)

# Command groups, each a module in this package with ``register(app)``.
COMMAND_MODULES = ["kb", "importing", "demo", "fetch", "run", "serve", "foresight"]


@app.callback()
def _global(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="Knowledge-base file (default data/workbench.duckdb, env WORKBENCH_DB)."
        ),
    ] = None,
) -> None:
    """Global options."""
    if db is not None:
        os.environ["WORKBENCH_DB"] = str(db.expanduser().resolve())


def _register_all() -> None:
    for name in COMMAND_MODULES:
        module_name = f"{__name__}.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue  # a command group not built yet
        importlib.import_module(module_name).register(app)


_register_all()


def main() -> None:
    """Entry point: run the app, turning expected failures into a message and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except WorkbenchError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in standalone_mode=False
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
