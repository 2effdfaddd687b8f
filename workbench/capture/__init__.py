"""Capture: the multi-process-safe inbox for dashboard submissions, merged into the knowledge base.

This docstring and ``docs/concurrency.md`` are the one place where the design is written down.

Why
---
Every Voila page is its own kernel process, and DuckDB lets only one process open the knowledge base
read-write (while it does, even read-only opens from other processes fail; see
:mod:`workbench.kb.access`).  Forty workshop participants pressing "submit" in the same minute would
therefore queue on the DuckDB writer lock, time out, or block the facilitator's live view and a
scheduled batch.  So participant kernels never open DuckDB for writing.  They append to an inbox.

The inbox
---------
* One SQLite file beside the knowledge base: ``<db>.inbox.sqlite`` (:func:`inbox_path`), in WAL mode
  with ``synchronous=FULL`` and a ``busy_timeout``: many processes append concurrently (SQLite
  serialises the short write transactions; readers never block writers in WAL mode), and a commit is
  on disk (fsync) before :func:`submit` returns.  Writers queue for their turn on an ``flock``
  (:mod:`workbench.capture.writelock`) and are woken the moment the previous commit ends; left to
  SQLite's busy handler, which sleeps up to 100 ms between attempts, 40 simultaneous submits took
  up to 1.75 s instead of ~70 ms.
* :func:`submit(kind, payload, client_id=..., idempotency_key=...) <submit>` inserts one row
  ``(seq, kind, client_id, idempotency_key UNIQUE, payload JSON, received_at)`` and returns a
  :class:`SubmitReceipt` only after the commit.  A dashboard shows "Saved" only after that return.
  Retrying with the same key is harmless: the existing row is returned (``duplicate=True``); the same
  key with a different payload is refused (:class:`CaptureConflictError`).
* The inbox is append-only: rows are never updated except for the merge bookkeeping columns
  (``merged_at``, ``merge_error``) and never deleted, so it is also the audit trail.
* Live views read it directly: :func:`pending` (not yet merged) and :func:`read` (everything after a
  ``since`` sequence number).  Readers do not need the DuckDB file and never block anyone.

Merging into the knowledge base
-------------------------------
* Each domain declares how a kind becomes rows of its DuckDB tables with
  :func:`register_merger(kind, fn) <register_merger>`; ``fn(con, rows)`` receives a DuckDB connection
  inside the writer transaction and the :class:`InboxRow` list of that kind in ``seq`` order.  Kinds
  are named ``<domain>.<name>``; :func:`merge` imports ``workbench.<domain>.capture_kinds`` (when it
  exists) so that the mergers of pending kinds are registered in any process.
* :func:`merge(db=None, kinds=None) <merge>` takes the knowledge-base writer (``workbench.kb.writer``)
  with a *short* lock wait; when the lock is busy (an import, a batch, another merge) it returns 0 with
  no error and the rows simply wait for the next merge.  Inside ONE transaction it calls the mergers
  and records every merged ``idempotency_key`` in the DuckDB table ``capture_merged``; after the commit
  it marks the rows merged in the inbox.  A crash between the two steps cannot duplicate anything:
  keys already in ``capture_merged`` are skipped and only marked.  It is safe to call from any process
  at any time (the writer lock serialises merges).
* A merger that raises rolls the whole transaction back; the rows of that kind get ``merge_error``
  (visible in :func:`status`, retried by ``merge(retry_failed=True)``) and the other kinds are merged
  without them, so one bad kind never blocks the rest.
* Who merges: ``workbench serve`` runs a merge loop (every few seconds) next to Voila; the facilitator
  dashboard merges before it refreshes; ``workbench foresight merge`` merges by hand; batch runs can
  call :func:`merge` first.  Participant kernels only submit (they stay small: no pandas, no DuckDB).
"""

from workbench.capture.inbox import (
    CaptureConflictError,
    InboxRow,
    SubmitReceipt,
    inbox_path,
    last_seq,
    latest,
    pending,
    read,
    status,
    submission_db,
    submit,
)
from workbench.capture.merging import merge, register_merger, registered_kinds

__all__ = [
    "CaptureConflictError",
    "InboxRow",
    "SubmitReceipt",
    "inbox_path",
    "last_seq",
    "latest",
    "merge",
    "pending",
    "read",
    "register_merger",
    "registered_kinds",
    "status",
    "submission_db",
    "submit",
]
