"""Synthetic but coherent SEE demo knowledge base (``workbench demo``).

:func:`build_demo` runs, in ONE writer transaction, the domain generators in order:
``core`` (regions, sectors, indicators, clusters), then ``policy``, ``pilots`` and ``foresight`` when
those modules are present.  Each has ``generate(con, rng, ctx)``; all share one seeded
:class:`numpy.random.Generator`, so a seed gives identical content.  Previous demo data (rows of
datasets ``demo:*`` or marked synthetic) is removed first, so re-running is safe, and a failure leaves
the knowledge base as it was.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from workbench.config import db_path
from workbench.demo.context import DemoContext
from workbench.kb.access import writer

DEFAULT_SEED = 20261127
GENERATORS = ("core", "policy", "pilots", "foresight")

Progress = Callable[[str], None]


@dataclass
class DemoSummary:
    """What a demo build wrote."""

    db: Path
    seed: int
    seconds: float
    generators: list[str]
    skipped: list[str]
    datasets: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "db": str(self.db),
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "generators": self.generators,
            "skipped": self.skipped,
            "datasets": self.datasets,
            "tables": self.tables,
        }


def available_generators() -> tuple[list[str], list[str]]:
    """(present, absent) domain generator modules of ``workbench.demo``."""
    present, absent = [], []
    for name in GENERATORS:
        if importlib.util.find_spec(f"{__name__}.{name}") is None:
            absent.append(name)
        else:
            present.append(name)
    return present, absent


def _tables_with(con: duckdb.DuckDBPyConnection, column: str) -> set[str]:
    rows = con.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " ON c.table_name = t.table_name AND c.table_schema = t.table_schema"
        " WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' AND c.column_name = ?",
        [column],
    ).fetchall()
    return {r[0] for r in rows}


def _delete_order(con: duckdb.DuckDBPyConnection, tables: set[str]) -> list[str]:
    """Tables ordered so that a table referencing another (foreign key) is emptied first."""
    refs: dict[str, set[str]] = {t: set() for t in tables}
    for table, referenced in con.execute(
        "SELECT table_name, referenced_table FROM duckdb_constraints()"
        " WHERE constraint_type = 'FOREIGN KEY' AND schema_name = 'main'"
    ).fetchall():
        if table in refs and referenced in refs and referenced != table:
            refs[table].add(referenced)
    order: list[str] = []
    remaining = dict(refs)
    while remaining:
        # a table nobody else still references can go now
        free = sorted(
            t for t in remaining if not any(t in deps for u, deps in remaining.items() if u != t)
        )
        if not free:  # a cycle: fall back to name order
            free = sorted(remaining)
        for t in free:
            order.append(t)
            remaining.pop(t)
    return order


def clear_demo(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete every demo row (dataset id ``demo:*`` or synthetic=TRUE) from every table; return counts."""
    with_ds = _tables_with(con, "dataset_id")
    with_syn = _tables_with(con, "synthetic")
    deleted: dict[str, int] = {}
    for table in _delete_order(con, with_ds | with_syn):
        conditions = []
        if table in with_ds:
            conditions.append("dataset_id LIKE 'demo:%'")
        if table in with_syn and table != "datasets":
            conditions.append("synthetic")
        (n,) = con.execute(f'DELETE FROM "{table}" WHERE {" OR ".join(conditions)}').fetchone()
        deleted[table] = int(n)
    con.execute("DELETE FROM datasets WHERE dataset_id LIKE 'demo:%'")
    return deleted


def _table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in sorted(_tables_with(con, "dataset_id")):
        (n,) = con.execute(
            f"SELECT count(*) FROM \"{table}\" WHERE dataset_id LIKE 'demo:%'"
        ).fetchone()
        counts[table] = int(n)
    return counts


def build_demo(
    db: str | os.PathLike[str] | None = None,
    seed: int = DEFAULT_SEED,
    *,
    progress: Progress | None = None,
) -> DemoSummary:
    """Build (or rebuild) the synthetic demo knowledge base in one writer transaction."""
    say = progress or (lambda _msg: None)
    present, absent = available_generators()
    started = time.perf_counter()
    path = db_path(db)
    with writer(path, purpose=f"workbench demo (seed {seed})") as con:
        say("removing previous demo data")
        clear_demo(con)
        rng = np.random.default_rng(seed)
        ctx = DemoContext(con=con, seed=seed)
        for name in present:
            say(f"generating {name}")
            module = importlib.import_module(f"{__name__}.{name}")
            module.generate(con, rng, ctx)
        say("counting rows")
        tables = _table_counts(con)
        datasets = [
            {"dataset_id": d, "title": t, "rows": int(r)}
            for d, t, r in con.execute(
                "SELECT dataset_id, title, rows FROM datasets WHERE dataset_id LIKE 'demo:%' ORDER BY dataset_id"
            ).fetchall()
        ]
    return DemoSummary(
        db=path,
        seed=seed,
        seconds=time.perf_counter() - started,
        generators=present,
        skipped=absent,
        datasets=datasets,
        tables=tables,
    )


__all__ = ["DEFAULT_SEED", "DemoContext", "DemoSummary", "build_demo", "clear_demo"]
