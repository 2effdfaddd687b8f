"""Importers of real cohesion-policy open data into the past-policy-action register.

One entry point, one row loop, four declarative source specs:

* :mod:`.sources` - what differs between the file kinds (``esif_planned``, ``hr_operations``,
  ``si_operations``, ``el_operations``): readers, value parsers per column, row builders, operation keys;
* :mod:`.rowloop` - the one loop every spec runs through (:func:`parse_source`);
* :mod:`.operations` - an operation repeated per county/region is stored once with all its locations;
* this module - sniffing, storing (ONE knowledge-base transaction) and the importer registration.

Each parsed row becomes one ``policy_actions`` row unless it repeats an operation (then it adds a
location to ``operation_locations``).  Its dimension comes from the editable mapping table
(:mod:`workbench.policy.mapping`).  Rows that cannot be parsed are not imported; rows that cannot be
mapped are imported without dimension; both - and rows the mapping deliberately leaves without a
dimension, and duplicate rows - are written to ``import_issues`` (file, line/row, column, value, rule).
Nothing is dropped silently.  Amounts keep their currency (the Croatian list mixes HRK and EUR); a
correction file (:mod:`workbench.quality.corrections`) changes values only when the user passes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ImportFailed, Problem, ValidationError
from workbench.importers.cohesion.rowloop import (
    ACTION_COLUMNS,
    LOCATION_COLUMNS,
    Issue,
    ParsedFile,
    SourceSpec,
    parse_source,
)
from workbench.importers.cohesion.sources import REGIONS_MATCH_FILE, SPECS
from workbench.importers.cohesion.values import (
    parse_date,
    parse_eu_number,
    parse_hr_amount,
    parse_plain_number,
)
from workbench.kb.datasets import (
    already_imported,
    delete_dataset_rows,
    replace_dataset,
    sha256_file,
)
from workbench.policy.mapping import DEFAULT_MAPPING, load_mapping

IMPORTER = "workbench.importers.cohesion"
IMPORTER_VERSION = "2"  # 2: repeated operations merged, operation_locations, corrections
DATASET_TABLES = ("policy_actions", "import_issues", "operation_locations", "data_corrections")

PARSERS: dict[str, Callable[..., ParsedFile]] = {
    kind: partial(parse_source, spec) for kind, spec in SPECS.items()
}
DEFAULT_DATASET_IDS = {kind: spec.dataset_id for kind, spec in SPECS.items()}
DESCRIPTIONS = {kind: spec.description for kind, spec in SPECS.items()}


@dataclass(frozen=True)
class CohesionImportResult:
    """What an import did."""

    dataset_id: str
    kind: str
    rows: int
    sha256: str
    skipped_same_sha: bool = False
    issues: dict[str, int] = field(default_factory=dict)  # level -> count
    warnings: list[str] = field(default_factory=list)


def sniff_kind(path: str | os.PathLike[str], head: bytes | None = None) -> str | None:
    """Recognise a cohesion file from its first bytes; None if it is none of the four kinds."""
    path = Path(path)
    head = path.read_bytes()[:4096] if head is None else head[:4096]
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 (.xls)
        return "si_operations" if path.suffix.lower() == ".xls" else None
    text = head.decode("utf-8", errors="replace")
    if text.lstrip("\ufeff").startswith("MS,MS Name,CCI") and "TO_code" in text:
        return "esif_planned"
    if "Naziv projekta" in text and "NUTSII" in text:
        return "hr_operations"
    greek = head.decode("cp1253", errors="replace")
    if "OPERATIONAL PROGRAMME" in greek and ";" in greek and "CATEGORY OF INTERVENTION" in greek:
        return "el_operations"
    return None


def _insert(con: Any, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    name = f"_wb_{table}"
    con.register(name, frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)


def _issue_frame(parsed: ParsedFile) -> pd.DataFrame:
    rows = [{"dataset_id": parsed.dataset_id, "file": i.problem.file, "line": i.problem.line,
             "row": i.problem.row, "sheet": i.problem.sheet, "column_name": i.problem.column,
             "value": i.problem.value, "rule": i.problem.rule, "level": i.level,
             "action_id": i.action_id} for i in parsed.issues]  # fmt: skip
    return pd.DataFrame(rows).astype({"line": "Int64", "row": "Int64"}) if rows else pd.DataFrame()


def store(con: Any, parsed: ParsedFile, *, sha256: str, mapping_sha256: str) -> int:
    """Replace the dataset's rows (actions, locations, issues, corrections) and its ``datasets`` row."""
    delete_dataset_rows(con, parsed.dataset_id, tables=DATASET_TABLES)
    frame = parsed.frame()
    _insert(con, "policy_actions", frame)
    _insert(con, "operation_locations", parsed.location_frame())
    _insert(con, "import_issues", _issue_frame(parsed))
    if parsed.corrections:
        _insert(
            con,
            "data_corrections",
            pd.DataFrame(parsed.corrections).assign(dataset_id=parsed.dataset_id),
        )
    notes = json.dumps(
        {
            "mapping_sha256": mapping_sha256,
            "extra_files": parsed.extra_files,
            "issues": dict(Counter(i.level for i in parsed.issues)),
            "operations": parsed.merged,
            "corrections_sha256": sorted({c["correction_sha256"] for c in parsed.corrections}),
        },
        sort_keys=True,
    )
    replace_dataset(
        con,
        parsed.dataset_id,
        source=parsed.source,
        kind=f"cohesion:{parsed.kind}",
        file_name=parsed.file_name,
        sha256=sha256,
        rows=len(frame),
        importer=IMPORTER,
        importer_version=IMPORTER_VERSION,
        synthetic=False,
        title=parsed.title,
        dimensions=["region", "dimension", "fund", "programme"],
        notes=notes,
    )
    return len(frame)


