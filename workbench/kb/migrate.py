"""Schema migrations: ``workbench/kb/migrations/NNNN_name.sql`` applied in filename order, each once.

Applied ids are recorded in ``schema_migrations``.  :func:`apply` runs inside the caller's transaction
(the writer's), so a file of an older schema version is upgraded in place atomically: either every
pending migration is applied, or none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def available() -> list[tuple[str, str]]:
    """(id, sql) of every migration shipped with the package, in order."""
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(MIGRATIONS_DIR.glob("*.sql"))]


def _applied(con: duckdb.DuckDBPyConnection) -> set[str]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in con.execute("SELECT id FROM schema_migrations").fetchall()}


def pending(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Ids of migrations not yet applied to this file."""
    done = _applied(con)
    return [mid for mid, _ in available() if mid not in done]


def apply(con: duckdb.DuckDBPyConnection, upto: str | None = None) -> list[str]:
    """Apply pending migrations (optionally only up to and including ``upto``); return their ids."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " id VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp, checksum VARCHAR)"
    )
    done = _applied(con)
    applied: list[str] = []
    for mid, sql in available():
        if upto is not None and mid > upto:
            break
        if mid in done:
            continue
        con.execute(sql)
        con.execute(
            "INSERT INTO schema_migrations (id, checksum) VALUES (?, ?)",
            [mid, hashlib.sha256(sql.encode()).hexdigest()],
        )
        applied.append(mid)
    return applied


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """Id of the newest applied migration, or None for an empty file."""
    done = sorted(_applied(con))
    return done[-1] if done else None
