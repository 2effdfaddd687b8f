"""The rules of docs/architecture.md, checked: the import contracts (import-linter, `.importlinter`)
and the light participant kernel (the foresight participant dashboard loads no pandas/duckdb)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "duckdb", "numpy", "scipy", "statsmodels", "plotly")


def test_import_contracts_are_kept() -> None:
    """`lint-imports` reads `.importlinter` at the repository root and checks every contract."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "BROKEN" not in proc.stdout
    assert "Contracts: " in proc.stdout and " broken" in proc.stdout  # the summary line was printed


def _notebook_imports(path: Path) -> list[str]:
    """The import statements of a notebook's code cells, as source lines."""
    nb = nbformat.read(path, as_version=4)
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                lines.append(ast.unparse(node))
    return lines


def test_participant_kernel_loads_no_pandas_or_duckdb(tmp_path: Path) -> None:
    """What the participant notebook imports and builds keeps the heavy libraries out of its kernel.

    Participants' kernels are preheated in a pool and must start fast and small
    (docs/architecture.md, "participant-kernel modules stay light").
    """
    notebook = ROOT / "notebooks" / "dashboards" / "foresight_participant.ipynb"
    imports = _notebook_imports(notebook)
    assert any("ForesightParticipant" in line for line in imports), imports
    code = "\n".join(
        [
            "import json, sys",
            *imports,
            "ForesightParticipant('').container",  # no exercise published: the waiting page
            "ForesightParticipant('no-such-exercise').container",
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
        ]
    )
    env = os.environ | {"WORKBENCH_DB": str(tmp_path / "kb.duckdb")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded == [], f"the participant kernel imported {loaded}"


def test_the_light_check_detects_a_heavy_import(tmp_path: Path) -> None:
    """The check above can fail: importing a module that loads pandas is reported."""
    code = f"import json, sys\nimport workbench.evidence.reports\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pandas" in json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_missing_command_group_or_demo_generator_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Listed modules are imported, never skipped: a missing one fails loudly (issue 11)."""
    import importlib

    import typer

    from workbench import cli, demo

    monkeypatch.setattr(cli, "COMMAND_MODULES", [*cli.COMMAND_MODULES, "no_such_group"])
    monkeypatch.setattr(cli, "app", typer.Typer())
    with pytest.raises(ModuleNotFoundError, match="no_such_group"):
        cli._register_all()
    assert demo.available_generators() == (list(demo.GENERATORS), [])
    monkeypatch.setattr(demo, "GENERATORS", [*demo.GENERATORS, "no_such_domain"])
    with pytest.raises(ImportError, match="no_such_domain"):
        demo.available_generators()
    assert importlib.import_module("workbench.cli").app is not None


def test_report_notebooks_declare_the_workbench_kernel() -> None:
    """Report notebooks run in a system-wide Jupyter too: kernel `workbench`, no stored outputs."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "workbench", path.name
        outputs = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
        assert not outputs, f"{path.name} has stored outputs"
