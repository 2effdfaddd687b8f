"""``workbench export`` (each report as PDF / Word + data annex) and ``workbench pack`` (several
reports in one document), from an existing run or batch folder, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

_TO_HELP = "Output formats, comma-separated: pdf, docx (e.g. --to pdf,docx)."
_REF_HELP = (
    "Word house style: a reference.docx whose styles are used (env WORKBENCH_REFERENCE_DOCX)."
)


def _print(done) -> None:  # noqa: ANN001
    for item in done:
        typer.echo(f"{item.path} ({item.bytes / 1e6:.2f} MB)")


def register(app: typer.Typer) -> None:
    """Add the ``export`` and ``pack`` commands to the workbench CLI."""

    @app.command("export")
    def export_command(
        path: Annotated[
            Path | None,
            typer.Argument(
                help="A run folder (…/<run id>/) or a batch folder (reports/<plan>/<time>/ or "
                "reports/<plan>/latest)."
            ),
        ] = None,
        to: Annotated[str, typer.Option("--to", help=_TO_HELP)] = "pdf",
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the documents (default: <batch>/export/)."),
        ] = None,
        reference_docx: Annotated[
            Path | None, typer.Option("--reference-docx", help=_REF_HELP)
        ] = None,
        write_reference: Annotated[
            Path | None,
            typer.Option(
                "--write-reference",
                help="Write the built-in Word house style to this file (to edit) and stop.",
            ),
        ] = None,
    ) -> None:
        """Write each report as PDF and/or Word, with a data annex zip (CSV + XLSX) beside it."""
        from workbench.errors import ValidationError

        if write_reference is not None:
            from workbench.export.docx import write_reference as write_ref

            typer.echo(str(write_ref(write_reference)))
            return
        if path is None:
            raise ValidationError("give a run or batch folder to export")
        from workbench.export import export

        _print(export(path, to, out, reference=reference_docx))

    @app.command("pack")
    def pack_command(
        path: Annotated[Path, typer.Argument(help="A batch folder (or reports/<plan>/latest).")],
        title: Annotated[str, typer.Option("--title", help="Title of the pack.")],
        select: Annotated[
            str | None,
            typer.Option(
                "--select",
                help="Run ids to include: a glob (s3_profile__*HR*) or a prefix "
                "(pilot_evaluation); default all.",
            ),
        ] = None,
        to: Annotated[str, typer.Option("--to", help=_TO_HELP)] = "pdf",
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the pack (default: <batch>/export/)."),
        ] = None,
        reference_docx: Annotated[
            Path | None, typer.Option("--reference-docx", help=_REF_HELP)
        ] = None,
    ) -> None:
        """Combine several reports into one document with one contents list and one appendix."""
        from workbench.export import pack

        _print(
            pack(
                path, select=select, title=title, formats=to, out_dir=out, reference=reference_docx
            )
        )
