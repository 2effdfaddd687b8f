"""Correction files: the user's documented changes to source values, applied at import only when asked.

Nothing is changed without the user asking: a correction file is passed explicitly
(``workbench import FILE --corrections FIX.yml`` or ``import_cohesion_file(..., corrections=FIX.yml)``),
every applied correction is recorded in the knowledge base (``data_corrections``: file, sha256, id,
reason, change, rows) and shown in the provenance of every report that uses the dataset.  Format::

    # why these corrections are needed, who decided, when
    corrections:
      - id: hr-euro-label-is-hrk           # short name, unique in the file
        file: ESIF_Croatia_2007-2020.csv   # optional: only rows of this file name
        dataset: cohesion:hr_operations_2007_2016   # optional: only this dataset id
        where: {currency: EUR}             # column: value or [values]; all must match
        rows: [1, 5, "10-20"]              # optional: only these data rows (source_row)
        set: {currency: HRK}               # the new values
        reason: the EUR label is a property of the export, the amounts are kuna (see workbench check)

Columns are those of ``policy_actions`` (cohesion-policy files).  A correction that matches no row is
an error: a correction file written for another file or version should not pass silently.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ValidationError

ALLOWED_KEYS = {"id", "file", "dataset", "where", "rows", "set", "reason"}
PROTECTED = {"action_id", "dataset_id", "source_file", "source_row", "synthetic"}


@dataclass(frozen=True)
class Correction:
    """One entry of a correction file."""

    id: str
    reason: str
    where: dict[str, list[str]]
    set: dict[str, Any]
    rows: frozenset[int] | None = None
    file: str | None = None
    dataset: str | None = None

    def matches(self, action: dict[str, Any]) -> bool:
        """True when every ``where`` column (and ``rows``) fits the action."""
        if self.rows is not None and action.get("source_row") not in self.rows:
            return False
        return all(_text(action.get(col)) in values for col, values in self.where.items())


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _rows(spec: Any, where: str) -> frozenset[int]:
    out: set[int] = set()
    for item in spec if isinstance(spec, list) else [spec]:
        text = str(item).strip()
        try:
            if "-" in text:
                lo, hi = (int(x) for x in text.split("-", 1))
                out.update(range(lo, hi + 1))
            else:
                out.add(int(text))
        except ValueError:
            raise ValidationError(
                f"{where}: rows entry {item!r} is not a row number or range 'a-b'"
            ) from None
    return frozenset(out)


@dataclass(frozen=True)
class Corrections:
    """A parsed correction file."""

    path: Path
    sha256: str
    entries: tuple[Correction, ...]

    def apply(
        self, actions: list[dict[str, Any]], dataset_id: str, file_name: str
    ) -> list[dict[str, Any]]:
        """Change matching actions in place; return one provenance record per correction applied."""
        records = []
        for c in self.entries:
            if (c.file and c.file != file_name) or (c.dataset and c.dataset != dataset_id):
                continue
            hits = [a for a in actions if c.matches(a)]
            if not hits:
                raise ValidationError(
                    f"{self.path.name}: correction {c.id!r} matches no row of {file_name} "
                    f"(where {c.where}{', rows ' + str(sorted(c.rows))[:60] if c.rows else ''}); "
                    "nothing was imported"
                )
            changes = []
            for col, new in c.set.items():
                old = sorted({_text(a.get(col)) for a in hits})
                changes.append(f"{col}: {', '.join(old)[:80]} -> {new}")
                for a in hits:
                    a[col] = new
            records.append({
                "correction_file": self.path.name, "correction_sha256": self.sha256,
                "correction_id": c.id, "reason": c.reason, "changes": "; ".join(changes),
                "n_rows": len(hits),
            })  # fmt: skip
        return records


def load_corrections(path: str | os.PathLike[str]) -> Corrections:
    """Read and validate a correction file (YAML); errors name the file, entry and key."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"correction file {path} does not exist")
    raw = path.read_bytes()
    try:
        doc = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path.name}: not valid YAML: {exc}") from None
    items = doc.get("corrections") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise ValidationError(f"{path.name}: expected a top-level 'corrections:' list")
    entries, seen = [], set()
    for i, item in enumerate(items, start=1):
        where = f"{path.name}, correction {i}"
        if not isinstance(item, dict):
            raise ValidationError(f"{where}: expected a mapping with id, where, set, reason")
        unknown = set(item) - ALLOWED_KEYS
        if unknown:
            raise ValidationError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                                  f"(allowed: {', '.join(sorted(ALLOWED_KEYS))})")  # fmt: skip
        for key in ("id", "set", "reason"):
            if not item.get(key):
                raise ValidationError(f"{where}: '{key}' is required")
        if item["id"] in seen:
            raise ValidationError(f"{where}: id {item['id']!r} used twice")
        seen.add(item["id"])
        if not item.get("where") and not item.get("rows"):
            raise ValidationError(f"{where}: give 'where' and/or 'rows' (which rows to change)")
        if not isinstance(item["set"], dict) or PROTECTED & set(item["set"]):
            raise ValidationError(f"{where}: 'set' must map columns to values; "
                                  f"{', '.join(sorted(PROTECTED))} cannot be changed")  # fmt: skip
        cond = {str(k): [_text(v) for v in (vals if isinstance(vals, list) else [vals])]
                for k, vals in (item.get("where") or {}).items()}  # fmt: skip
        entries.append(Correction(
            id=str(item["id"]), reason=str(item["reason"]), where=cond, set=dict(item["set"]),
            rows=_rows(item["rows"], where) if item.get("rows") is not None else None,
            file=item.get("file"), dataset=item.get("dataset"),
        ))  # fmt: skip
    return Corrections(path, hashlib.sha256(raw).hexdigest(), tuple(entries))


