"""Import a project (Jems-like model, ``workbench.projects.model``) from the XLSX template or JSON.

XLSX: one sheet per key of :data:`~workbench.projects.model.TABLES` (header in row 1), the sheet
``project`` with one row that also holds ``project_id``; ``workbench template project`` writes the
empty, documented template.  JSON: ``{"project_id": ..., "project": {...}, "partners": [{...}], ...}``.
Every value is checked against its column type; problems name the file, sheet, row, column and value.
The project's rows are replaced as a whole in one writer transaction (dataset ``project:<id>``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.kb.access import writer
from workbench.kb.datasets import replace_dataset
from workbench.projects.model import OPTIONAL_SHEETS, TABLES, ProjectModel, columns

IMPORTER = "workbench.importers.projects"
IMPORTER_VERSION = "1.0"
_TRUE = {"true", "yes", "1", "y", "x"}
_FALSE = {"false", "no", "0", "n", ""}


def _convert(kind: str, value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if kind == "text":
        return str(value).strip()
    if kind == "integer":
        number = float(value)
        if number != int(number):
            raise ValueError("not a whole number")
        return int(number)
    if kind == "number":
        return float(value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value).strip()[:10])
    if kind == "boolean":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("not yes/no")
    raise ValueError(f"unknown type {kind}")


def vocabularies() -> dict[tuple[str, str], list[str]]:
    """Allowed values of coded columns (``projects.yml``): (sheet, column) -> values."""
    d = load_defaults("projects")
    return {
        ("partners", "role"): list(d["partner_roles"]),
        ("partners", "type"): list(d["target_groups"]),
        ("budget", "category"): list(d["cost_categories"]),
        ("spending", "category"): list(d["cost_categories"]),
        ("spending", "status"): list(d["spending_statuses"]),
    }


def frames_to_model(
    source: str, project_id: str, raw: dict[str, list[dict[str, Any]]]
) -> ProjectModel:
    """Check and convert raw rows per sheet; raise :class:`ValidationError` listing the problems."""
    problems: list[str] = []
    allowed = vocabularies()
    frames: dict[str, pd.DataFrame] = {}
    for sheet, (_table, cols) in TABLES.items():
        rows = raw.get(sheet)
        if rows is None:
            if sheet not in OPTIONAL_SHEETS:
                problems.append(f"{source}: sheet {sheet!r} is missing")
            continue
        out = []
        for i, row in enumerate(rows, start=2):
            rec = {}
            for name, kind, required, _doc in cols:
                value = row.get(name)
                try:
                    rec[name] = _convert(kind, value)
                except (ValueError, TypeError) as exc:
                    problems.append(
                        f"{source}: sheet {sheet!r}, row {i}, column {name!r}: value {value!r} "
                        f"is not a {kind} ({exc})"
                    )
                    continue
                if required and rec[name] is None:
                    problems.append(f"{source}: sheet {sheet!r}, row {i}, column {name!r}: empty")
                values = allowed.get((sheet, name))
                if values and rec[name] is not None and rec[name] not in values:
                    problems.append(
                        f"{source}: sheet {sheet!r}, row {i}, column {name!r}: value "
                        f"{rec[name]!r} is not one of {', '.join(values)}"
                    )
            out.append(rec)
        frames[sheet] = pd.DataFrame(out, columns=columns(sheet))
    if problems:
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ValidationError("\n".join(problems[:20]) + more)
    return ProjectModel(project_id=project_id, frames=frames)


def read_project_xlsx(path: str | os.PathLike[str]) -> ProjectModel:
    """Read the XLSX template (one sheet per table)."""
    path = Path(path)
    sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
    raw = {
        name: [
            {k: v for k, v in r.items() if not (isinstance(v, float) and pd.isna(v))}
            for r in frame.dropna(how="all").to_dict("records")
        ]
        for name, frame in sheets.items()
        if name in TABLES
    }
    project = raw.get("project") or [{}]
    project_id = str(project[0].get("project_id") or "").strip()
    if not project_id:
        raise ValidationError(f"{path}: sheet 'project', row 2, column 'project_id': empty")
    return frames_to_model(str(path), project_id, raw)


def read_project_json(path: str | os.PathLike[str]) -> ProjectModel:
    """Read a project from JSON (keys as the XLSX sheets; ``project`` is one object)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    project_id = str(data.get("project_id") or "").strip()
    if not project_id:
        raise ValidationError(f"{path}: key 'project_id' is missing or empty")
    raw = {k: v for k, v in data.items() if k in TABLES}
    if isinstance(raw.get("project"), dict):
        raw["project"] = [raw["project"]]
    return frames_to_model(str(path), project_id, raw)


