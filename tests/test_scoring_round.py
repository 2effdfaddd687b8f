"""Scoring rounds set up from a template (issue 16 item 1): template round trip, bad cells named by
sheet/row/column/value, nothing written on failure, the scoring dashboard and the ranking use the
round's mechanisms, criteria, weights and benefit/cost directions (checked against an independent
computation), and the default (demo) scoring is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import ipywidgets as W
import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from support.setup_imports import edit_xlsx_cell, kb_tables_digest

from workbench import capture
from workbench.errors import ImportFailed, ValidationError
from workbench.evaluation.capture_kinds import KIND
from workbench.importers.foresight_setup import EXAMPLE, write_setup_template
from workbench.importers.scoring_setup import new_round, validate_round

ROUND = EXAMPLE["scoring_round"]


def _example(tmp_path: Path, suffix: str = "xlsx") -> Path:
    return write_setup_template("scoring_round", tmp_path / f"round.{suffix}", example=True)


def _kb_digest(db: Path) -> str:
    """Every row of every table a round writes (to prove that a refused file changed nothing)."""
    return kb_tables_digest(db, "scoring", ["datasets", "mechanisms", "criteria_scores"])


# -- template ---------------------------------------------------------------------------------------
def test_template_documents_every_column(tmp_path: Path) -> None:
    from workbench.importers.foresight_setup import load_spec

    spec = load_spec("scoring_round")
    path = write_setup_template("scoring_round", tmp_path / "empty.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["README", *spec.sheets, "columns"]
    for sheet in spec.sheets.values():
        header = wb[sheet.name][1]
        assert [c.value for c in header] == sheet.names
        assert all(c.comment is not None and c.comment.text.strip() for c in header)
    documented = {(r[0], r[1]) for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    assert documented == {(s.name, c) for s in spec.sheets.values() for c in s.names}
    assert any("workbench scoring new empty.xlsx" in str(r[0]) for r in wb["README"].values)
    text = write_setup_template("scoring_round", tmp_path / "empty.yml").read_text()
    assert "direction (text): benefit (higher is better) or cost" in text
    assert yaml.safe_load(text) == {s: [] for s in spec.sheets}


@pytest.mark.parametrize("suffix", ["xlsx", "yml"])
def test_round_trip_of_the_example(tmp_path: Path, tmp_db: Path, suffix: str) -> None:
    from workbench.evaluation.rounds import load_round

    plan, counts = new_round(_example(tmp_path, suffix), db=tmp_db)
    assert plan.round_id == ROUND["round"][0]["round_id"]
    assert counts["scoring_round_mechanisms"] == len(ROUND["mechanisms"])
    rnd = load_round(plan.round_id, tmp_db)
    assert rnd.title == ROUND["round"][0]["title"]
    assert rnd.mechanisms == {m["mechanism_id"]: m["name"] for m in ROUND["mechanisms"]}
    assert rnd.codes == [c["criterion"] for c in ROUND["criteria"]]
    total = sum(c["weight"] for c in ROUND["criteria"])
    assert rnd.weights == pytest.approx(
        {c["criterion"]: c["weight"] / total for c in ROUND["criteria"]}
    )
    assert rnd.impacts == {c["criterion"]: c.get("direction", "benefit") for c in ROUND["criteria"]}
    assert rnd.evaluators == sorted(e["evaluator"] for e in ROUND["evaluators"])
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        catalogue = dict(con.execute("SELECT mechanism_id, name FROM mechanisms").fetchall())
        opens = con.execute("SELECT opens_on FROM scoring_rounds").fetchone()[0]
    finally:
        con.close()
    assert catalogue == rnd.mechanisms  # new ids are added to the catalogue
    assert opens.isoformat() == ROUND["round"][0]["opens_on"]
    # the same id again: refused, unless --replace while nobody scored
    row = 2 if suffix == "xlsx" else 1  # YAML: the entry's number
    with pytest.raises(ValidationError, match=f"sheet 'round', row {row}, column 'round_id'"):
        new_round(_example(tmp_path, suffix), db=tmp_db)
    new_round(_example(tmp_path, suffix), db=tmp_db, replace=True)


# -- bad cells ----------------------------------------------------------------------------------------
BAD_CELLS = [
    ("criteria", "C2", -2, "sheet 'criteria', row 2, column 'weight', value '-2'"),
    ("criteria", "D3", "more", "sheet 'criteria', row 3, column 'direction', value 'more'"),
    ("criteria", "E4", "0-10", "sheet 'criteria', row 4, column 'scale', value '0-10'"),
    (
        "criteria",
        "A3",
        "Relevance!",
        "sheet 'criteria', row 3, column 'criterion', value 'Relevance!'",
    ),
    (
        "criteria",
        "A4",
        "effectiveness",
        "row 4, column 'criterion', value 'effectiveness': duplicate",
    ),
    ("mechanisms", "B3", None, "sheet 'mechanisms', row 3, column 'name'"),
    (
        "mechanisms",
        "A4",
        "M-PEER",
        "sheet 'mechanisms', row 4, column 'mechanism_id', value 'M-PEER'",
    ),
    ("round", "A2", "My Round", "sheet 'round', row 2, column 'round_id', value 'My Round'"),
    ("round", "E2", "2026-01-01", "sheet 'round', row 2, column 'closes_on', value '2026-01-01'"),
]


@pytest.mark.parametrize(("sheet", "cell", "value", "message"), BAD_CELLS)
def test_bad_cell_is_named_and_nothing_is_written(
    tmp_path: Path, tmp_db: Path, sheet: str, cell: str, value: object, message: str
) -> None:
    new_round(
        write_setup_template("scoring_round", tmp_path / "other.yml", example=True), db=tmp_db
    )
    wb = load_workbook(_example(tmp_path))
    wb["round"]["A2"] = "second-round"  # another id: the file itself must be refused
    wb.save(tmp_path / "round.xlsx")
    path = edit_xlsx_cell(tmp_path / "round.xlsx", sheet, cell, value)
    before = _kb_digest(tmp_db)
    with pytest.raises(ImportFailed) as err:
        new_round(path, db=tmp_db)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert _kb_digest(tmp_db) == before


def test_missing_sheets_and_rows_are_named(tmp_path: Path, tmp_db: Path) -> None:
    path = _example(tmp_path)
    wb = load_workbook(path)
    del wb["criteria"]
    wb.save(path)
    with pytest.raises(ImportFailed, match="sheet 'criteria'.*sheet is missing"):
        validate_round(path)
    single = tmp_path / "one.yml"
    single.write_text(
        yaml.safe_dump({**ROUND, "criteria": ROUND["criteria"][:1], "mechanisms": []}),
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as err:
        new_round(single, db=tmp_db)
    assert "sheet 'mechanisms', row 2: no mechanism" in str(err.value)
    assert "at least two criteria" in str(err.value)
    assert not tmp_db.exists()  # nothing written, not even an empty knowledge base


# -- the dashboard and the ranking use the round -----------------------------------------------------
SCORES = {  # mechanism -> criterion -> score of both evaluators
    "M-PEER": {"effectiveness": 4, "relevance": 3, "effort": 5},
    "M-VISIT": {"effectiveness": 3, "relevance": 4, "effort": 1},
    "M-TWIN": {"effectiveness": 5, "relevance": 2, "effort": 4},
}


def _topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """TOPSIS closeness written out from Hwang & Yoon (1981) sec. 3.3.2 (independent of the code)."""
    v = w * x / np.linalg.norm(x, axis=0)
    best = np.where(benefit, v.max(0), v.min(0))
    worst = np.where(benefit, v.min(0), v.max(0))
    d_best = np.linalg.norm(v - best, axis=1)
    d_worst = np.linalg.norm(v - worst, axis=1)
    return d_worst / (d_best + d_worst)


@pytest.fixture
def demo_with_round(tmp_path: Path) -> tuple[Path, str]:
    from workbench.demo.pilots import write_standalone

    db = tmp_path / "kb.duckdb"
    write_standalone(db, seed=6)  # the demo's catalogue has M-PEER, M-VISIT, M-TWIN too
    plan, _ = new_round(_example(tmp_path), db=db)
    return db, plan.round_id


def test_dashboard_and_ranking_use_the_round(demo_with_round: tuple[Path, str]) -> None:
    from workbench.dashboards.scoring import ScoringDashboard
    from workbench.evaluation import data
    from workbench.evaluation.reports import rank_mechanisms, round_scores
    from workbench.evaluation.rounds import load_round
    from workbench.evaluation.settings import criteria_codes

    db, rid = demo_with_round
    demo_before = data.load_criteria_scores(db)
    dash = ScoringDashboard(db=db, round_id=rid)
    mechanisms = [m["mechanism_id"] for m in ROUND["mechanisms"]]
    criteria = [c["criterion"] for c in ROUND["criteria"]]
    assert set(dash.cells) == {(m, c) for m in mechanisms for c in criteria}
    grid = "".join(w.value for w in dash.grid.children if isinstance(w, W.HTML))
    for m in ROUND["mechanisms"]:  # the round's names, not the demo catalogue's
        assert f"{m['name']} ({m['mechanism_id']})" in grid
    for c in ROUND["criteria"]:
        assert f"<b>{c['label']}</b>" in grid
    assert ROUND["round"][0]["title"] in dash.container.children[1].value
    for m in mechanisms:  # nobody scored yet
        assert f"data-mechanism='{m}'" in dash.ranking.value

    for evaluator in ("EV-01", "EV-02"):
        dash.evaluator.value = evaluator
        for m, row in SCORES.items():
            for c, s in row.items():
                dash.cells[(m, c)].value = s
            dash.confidence[m].value = "high"
        assert dash.on_save(), dash.status.value
    stored = data.current_scores(db)
    mine = round_scores(stored, rid)
    assert len(mine) == 2 * 3 * 3 and set(mine["criterion"]) == set(criteria)
    # the default (demo) view is unchanged: same scores, default criteria, no round score in it
    assert round_scores(stored, None)["score_id"].tolist() == demo_before["score_id"].tolist()
    default = ScoringDashboard(db=db)
    assert {c for _m, c in default.cells} == set(criteria_codes())
    assert "effort" not in default.labels

    # ranking: the round's weights and directions, against an independent computation
    rnd = load_round(rid, db)
    ranking = rank_mechanisms(mine, mechanisms=mechanisms, scoring_round=rnd)
    x = np.array([[SCORES[m][c] for c in criteria] for m in mechanisms], dtype=float)
    weights = np.array([c["weight"] for c in ROUND["criteria"]], dtype=float)
    weights /= weights.sum()
    benefit = np.array([c.get("direction", "benefit") == "benefit" for c in ROUND["criteria"]])
    expected = pd.Series(_topsis(x, weights, benefit), index=mechanisms)
    got = ranking.table["topsis"]
    assert got.to_dict() == pytest.approx(expected.to_dict())
    # weighted sum on the 1-5 scale: a cost score s counts as 6 - s
    plain = pd.Series(np.where(benefit, x, 6 - x) @ weights, index=mechanisms)
    assert ranking.table["weighted_sum"].to_dict() == pytest.approx(plain.to_dict())
    assert ranking.table.index[0] == plain.idxmax() == "M-VISIT"
    # with equal weights and every criterion a benefit another mechanism would win: the round counts
    assert (x.mean(axis=1)).argmax() != mechanisms.index("M-VISIT")
    top = dash.ranking.value.index('data-mechanism="M-VISIT"')
    assert top < dash.ranking.value.index('data-mechanism="M-PEER"')
    assert "Effort for the region 17% (lower is better)" in dash.container.children[5].value


def test_page_chooses_the_round(
    demo_with_round: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard page offers the stored rounds; ``?round=ID`` (no preheating) picks one."""
    from workbench.dashboards.scoring import ScoringPage
    from workbench.evaluation.errors import EvaluationInputError
    from workbench.evaluation.settings import criteria_codes

    db, rid = demo_with_round
    page = ScoringPage(db=db, evaluator="EV-02")
    assert dict(page.round_choice.options) == {
        "Default criteria (evaluation.yml)": "",
        f"{ROUND['round'][0]['title']} ({rid})": rid,
    }
    assert {c for _m, c in page.dashboard.cells} == set(criteria_codes())  # default: the demo's
    page.round_choice.value = rid
    assert page.dashboard.round_id == rid and page.dashboard.evaluator.value == "EV-02"
    assert {c for _m, c in page.dashboard.cells} == {c["criterion"] for c in ROUND["criteria"]}
    assert page.container.children[1] is page.dashboard.container
    monkeypatch.setenv("VOILA_KERNEL_ID", "k1")
    monkeypatch.setenv("QUERY_STRING", f"round={rid}")
    assert ScoringPage.for_request(db=db).dashboard.round_id == rid
    monkeypatch.setenv("QUERY_STRING", "round=nope")
    with pytest.raises(EvaluationInputError, match=f"unknown scoring round 'nope'.*{rid}"):
        ScoringPage.for_request(db=db)


