"""Operations repeated in a source file are stored once, with all their locations.

The Croatian list repeats an operation that covers several counties once per county, each time with
the full amount (2,532 rows, 1,215 operations); the Greek list repeats operations once per region; the
Slovenian list has plain duplicate rows.  Rows with equal :attr:`SourceSpec.operation_key` values are
one operation: the first row is kept as the action (its ``action_id`` and ``source_row``), the others
add their locations (``operation_locations``), and the action's ``region`` becomes the common parent of
its locations' NUTS 2 regions (e.g. ``HR0`` for counties of HR03 and HR04).  A row that repeats an
operation *at the same location* is a duplicate row: reported as a warning and counted once.

How a regional total shares the amount of an operation in several regions is decided when reporting
(:mod:`workbench.policy.locations`, rule ``operations.apportion`` in ``policy.yml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.errors import Problem
from workbench.importers.cohesion.rowloop import Issue, Location, ParsedFile
from workbench.importers.cohesion.sources import common_parent


def _key(action: dict[str, Any], columns: Sequence[str]) -> tuple:
    return tuple(str(action.get(c)) for c in columns)


def merge_repeated_operations(parsed: ParsedFile, key: Sequence[str]) -> None:
    """Merge actions with equal ``key`` columns into one action with all locations (in place).

    Without a key every action stays as it is (and gets its own locations, if any).
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for i, action in enumerate(parsed.actions):
        groups.setdefault(_key(action, key) if key else (i,), []).append(action)
    kept: list[dict[str, Any]] = []
    moved: dict[str, str] = {}  # dropped action id -> kept action id
    repeated = duplicates = 0
    for members in groups.values():
        first = members[0]
        seen: dict[tuple, int] = {}
        regions: list[str | None] = []
        for member in members:
            locations: list[Location] = member.pop("_locations", []) or []
            where = tuple(
                sorted((loc.code or "", loc.name or "", loc.region or "") for loc in locations)
            )
            if member is not first:
                moved[member["action_id"]] = first["action_id"]
                if where in seen:
                    duplicates += 1
                    parsed.issues.append(Issue(Problem(
                        parsed.file_name,
                        f"duplicate row: same operation, amounts and location as row {seen[where]}; "
                        "counted once",
                        row=member["source_row"], column="(whole row)",
                        value=str(member.get("title"))[:120]), "warning", first["action_id"]))  # fmt: skip
                    continue
                repeated += 1
            seen.setdefault(where, member["source_row"])
            for place in locations:
                regions.append(place.region)
                parsed.locations.append({
                    "action_id": first["action_id"], "dataset_id": parsed.dataset_id,
                    "location_code": place.code, "location_name": place.name, "region": place.region,
                    "source_row": member["source_row"],
                })  # fmt: skip
        if any(regions):
            first["region"] = common_parent(regions)
        kept.append(first)
    n_loc: dict[str, int] = {}
    for loc in parsed.locations:
        n_loc[loc["action_id"]] = n_loc.get(loc["action_id"], 0) + 1
    for action in kept:
        action.pop("_locations", None)
        action["n_locations"] = n_loc.get(action["action_id"])
    parsed.actions = kept
    parsed.issues = [
        Issue(i.problem, i.level, moved.get(i.action_id, i.action_id))
        if i.action_id in moved
        else i
        for i in parsed.issues
    ]
    parsed.merged = {
        "rows": parsed.rows_read,
        "operations": len(kept),
        "rows_repeating_an_operation_elsewhere": repeated,
        "duplicate_rows": duplicates,
    }
