"""Working-group records entered without code: the template, its import (one transaction), export.

The template is the set-up template ``working_group``
(``workbench/defaults/setup/working_group.yml``: sheets ``groups``, ``members``, ``meetings``,
``attendance``, ``decisions``, ``action_items``, every column documented), written and read by the shared set-up machinery of
:mod:`workbench.importers.foresight_setup` (README sheet, a comment on every column, types, allowed
values, patterns).  On top of the column rules, :func:`import_groups` checks the rules between
sheets and against the knowledge base:

* members, meetings and action items belong to a group of the file or of the knowledge base;
* attendance and decisions refer to a known meeting; an attendee is a member of the meeting's group;
* an action item's meeting is a meeting of the same group; ``link_kind`` and ``link_ref`` come
  together; the link exists: ``pilot`` -> ``pilots``, ``strategy_action`` -> ``strategy_actions``,
  ``barrier_cell`` -> ``REGION/dimension/phase`` with a dimension and a phase of policy.yml and a
  region whose barrier matrix holds at least one barrier;
* a meeting ends after it starts; a meeting already in the knowledge base stays in its group;
* stable ids are unique within the file (members and attendance: per pair).

Every problem names file, sheet, row, column and value; if there is any, nothing is written.  Rows
are keyed by their ids: a new id is added, a changed row replaced, an identical one left alone (so
re-importing a file changes nothing, not even the dataset record); rows not in the file are kept.
:func:`export_groups` writes a group's records in the same format for offline updates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem, ValidationError
from workbench.importers.foresight_setup import (
    RawRow,
    load_spec,
    read_and_convert_rows,
    write_setup_template,
)

SPEC = "working_group"
SOURCE = "working-group template"
IMPORTER = "workbench.importers.working_groups"
IMPORTER_VERSION = "1"

# table (sheet) -> (knowledge-base table, key columns, stored columns in order)
TABLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "groups": ("wg_groups", ("group_id",), ("group_id", "name", "dimension")),
    "members": ("wg_members", ("group_id", "member_id"),
                ("group_id", "member_id", "name", "organisation", "region", "role")),
    "meetings": ("wg_meetings", ("meeting_id",),
                 ("meeting_id", "group_id", "title", "starts_at", "ends_at", "location", "agenda",
                  "minutes")),
    "attendance": ("wg_attendance", ("meeting_id", "member_id"),
                   ("meeting_id", "member_id", "present")),
    "decisions": ("wg_decisions", ("decision_id",), ("decision_id", "meeting_id", "decision")),
    "action_items": ("wg_action_items", ("item_id",),
                     ("item_id", "group_id", "meeting_id", "title", "owner", "due_date", "status",
                      "link_kind", "link_ref")),
}  # fmt: skip


@dataclass
class ImportSummary:
    """Rows added, updated and left unchanged per sheet."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(self.added.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        return [
            f"{sheet}: {self.added.get(sheet, 0)} added, {self.updated.get(sheet, 0)} updated, "
            f"{self.unchanged.get(sheet, 0)} unchanged"
            for sheet in TABLES
        ]


def write_group_template(path: str | Path) -> Path:
    """The empty documented template (XLSX); a directory gets ``working_group_template.xlsx``."""
    out = Path(path)
    if out.is_dir() or (not out.suffix and not out.exists()):
        out.mkdir(parents=True, exist_ok=True)
        out = out / "working_group_template.xlsx"
    if out.suffix.lower() != ".xlsx":
        raise ValidationError(f"{out}: the working-group template is an .xlsx file")
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_setup_template(SPEC, out, "xlsx", rows={})


# ------------------------------------------------------------------------------------------------
# export


