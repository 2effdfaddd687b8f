"""environment.yml lists every dependency of pyproject.toml (conda users install with --no-deps)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"duckdb": "python-duckdb"}  # PyPI name -> conda-forge name


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_file_lists_every_pyproject_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    listed: set[str] = set()
    for item in yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))[
        "dependencies"
    ]:
        for requirement in item["pip"] if isinstance(item, dict) else [item]:
            listed.add(_name(requirement))
    missing = [r for r in wanted if CONDA_NAMES.get(_name(r), _name(r)) not in listed]
    assert not missing, f"environment.yml lacks {missing} (listed in pyproject.toml)"
