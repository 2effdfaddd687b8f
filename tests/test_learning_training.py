"""The S3 training package (issue 18, item 1): quizzes, the RIS3 wheel, lesson exercises, the site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.errors import ValidationError
from workbench.learning import exercises, wheel
from workbench.learning.figures import wheel_radar
from workbench.learning.lessons import lessons, run_lesson, training_dir
from workbench.learning.quiz import export_results, load_bank, load_banks, score_file
from workbench.policy.data import load_barriers

ROOT = Path(__file__).resolve().parents[1]

BANK = """
bank: fixture
title: Fixture bank
pass_mark: 0.5
questions:
  - id: one
    kind: single
    text: Pick b
    options: {a: A, b: B, c: C}
    answer: b
  - id: many
    kind: multiple
    text: Pick a and c
    options: {a: A, b: B, c: C, d: D}
    answer: [a, c]
    points: 2
  - id: tf
    kind: true_false
    text: True?
    answer: true
  - id: num
    kind: number
    text: About 1.5
    answer: 1.5
    tolerance: 0.1
"""

ANSWERS = """learner,question,answer
ana,one,b
ana,many,"a,c"
ana,tf,yes
ana,num,"1,55"
ben,one,a
ben,many,a;b;c;d
ben,tf,false
ben,num,1.7
cleo,one,b
cleo,many,a;b
"""


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "fixture.yml"
    path.write_text(BANK, encoding="utf-8")
    return path


def test_fixture_quiz_scores_as_expected_and_exports(bank: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    qb = load_bank(bank)
    results = {r.learner: r for r in score_file(qb, answers)}
    # rules of the format: ana all right (1 + 2 + 1 + 1); ben ticks every box (2 right - 2 wrong
    # = 0) and misses the rest; cleo: single right, multiple 2 * (1 - 1) / 2 = 0, two unanswered
    assert results["ana"].score == 5 and results["ana"].passed
    assert results["ben"].score == 0 and not results["ben"].passed
    assert results["cleo"].score == 1 and not results["cleo"].passed  # 1 / 5 < 0.5
    paths = export_results(list(results.values()), tmp_path / "out")
    table = pd.read_csv(paths["csv"])
    assert len(table) == 3 * len(qb.questions)
    per_learner = table.groupby("learner")["points"].sum().to_dict()
    assert per_learner == {"ana": 5, "ben": 0, "cleo": 1}
    payload = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [p["learner"] for p in payload] == ["ana", "ben", "cleo"]
    assert payload[0]["passed"] is True and payload[0]["max_score"] == 5
    assert {a["question"] for a in payload[2]["answers"]} == {"one", "many", "tf", "num"}
    assert "Pick a and c" in results["cleo"].feedback_markdown()


def test_quiz_cli_scores_and_exports(bank: Path, tmp_path: Path) -> None:
    from workbench.cli import app

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"dora": {"one": "b", "tf": True}}), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["training", "quiz", str(bank), str(answers), "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert "dora: 2 of 5 (40 %), not passed" in result.output
    assert (tmp_path / "r" / "results.json").exists()


def test_bad_bank_and_answers_name_the_place(tmp_path: Path, bank: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BANK.replace("answer: b", "answer: z"), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken.yml: question 1 \(id 'one'\).*'z'"):
        load_bank(broken)
    answers = tmp_path / "a.csv"
    answers.write_text("learner,question,answer\nana,one,b\n,one,c\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"a.csv, line 3, column 'learner'"):
        score_file(load_bank(bank), answers)
    answers.write_text("learner,question,answer\nana,seven,b\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"'ana' answered question\(s\) \['seven'\]"):
        score_file(load_bank(bank), answers)


def test_every_lesson_has_goals_parameters_a_quiz_and_an_exercise() -> None:
    banks = load_banks(training_dir() / "quizzes")
    found = lessons()
    assert len(found) == 7
    assert set(exercises.EXERCISES) == {ls.id for ls in found}
    for item in found:
        nb = nbformat.read(item.path, as_version=4)
        assert nb.metadata.kernelspec.name == "workbench"
        assert "Learning goals" in nb.cells[0].source
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and "region: str" in params[0].source
        assert item.quiz in banks and banks[item.quiz].lesson == item.id
        assert f"exercises.{exercises.EXERCISES[item.id].__name__}(region)" in nb.cells[-1].source
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------------------ RIS3 wheel
def _random_scores(names: list[str], seed: int = 3) -> pd.DataFrame:
    spec = wheel.wheel_spec()
    rng = np.random.default_rng(seed)
    return pd.concat(
        [
            spec[["step", "factor"]].assign(assessment=n, score=rng.integers(0, 6, len(spec)))
            for n in names
        ],
        ignore_index=True,
    )


def test_wheel_step_means_and_comparison_against_numpy() -> None:
    scores = _random_scores(["SI03", "HR03"])
    means = wheel.step_means(scores)
    assert len(means) == 12 and means["step"].nunique() == 6
    spec = wheel.wheel_spec()
    for name in ("SI03", "HR03"):
        own = scores[scores["assessment"] == name]
        vec = own.set_index(["step", "factor"]).loc[
            list(spec[["step", "factor"]].itertuples(index=False, name=None)), "score"
        ]
        direct = vec.to_numpy().reshape(6, 3).mean(axis=1)
        assert means[means["assessment"] == name]["mean"].to_numpy() == pytest.approx(direct)
    table, sentences = wheel.compare(scores, "SI03", "HR03")
    assert table["difference"].to_numpy() == pytest.approx(
        table["HR03"].to_numpy() - table["SI03"].to_numpy()
    )
    overall = scores.groupby("assessment")["score"].mean()
    assert f"{overall['HR03']:.1f} of 5" in sentences[0]
    big = table[table["difference"].abs() >= 1.0]
    for rec in big.itertuples():
        assert any(rec.step_name in s for s in sentences)
    fig = wheel_radar(means)
    assert len(fig.data) == 2 and fig.data[0].r[0] == fig.data[0].r[-1]  # closed polygon


def test_wheel_refuses_bad_scores_naming_row_and_value() -> None:
    scores = _random_scores(["HR03"])
    bad = scores.copy()
    bad.loc[4, "score"] = 6
    with pytest.raises(
        ValidationError, match=r"row 6, column 'score': 6 is not a whole number 0-5"
    ):
        wheel.check_scores(bad)
    with pytest.raises(ValidationError, match="lacks 1 factor"):
        wheel.check_scores(scores.drop(index=0))
    with pytest.raises(ValidationError, match="not 'HR03' with itself"):
        wheel.compare(scores, "HR03", "HR03")


def test_wheel_cli_exports_and_draws(tmp_path: Path) -> None:
    from workbench.cli import app

    out = tmp_path / "wheel"
    demo = training_dir() / "data" / "ris3_wheel_demo.csv"
    result = CliRunner().invoke(
        app,
        ["training", "wheel", str(demo), "--compare", "HR03 2024", "HR03 2026", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "ris3_wheel.json").read_text(encoding="utf-8"))
    raw = pd.read_csv(demo)
    for name in ("HR03 2024", "HR03 2026", "SI03 2026"):
        assert payload[name]["overall"] == pytest.approx(
            raw[raw["assessment"] == name]["score"].mean(), abs=1e-4
        )
        assert len(payload[name]["factors"]) == 18
    comparison = pd.read_csv(out / "ris3_wheel_comparison.csv")
    assert len(comparison) == 6
    html = (out / "ris3_wheel.html").read_text(encoding="utf-8")
    assert "scatterpolar" in html and "HR03 2026" in html
    form = tmp_path / "form.csv"
    result = CliRunner().invoke(app, ["training", "wheel-form", "SI03 2026", "--out", str(form)])
    assert result.exit_code == 0 and len(pd.read_csv(form)) == 18


# ------------------------------------------------------------------------------ exercises
# lessons 2 and 7 recompute the S3 profile of lesson 1: in the slow set (the site test runs them too)
@pytest.mark.parametrize(
    "lesson_id",
    [
        pytest.param(k, marks=pytest.mark.slow) if k[:2] in ("02", "07") else k
        for k in sorted(exercises.EXERCISES)
    ],
)
def test_exercise_writes_a_worksheet_for_the_given_region(
    lesson_id: str, demo_kb: Path, tmp_path: Path
) -> None:
    sheet = exercises.EXERCISES[lesson_id]("si03", db=str(demo_kb))
    path = sheet.save(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.name == f"{lesson_id}_si03.md"
    assert "(SI03)" in text and "## Your answers" in text
    assert "NaN" not in text and "| nan" not in text.lower() and "<NA>" not in text
    csvs = sorted(tmp_path.glob(f"{lesson_id}_si03__*.csv"))
    assert len(csvs) == len(sheet.tables)
    assert all(pd.read_csv(c)["synthetic_data"].all() for c in csvs if len(pd.read_csv(c)))


def test_barrier_exercise_counts_match_the_knowledge_base(demo_kb: Path) -> None:
    sheet = exercises.past_actions_barriers("SI03", db=str(demo_kb))
    bars = load_barriers(["SI03"], db=str(demo_kb))
    cells = sheet.tables["Barrier matrix cells with entries"]
    assert cells["n_barriers"].sum() == bars["dimensions"].map(len).sum()
    assert f"{len(bars)} barrier(s)" in sheet.findings[0]


def test_exercise_refuses_a_region_that_is_not_nuts2(demo_kb: Path) -> None:
    with pytest.raises(ValidationError, match="'Slovenia' is not a NUTS 2 code"):
        exercises.regional_context("Slovenia", db=str(demo_kb))


@pytest.mark.slow
def test_lesson_runs_with_papermill_for_a_region_given_as_parameter(
    demo_kb: Path, tmp_path: Path
) -> None:
    done = run_lesson("04", "RO11", tmp_path, db=str(demo_kb))
    nb = nbformat.read(done["notebook"], as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert "(RO11)" in done["worksheet"].read_text(encoding="utf-8")


def _offline(cmd: list[str]) -> list[str]:
    """``cmd`` in a network namespace with only the loopback (kernels talk over 127.0.0.1)."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return [unshare, "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *cmd]
    if os.environ.get("CI") == "true":
        pytest.fail("unshare -rn is not available: cannot prove the site builds offline")
    pytest.skip("unshare -rn is not available here")


@pytest.mark.slow
def test_training_site_builds_offline_with_every_lesson_executed(
    demo_kb: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    env = os.environ | {"WORKBENCH_DB": str(demo_kb)}
    cmd = [sys.executable, "-m", "workbench", "training", "site", "--out", str(out)]
    proc = subprocess.run(
        _offline(cmd), capture_output=True, text=True, env=env, cwd=ROOT, timeout=1200
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = out / "html"
    assert (html / "index.html").exists()
    for item in lessons():
        page = (html / "lessons" / f"{item.id}.html").read_text(encoding="utf-8")
        assert "Learning goals" in page and "Worksheet:" in page and "(HR03)" in page
        assert "Traceback" not in page and ">NaN<" not in page
        assert 'src="http' not in page  # every script is local: charts draw offline
    assert "Plotly.newPlot" in (html / "lessons" / "01_regional_context.html").read_text()
    assert (html / "_static" / "plotly.min.js").exists()
