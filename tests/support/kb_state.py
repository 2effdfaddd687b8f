"""The content of a knowledge base as a comparable value, to prove that a refused import, a failed
write or a rolled-back transaction changed nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def kb_content(
    db: Path, prefix: str = "", names: Iterable[str] = ()
) -> dict[str, tuple[tuple[str, ...], int, int | None]]:
    """Per table or view of ``db`` (all of them, or those whose name starts with ``prefix`` or is
    one of ``names``): its columns, its row count and an order-independent hash of its rows
    (sum of DuckDB's row hashes), read on a separate read-only connection."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        wanted = list(names)
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND (? = '' AND ? = [] OR starts_with(table_name, ?) OR list_contains(?, table_name))"
                " ORDER BY 1",
                [prefix, wanted, prefix or "\x00", wanted],
            ).fetchall()
        ]
        out = {}
        for t in tables:
            cols = tuple(
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [t],
                ).fetchall()
            )
            count, digest = con.execute(f'SELECT count(*), sum(hash(x)) FROM "{t}" x').fetchone()
            out[t] = (cols, int(count), None if digest is None else int(digest))
        return out
    finally:
        con.close()