def test_round_scores_are_checked_against_the_round(demo_with_round: tuple[Path, str]) -> None:
    db, rid = demo_with_round
    record = {"evaluator": "EV-01", "mechanism_id": "M-PEER", "score": 3, "confidence": "low"}
    capture.submit(KIND, {**record, "criterion": "effort", "round_id": rid}, client_id="t",
                   db=db, idempotency_key="ok-1")  # fmt: skip
    with pytest.raises(ValidationError, match="criterion.*effectiveness, relevance, effort"):
        capture.submit(KIND, {**record, "criterion": "coherence", "round_id": rid},
                       client_id="t", db=db, idempotency_key="bad-1")  # fmt: skip
    with pytest.raises(ValidationError, match="unknown mechanism"):
        capture.submit(KIND, {**record, "mechanism_id": "M-LAB", "criterion": "effort",
                              "round_id": rid}, client_id="t", db=db, idempotency_key="bad-2")  # fmt: skip
    with pytest.raises(ValidationError, match="criterion"):  # no round: default criteria
        capture.submit(KIND, {**record, "criterion": "effort"}, client_id="t", db=db,
                       idempotency_key="bad-3")  # fmt: skip
    assert capture.merge(db=db) == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT round_id, criterion FROM criteria_scores WHERE score_id = 'ok-1'"
        )
        assert rows.fetchall() == [(rid, "effort")]
    finally:
        con.close()
    # once scored, the round cannot be replaced
    with pytest.raises(ValidationError, match="already has 1 score"):
        new_round(_example(db.parent), db=db, replace=True)