def _refuse_if_mostly_errors(parsed: ParsedFile, max_error_share: float = 0.5) -> None:
    """Refuse (ImportFailed, nothing written) a file with no rows or mostly unparseable rows."""
    errors = [i for i in parsed.issues if i.level == "error"]
    total = parsed.rows_read + len(errors)
    if total == 0 or len(errors) > max_error_share * total:
        raise ImportFailed(
            [i.problem for i in errors] or [Problem(parsed.file_name, "no data rows")],
            total=len(errors) or 1,
            file=parsed.file_name,
        )


def _summary(parsed: ParsedFile) -> list[str]:
    by_rule = Counter(
        (i.level, i.problem.rule.split(":")[0] if i.level in ("info", "warning") and
         i.problem.rule.startswith(("mapped to", "duplicate row", "several NUTS")) else i.problem.rule)
        for i in parsed.issues
    )  # fmt: skip
    lines = [f"{n} row(s) {level}: {rule}" for (level, rule), n in sorted(by_rule.items())]
    m = parsed.merged
    if m.get("operations", 0) < m.get("rows", 0):
        lines.append(
            f"{m['rows']:,} rows hold {m['operations']:,} distinct operations: "
            f"{m['rows_repeating_an_operation_elsewhere']:,} rows repeat an operation in another "
            f"location (stored once with all locations), {m['duplicate_rows']:,} duplicate rows"
        )
    lines += [f"correction {c['correction_id']}: {c['changes']} in {c['n_rows']:,} row(s) "
              f"({c['reason']})" for c in parsed.corrections]  # fmt: skip
    lines += [f"error: {i.problem}" for i in parsed.issues if i.level == "error"][:20]
    return lines


def load(
    request: Any,
    con: Any,
    *,
    mapping: str | os.PathLike[str] | None = None,
    regions_match: str | os.PathLike[str] | None = None,
    max_error_share: float = 0.5,
) -> tuple[ParsedFile, int]:
    """Parse the request's file with its kind's spec and store it (inside the caller's transaction)."""
    from workbench.quality.corrections import load_corrections

    kind = request.kind.removeprefix("cohesion_")
    mapping_path = Path(mapping) if mapping else DEFAULT_MAPPING
    corrections_path = getattr(request, "corrections", None)
    corrections = load_corrections(corrections_path) if corrections_path else None
    parsed = PARSERS[kind](
        request.path,
        mapping=load_mapping(mapping_path),
        dataset_id=request.dataset_id,
        regions_match=regions_match,
        encoding=getattr(request, "encoding", None) if kind == "el_operations" else None,
        corrections=corrections,
    )
    _refuse_if_mostly_errors(parsed, max_error_share)
    mapping_sha = hashlib.sha256(mapping_path.read_bytes()).hexdigest()
    return parsed, store(con, parsed, sha256=request.sha256, mapping_sha256=mapping_sha)


