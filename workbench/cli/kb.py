"""``workbench kb``: inspect and export the knowledge base (``info``, ``export``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

kb_app = typer.Typer(help="Inspect and export the knowledge base.", no_args_is_help=True)


def _short(sha: str | None) -> str:
    return "-" if not sha else sha[:12] + "…"


@kb_app.command("info")
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Datasets, row counts per table, sha256, provenance and schema version."""
    from workbench.kb.info import kb_info

    data = kb_info()
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print(
        f"[bold]Knowledge base[/] {data['db']} ({data['size_bytes'] / 1e6:.1f} MB), "
        f"schema version [bold]{data['schema_version']}[/] ({len(data['migrations'])} migrations)"
    )
    if data["synthetic_datasets"]:
        console.print(
            f"[bold yellow]{data['synthetic_datasets']} dataset(s) are SYNTHETIC demo data[/]"
        )
    tables = Table(title="Tables", show_lines=False)
    tables.add_column("table")
    tables.add_column("rows", justify="right")
    for name, rows in data["tables"].items():
        tables.add_row(name, f"{rows:,}")
    console.print(tables)
    ds = Table(title="Datasets")
    ds.add_column("dataset", no_wrap=True)
    ds.add_column("rows", justify="right", no_wrap=True)
    ds.add_column("synthetic", no_wrap=True)
    ds.add_column("sha256", no_wrap=True)
    ds.add_column("imported at (UTC)", no_wrap=True)
    prov = Table(title="Provenance")
    prov.add_column("dataset", no_wrap=True)
    for col in ("kind", "source", "file", "importer"):
        prov.add_column(col, overflow="fold")
    for d in data["datasets"]:
        ds.add_row(
            d["dataset_id"],
            f"{d['rows']:,}" if d["rows"] is not None else "-",
            "[yellow]yes[/]" if d["synthetic"] else "no",
            _short(d["sha256"]),
            str(d["imported_at"] or "-"),
        )
        prov.add_row(
            d["dataset_id"],
            d["kind"] or "-",
            d["source"] or "-",
            d["file_name"] or "-",
            f"{d['importer'] or '-'} {d['importer_version'] or ''}".strip(),
        )
    console.print(ds)
    console.print(prov)


@kb_app.command("export")
def export(
    table: Annotated[str, typer.Argument(help="Table to export (see `workbench kb info`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet or xlsx.")] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default ./TABLE.FORMAT).")
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            "--where", help="SQL condition to select rows, e.g. \"dataset_id = 'demo:gdp'\"."
        ),
    ] = None,
    raw_text: Annotated[
        bool,
        typer.Option(
            "--raw-text",
            help="CSV/XLSX: write text exactly as stored, without the ' that keeps a cell "
            "starting with = + - @ from becoming a spreadsheet formula.",
        ),
    ] = False,
) -> None:
    """Write one table to CSV, Parquet or XLSX (text cells safe to open in a spreadsheet)."""
    from workbench.kb.export import export_table

    result = export_table(table, fmt, out, where=where, raw_text=raw_text)
    typer.echo(f"exported {result.rows} rows of {result.table} to {result.path}")


def register(app: typer.Typer) -> None:
    """Add the ``kb`` command group."""
    app.add_typer(kb_app, name="kb")
