"""Examples in docstrings and docs are real: they load and validate."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from workbench.batch import plans

ROOT = Path(__file__).resolve().parents[1]


def test_plan_example_in_the_plans_docstring_validates(demo_kb: Path, tmp_path: Path) -> None:
    doc = plans.__doc__ or ""
    block = re.search(r"A plan file::\n\n(.*?)\n\n", doc, re.S)
    assert block, "the plans docstring lost its example"
    example = "\n".join(line[4:] for line in block.group(1).splitlines())
    assert yaml.safe_load(example)["runs"]
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns("plans"))
    (notebooks / "plans").mkdir()
    path = notebooks / "plans" / "example.yml"
    path.write_text(example, encoding="utf-8")
    plan = plans.load_plan(path, db=demo_kb)
    ids = [run.run_id for run in plan.runs]
    assert len(ids) == 1 + 4 + 2, ids  # one run, four expanded regions, two pilots
    expanded = [run for run in plan.runs if run.parameters.get("n_peers") == 8]
    assert len(expanded) == 4 and all(len(r.parameters["region"]) == 4 for r in expanded)
    assert {r.parameters.get("pilot_id") for r in plan.runs} >= {"P1", "P2"}
