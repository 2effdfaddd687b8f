"""``workbench practices template|import|validate|search|transfer``: the good-practice library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape


def register(app: typer.Typer) -> None:
    practices_app = typer.Typer(
        help="Good-practice library: template, import, validation chain, search, transferability."
    )
    app.add_typer(practices_app, name="practices")

    @practices_app.command("template")
    def template_command(
        out: Annotated[Path, typer.Argument(help="Template to write (.xlsx or .csv).")],
    ) -> None:
        """Write the practice template with one example row (XLSX: plus a sheet describing columns)."""
        from workbench.learning.practices import write_template

        Console().print(f"written: {write_template(out)}", highlight=False)

    @practices_app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help="Filled-in template (.xlsx or .csv).")],
    ) -> None:
        """Import practices (one transaction: any problem refuses the whole file)."""
        from workbench.learning.practices import import_practices

        n = import_practices(file)
        Console().print(f"imported {n} practice(s) from {file}", highlight=False)

    @practices_app.command("validate")
    def validate_command(
        practice_id: Annotated[str, typer.Argument(help="Practice id.")],
        state: Annotated[str, typer.Argument(help="validated_partner, validated_expert or draft.")],
        actor: Annotated[str, typer.Option("--by", help="Who validates.")],
        note: Annotated[str, typer.Option("--note", help="Comment.")] = "",
    ) -> None:
        """Move a practice along the validation chain (refused without evidence of success)."""
        from workbench.learning.practices import change_state

        change_state(practice_id, state, actor, note)
        Console().print(f"{practice_id}: {state} (by {actor})", highlight=False)

    @practices_app.command("search")
    def search_command(
        query: Annotated[str, typer.Argument(help="Words or a phrase (typos are tolerated).")] = "",
        dimension: Annotated[list[str] | None, typer.Option("--dimension")] = None,
        country: Annotated[list[str] | None, typer.Option("--country")] = None,
        instrument: Annotated[list[str] | None, typer.Option("--instrument")] = None,
        drafts: Annotated[
            bool, typer.Option("--drafts", help="Include unvalidated practices.")
        ] = False,
        limit: Annotated[int, typer.Option("--limit", min=1)] = 10,
    ) -> None:
        """Full-text search with facets, offline (BM25 + fuzzy matching)."""
        from workbench.learning.data import load_practices
        from workbench.learning.search import PracticeIndex

        filters = {
            "dimension": dimension or [],
            "country": country or [],
            "instrument_type": instrument or [],
        }
        result = PracticeIndex(load_practices(published_only=not drafts)).search(
            query, filters, limit=limit
        )
        console = Console()
        if result.corrections:
            console.print(
                "read as: " + ", ".join(f"{a} -> {b}" for a, b in result.corrections.items()),
                highlight=False,
            )
        for r in result.hits.itertuples():
            console.print(
                f"{r.practice_id}  {escape(r.title)}  [{', '.join(r.dimensions)}]", highlight=False
            )
        if result.hits.empty:
            console.print("no practice found", highlight=False)
        for facet in ("dimension", "country", "instrument_type"):
            counts = ", ".join(f"{k} {v}" for k, v in result.facets[facet].items())
            console.print(f"{facet}: {counts or '-'}", highlight=False)

    @practices_app.command("transfer")
    def transfer_command(
        region: Annotated[str, typer.Argument(help="Target NUTS 2 region.")],
        level: Annotated[
            str, typer.Option("--level", help="Target governance level.")
        ] = "regional",
        top: Annotated[int, typer.Option("--top", min=1)] = 5,
    ) -> None:
        """The practices most transferable to a region, with the reasons in words."""
        from workbench.learning.transfer import transferable_practices

        report = transferable_practices(region.upper(), target_level=level)
        console = Console()
        for r in report.ranking.head(top).itertuples():
            console.print(
                f"{r.score:.2f}  {r.practice_id}  {escape(r.title)}\n      {escape(r.reasons)}",
                highlight=False,
            )
