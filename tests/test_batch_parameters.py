"""Notebook parameters: parsed from the `parameters` cell, checked before any kernel starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.batch.parameters import (
    notebook_parameters,
    parse_parameters_source,
    validate_values,
)
from workbench.batch.plans import single_run_plan
from workbench.errors import ParameterError

NOTEBOOKS = Path(__file__).parent / "notebooks"

CELL = """\
region: str = "HR03"  # NUTS 2 code
top_n: int = 10  # how many sectors
weight: float = 0.5  # share of the index
show_all: bool = False  # list every sector
sectors: list[str] = ["C10", "C25"]  # NACE codes
cap: float | None = None  # optional cap
pilot: str  # pilot id (required)
"""


def test_parse_types_defaults_help_and_required() -> None:
    params = {p.name: p for p in parse_parameters_source(CELL, "nb.ipynb")}
    assert list(params) == ["region", "top_n", "weight", "show_all", "sectors", "cap", "pilot"]
    assert params["region"].default == "HR03" and params["region"].help == "NUTS 2 code"
    assert str(params["sectors"].type) == "list[str]"
    assert str(params["cap"].type) == "float | None"
    assert params["pilot"].required and not params["top_n"].required
    assert params["top_n"].line == 2


def test_values_are_checked_by_type() -> None:
    params = parse_parameters_source(CELL)
    ok = validate_values(params, {"pilot": "P1", "weight": 2, "cap": 3, "sectors": ["J62"]})
    assert ok == {"pilot": "P1", "weight": 2.0, "cap": 3.0, "sectors": ["J62"]}
    assert isinstance(ok["weight"], float)
    with pytest.raises(ParameterError) as err:
        validate_values(
            params, {"pilot": "P1", "top_n": "10", "show_all": 1, "sectors": ["C10", 5]}
        )
    text = str(err.value)
    assert "top_n: '10' (str) is not a int" in text
    assert "show_all: 1 (int) is not a bool" in text
    assert "sectors: ['C10', 5]" in text
    # the message lists the notebook's parameters
    assert "region: str = 'HR03'  # NUTS 2 code" in text
    assert "pilot: str (required)  # pilot id (required)" in text


def test_unknown_and_missing_parameters() -> None:
    params = parse_parameters_source(CELL)
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'regio'.*missing required parameter 'pilot'"
    ):
        validate_values(params, {"regio": "HR03"})


def test_text_values_from_the_command_line() -> None:
    params = parse_parameters_source(CELL)
    got = validate_values(
        params,
        {"pilot": "P1", "top_n": "7", "show_all": "yes", "sectors": "C10, J62", "cap": "none"},
        from_text=True,
    )
    assert got == {
        "pilot": "P1",
        "top_n": 7,
        "show_all": True,
        "sectors": ["C10", "J62"],
        "cap": None,
    }
    with pytest.raises(ParameterError, match="top_n: 'seven' is not a int"):
        validate_values(params, {"pilot": "P1", "top_n": "seven"}, from_text=True)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("region = 'HR03'\n", "line 1: \"region = 'HR03'\" is not of the form"),
        ("n: int = 'ten'  # count\n", "line 1: default 'ten' of 'n' is not a int"),
        ("x: set[int] = {1}\n", "unsupported parameter type 'set\\[int\\]'"),
        ("a: int = 1\na: int = 2\n", "line 2: parameter 'a' is declared twice"),
        ("d: str = os.getcwd()\n", "default of 'd' must be a literal"),
        ("a: int = (\n", "not valid Python"),
    ],
)
def test_bad_parameter_cells_are_errors(source: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_parameters_source(source, "nb.ipynb")


def test_notebook_without_parameters_cell_is_an_error() -> None:
    with pytest.raises(ParameterError, match="no code cell tagged 'parameters'"):
        notebook_parameters(NOTEBOOKS / "no_parameters.ipynb")


def test_test_notebooks_declare_their_parameters() -> None:
    names = [p.name for p in notebook_parameters(NOTEBOOKS / "region_charts.ipynb")]
    assert names == ["region", "n_charts", "scale"]


def test_single_run_plan_checks_values_before_running() -> None:
    plan = single_run_plan(NOTEBOOKS / "region_charts.ipynb", {"region": "SI03", "scale": "2.5"})
    (run,) = plan.runs
    assert run.parameters == {"region": "SI03", "scale": 2.5}
    assert run.all_parameters == {"region": "SI03", "n_charts": 5, "scale": 2.5}
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        single_run_plan(NOTEBOOKS / "region_charts.ipynb", {"colour": "red"})


def test_cli_refuses_bad_parameters_without_starting_a_kernel(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "workbench"),
            "run",
            str(NOTEBOOKS / "region_charts.ipynb"),
            "-p",
            "n_charts",
            "many",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "n_charts: 'many' is not a int" in proc.stderr
    assert "scale: float = 1.0  # multiplier applied to the values" in proc.stderr
    assert not out.exists()  # nothing ran, nothing written


def test_notebook_json_is_read_without_executing(tmp_path: Path) -> None:
    nb = json.loads((NOTEBOOKS / "region_charts.ipynb").read_text())
    nb["cells"][1]["source"] = "import os\nos.remove('/nonexistent')\n"
    path = tmp_path / "evil.ipynb"
    path.write_text(json.dumps(nb))
    with pytest.raises(ParameterError, match="is not of the form"):
        notebook_parameters(path)
