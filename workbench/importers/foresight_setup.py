"""Set up a foresight exercise without code: a documented template file, validation, creation.

The template machinery (spec loading, writing XLSX/YAML, reading, converting rows with problems
naming sheet, row, column and value) is shared by every set-up template of
``workbench/defaults/setup/``; the scoring round (:mod:`workbench.importers.scoring_setup`) uses it too.

``workbench template foresight_exercise`` writes the template (XLSX: one sheet per section, a
comment on every column and a ``columns`` sheet; or YAML with the same sections);
``workbench foresight new FILE`` reads it (:func:`read_setup_file`), checks every value and the
rules between sheets (:func:`validate_exercise`), and only then creates the exercise in one
knowledge-base transaction (:func:`create_exercise`).  Every problem names the file, sheet, row
(the spreadsheet's row number; in YAML the entry's number in its list), column and value; when
there is any, nothing is written.

The sections and columns are data: ``workbench/defaults/setup/foresight_exercise.yml``.  Participants are anonymous: each gets a code
from the unambiguous alphabet of ``foresight.yml`` (:func:`workbench.foresight.access.new_codes`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import yaml

from workbench.config import DEFAULTS_DIR
from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem, ValidationError

SETUP_DIR = DEFAULTS_DIR / "setup"
IMPORTER = "workbench.importers.foresight_setup"
IMPORTER_VERSION = "1.0"


@dataclass(frozen=True)
class SheetSpec:
    """One section of a set-up template (an XLSX sheet, a YAML key)."""

    name: str
    description: str
    columns: tuple[Any, ...]  # workbench.importers.templates.Column
    key: str | None
    single_row: bool
    required: bool = False  # the sheet must be present (XLSX) and not empty

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class SetupSpec:
    """A set-up template: title, description, sections and extra data (anchors...)."""

    name: str
    title: str
    description: str
    sheets: dict[str, SheetSpec]
    extra: dict[str, Any] = field(default_factory=dict)


def setup_templates() -> list[str]:
    """Names of the set-up templates (``foresight_exercise``)."""
    return sorted(p.stem for p in SETUP_DIR.glob("*.yml"))


@cache
def load_spec(name: str = "foresight_exercise") -> SetupSpec:
    """The set-up template ``workbench/defaults/setup/<name>.yml``."""
    from workbench.importers.templates import Column

    path = SETUP_DIR / f"{name}.yml"
    if not path.exists():
        raise ValidationError(f"no set-up template {name!r}; known: {', '.join(setup_templates())}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sheets = {}
    for sheet, body in (raw.get("sheets") or {}).items():
        cols = [
            Column.from_spec(col, c, f"{path}: {sheet}.{col}")
            for col, c in (body.get("columns") or {}).items()
        ]
        sheets[sheet] = SheetSpec(
            name=sheet,
            description=" ".join(str(body.get("description", "")).split()),
            columns=tuple(cols),
            key=body.get("key"),
            single_row=bool(body.get("single_row", False)),
            required=bool(body.get("required", body.get("single_row", False))),
        )
    extra = {k: v for k, v in raw.items() if k not in ("title", "description", "sheets")}
    return SetupSpec(
        name=name,
        title=str(raw.get("title", name)),
        description=" ".join(str(raw.get("description", "")).split()),
        sheets=sheets,
        extra=extra,
    )


def _column_doc(col: Any) -> str:
    parts = [col.description]
    if col.allowed:
        parts.append("one of: " + ", ".join(col.allowed))
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else col.min
        hi = "" if col.max is None else col.max
        parts.append(f"range {lo}..{hi}")
    if col.type == "list":
        parts.append("several values separated by ';'")
    if col.default not in (None, [], ""):
        default = ";".join(col.default) if isinstance(col.default, list) else col.default
        parts.append(f"empty = {default}")
    return ". ".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------------
# writing the template


EXAMPLE = {
    "scoring_round": {
        "round": [
            {
                "round_id": "mechanisms-2026",
                "title": "Which learning mechanisms should the cluster programme fund?",
                "opens_on": "2026-03-02",
                "closes_on": "2026-03-20",
            }
        ],
        "mechanisms": [
            {"mechanism_id": "M-PEER", "name": "Peer review of cluster strategies"},
            {"mechanism_id": "M-VISIT", "name": "Study visit to a lead region"},
            {"mechanism_id": "M-TWIN", "name": "Twinning of cluster managers"},
        ],
        "criteria": [
            {"criterion": "effectiveness", "label": "Effectiveness", "weight": 3},
            {"criterion": "relevance", "label": "Relevance", "weight": 2},
            {
                "criterion": "effort",
                "label": "Effort for the region",
                "weight": 1,
                "direction": "cost",
            },
        ],
        "evaluators": [
            {"evaluator": "EV-01", "organisation": "Regional development agency"},
            {"evaluator": "EV-02", "organisation": "Cluster association"},
        ],
    },
    "foresight_exercise": {
        "exercise": [
            {
                "exercise_id": "my-region-2035",
                "title": "Clusters of my region in 2035",
                "description": "Delphi survey and structural analysis of the regional cluster policy",
                "horizon_year": 2035,
                "languages": "en;hr",
                "participant_count": 30,
            }
        ],
        "statements": [
            {
                "statement_id": "S1",
                "text": "By 2035 most clusters of the region will run joint cross-border projects.",
                "scale_points": 5,
                "dimension": "agreement",
            },
            {
                "statement_id": "S2",
                "text": "Importance of a regional cluster partnership platform.",
                "scale_points": 9,
                "dimension": "importance",
                "anchor_low": "not important at all",
                "anchor_high": "essential",
            },
        ],
        "drivers": [
            {"driver_id": "D01", "label": "Ageing workforce", "steep": "social"},
            {"driver_id": "D02", "label": "Digitalisation of SMEs", "steep": "technological"},
        ],
        "rounds": [
            {"round_no": 1, "title": "First round", "status": "open"},
            {"round_no": 2, "title": "Second round", "status": "planned"},
        ],
        "participants": [{"participant_code": "", "group_label": "A", "language": "hr"}],
        "translations": [
            {
                "item_type": "statement",
                "item_id": "S1",
                "language": "hr",
                "text": "Do 2035. većina klastera u regiji provodit će zajedničke prekogranične projekte.",
                "anchor_low": "uopće se ne slažem",
                "anchor_high": "potpuno se slažem",
            },
            {
                "item_type": "driver",
                "item_id": "D01",
                "language": "hr",
                "text": "Starenje radne snage",
            },
        ],
    },
}


def write_setup_template(
    name: str,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    example: bool = False,
    rows: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    """Write the empty (or, with ``example``, filled-in example) set-up template as XLSX or YAML.

    XLSX: a ``README`` sheet (what goes where, how to create the exercise), one sheet per section
    with bold headers carrying a comment each, and a ``columns`` sheet documenting every column.
    YAML: the same sections as keys, every column documented in a comment.  ``rows`` (per sheet)
    fills the sheets with existing records: an export in the template's own format."""
    spec = load_spec(name)
    out = Path(path)
    fmt = (fmt or out.suffix.lstrip(".") or "xlsx").lower()
    if rows is None:
        rows = cast("dict[str, list[dict[str, Any]]]", EXAMPLE.get(name, {}) if example else {})
    if fmt in ("yml", "yaml"):
        out.write_text(_yaml_template(spec, rows), encoding="utf-8")
        return out
    if fmt != "xlsx":
        raise ValidationError(f"template format must be xlsx or yaml, not {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    readme.append([spec.title])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append([spec.description])
    readme.append([])
    for sheet in spec.sheets.values():
        readme.append([f"sheet {sheet.name}: {sheet.description}"])
    readme.append([])
    readme.append([_next_step(name, out.name)])
    readme.column_dimensions["A"].width = 120
    for row in readme.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    doc_rows = []
    for sheet in spec.sheets.values():
        ws = wb.create_sheet(sheet.name)
        ws.append(sheet.names)
        for cell, col in zip(ws[1], sheet.columns, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(
                _column_doc(col) + (" (required)" if col.required else ""), "workbench"
            )
            ws.column_dimensions[cell.column_letter].width = max(14, len(col.name) + 2)
            doc_rows.append(
                [sheet.name, col.name, col.type, "yes" if col.required else "no", _column_doc(col)]
            )
        for record in rows.get(sheet.name, []):
            ws.append([record.get(c) for c in sheet.names])
        ws.freeze_panes = "A2"
    doc = wb.create_sheet("columns")
    doc.append(["sheet", "column", "type", "required", "description"])
    for cell in doc[1]:
        cell.font = Font(bold=True)
    for r in doc_rows:
        doc.append(r)
    doc.column_dimensions["B"].width = 20
    doc.column_dimensions["E"].width = 110
    wb.save(out)
    return out


def _next_step(name: str, file_name: str) -> str:
    """What to do with the filled-in template (``next_step`` of the spec, ``{file}`` = its name)."""
    text = load_spec(name).extra.get("next_step")
    if text:
        return str(text).format(file=file_name)
    return (
        f"When filled in: workbench foresight new {file_name}   (then: workbench foresight "
        "invitations EXERCISE_ID --base-url http://ADDRESS:8866/ --out invitations.html)"
    )


def _yaml_template(spec: SetupSpec, rows: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"# {spec.title}", *(f"# {t}" for t in _wrap(spec.description)), "#"]
    lines.append(f"# {_next_step(spec.name, 'THIS_FILE.yml')}")
    single = [s.name for s in spec.sheets.values() if s.single_row]
    lines.append(
        "# Sections are lists of entries"
        + (f" (the {', '.join(single)} section: one entry)." if single else ".")
    )
    for sheet in spec.sheets.values():
        lines += ["", *(f"# {t}" for t in _wrap(sheet.description))]
        for col in sheet.columns:
            req = ", required" if col.required else ""
            lines.append(f"#   {col.name} ({col.type}{req}): {_column_doc(col)}")
        records = rows.get(sheet.name, [])
        if records:
            lines.append(
                yaml.safe_dump({sheet.name: records}, allow_unicode=True, sort_keys=False).rstrip()
            )
        else:
            lines.append(f"{sheet.name}: []")
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


# ------------------------------------------------------------------------------------------------
# reading


@dataclass
class RawRow:
    """One row as read: its sheet, its row number (spreadsheet row; YAML: entry number) and values."""

    sheet: str
    row: int
    values: dict[str, Any]

    def problem(self, file: str, column: str | None, value: Any, rule: str) -> Problem:
        shown = None if value is None else (value if isinstance(value, str) else str(value))
        return Problem(
            file=file, sheet=self.sheet, row=self.row, column=column, value=shown, rule=rule
        )


def read_setup_file(
    path: str | os.PathLike[str], spec: SetupSpec
) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    """Rows per section of an XLSX or YAML set-up file, and the problems of its structure
    (unknown sheets or columns, a missing section)."""
    p = Path(path)
    if not p.exists():
        raise ValidationError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, spec)
    if suffix in (".yml", ".yaml"):
        return _read_yaml(p, spec)
    raise ValidationError(
        f"{p}: a set-up file is .xlsx or .yml/.yaml, not {suffix or 'no suffix'!r}"
    )


def _read_xlsx(path: Path, spec: SetupSpec) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a broken or renamed file: say so, with the file name
        raise ValidationError(f"{file}: cannot be read as an XLSX workbook ({exc})") from None
    problems: list[Problem] = []
    out: dict[str, list[RawRow]] = {name: [] for name in spec.sheets}
    names = {n.strip().lower(): n for n in wb.sheetnames}
    try:
        for sheet in spec.sheets.values():
            actual = names.get(sheet.name)
            if actual is None:
                if sheet.required:
                    problems.append(Problem(file=file, sheet=sheet.name, rule="sheet is missing"))
                continue
            ws = wb[actual]
            it = ws.iter_rows(values_only=True)
            header_row = next(it, None) or ()
            header = [("" if h is None else str(h).strip()) for h in header_row]
            positions: dict[int, str] = {}
            for i, h in enumerate(header):
                if not h:
                    continue
                if h.lower() not in sheet.names:
                    problems.append(
                        Problem(
                            file=file,
                            sheet=sheet.name,
                            row=1,
                            column=h,
                            value=h,
                            rule=f"unknown column (columns: {', '.join(sheet.names)})",
                        )
                    )
                    continue
                positions[i] = h.lower()
            for col in sheet.columns:
                if col.required and col.name not in positions.values():
                    problems.append(
                        Problem(
                            file=file,
                            sheet=sheet.name,
                            row=1,
                            column=col.name,
                            rule="required column is missing",
                        )
                    )
            for number, values in enumerate(it, start=2):
                record = {positions[i]: v for i, v in enumerate(values) if i in positions}
                if all(
                    v is None or (isinstance(v, str) and not v.strip()) for v in record.values()
                ):
                    continue
                out[sheet.name].append(RawRow(sheet.name, number, record))
    finally:
        wb.close()
    return out, problems


def _read_yaml(path: Path, spec: SetupSpec) -> tuple[dict[str, list[RawRow]], list[Problem]]:
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(f"{file}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ValidationError(
            f"{file}: the file must be a mapping of sections ({', '.join(spec.sheets)})"
        )
    problems: list[Problem] = []
    out: dict[str, list[RawRow]] = {name: [] for name in spec.sheets}
    for key, entries in data.items():
        if key not in spec.sheets:
            problems.append(
                Problem(
                    file=file,
                    sheet=str(key),
                    rule=f"unknown section (sections: {', '.join(spec.sheets)})",
                )
            )
            continue
        sheet = spec.sheets[key]
        if isinstance(entries, dict):
            entries = [entries]
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            problems.append(Problem(file=file, sheet=key, rule="must be a list of entries"))
            continue
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                problems.append(
                    Problem(
                        file=file,
                        sheet=key,
                        row=number,
                        value=str(entry),
                        rule="an entry must be a mapping column: value",
                    )
                )
                continue
            record = {}
            for col, value in entry.items():
                name = str(col).strip().lower()
                if name not in sheet.names:
                    problems.append(
                        Problem(
                            file=file,
                            sheet=key,
                            row=number,
                            column=str(col),
                            rule=f"unknown column (columns: {', '.join(sheet.names)})",
                        )
                    )
                    continue
                record[name] = ";".join(map(str, value)) if isinstance(value, list) else value
            out[key].append(RawRow(key, number, record))
    return out, problems


def convert_rows(
    spec: SetupSpec, raw: dict[str, list[RawRow]], file: str
) -> tuple[dict[str, list[tuple[RawRow, dict[str, Any]]]], list[Problem]]:
    """Each row's values converted by its column's rules (type, required, allowed, pattern, range);
    rows with a problem are dropped; duplicate keys are problems."""
    from workbench.importers.templates import convert

    problems: list[Problem] = []
    out: dict[str, list[tuple[RawRow, dict[str, Any]]]] = {}
    for name, sheet in spec.sheets.items():
        good = []
        seen: dict[Any, RawRow] = {}
        for row in raw.get(name, []):
            record: dict[str, Any] = {}
            bad = False
            for col in sheet.columns:
                value = row.values.get(col.name)
                if isinstance(value, str):
                    value = value.strip()
                if (
                    col.type == "integer"
                    and col.allowed
                    and value not in (None, "")
                    and str(value).strip().removesuffix(".0") not in col.allowed
                ):
                    problems.append(
                        row.problem(
                            file, col.name, value, "must be one of: " + ", ".join(col.allowed)
                        )
                    )
                    bad = True
                    continue
                if isinstance(value, datetime) and col.type == "text":
                    value = value.date().isoformat()
                converted, rule = convert(col, value)
                if rule:
                    problems.append(row.problem(file, col.name, value, rule))
                    bad = True
                record[col.name] = converted
            if bad:
                continue
            if sheet.key and record.get(sheet.key) not in (None, ""):
                k = record[sheet.key]
                k = k.upper() if isinstance(k, str) and sheet.key == "participant_code" else k
                if k in seen:
                    problems.append(
                        row.problem(
                            file,
                            sheet.key,
                            record[sheet.key],
                            f"duplicate {sheet.key} (first in row {seen[k].row})",
                        )
                    )
                    continue
                seen[k] = row
            good.append((row, record))
        out[name] = good
    return out, problems


def read_and_convert_rows(
    path: str | os.PathLike[str], spec: SetupSpec
) -> tuple[dict[str, list[RawRow]], dict[str, list[tuple[RawRow, dict[str, Any]]]], list[Problem]]:
    """A set-up file read (:func:`read_setup_file`) and its rows converted (:func:`convert_rows`):
    the raw rows, the converted rows and the problems of both steps."""
    raw, problems = read_setup_file(path, spec)
    rows, more = convert_rows(spec, raw, str(path))
    return raw, rows, problems + more


# ------------------------------------------------------------------------------------------------
# writing a validated set-up file (shared by the exercise and the scoring round)


def insert_setup_records(
    con: Any,
    table: str,
    owner: tuple[str, str],
    cols: list[str],
    records: list[dict[str, Any]],
    dataset_id: str,
) -> int:
    """Insert ``records`` (values of ``cols``) into ``table``, each row tagged with its owner
    (``(id column, id)``, e.g. ``("round_id", "r1")``), ``dataset_id`` and ``synthetic = FALSE``.
    Returns the number of rows inserted."""
    if records:
        owner_column, owner_id = owner
        names = [owner_column, *cols, "dataset_id", "synthetic"]
        con.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [[owner_id, *(r.get(c) for c in cols), dataset_id, False] for r in records],
        )
    return len(records)