@pytest.mark.slow
def test_ranking_report_of_a_round(demo_with_round: tuple[Path, str], tmp_path: Path) -> None:
    """notebooks/mechanism_ranking.ipynb with round_id: the round's mechanisms, criteria, weights."""
    from support.notebooks import run_notebook

    db, rid = demo_with_round
    for i, (m, row) in enumerate(SCORES.items()):
        for c, s in row.items():
            capture.submit(KIND, {"evaluator": "EV-01", "mechanism_id": m, "criterion": c,
                                  "score": s, "confidence": "medium", "round_id": rid},
                           client_id="t", db=db, idempotency_key=f"k-{i}-{c}")  # fmt: skip
    out = tmp_path / "report"
    run_notebook(
        "mechanism_ranking.ipynb", out / "executed.ipynb", {"round_id": rid},
        db=db, report_dir=out, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    weights = pd.read_csv(out / "weights.csv")
    total = sum(c["weight"] for c in ROUND["criteria"])
    assert weights.set_index("criterion")["weight"].to_dict() == pytest.approx(
        {c["criterion"]: c["weight"] / total for c in ROUND["criteria"]}
    )
    assert weights.set_index("criterion").loc["effort", "direction"] == "cost"
    ranking = pd.read_csv(out / "ranking.csv", index_col=0)
    assert set(ranking.index) == set(SCORES)
    assert ranking["rank_topsis"].idxmin() == "M-VISIT"
    record = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert record["title"].endswith(ROUND["round"][0]["title"])
    assert record["parameters"] == {"weighting": "ahp", "round_id": rid}
    assert f"scoring_round:{rid}" in [d["dataset_id"] for d in record["datasets"]]
    text = (out / "executed.ipynb").read_text(encoding="utf-8")
    assert "Effort for the region" in text and "lower scores are better" in text


def test_cli_template_and_new(tmp_path: Path) -> None:
    """`workbench template scoring_round --format yaml` and `workbench scoring new` as a user runs them."""
    import subprocess
    import sys

    db = tmp_path / "kb.duckdb"
    cli = [sys.executable, "-m", "workbench", "--db", str(db)]
    done = subprocess.run(
        [*cli, "template", "scoring_round", "--format", "yaml", "--out", str(tmp_path / "r.yml")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert "workbench scoring new" in done.stdout
    assert yaml.safe_load((tmp_path / "r.yml").read_text())["criteria"] == []
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump({**ROUND, "criteria": [
        {**c, "weight": "heavy"} if i == 1 else c for i, c in enumerate(ROUND["criteria"])
    ]}), encoding="utf-8")  # fmt: skip
    done = subprocess.run([*cli, "scoring", "new", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "sheet 'criteria', row 2, column 'weight', value 'heavy': must be a number" in (
        " ".join(done.stderr.split())
    )
    assert not db.exists()
