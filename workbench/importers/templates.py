"""The project's own templates for knowledge-base tables: CSV, XLSX or old XLS, validated, imported.

Each template is described in ``workbench/defaults/templates/<table>.yml`` (a domain helper adds a
table by adding a YAML file)::

    table: clusters
    key: [cluster_id]
    columns:
      cluster_id: {type: text, required: true, description: ...}
      founded:    {type: integer, min: 1900, max: 2100, description: ...}
      dimension:  {type: text, allowed: [innovation, ...], description: ...}

Types: ``text`` (optional ``pattern``), ``integer``, ``number`` (``min``/``max``), ``date``
(YYYY-MM-DD, or a spreadsheet date), ``boolean``, ``list`` (values separated by ``;``, optional
``item_pattern``), ``nuts`` (a NUTS code).  The file's table is recognised from its header.
Every problem is reported with line (CSV) or sheet and row (spreadsheets), column and value; rows of
one file form one dataset ``template:<table>:<file stem>``, replaced as a whole on re-import.
``workbench template TABLE`` writes an empty CSV or XLSX (with a sheet documenting the columns).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from workbench.config import DEFAULTS_DIR
from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem, ValidationError
from workbench.geography.codes import NUTS_CODE
from workbench.importers import ImportRequest, ImportResult, register_importer
from workbench.importers.tabular import Row, Table, as_text, read_table
from workbench.kb.datasets import replace_dataset

IMPORTER_VERSION = "1.0"
TEMPLATES_DIR = DEFAULTS_DIR / "templates"
TEMPLATE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
TYPES = ("text", "integer", "number", "date", "boolean", "list", "nuts")
_TRUE = {"true", "yes", "1", "y", "x"}
_FALSE = {"false", "no", "0", "n"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    allowed: tuple[str, ...] | None
    pattern: str | None
    item_pattern: str | None
    min: float | None
    max: float | None
    default: Any

    @classmethod
    def from_spec(cls, name: str, spec: dict[str, Any], where: str) -> Column:
        """The column ``name`` as described in a template's YAML (``type``, ``required``,
        ``allowed``, ...); an unknown type is refused naming ``where`` (file and column)."""
        if spec.get("type", "text") not in TYPES:
            raise ValidationError(f"{where}: unknown type {spec.get('type')!r}")
        return cls(
            name=name,
            type=spec.get("type", "text"),
            required=bool(spec.get("required", False)),
            description=str(spec.get("description", "")).strip(),
            allowed=tuple(str(a) for a in spec["allowed"]) if spec.get("allowed") else None,
            pattern=spec.get("pattern"),
            item_pattern=spec.get("item_pattern"),
            min=spec.get("min"),
            max=spec.get("max"),
            default=spec.get("default"),
        )


@dataclass(frozen=True)
class Template:
    table: str
    title: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def _load(path: str) -> Template:
    with open(path, encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    cols = [
        Column.from_spec(name, c or {}, f"{path}: column {name}")
        for name, c in (spec.get("columns") or {}).items()
    ]
    return Template(
        table=spec.get("table", Path(path).stem),
        title=spec.get("title", Path(path).stem),
        description=str(spec.get("description", "")).strip(),
        key=tuple(spec.get("key") or ()),
        columns=tuple(cols),
    )


def templates() -> dict[str, Template]:
    """Every template shipped in ``workbench/defaults/templates``, by table name."""
    out = {}
    for path in sorted(TEMPLATES_DIR.glob("*.yml")):
        t = _load(str(path))
        out[t.table] = t
    return out


def get_template(table: str) -> Template:
    found = templates()
    if table not in found:
        raise ValidationError(
            f"no template for table {table!r}; known: {', '.join(sorted(found)) or 'none'}"
        )
    return found[table]


def match_template(header: list[str]) -> Template | None:
    """The template whose columns contain the whole header and all its required columns."""
    cols = {h.strip().lower() for h in header if h.strip()}
    best: tuple[int, Template] | None = None
    for t in templates().values():
        names = set(t.names)
        required = {c.name for c in t.columns if c.required}
        if cols <= names and required <= cols and (best is None or len(cols) > best[0]):
            best = (len(cols), t)
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# writing empty templates


def write_template(table: str, path: str | Path, fmt: str | None = None) -> Path:
    """Write an empty template for ``table``: CSV (header row) or XLSX (plus a 'columns' sheet)."""
    t = get_template(table)
    out = Path(path)
    fmt = (fmt or out.suffix.lstrip(".") or "csv").lower()
    if fmt == "csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerow(t.names)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = t.table
        ws.append(t.names)
        for cell, col in zip(ws[1], t.columns, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(_doc(col), "workbench")
            ws.column_dimensions[cell.column_letter].width = max(12, len(col.name) + 2)
        ws.freeze_panes = "A2"
        doc = wb.create_sheet("columns")
        doc.append(["column", "type", "required", "allowed values", "description"])
        for cell in doc[1]:
            cell.font = Font(bold=True)
        for col in t.columns:
            doc.append(
                [
                    col.name,
                    col.type,
                    "yes" if col.required else "no",
                    ", ".join(col.allowed) if col.allowed else "",
                    _doc(col, with_allowed=False),
                ]
            )
        doc.column_dimensions["A"].width = 20
        doc.column_dimensions["D"].width = 40
        doc.column_dimensions["E"].width = 90
        wb.save(out)
    else:
        raise ValidationError(f"template format must be csv or xlsx, not {fmt!r}")
    return out


def _doc(col: Column, with_allowed: bool = True) -> str:
    parts = [col.description]
    if col.min is not None or col.max is not None:
        parts.append(
            f"range {col.min if col.min is not None else ''}..{col.max if col.max is not None else ''}"
        )
    if with_allowed and col.allowed:
        parts.append("one of: " + ", ".join(col.allowed))
    if col.type == "list":
        parts.append("several values separated by ';'")
    return ". ".join(p for p in parts if p)


# --------------------------------------------------------------------------------------------
# importing


def sniff(path: Path, head: bytes) -> bool:
    """True when the header (CSV first line, spreadsheet first row) fits a template exactly."""
    suffix = path.suffix.lower()
    if suffix not in TEMPLATE_SUFFIXES:
        return False
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            return match_template(read_table(path).header) is not None
        except (ImportFailed, ValidationError):
            return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    if not first:
        return False
    delim = max([",", ";", "\t"], key=first.count)
    header = next(csv.reader([first], delimiter=delim), [])
    return match_template(header) is not None


def dataset_id_for(path: Path) -> str:
    """``template:<table>:<file stem>`` (table recognised from the header)."""
    try:
        template = match_template(read_table(path).header)
    except (ImportFailed, ValidationError):
        template = None  # load() reports the problem with the file precisely
    table = template.table if template else "unknown"
    return f"template:{table}:{path.stem.lower()}"


def convert(col: Column, value: object) -> tuple[Any, str | None]:
    """(converted value, None) or (None, rule broken)."""
    if (
        col.type in ("integer", "number")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        number: float | int = value
    elif isinstance(value, date | datetime) and col.type == "date":
        return (value.date() if isinstance(value, datetime) else value), None
    else:
        text = as_text(value)
        if text is None:
            if col.default is not None:
                return col.default, None
            return None, ("required column is empty" if col.required else None)
        if col.type in ("integer", "number"):
            try:
                number = float(text.replace(" ", "")) if col.type == "number" else int(text)
            except ValueError:
                try:
                    f = float(text)
                except ValueError:
                    return None, f"must be {'an integer' if col.type == 'integer' else 'a number'}"
                if col.type == "integer" and not f.is_integer():
                    return None, "must be an integer"
                number = int(f) if col.type == "integer" else f
        elif col.type == "date":
            try:
                return date.fromisoformat(text[:10]), None
            except ValueError:
                return None, "must be a date YYYY-MM-DD"
        elif col.type == "boolean":
            if text.lower() in _TRUE:
                return True, None
            if text.lower() in _FALSE:
                return False, None
            return None, "must be yes/no (true/false)"
        elif col.type == "list":
            items = [i.strip() for i in text.split(";") if i.strip()]
            if col.item_pattern:
                bad = [i for i in items if not re.search(col.item_pattern, i)]
                if bad:
                    return None, f"item {bad[0]!r} does not match {col.item_pattern}"
            return items, None
        else:
            if col.type == "nuts" and not NUTS_CODE.match(text):
                return None, "must be a NUTS code (2 letters + up to 3 characters), e.g. HR03"
            if col.pattern and not re.search(col.pattern, text):
                return None, f"does not match the pattern {col.pattern}"
            if col.allowed and text not in col.allowed:
                return None, "must be one of: " + ", ".join(col.allowed)
            return text, None
    if col.type == "integer" and isinstance(number, float):
        if not number.is_integer():
            return None, "must be an integer"
        number = int(number)
    if number != number or number in (float("inf"), float("-inf")):
        return None, "must be a finite number"
    if col.min is not None and number < col.min:
        return None, f"must be >= {col.min}"
    if col.max is not None and number > col.max:
        return None, f"must be <= {col.max}"
    return number, None


def validate(table: Table, template: Template) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Converted rows and every problem (file, line or sheet/row, column, value, rule)."""
    file = table.file
    problems: list[Problem] = []
    lower = {h.lower(): h for h in table.header if h}
    unknown = [h for h in table.header if h and h.lower() not in set(template.names)]
    where = Row(values={}, line=1 if table.sheet is None else None, sheet=table.sheet, row=None)
    for h in unknown:
        problems.append(where.problem(file, h, h, f"unknown column for table {template.table}"))
    for col in template.columns:
        if col.required and col.name not in lower:
            problems.append(where.problem(file, col.name, None, "required column is missing"))
    out: list[dict[str, Any]] = []
    seen: dict[tuple, Row] = {}
    for row in table.rows:
        record: dict[str, Any] = {}
        bad: set[str] = set()
        for col in template.columns:
            raw = row.values.get(lower[col.name]) if col.name in lower else None
            value, rule = convert(col, raw)
            if rule:
                problems.append(row.problem(file, col.name, raw, rule))
                bad.add(col.name)
            record[col.name] = value
        start, end = record.get("start_date"), record.get("end_date")
        if start and end and not bad & {"start_date", "end_date"} and end < start:
            problems.append(row.problem(file, "end_date", end, "end date is before the start date"))
            bad.add("end_date")
        key = tuple(record.get(k) for k in template.key)
        if template.key and not bad & set(template.key):
            if key in seen:
                first = seen[key]
                where_first = f"line {first.line}" if first.line else f"row {first.row}"
                problems.append(
                    row.problem(
                        file, template.key[0], key[0], f"duplicate key (first at {where_first})"
                    )
                )
                bad.add(template.key[0])
            else:
                seen[key] = row
        if not bad:
            out.append(record)
    if not out and not problems:
        problems.append(where.problem(file, None, None, "header only: the file has no data rows"))
    return out, problems


