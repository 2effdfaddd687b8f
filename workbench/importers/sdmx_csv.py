"""SDMX-CSV data files (one observation per row), versions 1.0 and 2.0, into ``observations``.

Layouts (as Eurostat's dissemination API and data browser write them)::

    1.0:  DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
          ESTAT:NAMA_10R_3GDP(1.0),15/04/24 23:00:00,A,EUR_HAB,AL,2008,3000,
    2.0:  STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
          dataflow,ESTAT:NAMA_10R_3GDP(1.0),I,A,EUR_HAB,AL,2008,3000,
    2.0 with labels (``STRUCTURE_NAME`` present): every column after it is followed by its label
          column, e.g. ``freq,Time frequency,unit,Unit of measure,...,OBS_FLAG,Observation flag``.

Columns other than the structure columns, ``TIME_PERIOD``, ``OBS_VALUE`` and attributes are
dimensions: ``geo`` goes to ``region``, the others to their own VARCHAR columns.  ``OBS_VALUE`` empty
or ``:`` is NULL; ``OBS_FLAG`` is kept as published.  The dataset id comes from the dataflow
(``ESTAT:NAMA_10R_3GDP(1.0)`` -> ``eurostat:nama_10r_3gdp``), so an SDMX-CSV file and the TSV of the
same dataset replace each other.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pandas as pd

from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem
from workbench.importers import ImportRequest, ImportResult, read_head, register_importer
from workbench.importers.encoding import detect_encoding, read_text
from workbench.importers.eurostat_tsv import _FLAG_RE, _NUMBER_RE, _PERIOD_RE
from workbench.kb.datasets import (
    delete_dataset_rows,
    dimension_column,
    ensure_dimension_columns,
    replace_dataset,
)

IMPORTER_VERSION = "1.0"
STRUCTURE_COLUMNS = {
    "DATAFLOW",
    "LAST UPDATE",
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "ACTION",
}
ATTRIBUTE_COLUMNS = {
    "OBS_FLAG",
    "OBS_STATUS",
    "CONF_STATUS",
    "OBS_COMMENT",
    "UNIT_MULT",
    "DECIMALS",
}
_FLOW = re.compile(
    r"^(?:(?P<agency>[A-Za-z0-9_.]+):)?(?P<id>[A-Za-z0-9_]+)(?:\((?P<version>[^)]*)\))?$"
)


def _header_fields(head: bytes) -> list[str]:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    return next(csv.reader([first]), [])


def sniff(path: Path, head: bytes) -> bool:
    fields = _header_fields(head)
    return bool(fields) and fields[0] in ("DATAFLOW", "STRUCTURE") and "OBS_VALUE" in fields


def flow_dataset_id(flow: str) -> str | None:
    """``ESTAT:NAMA_10R_3GDP(1.0)`` -> ``eurostat:nama_10r_3gdp``; other agencies ``sdmx:<agency>:<id>``."""
    match = _FLOW.match(flow.strip())
    if not match:
        return None
    agency = (match.group("agency") or "").upper()
    code = match.group("id").lower()
    if agency in ("ESTAT", "EUROSTAT", ""):
        return f"eurostat:{code}"
    return f"sdmx:{agency.lower()}:{code}"


def dataset_id_for(path: Path) -> str:
    """From the first data row's DATAFLOW / STRUCTURE_ID; else ``sdmx:<file stem>``."""
    head = read_head(path)
    rows = list(csv.reader(io.StringIO(head.decode("utf-8", errors="replace").lstrip("\ufeff"))))
    if len(rows) >= 2 and rows[0]:
        header = rows[0]
        col = "STRUCTURE_ID" if "STRUCTURE_ID" in header else "DATAFLOW"
        if col in header and len(rows[1]) > header.index(col):
            found = flow_dataset_id(rows[1][header.index(col)])
            if found:
                return found
    return f"sdmx:{path.name.split('.')[0].lower()}"


class Layout:
    """Which column index holds what."""

    def __init__(self, header: list[str], file: str) -> None:
        self.version = "2.0" if header and header[0] == "STRUCTURE" else "1.0"
        labelled = "STRUCTURE_NAME" in header
        self.flow_col: int | None = None
        self.dims: list[tuple[int, str]] = []
        self.time_col: int | None = None
        self.value_col: int | None = None
        self.flag_col: int | None = None
        self.ignored: list[str] = []
        i = 0
        while i < len(header):
            name = header[i].strip()
            if name in STRUCTURE_COLUMNS:
                if name in ("DATAFLOW", "STRUCTURE_ID"):
                    self.flow_col = i
                i += 1
                continue
            if name == "TIME_PERIOD":
                self.time_col = i
            elif name == "OBS_VALUE":
                self.value_col = i
            elif name == "OBS_FLAG":
                self.flag_col = i
            elif name in ATTRIBUTE_COLUMNS:
                self.ignored.append(name)
            elif name:
                self.dims.append((i, name))
            i += 2 if labelled else 1
        missing = [
            n
            for n, c in (("TIME_PERIOD", self.time_col), ("OBS_VALUE", self.value_col))
            if c is None
        ]
        if missing or not self.dims:
            raise ImportFailed(
                [
                    Problem(
                        file=file,
                        line=1,
                        value=",".join(header)[:120],
                        rule="SDMX-CSV header needs dimension columns, TIME_PERIOD and OBS_VALUE"
                        + (f" (missing {', '.join(missing)})" if missing else ""),
                    )
                ]
            )


