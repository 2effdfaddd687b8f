"""Run plans: which notebooks run with which parameter sets (YAML files kept beside the notebooks).

A plan file::

    name: demo                       # optional, defaults to the file name
    description: Every parameterised notebook of the project
    runs:
      - notebook: ../s3_profile.ipynb          # relative to the plan file
        parameters: {region: HR03}             # one run
      - notebook: ../s3_profile.ipynb
        expand: nuts2_regions_with_data        # one run per knowledge-base item (see expanders.yml)
        as: region                             # parameter that receives the item (expander default)
        limit: 4                               # optional: first N items only
        parameters: {n_peers: 8}               # fixed values added to every expanded run
      - notebook: ../pilot_evaluation.ipynb
        parameter_sets: [{pilot_id: P1}, {pilot_id: P2}]

(``tests/test_docs_examples.py`` loads this example, so it stays valid.)

Every run's values are validated against the notebook's ``parameters`` cell when the plan is loaded,
so a bad plan stops before any kernel starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.batch.parameters import (
    Parameter,
    notebook_parameters,
    resolved_values,
    validate_values,
)
from workbench.errors import ValidationError

EXPANDERS_FILE = Path(__file__).resolve().parent / "expanders.yml"
ENTRY_KEYS = {"notebook", "name", "parameters", "parameter_sets", "expand", "as", "limit"}
PLAN_KEYS = {"name", "description", "inputs", "runs"}


class PlanError(ValidationError):
    """A run plan is malformed (file, entry and key named in the message)."""


@dataclass(frozen=True)
class PlannedRun:
    """One notebook execution: a notebook and validated parameter values."""

    run_id: str
    notebook: Path
    parameters: dict[str, Any]  # values injected by papermill (validated)
    all_parameters: dict[str, Any]  # the same plus the notebook's defaults (for display)

    def parameters_hash(self) -> str:
        """sha256 of the canonical JSON of the full parameter values."""
        text = json.dumps(self.all_parameters, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Plan:
    """A loaded, expanded and validated plan."""

    name: str
    runs: list[PlannedRun]
    path: Path | None = None
    description: str = ""
    notes: list[str] = field(default_factory=list)
    partial: bool = False  # restricted with --only: does not move the plan's / the global `latest`

    def only(self, pattern: str | None) -> Plan:
        """The plan restricted to runs whose id or notebook name matches ``pattern``.

        ``pattern``: comma-separated parts, each a glob (``pilot_*``, matched against the whole run
        id or notebook name), a regular expression (when it uses ``| ( ) ^ $ + { } \\``), or else
        a plain substring.
        """
        if not pattern:
            return self
        regexes = [_pattern(part.strip()) for part in pattern.split(",") if part.strip()]
        kept = [
            r
            for r in self.runs
            if any(rx.search(r.run_id) or rx.search(r.notebook.stem) for rx in regexes)
        ]
        if not kept:
            raise PlanError(
                f"--only {pattern!r} matches no run of plan {self.name!r}; runs: "
                + ", ".join(r.run_id for r in self.runs[:20])
            )
        partial = self.partial or len(kept) < len(self.runs)
        return Plan(self.name, kept, self.path, self.description, list(self.notes), partial)


_REGEX_CHARS = set("|()^$+{}\\")


def _pattern(part: str) -> re.Pattern[str]:
    if _REGEX_CHARS & set(part):
        try:
            return re.compile(part)
        except re.error as exc:
            raise PlanError(f"--only {part!r} is not a valid regular expression: {exc}") from None
    if any(ch in part for ch in "*?["):
        import fnmatch

        return re.compile("^" + fnmatch.translate(part))
    return re.compile(re.escape(part))


# ----------------------------------------------------------------------------- expanders
@cache
def expanders() -> dict[str, dict[str, Any]]:
    """The expander registry (``expanders.yml``): name -> {parameter, help, tables, sql}."""
    with open(EXPANDERS_FILE, encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def _see_countries() -> list[str]:
    from workbench.config import load_defaults

    groups = load_defaults("evidence").get("country_groups", {})
    if "SEE" not in groups:
        raise PlanError("workbench/defaults/evidence.yml has no country_groups.SEE list")
    return list(groups["SEE"])


def expand(name: str, *, db: str | os.PathLike[str] | None = None) -> list[Any]:
    """The values an expander yields from the knowledge base (one per run)."""
    from workbench.config import db_path
    from workbench.kb import query

    registry = expanders()
    if name not in registry:
        raise PlanError(f"unknown expander {name!r}; known: {', '.join(sorted(registry))}")
    spec = registry[name]
    params: dict[str, Any] = {"see": _see_countries()} if "$see" in spec["sql"] else {}
    tables = query(
        "SELECT table_name FROM information_schema.tables WHERE list_contains(?, table_name)",
        [list(spec.get("tables", []))],
        db=db,
    )
    missing = set(spec.get("tables", [])) - set(tables["table_name"])
    if missing:
        raise PlanError(
            f"expander {name!r} needs table(s) {', '.join(sorted(missing))}, which the knowledge "
            f"base {db_path(db)} does not have (import or generate that data first)"
        )
    frame = query(spec["sql"], params or None, db=db)
    return frame.iloc[:, 0].tolist()


# ----------------------------------------------------------------------------- run ids
def _slug(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return re.sub(r"[^A-Za-z0-9.]+", "_", text).strip("_")[:40] or "empty"


def run_id_for(prefix: str, parameters: dict[str, Any]) -> str:
    """``<prefix>__<name>-<value>...`` from the given (non-default) parameters, file-name safe."""
    if not parameters:
        return prefix
    parts = [f"{_slug(k)}-{_slug(v)}" for k, v in sorted(parameters.items())]
    return (prefix + "__" + "__".join(parts))[:120]


# ----------------------------------------------------------------------------- loading
def _entry_sets(
    entry: dict[str, Any], where: str, params: list[Parameter], db: Any, notes: list[str]
) -> list[dict[str, Any]]:
    fixed = entry.get("parameters") or {}
    if not isinstance(fixed, dict):
        raise PlanError(f"{where}: 'parameters' must be a mapping, got {fixed!r}")
    if "expand" in entry and "parameter_sets" in entry:
        raise PlanError(f"{where}: use either 'expand' or 'parameter_sets', not both")
    if "expand" in entry:
        name = entry["expand"]
        registry = expanders()
        if name not in registry:
            raise PlanError(
                f"{where}: unknown expander {name!r}; known: {', '.join(sorted(registry))}"
            )
        target = entry.get("as", registry[name]["parameter"])
        if target not in {p.name for p in params}:
            raise PlanError(
                f"{where}: expander {name!r} fills parameter {target!r}, which the notebook does not "
                f"declare (declared: {', '.join(p.name for p in params) or 'none'}); set 'as:'"
            )
        try:
            values = expand(name, db=db)
        except PlanError as exc:
            raise PlanError(f"{where}: {exc}") from None
        limit = entry.get("limit")
        if limit is not None:
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise PlanError(f"{where}: 'limit' must be a positive integer, got {limit!r}")
            values = values[:limit]
        if not values:
            notes.append(
                f"{where}: expander {name!r} found nothing in the knowledge base - no runs"
            )
        return [{**fixed, target: v} for v in values]
    if "parameter_sets" in entry:
        sets = entry["parameter_sets"]
        if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
            raise PlanError(f"{where}: 'parameter_sets' must be a list of mappings")
        return [{**fixed, **s} for s in sets]
    return [dict(fixed)]


def build_plan(
    name: str,
    entries: list[Any],
    *,
    base_dir: Path,
    source: str,
    description: str = "",
    db: str | os.PathLike[str] | None = None,
    from_text: bool = False,
) -> Plan:
    """Expand and validate plan entries (already parsed from YAML) into a :class:`Plan`."""
    runs: list[PlannedRun] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{source}, run entry {index}"
        if not isinstance(entry, dict):
            raise PlanError(f"{where}: expected a mapping with 'notebook:', got {entry!r}")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise PlanError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(ENTRY_KEYS))}"
            )
        if not isinstance(entry.get("notebook"), str):
            raise PlanError(f"{where}: 'notebook' (path of the .ipynb) is required")
        notebook = (base_dir / entry["notebook"]).resolve()
        if not notebook.exists():
            raise PlanError(f"{where}: notebook {notebook} does not exist")
        params = notebook_parameters(notebook)
        prefix = _slug(entry.get("name") or notebook.stem)
        for values in _entry_sets(entry, where, params, db, notes):
            checked = validate_values(params, values, str(notebook), from_text=from_text)
            run_id = run_id_for(prefix, checked)
            seen[run_id] = seen.get(run_id, 0) + 1
            if seen[run_id] > 1:
                run_id = f"{run_id}_{seen[run_id]}"
            runs.append(PlannedRun(run_id, notebook, checked, resolved_values(params, checked)))
    return Plan(name=name, runs=runs, description=description, notes=notes)


def read_plan_file(path: Path) -> dict[str, Any]:
    """The parsed YAML mapping of a run plan; a missing, unreadable, non-UTF-8, malformed or
    not mapping-shaped file is a :class:`PlanError` naming the file (and line where known)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"run plan {path} does not exist") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise PlanError(
            f"run plan {path}, line {line}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"offset {exc.start}); save the plan as UTF-8"
        ) from None
    except OSError as exc:
        raise PlanError(f"run plan {path} cannot be read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanError(f"run plan {path}{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        shape = "empty" if data is None else f"a {type(data).__name__}"
        raise PlanError(
            f"run plan {path}: expected a mapping with a 'runs:' list at the top, the file is {shape}"
        )
    return data


def load_plan(path: str | os.PathLike[str], *, db: str | os.PathLike[str] | None = None) -> Plan:
    """Read, expand and validate a YAML run plan."""
    path = Path(path).resolve()
    data = read_plan_file(path)
    if not isinstance(data.get("runs"), list):
        raise PlanError(f"run plan {path}: expected a mapping with a 'runs:' list")
    unknown = set(data) - PLAN_KEYS
    if unknown:
        raise PlanError(f"run plan {path}: unknown key(s) {', '.join(sorted(unknown))}")
    name = _slug(str(data.get("name") or path.stem))
    plan = build_plan(
        name,
        data["runs"],
        base_dir=path.parent,
        source=str(path),
        description=str(data.get("description") or ""),
        db=db,
    )
    plan.path = path
    return plan


def plan_inputs(path: str | os.PathLike[str]) -> list[Path]:
    """Files a plan needs in the knowledge base (``inputs:``), with ``${VAR}`` expanded.

    ``${WORKBENCH_REAL_DATA}`` defaults to :func:`workbench.config.real_data_dir`; relative paths are
    relative to the plan file.  A missing file is a :class:`PlanError`.
    """
    from workbench.config import real_data_dir

    path = Path(path).resolve()
    data = read_plan_file(path)
    entries = data.get("inputs") or []
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise PlanError(f"run plan {path}: 'inputs:' must be a list of file paths")
    env = {"WORKBENCH_REAL_DATA": str(real_data_dir()), **os.environ}
    files = []
    for entry in entries:
        expanded = re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), m.group(0)), entry)
        file = (path.parent / expanded).resolve()
        if not file.exists():
            raise PlanError(f"run plan {path}: input file {file} (from {entry!r}) does not exist")
        files.append(file)
    return files


def import_plan_inputs(
    path: str | os.PathLike[str], *, db: str | os.PathLike[str] | None = None
) -> list[Any]:
    """Import the plan's ``inputs:`` before it is expanded (a file already imported is a no-op)."""
    from workbench.importers import import_file

    return [import_file(file, db=db) for file in plan_inputs(path)]


def single_run_plan(notebook: str | os.PathLike[str], values: dict[str, str]) -> Plan:
    """A one-run plan for ``workbench run NOTEBOOK -p name value ...`` (values given as text)."""
    path = Path(notebook).resolve()
    return build_plan(
        _slug(path.stem),
        [{"notebook": str(path), "parameters": values}],
        base_dir=path.parent,
        source="command line",
        from_text=True,
    )
