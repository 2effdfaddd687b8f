"""The inbox file: append submissions durably, read them back (light: sqlite3 + json only).

Design: see the package docstring (:mod:`workbench.capture`) and ``docs/concurrency.md``.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.capture.writelock import write_turn
from workbench.config import db_path
from workbench.errors import KBBusyError, ValidationError
from workbench.retry import retry_until

BUSY_TIMEOUT_MS = 15_000
MAX_PAYLOAD_BYTES = 1024 * 1024
_KIND = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
_TOKEN = re.compile(r"^[A-Za-z0-9_.:@-]{1,200}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    merged_at       TEXT,
    merge_error     TEXT
);
CREATE INDEX IF NOT EXISTS inbox_kind_seq ON inbox(kind, seq);
CREATE INDEX IF NOT EXISTS inbox_unmerged ON inbox(merged_at, kind);
"""

_local = threading.local()
_SUBMIT_DB: ContextVar[str | os.PathLike[str] | None] = ContextVar(
    "capture_submit_db", default=None
)


def submission_db() -> str | os.PathLike[str] | None:
    """The ``db`` argument of the :func:`submit` call being validated (for validators that read state)."""
    return _SUBMIT_DB.get()


class CaptureConflictError(ValidationError):
    """An idempotency key was reused for a different submission."""


@dataclass(frozen=True)
class SubmitReceipt:
    """Proof that a submission is on disk: its inbox sequence number and time of receipt."""

    seq: int
    kind: str
    idempotency_key: str
    received_at: str
    duplicate: bool


@dataclass(frozen=True)
class InboxRow:
    """One inbox row as given to mergers and live views."""

    seq: int
    kind: str
    client_id: str
    idempotency_key: str
    payload: dict[str, Any]
    received_at: str
    merged_at: str | None = None
    merge_error: str | None = None


def inbox_path(db: str | os.PathLike[str] | None = None) -> Path:
    """``<knowledge-base file>.inbox.sqlite`` beside the knowledge base."""
    path = db_path(db)
    return path.with_name(path.name + ".inbox.sqlite")