@register_importer(
    "sdmx_csv",
    dataset_id_for=dataset_id_for,
    sniff=sniff,
    priority=10,
    description="SDMX-CSV 1.0 (DATAFLOW,...) and 2.0 (STRUCTURE,..., with or without labels)",
)
def load(request: ImportRequest, con: duckdb.DuckDBPyConnection) -> ImportResult:
    path = request.path
    file = str(path)
    text = read_text(path, detect_encoding(path, request.encoding))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(reader, None)
    if not header:
        raise ImportFailed([Problem(file=file, line=1, rule="empty file")])
    layout = Layout(header, file)
    dim_names = [name for _, name in layout.dims]
    geo = next((i for i, (_, n) in enumerate(layout.dims) if n.lower() == "geo"), None)
    problems: list[Problem] = []
    columns: dict[str, list[str | float | None]] = {n: [] for n in dim_names}
    periods: list[str] = []
    values: list[float | None] = []
    flags: list[str | None] = []
    seen: dict[tuple[str, ...], int] = {}
    line = 1
    next_line = 2
    for cells in reader:
        line, next_line = next_line, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    file=file,
                    line=line,
                    column=f"field {min(len(cells), len(header)) + 1}",
                    value=",".join(cells)[:60],
                    rule=f"row has {len(cells)} fields, the header has {len(header)}",
                )
            )
            continue
        assert layout.time_col is not None and layout.value_col is not None  # Layout refuses others
        period = cells[layout.time_col].strip()
        raw_value = cells[layout.value_col].strip()
        flag = cells[layout.flag_col].strip() if layout.flag_col is not None else ""
        ok = True
        if not _PERIOD_RE.match(period):
            problems.append(Problem(file, "unknown period", line, "TIME_PERIOD", period))
            ok = False
        if raw_value in ("", ":", "NaN"):
            value = None
        elif _NUMBER_RE.match(raw_value):
            value = float(raw_value)
        else:
            problems.append(
                Problem(file, "OBS_VALUE must be a number or empty", line, "OBS_VALUE", raw_value)
            )
            ok = False
        if flag and not _FLAG_RE.match(flag):
            problems.append(Problem(file, "OBS_FLAG must be flag letters", line, "OBS_FLAG", flag))
            ok = False
        key = tuple(cells[i].strip() for i, _ in layout.dims) + (period,)
        if any(not k for k in key[:-1]):
            problems.append(
                Problem(file, "empty dimension code", line, dim_names[key.index("")], "")
            )
            ok = False
        if key in seen:
            problems.append(
                Problem(
                    file,
                    f"duplicate observation (first on line {seen[key]})",
                    line,
                    "TIME_PERIOD",
                    period,
                )
            )
            ok = False
        if not ok:
            continue
        seen[key] = line
        for (_, name), code in zip(layout.dims, key, strict=False):
            columns[name].append(code)
        periods.append(period)
        values.append(value)
        flags.append(flag or None)
    if not periods and not problems:
        problems.append(Problem(file=file, line=2, rule="header only: the file has no data rows"))
    if problems:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)

    other = [n for i, n in enumerate(dim_names) if i != geo]
    dim_cols = ensure_dimension_columns(con, other)
    frame = pd.DataFrame(
        {
            "region": columns[dim_names[geo]] if geo is not None else [None] * len(periods),
            "period": periods,
            "value": pd.array(values, dtype="Float64"),
            "flag": flags,
            **{f"d{i}": columns[n] for i, n in enumerate(other)},
        }
    )
    delete_dataset_rows(con, request.dataset_id)
    con.register("_sdmx_frame", frame)
    try:
        insert_cols = ["dataset_id", "region", "period", "value", "flag"] + [
            f'"{c}"' for c in dim_cols
        ]
        select = ["?", "region", "period", "value::DOUBLE", "flag"] + [
            f"d{i}" for i in range(len(other))
        ]
        con.execute(
            f"INSERT INTO observation_rows ({', '.join(insert_cols)}) SELECT {', '.join(select)} FROM _sdmx_frame",
            [request.dataset_id],
        )
    finally:
        con.unregister("_sdmx_frame")
    replace_dataset(
        con,
        request.dataset_id,
        source="Eurostat" if request.dataset_id.startswith("eurostat:") else "SDMX",
        kind=request.kind,
        file_name=path.name,
        sha256=request.sha256,
        rows=len(periods),
        importer=__name__,
        importer_version=IMPORTER_VERSION,
        title=request.dataset_id.split(":")[-1],
        dimensions=[
            ("region" if i == geo else dimension_column(n)) for i, n in enumerate(dim_names)
        ],
        notes=f"SDMX-CSV {layout.version}"
        + (f"; ignored {', '.join(layout.ignored)}" if layout.ignored else ""),
    )
    warnings = (
        [f"attribute columns not stored: {', '.join(layout.ignored)}"] if layout.ignored else []
    )
    return ImportResult(
        request.dataset_id, len(periods), False, request.kind, request.sha256, warnings
    )
