"""The knowledge-base access policy: the one place that decides how processes share the DuckDB file.

DuckDB lets exactly one process open a file read-write, and while it does, read-only opens from other
processes fail as well (a writer also fails while any reader holds the file).  The lab has many
processes at once (analysts' notebooks, Voila kernels, scheduled papermill runs, imports), so:

1. **Nobody keeps a connection open.**  Readers call :func:`query` (open read-only, run, close) or use
   ``with reader() as con:`` for a handful of queries.  An open notebook therefore never locks out an
   import or a scheduled batch.
2. **Readers retry** for a bounded time (default 10 s) while a writer holds the file, then raise
   :class:`~workbench.errors.KBBusyError` naming the holder.
3. **Writers serialise on an inter-process lock file** ``<db>.lock`` (``flock``), with a bounded wait
   (default 30 s) and the holder's PID, command and purpose written into the lock file so that the
   error says who holds it.  Once they hold the lock they open the file read-write (retrying while
   readers finish their short queries), apply pending migrations, and run the whole block as **one
   transaction**: any exception rolls everything back, so a failed import leaves the knowledge base
   exactly as it was.
4. **Inside a writer block**, :func:`query` and :func:`reader` in the same process reuse the writer's
   connection (DuckDB refuses mixing read-only and read-write connections in one process).
5. **Dashboards never write from a participant's kernel into DuckDB directly**: they append to the
   capture inbox (:mod:`workbench.capture`), which many processes can write at once, and the inbox is
   merged into the knowledge base whenever the writer lock is free.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from workbench.config import db_path
from workbench.errors import KBBusyError, WorkbenchError
from workbench.filelock import exclusive_lock, holder_info
from workbench.retry import retry_until

if TYPE_CHECKING:  # pandas is imported lazily: `workbench kb info` must start fast
    import pandas as pd

READ_TIMEOUT_S = 10.0
WRITE_TIMEOUT_S = 30.0

_state = threading.local()
_schema_checked: set[str] = set()
_schema_lock = threading.Lock()


class KBMissingError(WorkbenchError):
    """The knowledge-base file does not exist yet."""


class KBUnreadableError(WorkbenchError):
    """The knowledge-base file is not a DuckDB database, or is empty, truncated or corrupt."""

    exit_code = 4


_UNREADABLE_MARKERS = (
    "not a valid duckdb database file",
    "corrupt database file",
    "could not read enough bytes",
    "does not match stored checksum",
    "database file with version number",
    "is a directory",
)


def _is_unreadable(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in _UNREADABLE_MARKERS)


def _unreadable(path: Path, exc: BaseException) -> KBUnreadableError:
    """A one-paragraph message saying what is wrong with the file and what to do."""
    try:
        size = path.stat().st_size
    except OSError:
        size = None
    detail = str(exc).split("\n", 1)[0]
    if size == 0:
        what = "is an empty file (0 bytes), not a knowledge base"
    elif "not a valid duckdb database file" in detail.lower():
        what = "is not a DuckDB knowledge base"
    elif "version number" in detail.lower():
        what = "was written by another DuckDB version"
    elif "is a directory" in detail.lower():
        what = "is a directory, not a knowledge-base file"
    else:
        what = "is damaged (truncated or corrupt)"
    return KBUnreadableError(
        f"knowledge base {path} {what} ({detail}); nothing was changed. Check --db / WORKBENCH_DB, "
        "restore the file from a backup, or rebuild it (`workbench demo`, `workbench import FILE`)"
    )


def require_existing(db: str | os.PathLike[str] | None = None) -> Path:
    """The knowledge-base path, refusing one that does not exist (read-only commands: a typo in
    ``--db`` must not silently look like an empty knowledge base)."""
    path = db_path(db)
    if not path.exists():
        raise KBMissingError(
            f"knowledge base {path} does not exist: check --db / WORKBENCH_DB, or create it with "
            "`workbench demo` or `workbench import FILE`"
        )
    return path


def _active_writers() -> dict[str, duckdb.DuckDBPyConnection]:
    if not hasattr(_state, "writers"):
        _state.writers = {}
    return _state.writers


def _describe_pid(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        cmd = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
        return f"PID {pid}: {cmd[:160]}"
    except OSError:
        return f"PID {pid}"


def _holder_from_error(exc: Exception, path: Path) -> str:
    match = re.search(r"PID (\d+)", str(exc))
    if match:
        return _describe_pid(int(match.group(1)))
    return _holder_from_lockfile(path) or "another process"


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _describe_holder(info: dict[str, Any]) -> str | None:
    if not info:
        return None
    return (
        f"PID {info.get('pid')} ({info.get('purpose', '?')}, since {info.get('since', '?')}): "
        f"{info.get('command', '')[:120]}"
    )


def _holder_from_lockfile(path: Path) -> str | None:
    return _describe_holder(holder_info(_lock_path(path)))


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _connect(path: Path, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    def attempt() -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if _is_unreadable(exc):
                raise _unreadable(path, exc) from None
            raise

    def busy(exc: BaseException) -> KBBusyError:
        holder = _holder_from_error(exc, path) if isinstance(exc, Exception) else "another process"
        return KBBusyError(
            f"knowledge base is busy (held by {holder}); waited {timeout:g} s for {path}"
        )

    return retry_until(
        attempt,
        timeout=timeout,
        retry_if=lambda exc: isinstance(exc, duckdb.IOException) and _is_lock_conflict(exc),
        on_timeout=busy,
        first_delay=0.01,
        max_delay=0.25,
    )


def _ensure_current_schema(path: Path) -> None:
    """Upgrade an older file once per process before reading it (readers cannot migrate)."""
    key = str(path)
    if key in _schema_checked:
        return
    from workbench.kb import migrate

    with _schema_lock:
        con = _connect(path, read_only=True, timeout=READ_TIMEOUT_S)
        try:
            todo = migrate.pending(con)
        except duckdb.Error as exc:
            if _is_unreadable(exc):
                raise _unreadable(path, exc) from None
            raise
        finally:
            con.close()
        if todo:
            with writer(path, purpose="schema upgrade"):
                pass
        _schema_checked.add(key)


@contextlib.contextmanager
def reader(
    db: str | os.PathLike[str] | None = None, timeout: float = READ_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection (reuses this thread's writer connection if one is open)."""
    path = db_path(db)
    active = _active_writers().get(str(path))
    if active is not None:
        yield active
        return
    require_existing(path)
    _ensure_current_schema(path)
    con = _connect(path, read_only=True, timeout=timeout)
    try:
        yield con
    except duckdb.Error as exc:
        if _is_unreadable(exc):  # a damaged block found only when a query reads it
            raise _unreadable(path, exc) from None
        raise
    finally:
        con.close()


