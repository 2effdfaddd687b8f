"""``workbench run``: execute a run plan (YAML) or one notebook, write HTML reports and an index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from workbench.errors import WorkbenchError

PLAN_SUFFIXES = {".yml", ".yaml"}


class BatchFailed(WorkbenchError):
    """At least one run of the batch failed (its report and error are in the index)."""

    exit_code = 1


def _resolve_target(target: str) -> Path:
    """A plan/notebook path, or a plan name looked up in ``notebooks/plans/<name>.yml``."""
    from workbench.config import project_root
    from workbench.errors import ValidationError

    path = Path(target)
    if path.exists():
        return path
    for suffix in (".yml", ".yaml"):
        candidate = project_root() / "notebooks" / "plans" / f"{target}{suffix}"
        if candidate.exists():
            return candidate
    raise ValidationError(
        f"{target} is neither a run plan / notebook file nor a plan in notebooks/plans/"
    )


def _parameter_pairs(args: list[str]) -> list[tuple[str, str]]:
    """``-p NAME VALUE`` pairs from the extra command-line arguments (typer has no 2-value list options)."""
    from workbench.errors import ValidationError

    pairs, i = [], 0
    while i < len(args):
        if args[i] not in {"-p", "--parameter"}:
            raise ValidationError(
                f"unexpected argument {args[i]!r} (single-notebook parameters: -p NAME VALUE)"
            )
        if i + 2 >= len(args):
            raise ValidationError(
                f"{args[i]} needs NAME and VALUE, got {' '.join(args[i + 1 :]) or 'nothing'}"
            )
        pairs.append((args[i + 1], args[i + 2]))
        i += 3
    return pairs


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the workbench CLI."""

    @app.command(
        "run",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        epilog="Single notebook: workbench run NOTEBOOK.ipynb -p NAME VALUE [-p NAME VALUE ...]",
    )
    def run(
        ctx: typer.Context,
        target: Annotated[
            str,
            typer.Argument(
                help="Run plan (YAML), plan name in notebooks/plans/, or a notebook (.ipynb)."
            ),
        ],
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", help="Reports root (default reports/); batches go to OUT/<plan>/<time>/."
            ),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option("--workers", min=1, help="Parallel runs (default: number of cores)."),
        ] = None,
        only: Annotated[
            str | None,
            typer.Option(
                "--only",
                help="Only runs whose id or notebook matches: globs or substrings, comma-separated, or a regex.",
            ),
        ] = None,
        changed_only: Annotated[
            bool,
            typer.Option(
                "--changed-only",
                help="Skip runs whose notebook, parameters and data are unchanged.",
            ),
        ] = False,
        timeout: Annotated[
            float, typer.Option("--timeout", min=1, help="Per-run time limit in seconds.")
        ] = 1800.0,
        dask: Annotated[
            str | None,
            typer.Option("--dask", help="Run on a Dask cluster, e.g. tcp://scheduler:8786."),
        ] = None,
        lock_wait: Annotated[
            float,
            typer.Option(
                "--lock-wait",
                min=0,
                help="Seconds to wait for an overlapping batch of the same plan.",
            ),
        ] = 60.0,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
        self_contained: Annotated[
            bool,
            typer.Option(
                "--self-contained",
                help="Also write each report as one HTML file that draws offline alone "
                "(plotly.js inlined once) plus a zip of its CSVs, in <batch>/share/.",
            ),
        ] = False,
        formats: Annotated[
            str,
            typer.Option(
                "--formats",
                help="Output formats, comma-separated: html (always), pdf, docx. PDF/Word go to "
                "<batch>/export/ with a data annex zip each (same as `workbench export`).",
            ),
        ] = "html",
    ) -> None:
        """Run a plan (or one notebook) and print where the report index is; exit 1 if a run failed."""
        from workbench.batch.plans import import_plan_inputs, load_plan, single_run_plan
        from workbench.batch.runner import run_plan
        from workbench.errors import ValidationError
        from workbench.export import parse_formats

        parse_formats(formats)  # a typo fails before the batch runs
        parameter = _parameter_pairs(ctx.args)
        path = _resolve_target(target)
        if path.suffix.lower() == ".ipynb":
            plan = single_run_plan(path, dict(parameter or []))
        elif path.suffix.lower() in PLAN_SUFFIXES:
            if parameter:
                raise ValidationError(
                    "-p/--parameter is for a single notebook; put plan parameters in the plan"
                )
            for done in import_plan_inputs(path):
                state = "unchanged" if done.skipped_same_sha else f"{done.rows} rows"
                Console(stderr=True).print(f"input {done.dataset_id}: {state}", highlight=False)
            plan = load_plan(path)
        else:
            raise ValidationError(
                f"{path}: expected a run plan (.yml/.yaml) or a notebook (.ipynb)"
            )
        plan = plan.only(only)
        err = Console(stderr=True)
        for note in plan.notes:
            err.print(f"[yellow]note:[/] {note}", highlight=False)
        result = run_plan(
            plan,
            out=out,
            workers=workers,
            changed_only=changed_only,
            timeout=timeout,
            dask=dask,
            lock_wait=lock_wait,
            console=err,
            progress=not quiet,
        )
        s = result.manifest["summary"]
        err.print(
            f"{s['total']} runs: {s['ok']} ok, {s['reused']} reused, {s['failed']} failed "
            f"in {result.manifest['duration_s']:.1f} s",
            highlight=False,
        )
        typer.echo(f"Report index: {result.index}")
        if self_contained:
            from workbench.reporting.sharing import share

            shared = [
                item
                for r in result.manifest["runs"]
                if r["outputs"].get("notebook")
                for item in share(result.folder / r["run_id"], result.folder / "share")
            ]
            if shared:
                biggest = max(item.html_bytes for item in shared) / 1e6
                typer.echo(
                    f"One-file reports: {result.folder / 'share'} ({len(shared)} reports, "
                    f"largest {biggest:.1f} MB)"
                )
        export_formats = parse_formats(formats)
        if export_formats:
            from workbench.export import export

            ok = [
                r["run_id"]
                for r in result.manifest["runs"]
                if r["outputs"].get("notebook") and r["status"] not in {"failed", "timeout"}
            ]
            written = export(result.folder, export_formats, only=ok) if ok else []
            typer.echo(
                f"Exported: {result.folder / 'export'} ({len(written)} files: "
                f"{', '.join(export_formats)} + data annex)"
            )
        if result.failed:
            failed = [
                r["run_id"] for r in result.manifest["runs"] if r["status"] in {"failed", "timeout"}
            ]
            # an exception, not typer.Exit: the CLI runs click with standalone_mode=False, where
            # Exit codes are returned rather than raised
            raise BatchFailed(
                f"{len(failed)} of {s['total']} runs failed: {', '.join(failed[:10])}"
                f"{' ...' if len(failed) > 10 else ''} (details in {result.index})"
            )