def same_corrections(con: Any, dataset_id: str, path: str | os.PathLike[str] | None) -> bool:
    """True when the dataset was imported with exactly this correction file (or none, and none now)."""
    recorded = {r[0] for r in con.execute(
        "SELECT DISTINCT correction_sha256 FROM data_corrections WHERE dataset_id = ?", [dataset_id]
    ).fetchall()}  # fmt: skip
    wanted = {hashlib.sha256(Path(path).read_bytes()).hexdigest()} if path else set()
    return recorded == wanted


def suggest_corrections(findings: Iterable[Any]) -> str:
    """A correction file (YAML text) proposing to relabel what ``currency_labels`` findings flagged.

    A proposal only: the user reviews it and passes it to ``workbench import --corrections``.  A label
    flagged across the export becomes one entry (``where: {currency: EUR}``); otherwise one entry per
    fund and programme group.
    """
    entries: list[dict[str, Any]] = []
    for f in findings:
        if f.check != "currency_labels":
            continue
        groups = f.details.get("groups", [])
        cols = f.details.get("group_columns", ["fund", "programme"])
        base = {"file": f.details.get("source_file"), "dataset": f.dataset_id}
        for label in f.details.get("whole_labels", []):
            others = [g["other_label"] for g in groups if g["suspicious_label"] == label]
            target = max(set(others), key=others.count)
            entries.append({"id": f"relabel-{label.lower()}-as-{target.lower()}", **base,
                            "where": {"currency": label}, "set": {"currency": target},
                            "reason": f"workbench check: {f.message}"})  # fmt: skip
        for i, g in enumerate(groups, start=1):
            if g["suspicious_label"] in f.details.get("whole_labels", []):
                continue
            entries.append({"id": f"relabel-group-{i}", **base,
                            "where": {"currency": g["suspicious_label"], **{c: g[c] for c in cols}},
                            "set": {"currency": g["other_label"]},
                            "reason": f"workbench check: {f.message}"})  # fmt: skip
    head = (
        "# Correction file PROPOSED by `workbench check` - review every entry before using it:\n"
        "#   workbench import FILE --corrections THIS_FILE\n"
        "# Nothing is changed until you pass it; each applied correction is recorded in provenance.\n"
    )
    clean = [{k: v for k, v in e.items() if v is not None} for e in entries]
    return head + yaml.safe_dump(
        {"corrections": clean}, allow_unicode=True, sort_keys=False, width=100
    )
