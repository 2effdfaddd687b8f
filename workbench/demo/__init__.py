"""Synthetic but coherent SEE demo knowledge base (``workbench demo``).

:func:`build_demo` runs, in ONE writer transaction, the domain generators in order:
``core`` (regions, sectors, indicators, clusters), then ``policy``, ``pilots`` and ``foresight`` when
those modules are present.  Each has ``generate(con, rng, ctx)``; all share one seeded
:class:`numpy.random.Generator`, so a seed gives identical content.  Previous demo data (rows
marked synthetic, or of synthetic ``demo:*`` datasets) is removed first, so re-running is safe, and a
failure leaves the knowledge base as it was.  Rows that are not synthetic (workshop answers merged
from the capture inbox, imported files) are never deleted or overwritten: where a demo row would take
their key, the build is refused (:class:`DemoWouldOverwrite`) and nothing is written.
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
from workbench.errors import WorkbenchError
from workbench.kb.access import writer

DEFAULT_SEED = 20261127
GENERATORS = ("core", "policy", "pilots", "foresight", "projects", "strategy", "practices")

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
    """(present, absent) domain generator modules of ``workbench.demo``.

    Every module listed in ``GENERATORS`` must exist: a missing one raises ``ImportError`` instead of
    being skipped silently (``absent`` is therefore always empty).
    """
    for name in GENERATORS:
        if importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise ImportError(
                f"demo generator {__name__}.{name} is listed in GENERATORS but does not exist"
            )
    return list(GENERATORS), []


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


class DemoWouldOverwrite(WorkbenchError):
    """The demo would delete or overwrite rows that are not synthetic (workshop answers, imports)."""

    exit_code = 2


# Rows of these datasets are never demo rows, whatever their id looks like.
_REAL_DATASETS = "SELECT dataset_id FROM datasets WHERE NOT synthetic"


def refuse_real_demo_datasets(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse when a dataset with a ``demo:*`` id is not synthetic: rebuilding the demo would
    replace it (its rows are someone's data, imported under that id)."""
    real = [
        r[0]
        for r in con.execute(
            f"SELECT dataset_id FROM ({_REAL_DATASETS}) WHERE dataset_id LIKE 'demo:%' ORDER BY 1"
        ).fetchall()
    ]
    if real:
        raise DemoWouldOverwrite(
            f"dataset(s) {', '.join(real)} have demo ids but are not synthetic: `workbench demo` "
            "would replace them; nothing was written. Re-import them under another --dataset-id, "
            "or build the demo in another knowledge base (--db)"
        )


def clear_demo(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete every synthetic demo row from every table; return counts per table.

    Only synthetic rows go: in tables with a ``synthetic`` column the rows marked synthetic, in
    tables without one the rows of ``demo:*`` datasets (never of a dataset recorded as not
    synthetic).  Workshop answers merged from the capture inbox, imported files and everything else
    not marked synthetic is kept (issue 10).
    """
    with_ds = _tables_with(con, "dataset_id")
    with_syn = _tables_with(con, "synthetic")
    deleted: dict[str, int] = {}
    for table in _delete_order(con, with_ds | with_syn):
        if table == "datasets":
            continue
        if table in with_syn:
            condition = "synthetic"
        else:
            condition = f"dataset_id LIKE 'demo:%' AND dataset_id NOT IN ({_REAL_DATASETS})"
        (n,) = con.execute(f'DELETE FROM "{table}" WHERE {condition}').fetchone()
        deleted[table] = int(n)
    (n,) = con.execute(
        "DELETE FROM datasets WHERE dataset_id LIKE 'demo:%' AND synthetic"
    ).fetchone()
    deleted["datasets"] = int(n)
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
        refuse_real_demo_datasets(con)
        clear_demo(con)
        rng = np.random.default_rng(seed)
        ctx = DemoContext(con=con, seed=seed)
        for name in present:
            say(f"generating {name}")
            module = importlib.import_module(f"{__name__}.{name}")
            try:
                module.generate(con, rng, ctx)
            except duckdb.ConstraintException as exc:
                # a synthetic row would take the key of a kept (not synthetic) row
                raise DemoWouldOverwrite(
                    f"the {name} demo would overwrite rows that are not synthetic ({exc}); nothing "
                    "was written. Build the demo in another knowledge base (--db)"
                ) from exc
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


__all__ = [
    "DEFAULT_SEED",
    "DemoContext",
    "DemoSummary",
    "DemoWouldOverwrite",
    "build_demo",
    "clear_demo",
]
