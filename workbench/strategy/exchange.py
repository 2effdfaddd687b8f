"""Export and import of an action plan in one format, as XLSX (one sheet per table) or as a folder
of CSV files (one file per table, same columns), so that partners can update it offline.

Tables: ``strategy`` (one row), ``objectives`` (weights included), ``actions`` (weights and the
evidence links included; lists separated by ``;``), ``indicators``, ``progress`` (status and per
cent per reporting period), ``results`` (sustainability plan).  Import checks every cell first and
refuses the whole file with every problem named by file, sheet, row, column and value
(:class:`workbench.errors.ImportFailed`); a valid file replaces the strategy's plan in one writer
transaction, so a failed import leaves the knowledge base exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ImportFailed, Problem
from workbench.geography.codes import REGION_CODE
from workbench.kb.access import writer
from workbench.kb.datasets import replace_dataset
from workbench.strategy.data import Plan, load_plan
from workbench.strategy.settings import dimension_labels, funding_sources, statuses
from workbench.strategy.write import replace_plan

LIST_SEP = ";"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, number, integer, date, list, bool
    required: bool = False


TABLES: dict[str, list[Column]] = {
    "strategy": [
        Column("strategy_id", required=True),
        Column("title", required=True),
        Column("exercise_id"),
        Column("horizon_year", "integer"),
        Column("project_end", "date"),
        Column("description"),
        Column("synthetic", "bool"),
    ],
    "objectives": [
        Column("objective_id", required=True),
        Column("title", required=True),
        Column("description"),
        Column("weight", "number"),
        Column("sort_order", "integer"),
    ],
    "actions": [
        Column("action_id", required=True),
        Column("objective_id"),
        Column("title", required=True),
        Column("description"),
        Column("dimensions", "list"),
        Column("lead_region"),
        Column("partner_regions", "list"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("budget", "number"),
        Column("currency"),
        Column("funding_source"),
        Column("delivery"),
        Column("responsible_body"),
        Column("weight", "number"),
        Column("barriers", "list"),
        Column("mechanisms", "list"),
        Column("pilots", "list"),
    ],
    "indicators": [
        Column("action_id", required=True),
        Column("indicator_id", required=True),
        Column("name"),
        Column("unit"),
        Column("baseline", "number"),
        Column("target", "number"),
        Column("target_year", "integer"),
    ],
    "progress": [
        Column("action_id", required=True),
        Column("period", required=True),
        Column("status", required=True),
        Column("progress", "number"),
        Column("note"),
        Column("reported_by"),
    ],
    "results": [
        Column("action_id", required=True),
        Column("result_id", required=True),
        Column("result", required=True),
        Column("owner"),
        Column("durability"),
        Column("transferability"),
        Column("continuation"),
        Column("continuation_funding"),
    ],
}
KEYS = {
    "strategy": ["strategy_id"],
    "objectives": ["objective_id"],
    "actions": ["action_id"],
    "indicators": ["action_id", "indicator_id"],
    "progress": ["action_id", "period"],
    "results": ["action_id", "result_id"],
}


# --------------------------------------------------------------------------------------- export
def _cell(value: Any, kind: str) -> Any:
    if kind == "list":
        return LIST_SEP.join(str(v) for v in (value if value is not None else []))
    if value is None or (not isinstance(value, (list, str)) and pd.isna(value)):
        return None
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "bool":
        return "yes" if bool(value) else "no"
    return value


def plan_tables(plan: Plan) -> dict[str, pd.DataFrame]:
    """The exchange tables of a plan (the columns of :data:`TABLES`, lists joined by ``;``)."""
    links = plan.links
    actions = plan.actions.copy()
    for key, kind in (("barriers", "barrier"), ("mechanisms", "mechanism"), ("pilots", "pilot")):
        mine = links[links["link_type"] == kind].groupby("action_id")["target_id"].agg(list)
        actions[key] = [mine.get(a, []) for a in actions["action_id"]]
    sources = {
        "strategy": plan.strategy,
        "objectives": plan.objectives,
        "actions": actions,
        "indicators": plan.indicators,
        "progress": plan.progress,
        "results": plan.results,
    }
    out = {}
    for name, columns in TABLES.items():
        frame = sources[name]
        out[name] = pd.DataFrame(
            {c.name: [_cell(v, c.kind) for v in frame[c.name]] for c in columns},
            columns=[c.name for c in columns],
        )
    return out


def export_plan(strategy_id: str, path: str | os.PathLike[str], db: Any = None) -> Path:
    """Write the plan of ``strategy_id`` to ``path``: ``*.xlsx`` (one sheet per table) or a folder
    (``strategy.csv``, ``objectives.csv``, ...).  Returns the path written."""
    out = Path(path)
    tables = plan_tables(load_plan(strategy_id, db=db))
    if out.suffix.lower() == ".xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(out, engine="openpyxl") as xlsx:
            for name, frame in tables.items():
                frame.to_excel(xlsx, sheet_name=name, index=False)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            frame.to_csv(out / f"{name}.csv", index=False)
    return out


# --------------------------------------------------------------------------------------- import
def _read(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Problem]]:
    """Raw tables (all text), the file name of each table (for messages), problems."""
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    where: dict[str, str] = {}
    if path.suffix.lower() == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
        for name in TABLES:
            where[name] = path.name
            if name not in sheets:
                problems.append(Problem(path.name, f"sheet {name!r} is missing", sheet=name))
            else:
                frames[name] = sheets[name]
    elif path.is_dir():
        for name in TABLES:
            file = path / f"{name}.csv"
            where[name] = file.name
            if not file.exists():
                problems.append(Problem(str(file), f"file {file.name} is missing"))
            else:
                frames[name] = pd.read_csv(
                    file, dtype=str, keep_default_na=False, encoding="utf-8-sig"
                )
    else:
        problems.append(
            Problem(str(path), "not an .xlsx file or a folder of CSV files (strategy.csv, ...)")
        )
    return frames, where, problems


def _parse(
    raw: str, column: Column, problem: Any
) -> Any:  # problem(rule) records a Problem for this cell
    text = raw.strip()
    if not text:
        if column.required:
            problem("a value is required")
        return [] if column.kind == "list" else None
    try:
        if column.kind == "number":
            return float(text)
        if column.kind == "integer":
            number = float(text)
            if number != int(number):
                raise ValueError
            return int(number)
        if column.kind == "date":
            return date.fromisoformat(text[:10])
        if column.kind == "bool":
            if text.lower() not in ("yes", "no", "true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("yes", "true", "1")
    except ValueError:
        expected = {"number": "a number", "integer": "a whole number", "date": "a date YYYY-MM-DD",
                    "bool": "yes or no"}[column.kind]  # fmt: skip
        problem(f"is not {expected}")
        return None
    if column.kind == "list":
        return [v.strip() for v in text.split(LIST_SEP) if v.strip()]
    return text


def read_plan_file(path: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """Parse and check an exchange file; raise :class:`ImportFailed` listing every problem."""
    source = Path(path)
    frames, where, problems = _read(source)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    dims, funds, stats = list(dimension_labels()), list(funding_sources()), list(statuses())
    for name, frame in frames.items():
        sheet = name if source.suffix.lower() == ".xlsx" else None
        file = where[name]
        missing = [c.name for c in TABLES[name] if c.name not in frame.columns]
        for col in missing:
            problems.append(Problem(file, "column is missing", column=col, sheet=sheet))
        if missing:
            continue
        seen: set[tuple[str, ...]] = set()
        for i, record in enumerate(frame.to_dict("records")):
            row_no = i + 2  # spreadsheet row: the header is row 1

            def problem(
                rule: str, col: str, value: str, _r: int = row_no, _f: str = file,
                _s: str | None = sheet,
            ) -> None:  # fmt: skip
                problems.append(Problem(_f, rule, column=col, value=value, sheet=_s, row=_r))

            parsed: dict[str, Any] = {}
            for column in TABLES[name]:
                raw = str(record[column.name])
                parsed[column.name] = _parse(
                    raw, column, lambda rule, c=column.name, v=raw: problem(rule, c, v)
                )
            key = tuple(str(parsed[k]) for k in KEYS[name])
            if all(parsed[k] for k in KEYS[name]):
                if key in seen:
                    problem(f"duplicate {'/'.join(KEYS[name])}", KEYS[name][-1], key[-1])
                seen.add(key)
            if name == "actions":
                for d in parsed["dimensions"]:
                    if d not in dims:
                        problem(f"{d!r} is not a dimension ({', '.join(dims)})",
                                "dimensions", record["dimensions"])  # fmt: skip
                for col in ("lead_region",):
                    v = parsed[col]
                    if v and not REGION_CODE.match(v):
                        problem("is not a NUTS region code such as 'HR03'", col, v)
                for v in parsed["partner_regions"]:
                    if not REGION_CODE.match(v):
                        problem(f"{v!r} is not a NUTS region code", "partner_regions",
                                record["partner_regions"])  # fmt: skip
                if parsed["funding_source"] and parsed["funding_source"] not in funds:
                    problem(f"is not a funding source ({', '.join(funds)})", "funding_source",
                            parsed["funding_source"])  # fmt: skip
                if parsed["budget"] is not None and parsed["budget"] < 0:
                    problem("a budget cannot be negative", "budget", record["budget"])
                if (
                    parsed["start_date"] and parsed["end_date"]
                    and parsed["end_date"] < parsed["start_date"]
                ):  # fmt: skip
                    problem("ends before it starts", "end_date", record["end_date"])
            weight = parsed.get("weight")
            if name in ("actions", "objectives") and weight is not None and weight < 0:
                problem("a weight cannot be negative", "weight", record["weight"])
            if name == "progress":
                if parsed["status"] and parsed["status"] not in stats:
                    problem(f"is not a status ({', '.join(stats)})", "status", parsed["status"])
                p = parsed["progress"]
                if p is not None and not 0 <= p <= 100:
                    problem(
                        "progress is a per cent between 0 and 100", "progress", record["progress"]
                    )
            cont = parsed.get("continuation_funding")
            if name == "results" and cont and cont not in funds:
                problem(
                    f"is not a funding source ({', '.join(funds)})", "continuation_funding", cont
                )
            parsed["_row"], parsed["_file"], parsed["_sheet"] = row_no, file, sheet
            rows[name].append(parsed)
    if not problems:
        problems += _cross_checks(rows)
    if problems:
        raise ImportFailed(problems, file=str(source))
    return rows


def _cross_checks(rows: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    problems = []
    if len(rows["strategy"]) != 1:
        problems.append(
            Problem(
                "strategy", f"holds {len(rows['strategy'])} rows; exactly one strategy is expected"
            )
        )
    objectives = {r["objective_id"] for r in rows["objectives"]}
    actions = {r["action_id"] for r in rows["actions"]}
    for r in rows["actions"]:
        if r["objective_id"] and r["objective_id"] not in objectives:
            problems.append(Problem(r["_file"], "is not an objective of the objectives table",
                                    column="objective_id", value=r["objective_id"],
                                    sheet=r["_sheet"], row=r["_row"]))  # fmt: skip
    for name in ("indicators", "progress", "results"):
        for r in rows[name]:
            if r["action_id"] not in actions:
                problems.append(Problem(r["_file"], "is not an action of the actions table",
                                        column="action_id", value=r["action_id"],
                                        sheet=r["_sheet"], row=r["_row"]))  # fmt: skip
    return problems


def _evidence_problems(con: Any, rows: dict[str, list[dict[str, Any]]]) -> list[Problem]:
    """Links to barriers, mechanisms or pilots that the knowledge base does not hold."""
    problems = []
    for key, table, col in (
        ("barriers", "barriers", "barrier_id"),
        ("mechanisms", "mechanisms", "mechanism_id"),
        ("pilots", "pilots", "pilot_id"),
    ):
        known = {r[0] for r in con.execute(f"SELECT {col} FROM {table}").fetchall()}
        for r in rows["actions"]:
            for v in r[key]:
                if v not in known:
                    problems.append(Problem(r["_file"], f"{v!r} is not in the knowledge base's {table}",
                                            column=key, value=LIST_SEP.join(r[key]),
                                            sheet=r["_sheet"], row=r["_row"]))  # fmt: skip
    return problems


def import_plan(path: str | os.PathLike[str], db: Any = None) -> str:
    """Import an exchange file (see the module docstring); returns the strategy id.

    The plan of that strategy is replaced as a whole (objectives, actions, links, indicators,
    progress, results); its rows cite the dataset ``strategy:<strategy_id>`` (file name and
    sha256).  Nothing is written when any problem is found."""
    source = Path(path)
    rows = read_plan_file(source)
    clean = {n: [{k: v for k, v in r.items() if not k.startswith("_")} for r in rs]
             for n, rs in rows.items()}  # fmt: skip
    strategy = clean["strategy"][0]
    synthetic = bool(strategy.pop("synthetic") or False)
    sid = str(strategy["strategy_id"])
    dataset_id = f"strategy:{sid}"
    indicators: dict[str, list[dict[str, Any]]] = {}
    for ind in clean["indicators"]:
        indicators.setdefault(ind.pop("action_id"), []).append(ind)
    actions = [{**a, "indicators": indicators.get(a["action_id"], [])} for a in clean["actions"]]
    with writer(db, purpose=f"import strategy {sid}") as con:
        problems = _evidence_problems(con, rows)
        if problems:
            raise ImportFailed(problems, file=str(source))
        replace_plan(con, strategy, clean["objectives"], actions, clean["progress"],
                     clean["results"], dataset_id=dataset_id, synthetic=synthetic)  # fmt: skip
        replace_dataset(
            con,
            dataset_id,
            source=str(source),
            kind="strategy_plan",
            file_name=source.name,
            sha256=_sha256(source),
            rows=len(actions),
            importer="workbench.strategy.exchange",
            importer_version="1",
            synthetic=synthetic,
            title=f"Action plan of {strategy['title']}",
        )
    return sid


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()
