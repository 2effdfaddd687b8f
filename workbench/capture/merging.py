"""Move inbox rows into the knowledge base: one writer transaction, exactly once per idempotency key.

Design: see the package docstring (:mod:`workbench.capture`) and ``docs/concurrency.md``.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from datetime import UTC, datetime

from workbench.capture import inbox
from workbench.capture.registry import merger_for, register_merger, registered_kinds
from workbench.config import db_path
from workbench.errors import KBBusyError

__all__ = ["merge", "register_merger", "registered_kinds"]

log = logging.getLogger(__name__)

MERGE_LOCK_WAIT_S = 0.5

_LEDGER = """
CREATE TABLE IF NOT EXISTS capture_merged (
    idempotency_key VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    inbox_seq       BIGINT NOT NULL,
    client_id       VARCHAR,
    received_at     VARCHAR,
    merged_at       TIMESTAMP
)
"""


class _MergerFailed(Exception):
    def __init__(self, kind: str, cause: BaseException) -> None:
        super().__init__(f"{kind}: {type(cause).__name__}: {cause}")
        self.kind = kind


def merge(
    db: str | os.PathLike[str] | None = None,
    kinds: list[str] | None = None,
    *,
    lock_wait: float = MERGE_LOCK_WAIT_S,
    retry_failed: bool = False,
    raise_busy: bool = False,
) -> int:
    """Merge pending inbox rows (of ``kinds``, default all with a merger) into DuckDB; return how many
    rows were newly merged.  Returns 0 without error when the knowledge-base writer is busy for more
    than ``lock_wait`` seconds, unless ``raise_busy`` (a person asked for the merge: they must learn
    that nothing was merged), which raises :class:`KBBusyError` naming the holder and the rows
    still waiting.  Rows of a kind whose merger raises are marked with ``merge_error`` and
    skipped (``retry_failed=True`` tries them again); the other kinds are still merged."""
    path = db_path(db)
    box = inbox.inbox_path(path)
    if not box.exists():
        return 0
    rows = [
        r
        for r in inbox.pending(db=path, include_failed=retry_failed)
        if (kinds is None or r.kind in kinds) and merger_for(r.kind) is not None
    ]
    total = 0
    while rows:
        try:
            merged_keys, newly = _merge_once(path, rows, lock_wait)
        except KBBusyError as exc:
            if raise_busy:
                raise KBBusyError(
                    f"{exc}; nothing was merged: {len(rows)} submission(s) still wait in the inbox "
                    f"{box} (they are safe there); run the merge again when the knowledge base is free"
                ) from exc
            return total
        except _MergerFailed as failed:
            bad = [r.seq for r in rows if r.kind == failed.kind]
            log.warning("capture merge: merger failed for %s (%d rows)", failed, len(bad))
            inbox.mark_failed(box, bad, str(failed))
            rows = [r for r in rows if r.kind != failed.kind]
            continue
        inbox.mark_merged(box, [r.seq for r in rows if r.idempotency_key in merged_keys])
        total += newly
        break
    return total


def _merge_once(path, rows, lock_wait: float) -> tuple[set[str], int]:
    from workbench.kb.access import writer

    with writer(path, purpose="capture merge", timeout=lock_wait) as con:
        con.execute(_LEDGER)
        keys = [r.idempotency_key for r in rows]
        done: set[str] = set()
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            found = con.execute(
                "SELECT idempotency_key FROM capture_merged WHERE idempotency_key IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            done.update(k for (k,) in found)
        todo = [r for r in rows if r.idempotency_key not in done]
        by_kind: dict[str, list[inbox.InboxRow]] = defaultdict(list)
        for r in todo:
            by_kind[r.kind].append(r)
        for kind in sorted(by_kind, key=lambda k: by_kind[k][0].seq):
            fn = merger_for(kind)
            assert fn is not None
            try:
                fn(con, by_kind[kind])
            except Exception as exc:  # any merger failure: roll back, quarantine this kind
                raise _MergerFailed(kind, exc) from exc
        now = datetime.now(UTC).replace(tzinfo=None)
        if todo:  # one statement (DuckDB's executemany runs one per row, ~0.6 ms each)
            import pandas as pd  # merging processes only (participant kernels never merge)

            merged = pd.DataFrame.from_records(
                [(r.idempotency_key, r.kind, r.seq, r.client_id, r.received_at, now) for r in todo]
            )
            con.register("_merged", merged)
            try:
                con.execute("INSERT INTO capture_merged SELECT * FROM _merged")
            finally:
                con.unregister("_merged")
    return set(keys), len(todo)
