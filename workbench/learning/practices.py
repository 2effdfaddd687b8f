"""The good-practice library: schema, template import, the validation chain.

Fields follow the Interreg Europe Policy Learning Platform's good-practice form (title, summary,
description, resources, timescale, evidence of success, difficulties, potential for transfer,
institution, location, stakeholders) plus the lab's codes (policy dimensions, NUTS 2 region, NACE
sectors, instrument type, governance level, evidence links) and a validation state
(``draft -> validated_partner -> validated_expert``; learning.yml ``practices``).

Rules (checked on import and on every state change):

* a practice in a *published* state (learning.yml ``published_states``) must state its evidence of
  success: **no practice is published without evidence of success**;
* codes must come from the vocabularies (dimensions: policy.yml; instrument types and governance
  levels: learning.yml); ``region`` is a NUTS 2 code; ``outcome`` is successful or unsuccessful
  (unsuccessful practices are valuable too).

:func:`import_practices` reads the CSV/XLSX template (``workbench practices template``), collects every
problem with file, row, column and value, and writes nothing unless all rows pass (one writer
transaction: a failed import leaves the knowledge base exactly as it was).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ImportFailed, Problem, ValidationError
from workbench.kb.access import writer
from workbench.kb.datasets import replace_dataset, sha256_file
from workbench.learning.practice_fields import FIELD_NAMES, FIELDS, LIST_COLUMNS, check_record
from workbench.learning.practice_fields import text as _text

SOURCE = "good-practice template"


def settings() -> dict[str, Any]:
    """The ``practices`` section of learning.yml."""
    return load_defaults("learning")["practices"]


def read_template(path: str | Path) -> tuple[pd.DataFrame, str | None]:
    """The rows of a CSV or XLSX template as text (sheet name for XLSX)."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        frame = pd.read_excel(path, dtype=str, sheet_name=0)
        import openpyxl

        sheet = openpyxl.load_workbook(path, read_only=True).sheetnames[0]
        return frame, sheet
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), None
    raise ValidationError(f"{path}: a practice template is .csv or .xlsx, not {path.suffix!r}")