def record_setup_dataset(
    con: Any,
    dataset_id: str,
    file: str,
    *,
    kind: str,
    rows: int,
    title: str,
    importer: str,
    importer_version: str,
) -> None:
    """Register the set-up ``file`` as the source of ``dataset_id`` (path, name, SHA-256, rows)."""
    from workbench.kb.datasets import replace_dataset, sha256_file

    path = Path(file)
    replace_dataset(
        con,
        dataset_id,
        source=str(path.resolve()),
        kind=kind,
        file_name=path.name,
        sha256=sha256_file(path),
        rows=rows,
        importer=importer,
        importer_version=importer_version,
        title=title,
    )


# ------------------------------------------------------------------------------------------------
# the exercise


@dataclass
class ExercisePlan:
    """A validated exercise, ready to be written (plain records per table)."""

    exercise: dict[str, Any]
    statements: list[dict[str, Any]]
    drivers: list[dict[str, Any]]
    rounds: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    statement_translations: list[dict[str, Any]]
    driver_translations: list[dict[str, Any]]
    file: str
    exercise_row: int = 2

    @property
    def exercise_id(self) -> str:
        return str(self.exercise["exercise_id"])

    @property
    def codes(self) -> list[str]:
        return [p["participant_code"] for p in self.participants]


def validate_exercise(path: str | os.PathLike[str], *, rng: Any = None) -> ExercisePlan:
    """Read and check a foresight set-up file; raise :class:`ImportFailed` listing every problem
    (sheet, row, column, value, rule), else return the plan.  ``rng`` (numpy Generator) only for
    reproducible codes in tests; real workshops use the operating system's random source."""
    from workbench.foresight.access import new_codes, settings, weak_codes
    from workbench.foresight.anchors import statement_anchors
    from workbench.foresight.state import normalise_code

    file = str(path)
    raw, rows, problems = read_and_convert_rows(path, load_spec("foresight_exercise"))

    # exercise: exactly one row
    ex_rows = rows["exercise"]
    if len(raw["exercise"]) == 0:
        problems.append(
            Problem(file=file, sheet="exercise", row=2, rule="the exercise row is missing")
        )
    elif len(raw["exercise"]) > 1:
        problems.append(raw["exercise"][1].problem(file, None, None, "only one exercise per file"))
    exercise = dict(ex_rows[0][1]) if ex_rows else None
    languages = list((exercise or {}).get("languages") or ["en"])
    if exercise is not None and len(set(languages)) != len(languages):
        problems.append(
            ex_rows[0][0].problem(
                file, "languages", ";".join(languages), "a language is listed twice"
            )
        )

    # statements and anchors
    statements = []
    for order, (_row, r) in enumerate(rows["statements"], start=1):
        anchors = statement_anchors(
            r["text"],
            int(r["scale_points"]),
            r.get("dimension"),
            r.get("anchor_low"),
            r.get("anchor_mid"),
            r.get("anchor_high"),
        )
        statements.append(
            {
                **r,
                "sort_order": order,
                "dimension": anchors["dimension"],
                "anchor_low": anchors["low"],
                "anchor_mid": anchors["mid"],
                "anchor_high": anchors["high"],
            }
        )
    drivers = [r for _row, r in rows["drivers"]]
    if not raw["statements"] and not raw["drivers"]:
        problems.append(
            Problem(
                file=file, sheet="statements", rule="the exercise has no statements and no drivers"
            )
        )

    # rounds: 1..n, at most one open; none given: round 1 planned
    rounds = [r for _row, r in rows["rounds"]]
    numbers = sorted(r["round_no"] for r in rounds)
    for expected, (row, r) in enumerate(sorted(rows["rounds"], key=lambda x: x[1]["round_no"]), 1):
        if r["round_no"] != expected:
            rule = "rounds must be numbered 1, 2, ... without gaps"
            problems.append(row.problem(file, "round_no", ", ".join(map(str, numbers)), rule))
            break
    opened = [(row, r) for row, r in rows["rounds"] if r["status"] == "open"]
    if len(opened) > 1:
        problems.append(
            opened[1][0].problem(
                file,
                "status",
                "open",
                f"only one round may be open (round {opened[0][1]['round_no']} is open)",
            )
        )
    for row, r in rows["rounds"]:
        if r.get("opens_on") and r.get("closes_on") and r["closes_on"] < r["opens_on"]:
            problems.append(
                row.problem(file, "closes_on", r["closes_on"].isoformat(), "closes before it opens")
            )
    if not rounds and raw["statements"]:
        rounds = [
            {
                "round_no": 1,
                "title": "Round 1",
                "status": "planned",
                "opens_on": None,
                "closes_on": None,
            }
        ]

    # participants: codes given (normalised, checked) or generated
    rules = settings()["codes"]
    alphabet = set(str(rules["alphabet"]))
    participants = []
    for row, r in rows["participants"]:
        code = r.get("participant_code")
        if code:
            canonical = normalise_code(code)
            letters = re.sub(r"[^0-9A-Z]", "", canonical)
            wrong = sorted(set(letters) - alphabet)
            if wrong:
                problems.append(
                    row.problem(
                        file,
                        "participant_code",
                        code,
                        f"contains {', '.join(wrong)}, which can be misread; use only "
                        f"{rules['alphabet']} (or leave empty to get a generated code)",
                    )
                )
                continue
            if weak_codes([canonical]):
                problems.append(
                    row.problem(
                        file,
                        "participant_code",
                        code,
                        f"too short: at least {rules['min_length']} letters or digits "
                        "(or leave empty to get a generated code)",
                    )
                )
                continue
            r = {**r, "participant_code": canonical}
        if r.get("language") and r["language"] not in languages:
            problems.append(
                row.problem(
                    file,
                    "language",
                    r["language"],
                    f"not one of the exercise's languages ({';'.join(languages)})",
                )
            )
            continue
        participants.append(r)
    count = (exercise or {}).get("participant_count")
    if count is not None and count < len(raw["participants"]):
        problems.append(
            ex_rows[0][0].problem(
                file,
                "participant_count",
                count,
                f"smaller than the {len(raw['participants'])} rows of the participants sheet",
            )
        )
    if exercise is not None and count is None and not raw["participants"]:
        problems.append(
            ex_rows[0][0].problem(
                file,
                "participant_count",
                None,
                "no participants: give participant_count or fill the participants sheet",
            )
        )
    if count is not None and count > len(participants):
        participants += [
            {"participant_code": None, "group_label": None, "language": None}
            for _ in range(count - len(participants))
        ]
    given = {p["participant_code"] for p in participants if p["participant_code"]}
    missing = [p for p in participants if not p["participant_code"]]
    fresh = [c for c in new_codes(len(missing) + len(given), rng) if c not in given][: len(missing)]
    for p, c in zip(missing, fresh, strict=True):
        p["participant_code"] = c

    # translations
    statement_ids = {s["statement_id"] for s in statements}
    driver_ids = {d["driver_id"] for d in drivers}
    st_tr, dr_tr = [], []
    seen_tr: dict[tuple[str, str, str], int] = {}
    for row, r in rows["translations"]:
        key = (r["item_type"], r["item_id"], r["language"])
        ids = statement_ids if r["item_type"] == "statement" else driver_ids
        if r["item_id"] not in ids:
            problems.append(
                row.problem(
                    file,
                    "item_id",
                    r["item_id"],
                    f"no {r['item_type']} with this id in the {r['item_type']}s sheet",
                )
            )
            continue
        if r["language"] not in languages[1:]:
            problems.append(
                row.problem(
                    file,
                    "language",
                    r["language"],
                    f"not one of the exercise's other languages ({';'.join(languages[1:]) or 'none: add it to exercise.languages'})",
                )
            )
            continue
        if key in seen_tr:
            problems.append(
                row.problem(
                    file,
                    "item_id",
                    r["item_id"],
                    f"translated twice into {r['language']} (first in row {seen_tr[key]})",
                )
            )
            continue
        seen_tr[key] = row.row
        if r["item_type"] == "statement":
            st_tr.append(
                {
                    "statement_id": r["item_id"],
                    "language": r["language"],
                    "text": r["text"],
                    "anchor_low": r.get("anchor_low"),
                    "anchor_mid": r.get("anchor_mid"),
                    "anchor_high": r.get("anchor_high"),
                }
            )
        else:
            if any(r.get(a) for a in ("anchor_low", "anchor_mid", "anchor_high")):
                problems.append(
                    row.problem(
                        file,
                        "anchor_low",
                        r.get("anchor_low") or r.get("anchor_high"),
                        "drivers have no answer scale: leave the anchors empty",
                    )
                )
                continue
            dr_tr.append(
                {
                    "driver_id": r["item_id"],
                    "language": r["language"],
                    "label": r["text"],
                    "description": r.get("description"),
                }
            )

    if problems or exercise is None:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
    exercise["languages"] = languages
    return ExercisePlan(
        exercise, statements, drivers, rounds, participants, st_tr, dr_tr, file, ex_rows[0][0].row
    )


