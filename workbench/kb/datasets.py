"""Datasets and their provenance: every imported or generated table row points to a dataset."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import duckdb

from workbench.errors import ValidationError

_IDENT = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RESERVED_COLUMNS = {"dataset_id", "region", "period", "value", "flag", "series_id"}
# The tables behind the ``observations`` view (migration 0060) that carry dimension columns.
OBSERVATION_STORAGE = ("observation_rows", "observation_series")
# Same definition as in migrations/0140_observation_periods.sql.
OBSERVATIONS_VIEW = (
    "CREATE OR REPLACE VIEW observations AS SELECT * FROM observation_rows UNION ALL BY NAME "
    "SELECT s.* EXCLUDE (series_id), p.period, v.value, v.flag FROM observation_series s "
    "JOIN observation_values v ON v.series_id = s.series_id "
    "JOIN observation_periods p ON p.period_id = v.period_id"
)


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def already_imported(con: duckdb.DuckDBPyConnection, dataset_id: str, sha256: str) -> bool:
    """True when this dataset id was imported from a file with this exact sha256."""
    row = con.execute("SELECT sha256 FROM datasets WHERE dataset_id = ?", [dataset_id]).fetchone()
    return bool(row and row[0] == sha256)


def dimension_column(name: str) -> str:
    """Normalise a source dimension name into an observations column name (validated identifier)."""
    col = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if col in RESERVED_COLUMNS:
        col = f"dim_{col}"
    if not _IDENT.match(col):
        raise ValidationError(f"dimension name {name!r} cannot be used as a column")
    return col


def observation_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Current columns of ``observations``."""
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'observations' ORDER BY ordinal_position"
        ).fetchall()
    ]


def ensure_dimension_columns(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[str]:
    """Add a VARCHAR column for each dimension not there yet; return the column names.

    ``observations`` is a view (migration 0060) over ``observation_rows`` and
    ``observation_series`` + ``observation_values``: the column goes into both storage tables, so
    both keep the same dimension columns and the view shows it.
    """
    cols = [dimension_column(name) for name in names]
    added = False
    for table in OBSERVATION_STORAGE:
        existing = set(_table_columns(con, table))
        for col in cols:
            if col not in existing:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{col}" VARCHAR')
                existing.add(col)
                added = True
    if added:
        # DuckDB re-binds ``SELECT *`` of a view when queried, but information_schema lists the
        # columns stored at CREATE VIEW: re-create it so both agree.
        con.execute(OBSERVATIONS_VIEW)
    return cols


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def period_ids(con: duckdb.DuckDBPyConnection, periods: Sequence[str]) -> list[int]:
    """The ``observation_periods`` id of each period (migration 0140), new periods added first.

    ``observation_values`` stores a cell's period by this id; the ``observations`` view shows the
    text.  Called inside the writer's transaction (one writer at a time: ids cannot collide).
    """
    con.execute(
        "INSERT INTO observation_periods (period_id, period) "
        "SELECT (SELECT coalesce(max(period_id), 0) FROM observation_periods) "
        "+ row_number() OVER (ORDER BY p), p FROM (SELECT DISTINCT unnest($p::VARCHAR[]) AS p) "
        "WHERE p NOT IN (SELECT period FROM observation_periods)",
        {"p": list(periods)},
    )
    known = dict(
        con.execute(
            "SELECT period, period_id FROM observation_periods "
            "WHERE period IN (SELECT unnest($p::VARCHAR[]))",
            {"p": list(periods)},
        ).fetchall()
    )
    return [int(known[p]) for p in periods]


def delete_dataset_rows(
    con: duckdb.DuckDBPyConnection, dataset_id: str, tables: Sequence[str] = ("observations",)
) -> None:
    """Remove the rows a dataset contributed (before a new version replaces it).

    ``observations`` (a view) means its storage: ``observation_rows``, and the dataset's series in
    ``observation_series`` with their cells in ``observation_values``.
    """
    for table in tables:
        if not _IDENT.match(table):
            raise ValidationError(f"bad table name {table!r}")
        if table == "observations":
            con.execute(
                "DELETE FROM observation_values WHERE series_id IN "
                "(SELECT series_id FROM observation_series WHERE dataset_id = ?)",
                [dataset_id],
            )
            for storage in ("observation_series", "observation_rows"):
                con.execute(f"DELETE FROM {storage} WHERE dataset_id = ?", [dataset_id])
        else:
            con.execute(f"DELETE FROM {table} WHERE dataset_id = ?", [dataset_id])


def replace_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    *,
    source: str,
    kind: str,
    file_name: str | None,
    sha256: str | None,
    rows: int,
    importer: str,
    importer_version: str,
    synthetic: bool = False,
    title: str | None = None,
    dimensions: Sequence[str] = (),
    notes: str | None = None,
) -> None:
    """Insert or replace the ``datasets`` row describing where a dataset came from."""
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [dataset_id])
    con.execute(
        "INSERT INTO datasets (dataset_id, source, kind, file_name, sha256, imported_at, rows,"
        " importer, importer_version, synthetic, title, dimensions, notes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            dataset_id,
            source,
            kind,
            file_name,
            sha256,
            datetime.now(UTC).replace(tzinfo=None),
            rows,
            importer,
            importer_version,
            synthetic,
            title,
            list(dimensions),
            notes,
        ],
    )
