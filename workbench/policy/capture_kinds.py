"""Capture kinds of the policy domain (imported by :mod:`workbench.capture` on first use).

``policy.barrier``: a barrier added or edited in the barrier dashboard.  The participant's kernel only
validates it (:func:`workbench.policy.barrier_input.validate_barrier`) and appends it to the capture
inbox, so it is never lost to a knowledge-base lock; the merger upserts it into ``barriers``
(same ``barrier_id`` = an edit: fields replaced, ``created_at`` kept, ``updated_at`` set).
Kept light (no pandas): participant kernels import it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workbench.capture import register_merger
from workbench.policy.barrier_input import validate_barrier

BARRIER_KIND = "policy.barrier"
BARRIER_DATASET = "capture:barriers"
BARRIER_SOURCE = "barrier dashboard (working-group input via the capture inbox)"


def _received(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        return datetime.now(UTC).replace(tzinfo=None)


def merge_barriers(con: Any, rows: list[Any]) -> None:
    """Upsert the barriers of inbox rows (in ``seq`` order: a later edit wins)."""
    for row in rows:
        b = validate_barrier(dict(row.payload))
        at = _received(row.received_at)
        found = con.execute(
            "SELECT created_at FROM barriers WHERE barrier_id = ?", [b["barrier_id"]]
        ).fetchone()
        if found:
            con.execute(
                "UPDATE barriers SET region = ?, barrier = ?, dimensions = ?, phase = ?, severity = ?,"
                " evidence = ?, source = ?, author = ?, updated_at = ? WHERE barrier_id = ?",
                [b["region"], b["barrier"], b["dimensions"], b["phase"], b["severity"], b["evidence"],
                 b["source"], b["author"], at, b["barrier_id"]],
            )  # fmt: skip
        else:
            con.execute(
                "INSERT INTO barriers (barrier_id, region, barrier, dimensions, phase, severity,"
                " evidence, source, author, created_at, dataset_id, synthetic)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE)",
                [b["barrier_id"], b["region"], b["barrier"], b["dimensions"], b["phase"],
                 b["severity"], b["evidence"], b["source"], b["author"], at, BARRIER_DATASET],
            )  # fmt: skip
    n = con.execute(
        "SELECT count(*) FROM barriers WHERE dataset_id = ?", [BARRIER_DATASET]
    ).fetchone()[0]
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [BARRIER_DATASET])
    con.execute(
        "INSERT INTO datasets (dataset_id, source, kind, imported_at, rows, importer, importer_version,"
        " synthetic, title) VALUES (?, ?, 'capture', ?, ?, 'workbench.policy.capture_kinds', '1', FALSE, ?)",
        [BARRIER_DATASET, BARRIER_SOURCE, datetime.now(UTC).replace(tzinfo=None), n,
         "Barriers entered in the barrier dashboard"],
    )  # fmt: skip


register_merger(BARRIER_KIND, merge_barriers, validate=validate_barrier)