def _exercise_has_input(con: Any, exercise_id: str) -> int:
    total = 0
    for table in (
        "foresight_answers",
        "foresight_driver_ratings",
        "foresight_influences",
        "foresight_comments",
    ):
        total += con.execute(
            f"SELECT count(*) FROM {table} WHERE exercise_id = ?", [exercise_id]
        ).fetchone()[0]
    return int(total)


EXERCISE_TABLES = (
    "foresight_exercises",
    "foresight_rounds",
    "foresight_participants",
    "foresight_drivers",
    "foresight_statements",
    "foresight_statement_translations",
    "foresight_driver_translations",
)


def create_exercise(
    plan: ExercisePlan,
    db: str | os.PathLike[str] | None = None,
    *,
    replace: bool = False,
    publish: bool = True,
) -> dict[str, int]:
    """Write a validated exercise in one transaction (all of it or nothing) and publish its state
    for the participant page.  An exercise id that exists is refused, unless ``replace`` and nobody
    has answered yet.  Returns the number of rows per table."""
    from workbench import capture
    from workbench.kb import writer

    ex = plan.exercise
    eid = plan.exercise_id
    dataset_id = f"foresight:{eid}"
    now = datetime.now(UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    with writer(db, purpose=f"create foresight exercise {eid}") as con:
        exists = con.execute(
            "SELECT count(*) FROM foresight_exercises WHERE exercise_id = ?", [eid]
        ).fetchone()[0]
        if exists:
            answered = _exercise_has_input(con, eid)
            pending = [
                r
                for r in capture.pending(db=db, include_failed=False)
                if r.payload.get("exercise_id") == eid and r.kind != "foresight.state"
            ]
            if not replace:
                raise ValidationError(
                    f"{plan.file}: sheet 'exercise', row {plan.exercise_row}, column 'exercise_id', "
                    f"value {eid!r}: an exercise "
                    "with this id exists already; choose another id (or --replace while nobody has answered)"
                )
            if answered or pending:
                raise ValidationError(
                    f"exercise {eid!r} already has {answered + len(pending)} answer(s) or rating(s): it is not "
                    "replaced (create a new exercise with another id)"
                )
            for table in EXERCISE_TABLES:
                con.execute(f"DELETE FROM {table} WHERE exercise_id = ?", [eid])
        con.execute(
            "INSERT INTO foresight_exercises (exercise_id, title, description, horizon_year, created_at,"
            " dataset_id, synthetic, languages) VALUES (?, ?, ?, ?, ?, ?, FALSE, ?)",
            [
                eid,
                ex["title"],
                ex.get("description"),
                ex.get("horizon_year"),
                now,
                dataset_id,
                ";".join(ex["languages"]),
            ],
        )
        counts["exercise"] = 1

        def insert(table: str, cols: list[str], records: list[dict[str, Any]]) -> None:
            counts[table] = insert_setup_records(
                con, table, ("exercise_id", eid), cols, records, dataset_id
            )

        insert(
            "foresight_rounds",
            ["round_no", "status", "results_shared", "opened_at", "title", "opens_on", "closes_on"],
            [
                {**r, "results_shared": False, "opened_at": now if r["status"] == "open" else None}
                for r in plan.rounds
            ],
        )
        insert(
            "foresight_participants",
            ["participant_code", "role", "group_label", "created_at", "language"],
            [{**p, "role": "participant", "created_at": now} for p in plan.participants],
        )
        insert(
            "foresight_drivers",
            ["driver_id", "label", "steep", "description", "status"],
            [{**d, "status": "accepted"} for d in plan.drivers],
        )
        insert(
            "foresight_statements",
            [
                "statement_id",
                "text",
                "scale_points",
                "sort_order",
                "dimension",
                "anchor_low",
                "anchor_mid",
                "anchor_high",
            ],
            plan.statements,
        )
        insert(
            "foresight_statement_translations",
            ["statement_id", "language", "text", "anchor_low", "anchor_mid", "anchor_high"],
            plan.statement_translations,
        )
        insert(
            "foresight_driver_translations",
            ["driver_id", "language", "label", "description"],
            plan.driver_translations,
        )
        record_setup_dataset(
            con,
            dataset_id,
            plan.file,
            kind="foresight_exercise",
            rows=sum(counts.values()),
            title=f"Foresight exercise {ex['title']}",
            importer=IMPORTER,
            importer_version=IMPORTER_VERSION,
        )
    if publish:
        from workbench.foresight.state import publish_state

        publish_state(eid, db=db)
    return counts


def new_exercise(
    path: str | os.PathLike[str],
    db: str | os.PathLike[str] | None = None,
    *,
    replace: bool = False,
    rng: Any = None,
) -> tuple[ExercisePlan, dict[str, int]]:
    """Validate a set-up file, then create the exercise (nothing is written when it is invalid)."""
    plan = validate_exercise(path, rng=rng)
    return plan, create_exercise(plan, db=db, replace=replace)