def check_rows(
    frame: pd.DataFrame, file: str, sheet: str | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Normalise template rows into table rows and list every problem (file, row, column, value).

    Row numbers are those a spreadsheet shows (header = row 1)."""
    problems: list[Problem] = []

    def bad(row: int, column: str, value: object, rule: str) -> None:
        problems.append(
            Problem(file=file, sheet=sheet, row=row, column=column, value=_text(value), rule=rule)
        )

    missing = [c for c, required, _ in FIELDS if required and c not in frame.columns]
    if missing:
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=1,
                rule=f"missing column(s) {missing}; see `workbench practices template`",
            )
        )
        return pd.DataFrame(), problems
    unknown = [
        c
        for c in frame.columns
        if c not in {f for f, _, _ in FIELDS} and not str(c).startswith("Unnamed")
    ]
    if unknown:
        problems.append(Problem(file=file, sheet=sheet, row=1, rule=f"unknown column(s) {unknown}"))
    rows = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        if not any(_text(rec.get(c)) for c in FIELD_NAMES):
            continue  # an empty line of the spreadsheet
        out, found = check_record(rec, file=file, row=row, sheet=sheet)
        problems.extend(found)
        pid = out["practice_id"]
        if pid and pid in seen:
            bad(row, "practice_id", pid, f"used twice (also row {seen[pid]})")
        seen[pid] = row
        rows.append(out)
    return pd.DataFrame(rows), problems


def import_practices(
    path: str | Path, db: str | None = None, *, synthetic: bool = False, dataset_id: str = ""
) -> int:
    """Import a practice template (CSV/XLSX) in one transaction; returns the number of practices.

    A practice id already in the library is replaced (its validation history is kept).  Any problem
    refuses the whole file (:class:`ImportFailed` lists file, row, column, value)."""
    path = Path(path)
    frame, sheet = read_template(path)
    rows, problems = check_rows(frame, str(path), sheet)
    if problems:
        raise ImportFailed(problems, file=str(path))
    if rows.empty:
        raise ImportFailed(
            [Problem(file=str(path), rule="no practice in the file")], file=str(path)
        )
    dataset_id = dataset_id or f"practices:{path.name}"
    now = datetime.now(UTC).replace(tzinfo=None)
    with writer(db, purpose=f"import practices {path.name}") as con:
        _store(con, rows, dataset_id=dataset_id, synthetic=synthetic, at=now)
        replace_dataset(
            con, dataset_id, source=SOURCE, kind="practices", file_name=path.name,
            sha256=sha256_file(path), rows=len(rows), importer="workbench.learning.practices",
            importer_version="1", synthetic=synthetic, title=f"Good practices from {path.name}",
        )  # fmt: skip
    return len(rows)


def _store(con: Any, rows: pd.DataFrame, *, dataset_id: str, synthetic: bool, at: datetime) -> None:
    """Insert (or replace) practice rows in an open writer transaction."""
    columns = [c for c, _, _ in FIELDS] + ["country"]
    for rec in rows.to_dict("records"):
        con.execute("DELETE FROM good_practices WHERE practice_id = ?", [rec["practice_id"]])
        validated = rec["validation_state"] != "draft"
        values = [rec[c] or None if c not in LIST_COLUMNS else rec[c] for c in columns]
        con.execute(
            f"INSERT INTO good_practices ({', '.join(columns)}, validated_at, dataset_id, synthetic,"
            " created_at)"
            f" VALUES ({', '.join('?' * (len(columns) + 4))})",
            [*values, at if validated else None, dataset_id, synthetic, at],
        )
        if validated:
            con.execute(
                "INSERT INTO practice_validations VALUES (?, 'draft', ?, ?, ?, ?, ?, ?)",
                [rec["practice_id"], rec["validation_state"], rec["validated_by"], at,
                 "validated before import (template)", dataset_id, synthetic],
            )  # fmt: skip


def store_frame(con: Any, rows: pd.DataFrame, *, dataset_id: str, synthetic: bool) -> None:
    """Check and store already-built rows (the demo generator); raises on any problem."""
    frame = rows.copy()
    for c in LIST_COLUMNS:
        frame[c] = frame[c].map(lambda v: ";".join(v) if isinstance(v, list) else v)
    checked, problems = check_rows(frame, dataset_id)
    if problems:
        raise ImportFailed(problems, file=dataset_id)
    _store(con, checked, dataset_id=dataset_id, synthetic=synthetic, at=datetime(2026, 6, 1))


def next_states(state: str) -> list[str]:
    """States a practice may move to: one step along the chain, or back to draft."""
    chain = list(settings()["validation_states"])
    i = chain.index(state)
    return [s for s in (chain[i + 1] if i + 1 < len(chain) else None, "draft" if i else None) if s]


def change_state(
    practice_id: str, to_state: str, actor: str, note: str = "", db: str | None = None
) -> None:
    """Move a practice along the validation chain (logged in ``practice_validations``).

    Refused: an unknown practice or state, skipping a step, no actor, and publishing a practice
    without evidence of success."""
    if not actor.strip():
        raise ValidationError("a validation needs the name of who validates (actor)")
    cfg = settings()
    if to_state not in cfg["validation_states"]:
        raise ValidationError(
            f"state {to_state!r} is not one of {', '.join(cfg['validation_states'])}"
        )
    with writer(db, purpose=f"validate practice {practice_id}") as con:
        row = con.execute(
            "SELECT validation_state, evidence_of_success, synthetic FROM good_practices"
            " WHERE practice_id = ?",
            [practice_id],
        ).fetchone()
        if row is None:
            raise ValidationError(f"no practice {practice_id!r} in the library")
        state, evidence, synthetic = row
        if to_state not in next_states(state):
            raise ValidationError(
                f"practice {practice_id!r} is {state!r}: it can move to "
                f"{' or '.join(next_states(state)) or 'no other state'}, not {to_state!r}"
            )
        if to_state in cfg["published_states"] and not (evidence or "").strip():
            raise ValidationError(
                f"practice {practice_id!r} has no evidence of success: it cannot be published "
                f"({to_state!r}); add the evidence first"
            )
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "UPDATE good_practices SET validation_state = ?, validated_by = ?, validated_at = ?"
            " WHERE practice_id = ?",
            [to_state, actor if to_state != "draft" else None, now if to_state != "draft" else None,
             practice_id],
        )  # fmt: skip
        con.execute(
            "INSERT INTO practice_validations VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            [practice_id, state, to_state, actor, now, note or None, synthetic],
        )


def write_template(path: str | Path) -> Path:
    """An empty template (CSV or XLSX) with one example row and a sheet/lines describing columns."""
    path = Path(path)
    example = {
        "practice_id": "GP-XX00-001", "title": "Example: innovation vouchers for cluster SMEs",
        "summary": "Small grants let SMEs buy R&D services from universities.",
        "institution": "Regional development agency", "region": "HR03",
        "dimensions": "innovation;financing", "nace_sectors": "C27;J62",
        "instrument_type": "grant", "governance_level": "regional", "validation_state": "draft",
    }  # fmt: skip
    frame = pd.DataFrame([{c: example.get(c, "") for c, _, _ in FIELDS}])
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path) as xl:
            frame.to_excel(xl, sheet_name="practices", index=False)
            pd.DataFrame(FIELDS, columns=["column", "required", "meaning"]).to_excel(
                xl, sheet_name="columns", index=False
            )
    else:
        frame.to_csv(path, index=False)
    return path
