"""The ``workbench`` command line (typer).  One module per command group registers its commands.

Expected failures (:class:`workbench.errors.WorkbenchError`) are printed to stderr with a non-zero exit
code; only genuine bugs show a traceback.
"""

from __future__ import annotations

import importlib
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
COMMAND_MODULES = [
    "kb",
    "importing",
    "demo",
    "fetch",
    "run",
    "serve",
    "foresight",
    "share",
    "gisco",
    "check",
    "data",
    "export",
    "projects",
    "training",
    "practices",
    "groups",
    "strategy",
    "scoring",
]


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
    """Register every command group; a listed module that is missing or fails to import is an error
    (never a silently absent command)."""
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app)


_register_all()


GLOBAL_VALUE_OPTIONS = ("--db",)


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options (``--db PATH`` / ``--db=PATH``) written after the subcommand to the front,
    so that ``workbench template clusters --db X`` means ``workbench --db X template clusters``
    (the README calls ``--db`` global).  Nothing after a ``--`` is touched."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_VALUE_OPTIONS:
            if "=" in arg:
                front.append(arg)
                i += 1
                continue
            if i + 1 < len(args):
                front.extend(args[i : i + 2])
                i += 2
                continue
        rest.append(arg)
        i += 1
    return front + rest


def main() -> None:
    """Entry point: run the app, turning expected failures into a message and an exit code."""
    try:
        code = app(args=hoist_global_options(sys.argv[1:]), standalone_mode=False)
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

        # typer >= 0.2x vendors click (typer._click): its usage errors derive from TyperException
        if isinstance(exc, click.ClickException | typer.TyperException) and hasattr(exc, "show"):
            exc.show()
            sys.exit(getattr(exc, "exit_code", 2))
        raise
