"""Run plans: YAML entries, parameter sets, knowledge-base expanders, run ids, --only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from batch_kb import REGIONS, build_kb

from workbench.batch.plans import PlanError, expand, load_plan
from workbench.config import load_defaults
from workbench.errors import ParameterError

NOTEBOOKS = Path(__file__).parent / "notebooks"


def write_plan(folder: Path, runs: list, name: str = "p") -> Path:
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump({"name": name, "runs": runs}))
    return path


def test_expander_regions_follow_the_knowledge_base(tmp_db: Path) -> None:
    build_kb(tmp_db)
    see = set(load_defaults("evidence")["country_groups"]["SEE"])
    expected = sorted(r for r in REGIONS if r[:2] in see and len(r) == 4)
    assert expand("nuts2_regions_with_data") == expected
    assert expand("countries") == sorted({r[:2] for r in expected})


def test_plan_with_sets_and_expansion(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)
    nb = str(NOTEBOOKS / "region_charts.ipynb")
    plan = load_plan(
        write_plan(
            tmp_path,
            [
                {
                    "notebook": nb,
                    "expand": "nuts2_regions_with_data",
                    "limit": 2,
                    "parameters": {"n_charts": 2},
                },
                {
                    "notebook": nb,
                    "name": "scaled",
                    "parameter_sets": [{"scale": 2}, {"scale": 3.5}],
                },
                {"notebook": nb},
            ],
        )
    )
    ids = [r.run_id for r in plan.runs]
    assert ids == [
        "region_charts__n_charts-2__region-HR03",
        "region_charts__n_charts-2__region-HR05",
        "scaled__scale-2.0",
        "scaled__scale-3.5",
        "region_charts",
    ]
    assert plan.runs[2].parameters == {"scale": 2.0}
    assert plan.runs[0].all_parameters == {"region": "HR03", "n_charts": 2, "scale": 1.0}
    assert [r.run_id for r in plan.only("scaled*").runs] == [
        "scaled__scale-2.0",
        "scaled__scale-3.5",
    ]
    assert len(plan.only("*region-HR0[35]").runs) == 2
    with pytest.raises(PlanError, match="matches no run"):
        plan.only("region-HR0[35]")  # a glob matches the whole run id
    assert [r.run_id for r in plan.only("HR05, scale-3").runs] == [  # substrings, comma-separated
        "region_charts__n_charts-2__region-HR05",
        "scaled__scale-3.5",
    ]
    assert len(plan.only("^scaled|HR03$").runs) == 3  # a regular expression
    assert len(plan.only("region_charts").runs) == 5  # notebook name (all five runs use it)
    with pytest.raises(PlanError, match="matches no run"):
        plan.only("nothing_like_this")


def test_duplicate_runs_get_distinct_ids(tmp_db: Path, tmp_path: Path) -> None:
    nb = str(NOTEBOOKS / "raises.ipynb")
    plan = load_plan(write_plan(tmp_path, [{"notebook": nb}, {"notebook": nb}]))
    assert [r.run_id for r in plan.runs] == ["raises", "raises_2"]


def test_empty_expansion_is_a_note_not_a_silent_skip(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db)  # migrations create the (empty) pilots table
    nb = str(NOTEBOOKS / "raises.ipynb")
    plan = load_plan(write_plan(tmp_path, [{"notebook": nb, "expand": "pilots", "as": "region"}]))
    assert plan.runs == []
    assert "found nothing" in plan.notes[0]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"notebook": "missing.ipynb"}, "run entry 1: notebook .*missing.ipynb does not exist"),
        ({"notebook": "{nb}", "colour": 1}, "unknown key\\(s\\) colour"),
        ({"notebook": "{nb}", "expand": "galaxies"}, "unknown expander 'galaxies'"),
        (
            {"notebook": "{nb}", "expand": "pilots"},
            "fills parameter 'pilot', which the notebook does not declare",
        ),
        (
            {"notebook": "{nb}", "expand": "countries", "as": "region", "limit": 0},
            "'limit' must be a positive",
        ),
        ({"notebook": "{nb}", "parameter_sets": {"region": "HR03"}}, "must be a list of mappings"),
        (
            {"notebook": "{nb}", "expand": "countries", "as": "region", "parameter_sets": []},
            "not both",
        ),
    ],
)
def test_malformed_entries_name_file_entry_and_key(
    tmp_db: Path, tmp_path: Path, entry: dict, message: str
) -> None:
    build_kb(tmp_db)
    entry = {
        k: (v.format(nb=NOTEBOOKS / "region_charts.ipynb") if isinstance(v, str) else v)
        for k, v in entry.items()
    }
    path = write_plan(tmp_path, [entry])
    with pytest.raises(PlanError, match=message) as err:
        load_plan(path)
    assert str(path) in str(err.value)


def test_expander_on_missing_table_says_so(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_kb(tmp_db)
    from workbench.batch import plans

    registry = dict(plans.expanders())
    registry["workshops"] = {
        "parameter": "region",
        "help": "a table this knowledge base does not have",
        "tables": ["workshop_series"],
        "sql": "SELECT id FROM workshop_series",
    }
    monkeypatch.setattr(plans, "expanders", lambda: registry)
    nb = str(NOTEBOOKS / "raises.ipynb")
    with pytest.raises(
        PlanError, match="needs table\\(s\\) workshop_series, which the knowledge base"
    ):
        load_plan(write_plan(tmp_path, [{"notebook": nb, "expand": "workshops"}]))


def test_bad_values_in_a_plan_stop_at_load(tmp_db: Path, tmp_path: Path) -> None:
    nb = str(NOTEBOOKS / "region_charts.ipynb")
    with pytest.raises(ParameterError, match="n_charts: 'five' \\(str\\) is not a int"):
        load_plan(write_plan(tmp_path, [{"notebook": nb, "parameters": {"n_charts": "five"}}]))
    with pytest.raises(ParameterError, match="no code cell tagged 'parameters'"):
        load_plan(write_plan(tmp_path, [{"notebook": str(NOTEBOOKS / "no_parameters.ipynb")}]))


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("runs:\n  - notebook: a.ipynb\n   parameters: [\n")
    with pytest.raises(PlanError, match="bad.yml, line \\d+: not valid YAML"):
        load_plan(path)


def test_demo_plan_covers_every_parameterised_notebook(tmp_db: Path) -> None:
    import subprocess
    import sys

    from workbench.batch.parameters import PARAMETERS_TAG, read_notebook_json
    from workbench.config import project_root

    subprocess.run(
        [str(Path(sys.executable).parent / "workbench"), "--db", str(tmp_db), "demo"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    notebooks = project_root() / "notebooks"
    plan = load_plan(notebooks / "plans" / "demo.yml")  # expands and validates every run
    assert plan.notes == []  # every expander found items in the demo knowledge base
    parameterised = {
        nb.resolve()
        for nb in notebooks.glob("*.ipynb")
        if any(
            PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])
            for c in read_notebook_json(nb).get("cells", [])
        )
    }
    assert parameterised, "the project has parameterised notebooks"
    assert parameterised <= {r.notebook for r in plan.runs}
