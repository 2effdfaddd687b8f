"""The one row loop every cohesion-policy source runs through, driven by a declarative :class:`SourceSpec`.

A spec says how to read the file's records (:attr:`SourceSpec.read`), which cells are parsed by which
value parser (:attr:`SourceSpec.fields`; a failure is an ``error`` issue and the row is not imported),
how a parsed row becomes a ``policy_actions`` row (:attr:`SourceSpec.build`) and which action columns
identify one operation (:attr:`SourceSpec.operation_key`): rows repeating an operation (the same
operation listed once per county or region, or a plain duplicate row) are merged into one action with
all its locations (:mod:`workbench.importers.cohesion.operations`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ImportFailed, Problem
from workbench.importers.cohesion.values import Bad, clean
from workbench.policy.mapping import DimensionMapping, load_mapping

ACTION_COLUMNS = (
    "action_id", "region", "country", "title", "description", "dimension", "instrument", "programme",
    "fund", "start_date", "end_date", "budget", "currency", "eu_amount", "planned_outputs",
    "achieved_outputs", "output_unit", "planned_results", "achieved_results", "result_unit", "status",
    "source", "dataset_id", "synthetic", "programming_period", "thematic_objective",
    "intervention_field", "priority", "category_of_region", "nuts_version", "beneficiary",
    "grant_amount", "mapping_rule", "source_file", "source_row", "n_locations",
)  # fmt: skip
LOCATION_COLUMNS = (
    "action_id", "dataset_id", "location_code", "location_name", "region", "source_row",
)  # fmt: skip


@dataclass(frozen=True)
class Issue:
    """A reported row: where, what, and whether it was imported (level warning/info) or not (error)."""

    problem: Problem
    level: str  # error | warning | info
    action_id: str | None = None


@dataclass(frozen=True)
class Location:
    """Where an operation takes place: finest code known (NUTS 3 or 2), its name, its NUTS 2 region."""

    code: str | None
    name: str | None
    region: str | None


@dataclass
class RawRow:
    """One record as read: cells by field key, the published column names, and where it is."""

    row: int
    line: int | None
    cells: dict[str, Any]
    columns: dict[str, str]
    sheet: str | None = None
    error: str | None = None  # record-level problem (wrong field count): not imported
    text: str = ""  # the raw record, for record-level errors


@dataclass
class Built:
    """What :attr:`SourceSpec.build` makes of a parsed row."""

    action: dict[str, Any]
    candidates: list[tuple[str, str | None]]
    code_column: str
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)


class RowError(Exception):
    """Raised by a builder: the row breaks a rule across cells and is not imported."""

    def __init__(self, rule: str, column: str | None = None, value: Any = None) -> None:
        super().__init__(rule)
        self.rule, self.column, self.value = rule, column, value


Reader = Callable[[Path, dict[str, Any]], Iterator[RawRow]]
Builder = Callable[[RawRow, dict[str, Any], dict[str, Any]], Built]


@dataclass(frozen=True)
class SourceSpec:
    """Everything that differs between the cohesion-policy file kinds, as data and small functions."""

    kind: str
    dataset_id: str
    title: str
    source: str
    description: str
    read: Reader
    fields: tuple[tuple[str, Callable[[Any], Any]], ...]
    build: Builder
    prepare: Callable[[Path, dict[str, Any]], dict[str, Any]] = lambda _p, options: dict(options)
    operation_key: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    """Result of parsing one file, before it is stored."""

    kind: str
    dataset_id: str
    title: str
    source: str
    file_name: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    extra_files: dict[str, str] = field(default_factory=dict)  # name -> sha256 (e.g. regions match)
    locations: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0  # data rows imported before repeated operations were merged
    merged: dict[str, int] = field(default_factory=dict)  # repeated_rows, exact_duplicates, ...
    corrections: list[dict[str, Any]] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """The actions as a DataFrame with every ``policy_actions`` column."""
        df = pd.DataFrame(self.actions, columns=list(ACTION_COLUMNS))
        for col in ("start_date", "end_date"):
            df[col] = pd.to_datetime(df[col]).dt.date
        return df.astype({"n_locations": "Int64", "source_row": "Int64"})

    def location_frame(self) -> pd.DataFrame:
        """The operations' locations (``operation_locations`` rows)."""
        return pd.DataFrame(self.locations, columns=list(LOCATION_COLUMNS)).astype(
            {"source_row": "Int64"}
        )