def read_project(path: str | os.PathLike[str]) -> ProjectModel:
    """XLSX or JSON by suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_project_xlsx(path)
    if suffix == ".json":
        return read_project_json(path)
    raise ValidationError(f"{path}: a project file is .xlsx or .json, not {suffix!r}")


def write_project_template(path: str | os.PathLike[str]) -> Path:
    """Write the empty XLSX template: one sheet per table, a comment per column, a 'columns' sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    wb = Workbook()
    doc = wb.active
    doc.title = "columns"
    doc.append(["sheet", "column", "type", "required", "description"])
    for sheet, (_table, cols) in TABLES.items():
        ws = wb.create_sheet(sheet)
        header = (["project_id"] if sheet == "project" else []) + [c[0] for c in cols]
        ws.append(header)
        described = (
            [("project_id", "text", True, "Identifier of the project")]
            if sheet == "project"
            else []
        ) + cols  # noqa: E501
        for cell, (name, kind, required, text) in zip(ws[1], described, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(
                f"{text} ({kind}{', required' if required else ''})", "workbench"
            )
            ws.column_dimensions[cell.column_letter].width = max(12, len(name) + 2)
            doc.append([sheet, name, kind, "yes" if required else "no", text])
    for cell in doc[1]:
        cell.font = Font(bold=True)
    out = Path(path)
    wb.save(out)
    return out


def store_project(
    con: duckdb.DuckDBPyConnection,
    model: ProjectModel,
    *,
    dataset_id: str,
    synthetic: bool,
    source: str,
    file_name: str | None,
) -> int:
    """Replace the project's rows in every project table inside the open writer ``con``."""
    total = 0
    for sheet, (table, _cols) in TABLES.items():
        # only rows of the same kind go: a demo build never deletes an imported project's rows
        con.execute(
            f"DELETE FROM {table} WHERE project_id = ? AND synthetic = ?",
            [model.project_id, synthetic],
        )
        frame = model[sheet]
        if frame.empty:
            continue
        frame = frame.assign(
            project_id=model.project_id, dataset_id=dataset_id, synthetic=synthetic
        )
        cols = ["project_id", *columns(sheet), "dataset_id", "synthetic"]
        con.register("_project_rows", frame[cols])
        try:
            con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _project_rows"
            )
        except duckdb.ConstraintException as exc:
            if synthetic:
                raise  # the demo build turns this into DemoWouldOverwrite
            raise ValidationError(
                f"{source}: sheet {sheet!r}: {exc} (a row repeats a key, or the project id is "
                "taken by the demo project)"
            ) from None
        finally:
            with contextlib.suppress(duckdb.Error):
                con.unregister("_project_rows")
        total += len(frame)
    replace_dataset(
        con,
        dataset_id,
        source=source,
        kind="project",
        file_name=file_name,
        sha256=None,
        rows=total,
        importer=IMPORTER,
        importer_version=IMPORTER_VERSION,
        synthetic=synthetic,
        title=f"Project {model.acronym}",
    )
    return total


def import_project(path: str | os.PathLike[str], db: str | None = None) -> tuple[ProjectModel, int]:
    """Read, then store in one writer transaction (nothing written when reading fails)."""
    model = read_project(path)
    with writer(db, purpose=f"import project {Path(path).name}") as con:
        rows = store_project(
            con,
            model,
            dataset_id=f"project:{model.project_id}",
            synthetic=False,
            source=str(Path(path).resolve()),
            file_name=Path(path).name,
        )
    return model, rows