def sheet_rows(tables: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """Knowledge-base rows (:func:`workbench.learning.data.group_tables`) as template rows."""
    out: dict[str, list[dict[str, Any]]] = {}
    for sheet, (_, key, columns) in TABLES.items():
        frame = tables[sheet]
        frame = frame.sort_values(list(key)) if len(frame) else frame
        rows = []
        for rec in frame.to_dict("records"):
            row = {c: _plain(rec.get(c)) for c in columns}
            if sheet == "meetings":
                start, end = pd.Timestamp(rec["starts_at"]), pd.Timestamp(rec["ends_at"])
                row.pop("starts_at"), row.pop("ends_at")
                row |= {"date": start.date(), "start": start.strftime("%H:%M"),
                        "end": end.strftime("%H:%M")}  # fmt: skip
            if sheet == "attendance":
                row["present"] = "yes" if rec["present"] else "no"
            if sheet == "action_items":
                row["due_date"] = pd.Timestamp(rec["due_date"]).date()
            rows.append(row)
        out[sheet] = rows
    return out


def _plain(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and value != value) else value


def export_groups(group_id: str, out: str | Path, db: str | None = None) -> Path:
    """Write one group's records (``all``: every group) in the template's format (XLSX)."""
    from workbench.learning import data

    one = None if group_id == "all" else group_id
    tables = data.group_tables(db, group_id=one)
    if tables["groups"].empty:
        raise ValidationError(f"no working group {group_id!r} in the knowledge base")
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(f"{path}: the export is an .xlsx file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_setup_template(SPEC, path, "xlsx", rows=sheet_rows(tables))


# ------------------------------------------------------------------------------------------------
# import


def _kb_context(con: Any) -> dict[str, Any]:
    """What the checks need from the knowledge base (read in the import's own transaction)."""

    def col(sql: str) -> list[Any]:
        return [r[0] for r in con.execute(sql).fetchall()]

    return {
        "groups": set(col("SELECT group_id FROM wg_groups")),
        "members": {
            (g, m) for g, m in con.execute("SELECT group_id, member_id FROM wg_members").fetchall()
        },  # fmt: skip
        "meetings": dict(con.execute("SELECT meeting_id, group_id FROM wg_meetings").fetchall()),
        "pilots": sorted(col("SELECT pilot_id FROM pilots")),
        "strategy_actions": sorted(col("SELECT action_id FROM strategy_actions")),
        "barrier_regions": set(col("SELECT DISTINCT region FROM barriers")),
    }


def _record(sheet: str, values: dict[str, Any]) -> dict[str, Any]:
    """A converted template row as a knowledge-base row (meetings: date + times -> timestamps)."""
    rec = dict(values)
    if sheet == "meetings":
        day = rec.pop("date")
        rec["starts_at"] = dt.datetime.combine(day, dt.time.fromisoformat(_hhmm(rec.pop("start"))))
        rec["ends_at"] = dt.datetime.combine(day, dt.time.fromisoformat(_hhmm(rec.pop("end"))))
    return {c: rec.get(c) for c in TABLES[sheet][2]}


def _hhmm(text: str) -> str:
    h, m = text.split(":")[:2]
    return f"{int(h):02d}:{m}"


def _list(values: list[str], n: int = 12) -> str:
    return ", ".join(values[:n]) + (", ..." if len(values) > n else "") if values else "none"


def check_links(
    rows: dict[str, list[tuple[RawRow, dict[str, Any]]]],
    kb: dict[str, Any],
    file: str,
    failed: dict[str, list[RawRow]] | None = None,
) -> list[Problem]:
    """The rules between sheets and against the knowledge base (module docstring).

    Ids on rows that failed their own checks (``failed``) count as known, so that one bad cell gives
    one problem, not one more on every row that refers to its row."""
    policy = load_defaults("policy")
    dimensions, phases = list(policy["dimensions"]), list(policy["phases"])
    problems: list[Problem] = []

    def mentioned(sheet: str, *cols: str) -> set[Any]:
        found = set()
        for r in (failed or {}).get(sheet, []):
            v = tuple(str(r.values.get(c) or "").strip() for c in cols)
            found.add(v[0] if len(v) == 1 else v)
        return found

    groups = (
        kb["groups"] | {r["group_id"] for _, r in rows["groups"]} | mentioned("groups", "group_id")
    )
    members = (
        kb["members"]
        | {(r["group_id"], r["member_id"]) for _, r in rows["members"]}
        | mentioned("members", "group_id", "member_id")
    )
    meetings: dict[str, str | None] = {m: None for m in mentioned("meetings", "meeting_id")}
    meetings |= kb["meetings"]
    for raw, r in rows["meetings"]:
        if r["meeting_id"] in kb["meetings"] and kb["meetings"][r["meeting_id"]] != r["group_id"]:
            problems.append(
                raw.problem(
                    file,
                    "group_id",
                    r["group_id"],
                    f"meeting {r['meeting_id']} belongs to group {kb['meetings'][r['meeting_id']]} "
                    "in the knowledge base; give the meeting a new id",
                )
            )
            continue
        meetings[r["meeting_id"]] = r["group_id"]

    def known_group(raw: RawRow, gid: str) -> None:
        if gid not in groups:
            problems.append(
                raw.problem(
                    file,
                    "group_id",
                    gid,
                    f"unknown group (groups: {_list(sorted(groups))}); add it on the groups sheet",
                )
            )

    for sheet in ("members", "meetings", "action_items"):
        for raw, r in rows[sheet]:
            known_group(raw, r["group_id"])
    for raw, r in rows["meetings"]:
        if _hhmm(r["end"]) <= _hhmm(r["start"]):
            problems.append(
                raw.problem(
                    file, "end", r["end"], f"the meeting ends before it starts ({r['start']})"
                )
            )
    for sheet in ("attendance", "decisions"):
        for raw, r in rows[sheet]:
            if r["meeting_id"] not in meetings:
                problems.append(
                    raw.problem(
                        file,
                        "meeting_id",
                        r["meeting_id"],
                        "unknown meeting; add it on the meetings sheet",
                    )
                )
    for raw, r in rows["attendance"]:
        gid = meetings.get(r["meeting_id"])
        if gid and (gid, r["member_id"]) not in members:
            problems.append(
                raw.problem(
                    file,
                    "member_id",
                    r["member_id"],
                    f"not a member of group {gid} (the group of meeting {r['meeting_id']})",
                )
            )
    for raw, r in rows["action_items"]:
        mid = r.get("meeting_id")
        if mid and mid not in meetings:
            problems.append(raw.problem(file, "meeting_id", mid, "unknown meeting"))
        elif mid and meetings[mid] and meetings[mid] != r["group_id"]:
            problems.append(
                raw.problem(
                    file,
                    "meeting_id",
                    mid,
                    f"a meeting of group {meetings[mid]}, not of {r['group_id']}",
                )
            )
        kind, ref = r.get("link_kind"), r.get("link_ref")
        if kind and not ref:
            problems.append(
                raw.problem(
                    file,
                    "link_ref",
                    ref,
                    f"link_kind {kind} needs a link_ref (what the item is linked to)",
                )
            )
        elif ref and not kind:
            problems.append(
                raw.problem(
                    file,
                    "link_kind",
                    kind,
                    f"link_ref {ref} needs a link_kind (barrier_cell, pilot or strategy_action)",
                )
            )
        elif kind == "pilot" and ref not in kb["pilots"]:
            problems.append(
                raw.problem(file, "link_ref", ref, f"unknown pilot (pilots: {_list(kb['pilots'])})")
            )
        elif kind == "strategy_action" and ref not in kb["strategy_actions"]:
            problems.append(
                raw.problem(
                    file,
                    "link_ref",
                    ref,
                    f"unknown strategy action (actions: {_list(kb['strategy_actions'])})",
                )
            )
        elif kind == "barrier_cell":
            parts = str(ref).split("/")
            if len(parts) != 3 or parts[1] not in dimensions or parts[2] not in phases:
                problems.append(
                    raw.problem(
                        file,
                        "link_ref",
                        ref,
                        "a barrier-matrix cell is REGION/dimension/phase, "
                        "e.g. HR03/skills/past_actions"
                        f" (dimensions: {', '.join(dimensions)}; phases: {', '.join(phases)})",
                    )
                )
            elif parts[0] not in kb["barrier_regions"]:
                problems.append(
                    raw.problem(
                        file,
                        "link_ref",
                        ref,
                        f"unknown barrier matrix: no barrier is recorded for region {parts[0]}",
                    )
                )
    for sheet in ("members", "attendance"):
        key = TABLES[sheet][1]
        seen: dict[tuple, RawRow] = {}
        for raw, r in rows[sheet]:
            k = tuple(r[c] for c in key)
            if k in seen:
                problems.append(
                    raw.problem(
                        file,
                        key[1],
                        r[key[1]],
                        f"listed twice for {key[0]} {k[0]} (first in row {seen[k].row})",
                    )
                )
            seen.setdefault(k, raw)
    return problems


def import_groups(
    path: str | Path, db: str | None = None, *, synthetic: bool = False, dataset_id: str = ""
) -> ImportSummary:
    """Add or update working-group records from a filled-in template, in one transaction.

    Raises :class:`ImportFailed` (every problem with file, sheet, row, column and value) and writes
    nothing when any check fails.  Updated rows keep their ``synthetic`` flag; new rows get
    ``synthetic``.  Nothing at all is written when every row is already in the knowledge base."""
    from workbench.kb.access import writer
    from workbench.kb.datasets import replace_dataset, sha256_file

    path = Path(path)
    file = str(path)
    raw, rows, problems = read_and_convert_rows(path, load_spec(SPEC))
    if not any(rows.values()) and not problems:
        problems.append(Problem(file=file, rule="no rows in any sheet"))
    dataset_id = dataset_id or f"groups:{path.stem.lower()}"
    summary = ImportSummary()
    with writer(db, purpose=f"import working groups {path.name}") as con:
        problems += check_links(rows, _kb_context(con), file, raw)
        if problems:
            raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
        for sheet, (table, key, columns) in TABLES.items():
            added = updated = same = 0
            for _, values in rows[sheet]:
                rec = _record(sheet, values)
                where = " AND ".join(f"{k} = ?" for k in key)
                keys = [rec[k] for k in key]
                old = con.execute(
                    f"SELECT {', '.join(columns)}, synthetic FROM {table} WHERE {where}", keys
                ).fetchall()
                if len(old) == 1 and tuple(old[0][:-1]) == tuple(rec[c] for c in columns):
                    same += 1
                    continue
                flag = bool(old[0][-1]) if old else synthetic
                con.execute(f"DELETE FROM {table} WHERE {where}", keys)
                con.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}, dataset_id, synthetic)"
                    f" VALUES ({', '.join('?' * (len(columns) + 2))})",
                    [*(rec[c] for c in columns), dataset_id, flag],
                )
                updated, added = (updated + 1, added) if old else (updated, added + 1)
            summary.added[sheet], summary.updated[sheet] = added, updated
            summary.unchanged[sheet] = same
        if summary.changed:
            replace_dataset(
                con, dataset_id, source=SOURCE, kind="groups", file_name=path.name,
                sha256=sha256_file(path), rows=summary.changed, importer=IMPORTER,
                importer_version=IMPORTER_VERSION, synthetic=synthetic,
                title=f"Working-group records from {path.name}",
            )  # fmt: skip
    return summary
