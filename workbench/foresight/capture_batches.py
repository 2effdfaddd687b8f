"""Batched participant submissions: every impact/uncertainty rating of a participant in one save
(``foresight.ratings``), and a batch of structural-analysis pairs (``foresight.influences``).

One inbox row per batch (one fsync, one quota step), validated item by item with the same rules as
the single kinds of :mod:`workbench.foresight.capture_kinds`, and merged into the same tables with
one row per item (id ``<idempotency key>:<n>``), so the facilitator's analyses (which keep each
participant's latest value per driver or pair) see no difference.  Registered on import of
``capture_kinds`` (the domain module the capture registry loads).  Light: no pandas.
"""

from __future__ import annotations

from typing import Any

from workbench import capture
from workbench.errors import ValidationError
from workbench.foresight import capture_kinds as single

RATINGS_KIND = "foresight.ratings"
INFLUENCES_KIND = "foresight.influences"


def _items(payload: dict[str, Any], field: str, limit: int) -> list[dict[str, Any]]:
    items = payload.get(field)
    if not isinstance(items, list) or not items:
        raise ValidationError(f"{field}: nothing to save")
    if len(items) > limit:
        raise ValidationError(f"{field}: {len(items)} items, at most {limit}")
    if not all(isinstance(i, dict) for i in items):
        raise ValidationError(f"{field}: every item must be a record")
    return items


def validate_ratings(payload: dict[str, Any]) -> dict[str, Any]:
    """Impact and uncertainty (1-5) of accepted drivers, each driver at most once."""
    state, exercise_id, code = single._context(payload)
    known = {d["driver_id"] for d in state["drivers"]}
    out, seen = [], set()
    for item in _items(payload, "ratings", len(known)):
        driver = item.get("driver_id")
        if driver not in known:
            raise ValidationError(f"unknown driver {driver!r:.40}")
        if driver in seen:
            raise ValidationError(f"driver {driver} is rated twice in one save")
        seen.add(driver)
        out.append(
            {
                "driver_id": driver,
                "impact": single._int(item, "impact", 1, 5, f"impact of {driver}"),
                "uncertainty": single._int(item, "uncertainty", 1, 5, f"uncertainty of {driver}"),
            }
        )
    single._quota(RATINGS_KIND, exercise_id, code)
    return {"exercise_id": exercise_id, "participant_code": code, "ratings": out}


def validate_influences(payload: dict[str, Any]) -> dict[str, Any]:
    """Direct influences 0-3 between two different accepted drivers, each pair at most once."""
    state, exercise_id, code = single._context(payload)
    known = {d["driver_id"] for d in state["drivers"]}
    out, seen = [], set()
    for item in _items(payload, "influences", len(known) * (len(known) - 1)):
        src, dst = item.get("source_driver"), item.get("target_driver")
        if src not in known or dst not in known:
            raise ValidationError("choose two drivers from the list")
        if src == dst:
            raise ValidationError(f"a driver cannot influence itself ({src})")
        if (src, dst) in seen:
            raise ValidationError(f"the pair {src} -> {dst} appears twice in one save")
        seen.add((src, dst))
        out.append(
            {
                "source_driver": src,
                "target_driver": dst,
                "strength": single._int(item, "strength", 0, 3, f"the influence {src} -> {dst}"),
            }
        )
    single._quota(INFLUENCES_KIND, exercise_id, code)
    return {"exercise_id": exercise_id, "participant_code": code, "influences": out}


def expand(row: Any, field: str) -> list[tuple[str, dict[str, Any]]]:
    """``(item id, item + exercise_id + participant_code)`` for each item of a batch row."""
    p = row.payload
    return [
        (
            f"{row.idempotency_key}:{n}",
            {**item, "exercise_id": p["exercise_id"], "participant_code": p["participant_code"]},
        )
        for n, item in enumerate(p.get(field, []))
    ]


def merge_ratings(con: Any, rows: list[Any]) -> None:
    """Batches of ratings -> foresight_driver_ratings (one row per driver)."""
    single._participants(con, rows)
    single.insert_rows(
        con,
        "INSERT INTO foresight_driver_ratings SELECT *, FALSE FROM _rows",
        [
            (
                item_id,
                item["exercise_id"],
                item["driver_id"],
                item["participant_code"],
                item["impact"],
                item["uncertainty"],
                single._ts(r.received_at),
                f"capture:foresight:{item['exercise_id']}",
            )
            for r in rows
            for item_id, item in expand(r, "ratings")
        ],
    )


def merge_influences(con: Any, rows: list[Any]) -> None:
    """Batches of influences -> foresight_influences (one row per pair)."""
    single._participants(con, rows)
    single.insert_rows(
        con,
        "INSERT INTO foresight_influences SELECT *, FALSE FROM _rows",
        [
            (
                item_id,
                item["exercise_id"],
                item["source_driver"],
                item["target_driver"],
                item["strength"],
                item["participant_code"],
                single._ts(r.received_at),
                f"capture:foresight:{item['exercise_id']}",
            )
            for r in rows
            for item_id, item in expand(r, "influences")
        ],
    )


capture.register_merger(RATINGS_KIND, merge_ratings, validate=validate_ratings)
capture.register_merger(INFLUENCES_KIND, merge_influences, validate=validate_influences)
