"""CONTRIBUTING.md's recipe for a new report works: follow it on a temporary copy of the repository.

The recipe's blocks are applied in order, as a newcomer would: ``<!-- file: PATH -->`` writes a file,
``<!-- append: PATH -->`` appends to one, ``<!-- extend: PATH -->`` appends its second line to the
one line of that file that starts with its first line, ``<!-- python -->`` runs in the copy's root.  Then the example's own tests
(functions against an independent computation, the notebook through a real ``workbench run`` plan,
the dashboard), the settings check and the import contracts run in the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "CONTRIBUTING.md"
STEP = re.compile(
    r"<!-- (?P<kind>file|append|extend|python)(?::\s*(?P<path>\S+))? -->\s*\n"
    r"```[a-z]*\n(?P<body>.*?)```",
    re.S,
)
COPY = [
    "workbench",
    "notebooks",
    "tests/conftest.py",
    "tests/support",
    "pyproject.toml",
    ".importlinter",
]


def recipe_steps(text: str) -> list[tuple[str, str | None, str]]:
    """The recipe's steps in document order: (kind, path, body)."""
    return [(m["kind"], m["path"], m["body"]) for m in STEP.finditer(text)]


def apply_recipe(root: Path, text: str) -> list[str]:
    """Apply every step to the repository copy at ``root``; returns the paths written."""
    written = []
    for kind, path, body in recipe_steps(text):
        if kind == "python":
            subprocess.run([sys.executable, "-c", body], cwd=root, check=True, timeout=120)
            continue
        assert path is not None
        target = root / path
        if kind == "file":
            assert not target.exists(), f"the recipe would overwrite {path}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        elif kind == "append":
            with target.open("a", encoding="utf-8") as fh:
                fh.write(body)
        else:  # extend: the line starting with the first line gets the second appended
            start, addition = body.rstrip("\n").split("\n")
            lines = target.read_text(encoding="utf-8").split("\n")
            hits = [i for i, line in enumerate(lines) if line.startswith(start)]
            assert len(hits) == 1, f"{path}: {start!r} starts {len(hits)} lines, not one"
            lines[hits[0]] += addition
            target.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recipe") / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for item in COPY:
        src, dst = ROOT / item, root / item
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return root


def _run(cmd: list[str], root: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(root), "WORKBENCH_REPORTS": str(root / "reports")}
    env.pop("WORKBENCH_DB", None)
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def test_recipe_has_every_part() -> None:
    paths = {path for _kind, path, _body in recipe_steps(RECIPE.read_text(encoding="utf-8"))}
    for part in (
        "workbench/defaults/growth.yml",  # thresholds as data
        "workbench/settings.py",  # their model
        "workbench/growth/parameters.py",
        "workbench/growth/data.py",
        "workbench/growth/reports.py",
        "workbench/growth/figures.py",
        ".importlinter",
        "notebooks/plans/growth.yml",
        "workbench/dashboards/sector_growth.py",
        "tests/test_growth.py",
    ):
        assert part in paths, part


@pytest.mark.slow
def test_following_the_recipe_gives_a_working_report(repo_copy: Path) -> None:
    written = apply_recipe(repo_copy, RECIPE.read_text(encoding="utf-8"))
    assert "tests/test_growth.py" in written
    assert (repo_copy / "notebooks" / "sector_growth.ipynb").exists()
    assert (repo_copy / "notebooks" / "dashboards" / "sector_growth.ipynb").exists()

    tests = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_growth.py", str(ROOT / "tests" / "test_settings.py")],
        repo_copy,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout and "skipped" not in tests.stdout

    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    contracts = _run([exe, "--no-cache"], repo_copy, timeout=300)
    # the copy inherits the contracts' state of the repository; the new package must add no break
    assert "workbench.growth" not in contracts.stdout.split("Broken contracts")[-1], (
        contracts.stdout
    )