@dataclass(frozen=True)
class _Request:
    path: Path
    kind: str
    dataset_id: str
    sha256: str
    encoding: str | None = None
    corrections: Path | None = None


def import_cohesion_file(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    db: str | os.PathLike[str] | None = None,
    dataset_id: str | None = None,
    mapping: str | os.PathLike[str] | None = None,
    regions_match: str | os.PathLike[str] | None = None,
    corrections: str | os.PathLike[str] | None = None,
    force: bool = False,
    max_error_share: float = 0.5,
) -> CohesionImportResult:
    """Import one cohesion-policy file in ONE knowledge-base transaction, with own mapping table etc.

    The same :func:`load` as ``workbench import`` (:func:`workbench.importers.import_file`), with the
    options that command does not have.  ``kind`` is sniffed when omitted.  The same file with the same
    mapping table and corrections is skipped unless ``force``.  When more than ``max_error_share`` of
    the rows cannot be parsed the import is refused (:class:`ImportFailed`, nothing written).
    """
    from workbench.kb import writer
    from workbench.quality import check_after_import

    path = Path(path)
    if not path.exists():
        raise ValidationError(f"file {path} does not exist")
    kind = (kind or sniff_kind(path) or "").removeprefix("cohesion_")
    if kind not in PARSERS:
        raise ValidationError(f"{path.name}: not a recognised cohesion-policy file "
                              f"(kinds: {', '.join(PARSERS)}); pass kind=...")  # fmt: skip
    mapping_path = Path(mapping) if mapping else DEFAULT_MAPPING
    mapping_sha = hashlib.sha256(mapping_path.read_bytes()).hexdigest()
    corr_sha = sorted([sha256_file(corrections)]) if corrections else []
    sha = sha256_file(path)
    request = _Request(path, kind, dataset_id or DEFAULT_DATASET_IDS[kind], sha,
                       corrections=Path(corrections) if corrections else None)  # fmt: skip
    with writer(db, purpose=f"import {request.dataset_id}") as con:
        if not force and already_imported(con, request.dataset_id, sha):
            found = con.execute(
                "SELECT notes, rows FROM datasets WHERE dataset_id = ?", [request.dataset_id]
            ).fetchone()
            notes, rows = found if found else (None, 0)
            try:
                recorded = json.loads(notes or "{}")
            except ValueError:
                recorded = {}
            if (recorded.get("mapping_sha256") == mapping_sha
                    and recorded.get("corrections_sha256", []) == corr_sha):  # fmt: skip
                return CohesionImportResult(request.dataset_id, kind, int(rows or 0), sha, True)
        parsed, rows = load(request, con, mapping=mapping_path, regions_match=regions_match,
                            max_error_share=max_error_share)  # fmt: skip
        findings = check_after_import(con, parsed.dataset_id)
    return CohesionImportResult(
        parsed.dataset_id, kind, rows, sha, issues=dict(Counter(i.level for i in parsed.issues)),
        warnings=_summary(parsed) + [f"data check: {f.message}" for f in findings],
    )  # fmt: skip


def _register() -> None:
    from workbench.importers import ImportRequest, ImportResult, register_importer

    def make(kind: str) -> None:
        def load_request(request: ImportRequest, con: Any) -> ImportResult:
            parsed, rows = load(request, con)
            return ImportResult(request.dataset_id, rows, False, f"cohesion_{kind}",
                                request.sha256, warnings=_summary(parsed))  # fmt: skip

        def dataset_id_for(_path: Path) -> str:
            return DEFAULT_DATASET_IDS[kind]

        def sniff(path: Path, head: bytes) -> bool:
            return sniff_kind(path, head) == kind

        register_importer(
            f"cohesion_{kind}",
            dataset_id_for=dataset_id_for,
            sniff=sniff,
            priority=10,
            description=DESCRIPTIONS[kind],
        )(load_request)

    for kind in PARSERS:
        make(kind)


_register()

__all__ = [
    "ACTION_COLUMNS", "LOCATION_COLUMNS", "PARSERS", "REGIONS_MATCH_FILE", "CohesionImportResult",
    "Issue", "ParsedFile", "SourceSpec", "import_cohesion_file", "load", "parse_date",
    "parse_eu_number", "parse_hr_amount", "parse_plain_number", "sniff_kind", "store",
]  # fmt: skip
