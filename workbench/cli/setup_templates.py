"""``workbench template foresight_exercise|scoring_round``: multi-sheet set-up templates (issue 16)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table


def write_setup(name: str, fmt: str, out: Path | None) -> Path:
    """Write a set-up template (``csv`` means the default, XLSX) and print its columns."""
    from workbench.importers.foresight_setup import (
        _column_doc,
        _next_step,
        load_spec,
        write_setup_template,
    )

    fmt = "xlsx" if fmt in ("csv", "") else ("yaml" if fmt == "yml" else fmt)
    path = out or Path(f"{name}_template.{'yml' if fmt == 'yaml' else fmt}")
    write_setup_template(name, path, fmt)
    spec = load_spec(name)
    console = Console()
    doc = Table(title=f"{spec.title}: sheets and columns of {path}")
    for col in ("sheet", "column", "type", "required", "description"):
        doc.add_column(col, overflow="fold")
    for sheet in spec.sheets.values():
        for c in sheet.columns:
            doc.add_row(sheet.name, c.name, c.type, "yes" if c.required else "", _column_doc(c))
    console.print(doc)
    console.print(f"wrote {path}. {_next_step(name, str(path))}", highlight=False)
    return path