def query(
    sql: str,
    params: list[Any] | dict[str, Any] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    timeout: float = READ_TIMEOUT_S,
) -> pd.DataFrame:
    """Run one read query and return a DataFrame; the connection is closed before returning."""
    import pandas  # noqa: F401  (DuckDB's .df() needs it; imported lazily)

    with reader(db, timeout=timeout) as con:
        return con.execute(sql, params).df() if params is not None else con.execute(sql).df()


@contextlib.contextmanager
def _file_lock(path: Path, purpose: str, timeout: float) -> Iterator[None]:
    def busy(info: dict[str, Any]) -> KBBusyError:
        holder = _describe_holder(info) or "another process"
        return KBBusyError(
            f"knowledge base is busy (held by {holder}); waited {timeout:g} s for {path}"
        )

    info = {"purpose": purpose, "command": _describe_pid(os.getpid())}
    with exclusive_lock(_lock_path(path), wait=timeout, info=info, on_timeout=busy):
        yield


class WriteAbortedError(WorkbenchError):
    """A statement failed inside a writer block and the error was caught there: nothing was written."""


def _commit(con: duckdb.DuckDBPyConnection, path: Path, purpose: str) -> None:
    """COMMIT, refusing to pretend success when DuckDB already aborted the transaction.

    DuckDB turns COMMIT of an aborted transaction into a silent rollback; code that caught a failed
    statement inside the block would otherwise believe its writes landed.
    """
    try:
        con.execute("SELECT 1")
    except duckdb.TransactionException as exc:
        con.execute("ROLLBACK")
        raise WriteAbortedError(
            f"write to {path} ({purpose}) was rolled back: a statement failed inside the "
            f"transaction ({exc}); nothing was written"
        ) from exc
    con.execute("COMMIT")


@contextlib.contextmanager
def writer(
    db: str | os.PathLike[str] | None = None,
    *,
    purpose: str = "write",
    timeout: float = WRITE_TIMEOUT_S,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Exclusive write access as one transaction; rolls back on any exception.

    Re-entrant within a thread: a nested ``writer()`` on the same file joins the outer transaction.
    """
    path = db_path(db)
    key = str(path)
    writers = _active_writers()
    if key in writers:
        yield writers[key]
        return
    from workbench.kb import migrate

    with _file_lock(path, purpose, timeout):
        created = not path.exists()
        con = _connect(path, read_only=False, timeout=timeout)
        writers[key] = con
        committed = False
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                migrate.apply(con)
                yield con
            except BaseException as exc:
                con.execute("ROLLBACK")
                if isinstance(exc, duckdb.Error) and _is_unreadable(exc):
                    raise _unreadable(path, exc) from None
                raise
            else:
                _commit(con, path, purpose)
                committed = True
        finally:
            writers.pop(key, None)
            con.close()
            if created and not committed:
                # "nothing changed" includes not leaving an empty knowledge base behind
                for leftover in (path, path.with_name(path.name + ".wal")):
                    with contextlib.suppress(FileNotFoundError):
                        leftover.unlink()
    _schema_checked.add(key)
