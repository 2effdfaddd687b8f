"""NUTS and NACE Rev. 2 code lists as published, into ``regions`` and ``sectors``.

NUTS layouts recognised by their header:

* GISCO attribute table (``NUTS_AT_2021.csv``): ``CNTR_CODE,NUTS_ID,NAME_LATN,NUTS_NAME,...``,
  CRLF, no level column (level = ``len(NUTS_ID) - 2``);
* Eurostat code list export (``NUTS2021-NUTS2024.csv``): ``Country code;NUTS Code;NUTS label;
  NUTS level;...``, BOM, semicolons, trailing empty rows and columns;
* RAMON hierarchical list (``NUTS_2013L.csv``): ``"Order","Level","Code","Parent","NUTS-Code",
  "Description","Remark"``, bare-CR line ends, heading rows without a code, country rows repeated
  in each level block.

The NUTS version is the last NUTS year in the file name (``NUTS2021-NUTS2024.csv`` -> 2024).  Level
and parent follow from the code (``HR03`` -> level 2, parent ``HR0``), country from its first two
letters.  Rows replace earlier rows of the same (code, version).

NACE (``Nace2_long.csv``, Eurostat's correspondenceTables list): ``nace2,Name,Level,Parent,...``.
Codes become Eurostat style: section ``C``, division ``C10`` (from ``10``), group ``C10.1``,
class ``C10.11``; parent in the same style.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem
from workbench.geography.codes import NUTS_CODE
from workbench.importers import ImportRequest, ImportResult, register_importer
from workbench.importers.tabular import Row, as_text, read_csv_table
from workbench.kb.datasets import delete_dataset_rows, replace_dataset

IMPORTER_VERSION = "1.0"
NUTS_YEARS = ("2003", "2006", "2010", "2013", "2016", "2021", "2024")
_NACE_SECTION = re.compile(r"^[A-U]$")
_NACE_NUMERIC = re.compile(r"^(\d{2})(?:\.(\d)(\d)?)?$")


def _header_line(head: bytes) -> str:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _fields(line: str) -> list[str]:
    return [f.strip().strip('"').strip().lower() for f in re.split(r"[,;\t]", line)]


# --------------------------------------------------------------------------------------------
# NUTS


def nuts_version(path: Path) -> str | None:
    """Last NUTS year in the file name, e.g. ``NUTS2021-NUTS2024.csv`` -> ``'2024'``."""
    years = [y for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", path.name) if y in NUTS_YEARS]
    if not years:
        years = [y for y in re.findall(r"(\d{4})", path.name) if y in NUTS_YEARS]
    return years[-1] if years else None


def nuts_dataset_id(path: Path) -> str:
    return f"nuts:{nuts_version(path) or path.stem.lower()}"


def _nuts_layout(header: list[str]) -> str | None:
    fields = [h.strip().lower() for h in header]
    if "nuts_id" in fields and "cntr_code" in fields:
        return "gisco"
    if "nuts code" in fields and "nuts label" in fields:
        return "eurostat"
    if "nuts-code" in fields and "description" in fields:
        return "ramon"
    return None


def sniff_nuts(path: Path, head: bytes) -> bool:
    return _nuts_layout(_fields(_header_line(head))) is not None


def _latin_name(name: str) -> str | None:
    """RAMON writes non-Latin names with a transliteration: ``БЪЛГАРИЯ (BULGARIA)``."""
    if name.isascii() or not re.search(r"[\u0370-\u03ff\u0400-\u04ff]", name):
        return name
    match = re.search(r"\(([^()]*)\)\s*$", name)
    return match.group(1).strip() if match else None


@register_importer(
    "nuts",
    dataset_id_for=nuts_dataset_id,
    sniff=sniff_nuts,
    priority=5,
    description="NUTS code list (GISCO attribute table, Eurostat export, RAMON list) -> regions",
)
def load_nuts(request: ImportRequest, con: duckdb.DuckDBPyConnection) -> ImportResult:
    path = request.path
    file = str(path)
    version = nuts_version(path)
    if version is None:
        raise ImportFailed(
            [
                Problem(
                    file=file,
                    value=path.name,
                    rule="file name must contain the NUTS version year ("
                    + ", ".join(NUTS_YEARS)
                    + ")",
                )
            ]
        )
    table = read_csv_table(path, request.encoding)
    layout = _nuts_layout(table.header)
    if layout is None:
        raise ImportFailed(
            [
                Problem(
                    file=file, line=1, value=",".join(table.header), rule="not a known NUTS layout"
                )
            ]
        )
    problems: list[Problem] = []
    records: dict[str, tuple] = {}
    for row in table.rows:
        parsed = _nuts_row(layout, row, file, problems)
        if parsed is None:
            continue
        code, name, name_latn, declared_level = parsed
        if not NUTS_CODE.match(code):
            problems.append(row.problem(file, _code_column(layout), code, "not a NUTS code"))
            continue
        level = len(code) - 2
        if declared_level is not None and declared_level != level:
            problems.append(
                row.problem(
                    file,
                    "NUTS level",
                    declared_level,
                    f"level does not match the code length (code {code} is level {level})",
                )
            )
            continue
        record = (code, version, name, name_latn, level, code[:2], code[:-1] if level else None)
        if code in records:
            if records[code][2] != name:
                problems.append(
                    row.problem(
                        file, _code_column(layout), code, "duplicate code with another name"
                    )
                )
            continue
        records[code] = record
    if not records and not problems:
        problems.append(Problem(file=file, line=2, rule="no NUTS rows in the file"))
    if problems:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
    delete_dataset_rows(con, request.dataset_id, tables=("regions",))
    _insert(
        con,
        "regions",
        ["code", "nuts_version", "name", "name_latn", "level", "country", "parent"],
        list(records.values()),
        request.dataset_id,
    )
    _register(con, request, len(records), f"NUTS {version}", "Eurostat/GISCO NUTS", layout)
    return ImportResult(request.dataset_id, len(records), False, request.kind, request.sha256)


def _code_column(layout: str) -> str:
    return {"gisco": "NUTS_ID", "eurostat": "NUTS Code", "ramon": "NUTS-Code"}[layout]


def _nuts_row(
    layout: str, row: Row, file: str, problems: list[Problem]
) -> tuple[str, str | None, str | None, int | None] | None:
    v = row.values
    if layout == "gisco":
        code = as_text(v.get("NUTS_ID"))
        name, latn = as_text(v.get("NUTS_NAME")), as_text(v.get("NAME_LATN"))
        level = None
    elif layout == "eurostat":
        code = as_text(v.get("NUTS Code"))
        name = as_text(v.get("NUTS label"))
        latn = name if name and name.isascii() else None
        raw_level = as_text(v.get("NUTS level"))
        if raw_level is not None and not raw_level.isdigit():
            problems.append(row.problem(file, "NUTS level", raw_level, "level must be 0-3"))
            return None
        level = int(raw_level) if raw_level is not None else None
    else:
        code = as_text(v.get("NUTS-Code"))
        if code is None:
            return None  # a "NUTS LEVEL n" heading row
        name = as_text(v.get("Description"))
        latn = _latin_name(name) if name else None
        level = None
    if code is None:
        problems.append(row.problem(file, _code_column(layout), None, "missing NUTS code"))
        return None
    return code, name, latn, level


# --------------------------------------------------------------------------------------------
# NACE


def sniff_nace(path: Path, head: bytes) -> bool:
    fields = _fields(_header_line(head))
    return bool(fields) and fields[0] in ("nace2", "nace_r2", "nace") and "level" in fields


def nace_dataset_id(path: Path) -> str:
    return "nace:NACE_R2"


def eurostat_nace_code(code: str, section_of: dict[str, str]) -> str | None:
    """``'C'`` -> ``'C'``; ``'10'`` -> ``'C10'``; ``'10.1'`` -> ``'C10.1'``; ``'10.11'`` -> ``'C10.11'``."""
    if _NACE_SECTION.match(code):
        return code
    match = _NACE_NUMERIC.match(code)
    if not match or match.group(1) not in section_of:
        return None
    return section_of[match.group(1)] + code


def nace_level(code: str) -> int | None:
    if _NACE_SECTION.match(code):
        return 1
    match = _NACE_NUMERIC.match(code)
    if not match:
        return None
    return 2 if match.group(2) is None else 3 if match.group(3) is None else 4


@register_importer(
    "nace",
    dataset_id_for=nace_dataset_id,
    sniff=sniff_nace,
    priority=5,
    description="NACE Rev. 2 list (nace2,Name,Level,Parent) -> sectors with Eurostat codes",
)
def load_nace(request: ImportRequest, con: duckdb.DuckDBPyConnection) -> ImportResult:
    path = request.path
    file = str(path)
    table = read_csv_table(path, request.encoding)
    columns = {h.lower(): h for h in table.header}
    code_col = next((columns[c] for c in ("nace2", "nace_r2", "nace") if c in columns), None)
    missing = [c for c in ("name", "level", "parent") if c not in columns]
    if code_col is None or missing:
        raise ImportFailed(
            [
                Problem(
                    file=file,
                    line=1,
                    value=",".join(table.header),
                    rule="NACE list needs columns nace2, Name, Level, Parent",
                )
            ]
        )
    problems: list[Problem] = []
    items: list[tuple[Row, str, str | None, int, str | None]] = []
    section_of: dict[str, str] = {}
    for row in table.rows:
        code = _na(row.values.get(code_col))
        name = _na(row.values.get(columns["name"]))
        parent = _na(row.values.get(columns["parent"]))
        raw_level = _na(row.values.get(columns["level"]))
        level = nace_level(code or "")
        if code is None or level is None:
            problems.append(row.problem(file, code_col, code, "not a NACE Rev. 2 code"))
            continue
        if raw_level != str(level):
            problems.append(
                row.problem(file, columns["level"], raw_level, f"level of {code} must be {level}")
            )
            continue
        if level == 2:
            if parent is None or not _NACE_SECTION.match(parent):
                problems.append(
                    row.problem(file, columns["parent"], parent, "a division's parent is a section")
                )
                continue
            section_of[code] = parent
        items.append((row, code, name, level, parent))
    records: dict[str, tuple] = {}
    for row, code, name, level, parent in items:
        eu_code = eurostat_nace_code(code, section_of)
        eu_parent = eurostat_nace_code(parent, section_of) if parent else None
        if eu_code is None:
            problems.append(
                row.problem(file, code_col, code, "division of this code is not listed")
            )
            continue
        if level > 1 and eu_parent is None:
            problems.append(row.problem(file, columns["parent"], parent, "unknown parent code"))
            continue
        if level > 2 and parent is not None and not code.startswith(parent):
            problems.append(row.problem(file, columns["parent"], parent, f"not a parent of {code}"))
            continue
        if eu_code in records:
            problems.append(row.problem(file, code_col, code, "duplicate code"))
            continue
        records[eu_code] = (eu_code, "NACE_R2", name, level, eu_parent)
    if not records and not problems:
        problems.append(Problem(file=file, line=2, rule="no NACE rows in the file"))
    if problems:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
    delete_dataset_rows(con, request.dataset_id, tables=("sectors",))
    _insert(
        con,
        "sectors",
        ["code", "nace_version", "name", "level", "parent"],
        list(records.values()),
        request.dataset_id,
    )
    _register(con, request, len(records), "NACE Rev. 2", "Eurostat NACE Rev. 2", "nace2 long list")
    return ImportResult(request.dataset_id, len(records), False, request.kind, request.sha256)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    records: list[tuple],
    dataset_id: str,
) -> None:
    """Insert (or replace, by primary key) all records in one statement."""
    frame = pd.DataFrame.from_records(records, columns=columns).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["dataset_id"] = dataset_id
    con.register("_codelist_frame", frame)
    try:
        cols = ", ".join([*columns, "dataset_id"])
        con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM _codelist_frame")
    finally:
        con.unregister("_codelist_frame")


def _na(value: object) -> str | None:
    text = as_text(value)
    return None if text in (None, "NA") else text


def _register(
    con: duckdb.DuckDBPyConnection,
    request: ImportRequest,
    rows: int,
    title: str,
    source: str,
    layout: str,
) -> None:
    replace_dataset(
        con,
        request.dataset_id,
        source=source,
        kind=request.kind,
        file_name=request.path.name,
        sha256=request.sha256,
        rows=rows,
        importer=__name__,
        importer_version=IMPORTER_VERSION,
        title=title,
        notes=f"layout: {layout}",
    )


__all__ = ["eurostat_nace_code", "load_nace", "load_nuts", "nace_level", "nuts_version"]
