"""``workbench kb info``: what the knowledge base holds, answered from metadata without scanning data.

* row counts per table: ``count(*)`` without a filter, which DuckDB answers from row-group metadata
  (no column is read), one UNION ALL query for all tables;
* observations per dataset: the ``datasets.rows`` column written at import time (no GROUP BY over
  ``observations``);
* provenance: source, file name, sha256, imported_at, importer and version, synthetic flag;
* schema version: the newest applied migration.

On a knowledge base of 10 million observations this answers in milliseconds (see
``benchmarks/bench_kb_info.py``).  Only the standard library and duckdb are imported here so the CLI
starts fast.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.config import db_path
from workbench.kb.access import reader

DATASET_COLUMNS = (
    "dataset_id",
    "title",
    "kind",
    "source",
    "file_name",
    "sha256",
    "imported_at",
    "rows",
    "importer",
    "importer_version",
    "synthetic",
)


def list_tables(con: Any, *, views: bool = False) -> list[str]:
    """Base tables of the main schema (with ``views``: also views such as ``observations``), by name."""
    kinds = "('BASE TABLE', 'VIEW')" if views else "('BASE TABLE')"
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables"
        f" WHERE table_schema = 'main' AND table_type IN {kinds} ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def table_row_counts(con: Any, tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table via unfiltered ``count(*)`` (metadata only), in one query."""
    tables = list_tables(con) if tables is None else tables
    if not tables:
        return {}
    sql = " UNION ALL ".join(
        f"SELECT '{t}' AS t, count(*) AS n FROM \"{t}\""
        for t in tables
        if '"' not in t and "'" not in t
    )
    return {t: int(n) for t, n in con.execute(sql).fetchall()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value


def kb_info(db: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Summary of the knowledge base: file, schema version, tables with row counts, datasets with provenance."""
    path = db_path(db)
    with reader(path) as con:
        migrations = [
            {"id": mid, "applied_at": _jsonable(at)}
            for mid, at in con.execute(
                "SELECT id, applied_at FROM schema_migrations ORDER BY id"
            ).fetchall()
        ]
        tables = table_row_counts(con)
        cols = ", ".join(DATASET_COLUMNS)
        datasets = [
            {k: _jsonable(v) for k, v in zip(DATASET_COLUMNS, row, strict=True)}
            for row in con.execute(f"SELECT {cols} FROM datasets ORDER BY dataset_id").fetchall()
        ]
    size = Path(path).stat().st_size if Path(path).exists() else 0
    return {
        "db": str(path),
        "size_bytes": size,
        "schema_version": migrations[-1]["id"] if migrations else None,
        "migrations": migrations,
        "tables": tables,
        "datasets": datasets,
        "synthetic_datasets": sum(1 for d in datasets if d["synthetic"]),
    }
