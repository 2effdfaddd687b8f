"""Capture kinds of the learning domain (imported by :mod:`workbench.capture` on first use).

``learning.practice``: a good practice entered in the practice form dashboard.  The kernel only
validates it (the same rules as the template import, :func:`practice_fields.check_record`) and
appends it to the capture inbox; the merger writes it into ``good_practices`` as a **draft** of
dataset ``capture:practices`` (validation is a separate step of the chain:
``workbench practices validate``).  A practice id that already exists in another dataset is refused
at merge time (imported and validated practices are not overwritten from a form).
Kept light (no pandas): dashboard kernels import it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workbench.capture import register_merger
from workbench.errors import ValidationError
from workbench.learning.practice_fields import FIELD_NAMES, LIST_COLUMNS, check_record

PRACTICE_KIND = "learning.practice"
PRACTICE_DATASET = "capture:practices"


def validate_practice(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a form entry; a draft always (a form cannot publish a practice)."""
    entry = {k: payload.get(k) for k in FIELD_NAMES}
    entry["validation_state"] = "draft"
    entry["validated_by"] = ""
    out, problems = check_record(entry, file="practice form")
    if problems:
        raise ValidationError(
            "; ".join(
                f"{p.column}: {p.rule}" + (f" ({p.value!r})" if p.value else "") for p in problems
            )
        )
    return out


def merge_practices(con: Any, rows: list[Any]) -> None:
    """Insert or update the drafts of inbox rows (a later entry of the same id wins)."""
    for row in rows:
        p = validate_practice(dict(row.payload))
        other = con.execute(
            "SELECT dataset_id FROM good_practices WHERE practice_id = ?", [p["practice_id"]]
        ).fetchone()
        if other is not None and other[0] != PRACTICE_DATASET:
            raise ValidationError(
                f"practice id {p['practice_id']!r} already belongs to {other[0]!r}: choose another id"
            )
        con.execute("DELETE FROM good_practices WHERE practice_id = ?", [p["practice_id"]])
        columns = [*FIELD_NAMES, "country"]
        values = [p[c] if c in LIST_COLUMNS else (p[c] or None) for c in columns]
        con.execute(
            f"INSERT INTO good_practices ({', '.join(columns)}, dataset_id, synthetic)"
            f" VALUES ({', '.join('?' * (len(columns) + 2))})",
            [*values, PRACTICE_DATASET, False],
        )
    n = con.execute(
        "SELECT count(*) FROM good_practices WHERE dataset_id = ?", [PRACTICE_DATASET]
    ).fetchone()[0]
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [PRACTICE_DATASET])
    con.execute(
        "INSERT INTO datasets (dataset_id, source, kind, imported_at, rows, importer, importer_version,"
        " synthetic, title) VALUES (?, ?, 'capture', ?, ?, 'workbench.learning.capture_kinds', '1', FALSE, ?)",
        [PRACTICE_DATASET, "practice form (dashboard input via the capture inbox)",
         datetime.now(UTC).replace(tzinfo=None), n, "Good practices entered in the practice form"],
    )  # fmt: skip


register_merger(PRACTICE_KIND, merge_practices, validate=validate_practice)
