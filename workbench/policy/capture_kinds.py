"""Capture kinds of the policy domain (imported by :mod:`workbench.capture` on first use).

``policy.barrier``: a barrier added or edited in the barrier dashboard.  The participant's kernel only
validates it (:func:`workbench.policy.barrier_input.validate_barrier`) and appends it to the capture
inbox, so it is never lost to a knowledge-base lock; the merger upserts it into ``barriers``
(same ``barrier_id`` = an edit: fields replaced, ``created_at`` kept, ``updated_at`` set).

Imported records are read-only (issue 10): a barrier of any other dataset (an imported file that
is cited with its sha256, the demo) is never changed.  Its edit becomes a new version, a row of
dataset ``capture:barriers`` with its own author and time whose ``supersedes`` names the original
(``<id>.v2``); later edits of either change that version.  Views show the newest version only
(:func:`workbench.policy.data.load_barriers`).
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


def version_id(con: Any, barrier_id: str) -> str:
    """A free id for the editable version of a read-only (imported) barrier: ``<id>.v2``."""
    for n in range(2, 1000):
        candidate = f"{barrier_id[:74]}.v{n}"
        taken = con.execute(
            "SELECT count(*) FROM barriers WHERE barrier_id = ?", [candidate]
        ).fetchone()[0]
        if not taken:
            return candidate
    raise RuntimeError(f"no free version id for barrier {barrier_id!r}")


def _target(con: Any, barrier_id: str) -> tuple[str, str | None, bool]:
    """(row to write, barrier it supersedes, whether that row exists) for an edit of ``barrier_id``.

    A barrier of dataset ``capture:barriers`` is edited in place; one of any other dataset is
    read-only, so its version (existing or new) is written instead."""
    found = con.execute(
        "SELECT dataset_id FROM barriers WHERE barrier_id = ?", [barrier_id]
    ).fetchone()
    if found is None or found[0] == BARRIER_DATASET:
        return barrier_id, None, found is not None
    version = con.execute(
        "SELECT barrier_id FROM barriers WHERE supersedes = ? AND dataset_id = ?"
        " ORDER BY created_at DESC LIMIT 1",
        [barrier_id, BARRIER_DATASET],
    ).fetchone()
    if version is not None:
        return version[0], barrier_id, True
    return version_id(con, barrier_id), barrier_id, False


def merge_barriers(con: Any, rows: list[Any]) -> None:
    """Upsert the barriers of inbox rows (in ``seq`` order: a later edit wins); imported barriers
    are not changed: their edit is a new version (see the module docstring)."""
    for row in rows:
        b = validate_barrier(dict(row.payload))
        at = _received(row.received_at)
        target, supersedes, exists = _target(con, b["barrier_id"])
        b = {**b, "barrier_id": target}
        if supersedes is not None and not exists:
            con.execute(
                "INSERT INTO barriers (barrier_id, region, barrier, dimensions, phase, severity,"
                " evidence, source, author, created_at, dataset_id, synthetic, supersedes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?)",
                [b["barrier_id"], b["region"], b["barrier"], b["dimensions"], b["phase"],
                 b["severity"], b["evidence"], b["source"], b["author"], at, BARRIER_DATASET,
                 supersedes],
            )  # fmt: skip
        elif exists:
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
