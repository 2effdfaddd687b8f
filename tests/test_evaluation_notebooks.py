"""The pilot evaluation and mechanism ranking notebooks run under papermill on a temp demo KB."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from support.notebooks import run_notebook

from workbench.demo.pilots import write_standalone
from workbench.errors import ParameterError
from workbench.evaluation.parameters import validate_pilot_id

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_db(tmp_db: Path) -> Path:
    write_standalone(tmp_db, seed=6)
    return tmp_db


def run(
    notebook: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch, **parameters: object
) -> nbformat.NotebookNode:
    out = run_notebook(
        notebook, out_dir / "executed.ipynb", parameters, report_dir=out_dir, cwd=ROOT
    )
    return nbformat.read(out, as_version=4)


def test_notebooks_are_thin_and_committed_without_outputs() -> None:
    for name in ("pilot_evaluation.ipynb", "mechanism_ranking.ipynb", "dashboards/scoring.ipynb"):
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"], name
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), name


@pytest.mark.slow
def test_pilot_evaluation_notebook_reports_the_guard(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = run("pilot_evaluation.ipynb", tmp_path, monkeypatch, pilot_id="P6")
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "SYNTHETIC DEMO DATA" in text
    assert "not credible" in text and "only 2 treated regions" in text
    record = json.loads((tmp_path / "report.json").read_text())
    assert record["parameters"] == {"pilot_id": "P6"}
    assert [d["dataset_id"] for d in record["datasets"]] == ["demo:pilots"]
    effect = pd.read_csv(tmp_path / "effect.csv")
    assert effect.loc[effect["headline"], "approach"].tolist() == ["before/after vs matched peers"]
    assert not pd.read_csv(tmp_path / "group_time_effects.csv").empty  # P6 starts are staggered


@pytest.mark.slow
def test_mechanism_ranking_notebook(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("mechanism_ranking.ipynb", tmp_path, monkeypatch, weighting="equal")
    ranking = pd.read_csv(tmp_path / "ranking.csv", index_col=0)
    assert sorted(ranking["rank_topsis"]) == list(range(1, 7))
    weights = pd.read_csv(tmp_path / "weights.csv")
    assert weights["weight"].tolist() == pytest.approx([1 / 6] * 6)


def test_bad_pilot_parameter_names_the_known_pilots(demo_db: Path) -> None:
    with pytest.raises(
        ParameterError, match="'P7' is not in the knowledge base; known pilots: P1, P2"
    ):
        validate_pilot_id("P7")