def _connection(path: Path) -> sqlite3.Connection:
    """One connection per (process, thread, file), created with the schema on first use."""
    cache: dict[str, sqlite3.Connection] | None = getattr(_local, "cons", None)
    if cache is None or getattr(_local, "pid", None) != os.getpid():
        cache = _local.cons = {}
        _local.pid = os.getpid()
    key = str(path)
    con = cache.get(key)
    if con is not None:
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(key, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _retry_locked(lambda: con.execute("PRAGMA journal_mode=WAL").fetchone())
    con.execute("PRAGMA synchronous=FULL")
    _retry_locked(lambda: con.executescript(_SCHEMA))
    cache[key] = con
    return con


def _retry_locked(fn: Any, timeout: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """Run ``fn`` retrying on SQLite's "database is locked" beyond busy_timeout (rare WAL switch race)."""
    return retry_until(
        fn,
        timeout=timeout,
        retry_if=lambda exc: (
            isinstance(exc, sqlite3.OperationalError)
            and ("locked" in str(exc) or "busy" in str(exc))
        ),
        on_timeout=lambda exc: KBBusyError(f"capture inbox is busy: {exc}"),
        first_delay=0.005,
        max_delay=0.1,
    )


def _write(path: Path, fn: Any, timeout: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """Run the write transaction ``fn`` in this process's write turn (:mod:`~workbench.capture.writelock`:
    writers queue and are woken on release instead of sleeping in SQLite's busy handler)."""
    deadline = time.monotonic() + timeout
    with write_turn(path, timeout):
        return _retry_locked(fn, max(deadline - time.monotonic(), 1.0))


def _check_token(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ValidationError(
            f"{name} must be 1-200 characters of letters, digits or _.:@- (got {value!r:.60})"
        )
    return value


def _encode(payload: Any) -> str:
    if not isinstance(payload, dict):
        raise ValidationError(f"payload must be a dict, got {type(payload).__name__}")

    def finite(obj: Any) -> None:
        if isinstance(obj, float) and not math.isfinite(obj):
            raise ValidationError(f"payload contains a non-finite number {obj!r}")
        if isinstance(obj, dict):
            for v in obj.values():
                finite(v)
        elif isinstance(obj, list | tuple):
            for v in obj:
                finite(v)

    finite(payload)
    try:
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"payload is not JSON-serialisable: {exc}") from exc
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise ValidationError(f"payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    return text


def submit(
    kind: str,
    payload: dict[str, Any],
    *,
    client_id: str,
    idempotency_key: str,
    db: str | os.PathLike[str] | None = None,
) -> SubmitReceipt:
    """Append one submission and return once it is committed to disk (fsync, WAL ``synchronous=FULL``).

    Concurrent writers take turns (:func:`_write`); the commit itself holds the lock for about a ms.

    Idempotent on ``idempotency_key``: a retry returns the stored row with ``duplicate=True``; the same
    key with another kind or payload raises :class:`CaptureConflictError`.  A validator registered for
    ``kind`` (:func:`workbench.capture.register_merger`) runs first; a refused value writes nothing.
    """
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValidationError(f"kind must look like 'domain.name' (got {kind!r:.60})")
    _check_token("client_id", client_id)
    _check_token("idempotency_key", idempotency_key)
    from workbench.capture.registry import validator_for

    validate = validator_for(kind)
    if validate is not None:
        token = _SUBMIT_DB.set(db)
        try:
            payload = validate(payload)
        finally:
            _SUBMIT_DB.reset(token)
    text = _encode(payload)
    path = inbox_path(db)
    con = _connection(path)
    received = datetime.now(UTC).isoformat(timespec="microseconds")

    def insert() -> tuple[Any, ...]:
        con.execute("BEGIN IMMEDIATE")
        try:
            cur = con.execute(
                "INSERT INTO inbox (kind, client_id, idempotency_key, payload, received_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
                [kind, client_id, idempotency_key, text, received],
            )
            inserted = cur.rowcount == 1
            row = con.execute(
                "SELECT seq, kind, payload, received_at FROM inbox WHERE idempotency_key = ?",
                [idempotency_key],
            ).fetchone()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return (inserted, *row)

    inserted, seq, stored_kind, stored_payload, stored_at = _write(path, insert)
    if not inserted and (stored_kind != kind or stored_payload != text):
        raise CaptureConflictError(
            f"idempotency key {idempotency_key!r} was already used for a different submission"
        )
    return SubmitReceipt(int(seq), kind, idempotency_key, stored_at, duplicate=not inserted)


def _rows(sql: str, params: list[Any], db: str | os.PathLike[str] | None) -> list[InboxRow]:
    path = inbox_path(db)
    if not path.exists():
        return []
    con = _connection(path)
    result = _retry_locked(lambda: con.execute(sql, params).fetchall())
    return [InboxRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in result]


_COLUMNS = "seq, kind, client_id, idempotency_key, payload, received_at, merged_at, merge_error"


def pending(
    kind: str | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    include_failed: bool = True,
) -> list[InboxRow]:
    """Rows not merged into the knowledge base yet (optionally of one kind), in ``seq`` order."""
    sql = f"SELECT {_COLUMNS} FROM inbox WHERE merged_at IS NULL"
    params: list[Any] = []
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    if not include_failed:
        sql += " AND merge_error IS NULL"
    return _rows(sql + " ORDER BY seq", params, db)


def read(
    kind: str,
    since: int = 0,
    *,
    where: dict[str, Any] | None = None,
    db: str | os.PathLike[str] | None = None,
    _newest_only: bool = False,
) -> list[InboxRow]:
    """Every row of ``kind`` with ``seq > since`` (merged or not), optionally with payload fields equal
    to ``where`` (``{"exercise_id": "x"}``), in ``seq`` order.  Use the last ``seq`` as the next ``since``."""
    sql = f"SELECT {_COLUMNS} FROM inbox WHERE kind = ? AND seq > ?"
    params: list[Any] = [kind, int(since)]
    for field, value in (where or {}).items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", field):
            raise ValidationError(f"bad payload field name {field!r}")
        sql += f" AND json_extract(payload, '$.{field}') = ?"
        params.append(value)
    if _newest_only:
        return _rows(sql + " ORDER BY seq DESC LIMIT 1", params, db)
    return _rows(sql + " ORDER BY seq", params, db)


def latest(
    kind: str,
    *,
    where: dict[str, Any] | None = None,
    db: str | os.PathLike[str] | None = None,
) -> InboxRow | None:
    """The most recent row of ``kind`` matching ``where`` (e.g. the last published state), or None."""
    rows = read(kind, where=where, db=db, _newest_only=True)
    return rows[0] if rows else None


def last_seq(db: str | os.PathLike[str] | None = None) -> int:
    """The newest sequence number in the inbox (0 when empty): a cheap "anything new?" check."""
    path = inbox_path(db)
    if not path.exists():
        return 0
    con = _connection(path)
    return int(
        _retry_locked(lambda: con.execute("SELECT coalesce(max(seq), 0) FROM inbox").fetchone()[0])
    )


def status(db: str | os.PathLike[str] | None = None) -> dict[str, dict[str, int]]:
    """Per kind: ``{"total", "pending", "failed"}`` row counts."""
    path = inbox_path(db)
    if not path.exists():
        return {}
    con = _connection(path)
    rows = _retry_locked(
        lambda: con.execute(
            "SELECT kind, count(*), count(*) FILTER (WHERE merged_at IS NULL),"
            " count(*) FILTER (WHERE merged_at IS NULL AND merge_error IS NOT NULL)"
            " FROM inbox GROUP BY kind ORDER BY kind"
        ).fetchall()
    )
    return {k: {"total": t, "pending": p, "failed": f} for k, t, p, f in rows}


def mark_merged(path: Path, seqs: list[int]) -> None:
    """Bookkeeping after a committed merge (used by :func:`workbench.capture.merge`)."""
    if not seqs:
        return
    con = _connection(path)
    now = datetime.now(UTC).isoformat(timespec="microseconds")

    def update() -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(seqs), 500):
                chunk = seqs[start : start + 500]
                marks = ",".join("?" * len(chunk))
                con.execute(
                    f"UPDATE inbox SET merged_at = ?, merge_error = NULL WHERE seq IN ({marks})",
                    [now, *chunk],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    _write(path, update)


def mark_failed(path: Path, seqs: list[int], error: str) -> None:
    """Record why a merger refused these rows (they stay pending)."""
    if not seqs:
        return
    con = _connection(path)
    marks = ",".join("?" * len(seqs))
    _write(
        path,
        lambda: con.execute(
            f"UPDATE inbox SET merge_error = ? WHERE seq IN ({marks})", [error[:1000], *seqs]
        ),
    )