class Collector:
    """Builds actions and issues for one file."""

    def __init__(self, parsed: ParsedFile, mapping: DimensionMapping) -> None:
        self.parsed = parsed
        self.mapping = mapping

    def issue(self, level: str, rule: str, raw: RawRow, *, column: str | None = None,
              value: Any = None, action_id: str | None = None) -> None:  # fmt: skip
        """Record an issue of ``level`` at the row ``raw``."""
        self.parsed.issues.append(
            Issue(
                Problem(
                    self.parsed.file_name,
                    rule,
                    line=raw.line,
                    column=column,
                    value=None if value is None else str(value),
                    sheet=raw.sheet,
                    row=raw.row,
                ),
                level,
                action_id,
            )
        )

    def add(self, raw: RawRow, built: Built) -> None:
        """Map the action's codes to a dimension, store it and report unmapped/unimported codes."""
        mapped = self.mapping.lookup(built.candidates)
        action = built.action
        action.update(
            dimension=mapped.dimension,
            mapping_rule=mapped.rule,
            dataset_id=self.parsed.dataset_id,
            synthetic=False,
            source_file=self.parsed.file_name,
            source_row=raw.row,
            _locations=built.locations,
        )
        self.parsed.actions.append(action)
        aid = action["action_id"]
        codes = ", ".join(f"{s}:{c}" for s, c in built.candidates if c)
        if mapped.outcome == "unmapped":
            self.issue("warning", f"code not in the dimension mapping table "
                       f"({Path(self.mapping.path).name}); imported without dimension", raw,
                       column=built.code_column, value=codes or "(empty)", action_id=aid)  # fmt: skip
        elif mapped.outcome == "no_dimension":
            self.issue("info", f"mapped to no dimension by {mapped.rule}: {mapped.rationale}", raw,
                       column=built.code_column, value=codes, action_id=aid)  # fmt: skip
        for column, value, rule in built.warnings:
            self.issue("warning", rule, raw, column=column, value=value, action_id=aid)


def parse_source(
    spec: SourceSpec,
    path: str | os.PathLike[str],
    *,
    mapping: DimensionMapping | None = None,
    dataset_id: str | None = None,
    **options: Any,
) -> ParsedFile:
    """Run ``spec`` over the file: the one row loop (read, parse fields, build, map, merge repeats)."""
    from workbench.importers.cohesion.operations import merge_repeated_operations

    path = Path(path)
    mapping = mapping or load_mapping()
    corrections = options.pop("corrections", None)
    context = spec.prepare(path, {k: v for k, v in options.items() if v is not None})
    parsed = ParsedFile(
        spec.kind,
        dataset_id or spec.dataset_id,
        spec.title,
        spec.source,
        path.name,
        extra_files=dict(context.pop("_extra_files", {})),
    )
    context["dataset_id"] = parsed.dataset_id
    collector = Collector(parsed, mapping)
    for raw in spec.read(path, context):
        if raw.error:
            collector.issue("error", raw.error, raw, value=raw.text[:200])
            continue
        values: dict[str, Any] = {}
        bad = False
        for key, parser in spec.fields:
            try:
                values[key] = parser(raw.cells[key])
            except Bad as exc:
                collector.issue("error", str(exc), raw, column=raw.columns[key],
                                value=raw.cells[key])  # fmt: skip
                bad = True
        if bad:
            continue
        try:
            built = spec.build(raw, values, context)
        except RowError as exc:
            collector.issue("error", exc.rule, raw, column=exc.column, value=exc.value)
            continue
        collector.add(raw, built)
    parsed.rows_read = len(parsed.actions)
    if corrections is not None:  # a user's correction file (workbench.quality.corrections)
        parsed.corrections = corrections.apply(parsed.actions, parsed.dataset_id, parsed.file_name)
    merge_repeated_operations(parsed, spec.operation_key)
    return parsed


def header_check(path: Path, header: Sequence[str], expected: Sequence[str], line: int = 1) -> None:
    """Refuse a file whose header lacks expected columns (case and whitespace ignored)."""
    norm = [clean(h).lower() for h in header]
    missing = [e for e in expected if e.lower() not in norm]
    if missing:
        raise ImportFailed(
            [
                Problem(
                    path.name,
                    f"missing column(s) {', '.join(missing)}",
                    line=line,
                    value=",".join(header)[:200],
                )
            ]
        )