@register_importer(
    "template",
    dataset_id_for=dataset_id_for,
    sniff=sniff,
    priority=20,  # a header that fits a project template exactly is the strongest signal
    description="project templates for KB tables (CSV, XLSX, XLS); see `workbench template`",
)
def load(request: ImportRequest, con: duckdb.DuckDBPyConnection) -> ImportResult:
    path = request.path
    file = str(path)
    table = read_table(path, request.encoding)
    template = match_template(table.header)
    if template is None:
        raise ImportFailed(
            [
                Problem(
                    file=file,
                    line=1 if table.sheet is None else None,
                    sheet=table.sheet,
                    row=None,
                    value=",".join(table.header)[:120],
                    rule="header matches no template ("
                    + ", ".join(sorted(templates()))
                    + "); get one with `workbench template TABLE`",
                )
            ]
        )
    records, problems = validate(table, template)
    if problems:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
    dataset_id = request.dataset_id
    table_cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [template.table],
        ).fetchall()
    }
    con.execute(f'DELETE FROM "{template.table}" WHERE dataset_id = ?', [dataset_id])
    if template.key:
        clash = _key_clashes(con, template, records, file)
        if clash:
            raise ImportFailed(clash[:MAX_LISTED_PROBLEMS], len(clash), file=file)
    names = [c for c in template.names if c in table_cols]
    extra = [c for c in ("dataset_id", "synthetic") if c in table_cols]
    frame = pd.DataFrame.from_records(
        [[r[c] for c in names] for r in records], columns=names
    ).astype(object)
    frame = frame.where(frame.notna(), None)
    extra_sql = {"dataset_id": "?", "synthetic": "FALSE"}
    col_sql = ", ".join(f'"{c}"' for c in names + extra)
    select = ", ".join([f'"{c}"' for c in names] + [extra_sql[c] for c in extra])
    con.register("_template_frame", frame)
    try:
        con.execute(
            f'INSERT INTO "{template.table}" ({col_sql}) SELECT {select} FROM _template_frame',
            [dataset_id] if "dataset_id" in extra else None,
        )
    finally:
        con.unregister("_template_frame")
    rows = records
    replace_dataset(
        con,
        dataset_id,
        source=f"project template ({template.table})",
        kind=f"template:{template.table}",
        file_name=path.name,
        sha256=request.sha256,
        rows=len(rows),
        importer=__name__,
        importer_version=IMPORTER_VERSION,
        title=f"{template.title} from {path.name}",
        notes=f"encoding {table.encoding}" if table.encoding else f"sheet {table.sheet}",
    )
    return ImportResult(dataset_id, len(rows), False, request.kind, request.sha256)


def _key_clashes(
    con: duckdb.DuckDBPyConnection, template: Template, records: list[dict[str, Any]], file: str
) -> list[Problem]:
    keys = list(template.key)
    cond = " AND ".join(f'"{k}" = ?' for k in keys)
    problems = []
    for r in records:
        found = con.execute(
            f'SELECT dataset_id FROM "{template.table}" WHERE {cond} LIMIT 1', [r[k] for k in keys]
        ).fetchone()
        if found:
            problems.append(
                Problem(
                    file=file,
                    column=keys[0],
                    value=str(r[keys[0]]),
                    rule=f"key already in the knowledge base from dataset {found[0]}",
                )
            )
    return problems


__all__ = ["Template", "get_template", "match_template", "templates", "write_template"]
