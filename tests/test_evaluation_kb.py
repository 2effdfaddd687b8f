"""Pilot tables in the knowledge base: migration, demo generator, loaders, capture of scores."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from workbench import capture
from workbench.demo.pilots import write_standalone
from workbench.evaluation import data
from workbench.evaluation.capture_kinds import DATASET_ID, KIND
from workbench.evaluation.errors import EvaluationInputError, ScoreValidationError
from workbench.kb import query, writer

TABLES = [
    "mechanisms",
    "mechanism_dimensions",
    "pilots",
    "pilot_regions",
    "logic_model",
    "indicators",
    "indicator_values",
    "survey_responses",
    "criteria_scores",
]


@pytest.fixture
def demo_db(tmp_db: Path) -> Path:
    write_standalone(tmp_db, seed=6)
    return tmp_db


def test_demo_fills_every_table_with_provenance(demo_db: Path) -> None:
    total = 0
    for table in TABLES:
        counts = query(
            f"SELECT count(*) AS n, count(*) FILTER (WHERE synthetic AND dataset_id = 'demo:pilots') AS ok"
            f" FROM {table}",
            db=demo_db,
        ).iloc[0]
        assert counts["n"] > 0 and counts["n"] == counts["ok"], table
        total += int(counts["n"])
    ds = query("SELECT * FROM datasets WHERE dataset_id = 'demo:pilots'", db=demo_db).iloc[0]
    assert bool(ds["synthetic"]) and ds["rows"] == total


def test_demo_shape_six_pilots_six_months_two_waves(demo_db: Path) -> None:
    pilots = data.list_pilots(demo_db)
    assert pilots["pilot_id"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    months = query(
        "SELECT pilot_id, count(DISTINCT period) AS months FROM indicator_values v"
        " JOIN indicators i USING (indicator_id) WHERE v.region IS NULL GROUP BY ALL",
        db=demo_db,
    )
    assert set(months["months"]) == {6}
    waves = query("SELECT DISTINCT wave FROM survey_responses ORDER BY 1", db=demo_db)[
        "wave"
    ].tolist()
    assert waves == [1, 2]
    levels = query(
        "SELECT pilot_id, count(DISTINCT level) AS n FROM logic_model GROUP BY 1", db=demo_db
    )
    assert set(levels["n"]) == {5}
    mechanisms = data.load_mechanisms(demo_db)
    assert {"peer_review", "study_visit", "twinning", "benchmarking", "policy_lab"} <= set(
        mechanisms["type"]
    )
    assert all(len(d) >= 1 for d in mechanisms["dimensions"])


def test_loader_builds_the_did_panel(demo_db: Path) -> None:
    pilot = data.load_pilot("P6", db=demo_db)
    panel = data.did_panel(pilot)
    assert set(panel.loc[panel["treated"], "region"]) == set(pilot.pilot_regions)
    assert set(panel.loc[~panel["treated"], "region"]) == set(pilot.comparison_regions)
    assert panel.loc[~panel["treated"], "start"].isna().all()
    assert panel.loc[panel["treated"], "start"].nunique() == 2  # P6 starts are staggered
    assert pilot.dataset_ids == ["demo:pilots"]
    with pytest.raises(EvaluationInputError, match="unknown pilot_id 'P9'; known pilots: P1, P2"):
        data.load_pilot("P9", db=demo_db)


def test_dimension_must_come_from_the_vocabulary(demo_db: Path) -> None:
    with pytest.raises(duckdb.ConstraintException), writer(demo_db) as con:
        con.execute(
            "INSERT INTO mechanism_dimensions (mechanism_id, dimension) VALUES ('M-PEER', 'tourism')"
        )
    assert (
        query(
            "SELECT count(*) AS n FROM mechanism_dimensions WHERE dimension = 'tourism'", db=demo_db
        )["n"].iloc[0]
        == 0
    )


def test_dashboard_scores_go_through_the_inbox_into_criteria_scores(demo_db: Path) -> None:
    payload = {
        "evaluator": "eva",
        "mechanism_id": "M-LAB",
        "criterion": "coherence",
        "score": 5,
        "confidence": "High",
        "comment": "clear links to S3",
    }
    receipt = capture.submit(KIND, payload, client_id="test", idempotency_key="score-1", db=demo_db)
    assert not receipt.duplicate
    with pytest.raises(ScoreValidationError, match="column 'score', value '7'"):
        capture.submit(
            KIND, payload | {"score": 7}, client_id="test", idempotency_key="score-2", db=demo_db
        )
    assert [r.idempotency_key for r in capture.pending(KIND, db=demo_db)] == ["score-1"]
    assert capture.merge(db=demo_db) == 1
    assert capture.merge(db=demo_db) == 0  # exactly once
    row = query("SELECT * FROM criteria_scores WHERE score_id = 'score-1'", db=demo_db).iloc[0]
    assert (row["evaluator"], row["score"], row["confidence"], row["dataset_id"]) == (
        "eva",
        5,
        "high",
        DATASET_ID,
    )
    assert not row["synthetic"]
    ds = query(
        "SELECT rows, synthetic FROM datasets WHERE dataset_id = ?", [DATASET_ID], db=demo_db
    ).iloc[0]
    assert ds["rows"] == 1 and not ds["synthetic"]


def test_pilot_templates_import_csv_with_validation(tmp_db: Path, tmp_path: Path) -> None:
    from workbench.errors import ImportFailed
    from workbench.importers import import_file

    scores = tmp_path / "scores.csv"
    scores.write_text(
        "score_id,evaluator,mechanism_id,criterion,score,confidence,comment,submitted_at\n"
        "s1,eva,M-PEER,relevance,4,high,useful,2026-07-01\n"
        "s2,eva,M-PEER,coherence,5,low,,2026-07-01\n",
        encoding="utf-8",
    )
    result = import_file(scores, db=tmp_db)
    stored = query("SELECT score_id, score, confidence FROM criteria_scores ORDER BY 1", db=tmp_db)
    assert stored.values.tolist() == [["s1", 4, "high"], ["s2", 5, "low"]]
    assert result.dataset_id == "template:criteria_scores:scores"

    bad = tmp_path / "bad_scores.csv"
    bad.write_text(
        "score_id,evaluator,mechanism_id,criterion,score,confidence,submitted_at\n"
        "s3,eva,M-PEER,relevance,9,high,2026-07-01\n"
        "s4,eva,M-PEER,beauty,3,sure,2026-07-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as err:
        import_file(bad, db=tmp_db)
    text = str(err.value)
    assert "line 2" in text and "'score'" in text and "'9'" in text
    assert "line 3" in text and "'criterion'" in text and "'confidence'" in text
    assert query("SELECT count(*) AS n FROM criteria_scores", db=tmp_db)["n"].iloc[0] == 2

    values = tmp_path / "values.csv"
    values.write_text(
        "indicator_id,region,period,value\nP1-coop,HR03,2026-01-01,12.5\nP1-spend,,2026-01-01,3\n",
        encoding="utf-8",
    )
    import_file(values, db=tmp_db)
    got = query("SELECT region, value FROM indicator_values ORDER BY value", db=tmp_db)
    assert got["value"].tolist() == [3.0, 12.5] and got["region"].isna().tolist() == [True, False]
