"""Criteria scoring: validation messages, latest score wins, aggregation and disagreement by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.evaluation import scoring
from workbench.evaluation.errors import EvaluationInputError, ScoreValidationError
from workbench.evaluation.settings import criteria_codes


def score(
    evaluator: str, mech: str, crit: str, value: object, conf: str = "high", at: str = "2026-07-01"
) -> dict:
    return {
        "evaluator": evaluator,
        "mechanism_id": mech,
        "criterion": crit,
        "score": value,
        "confidence": conf,
        "comment": None,
        "submitted_at": pd.Timestamp(at),
    }


def test_criteria_are_the_better_regulation_five_plus_sustainability() -> None:
    assert criteria_codes() == [
        "effectiveness",
        "efficiency",
        "relevance",
        "coherence",
        "eu_added_value",
        "sustainability",
    ]


def test_aggregation_by_hand() -> None:
    df = pd.DataFrame(
        [
            score("a", "M1", "relevance", 2, "low"),  # weight 1
            score("b", "M1", "relevance", 4, "high"),  # weight 3
            score("c", "M1", "relevance", 3, "medium"),  # weight 2
            score("a", "M1", "coherence", 4, "high"),
            score("b", "M1", "coherence", 4, "low"),
        ]
    )
    agg = scoring.aggregate_scores(df).set_index("criterion")
    rel = agg.loc["relevance"]
    assert rel["mean"] == pytest.approx(3.0)
    assert rel["weighted_mean"] == pytest.approx((2 * 1 + 4 * 3 + 3 * 2) / 6)
    # r_wg = 1 - s^2 / ((5^2 - 1) / 12) = 1 - 1 / 2 = 0.5 -> below 0.7: disagreement
    assert rel["sd"] == pytest.approx(1.0)
    assert rel["rwg"] == pytest.approx(0.5)
    assert bool(rel["disagreement"]) is True
    coh = agg.loc["coherence"]
    assert coh["rwg"] == pytest.approx(1.0) and not coh["disagreement"]


def test_latest_submission_wins() -> None:
    df = pd.DataFrame(
        [
            score("a", "M1", "efficiency", 1, at="2026-07-01 10:00"),
            score("a", "M1", "efficiency", 5, at="2026-07-01 11:00"),
            score("b", "M1", "efficiency", 3),
        ]
    )
    agg = scoring.aggregate_scores(df).iloc[0]
    assert agg["n_evaluators"] == 2
    assert agg["mean"] == pytest.approx(4.0)


def test_validation_names_row_column_value_and_rule() -> None:
    df = pd.DataFrame(
        [
            score("a", "M1", "efficiency", 6),
            score("", "M1", "usefulness", 3, "sure"),
        ]
    )
    with pytest.raises(ScoreValidationError) as err:
        scoring.validate_scores(df, source="scores.csv")
    text = str(err.value)
    assert (
        "scores.csv, row 1, column 'score', value '6': must be a whole number from 1 to 5" in text
    )
    assert "row 2, column 'evaluator'" in text
    assert "row 2, column 'criterion', value 'usefulness'" in text
    assert "row 2, column 'confidence', value 'sure'" in text
    assert len(err.value.problems) == 4
    with pytest.raises(ScoreValidationError, match="unknown mechanism"):
        scoring.validate_scores(
            pd.DataFrame([score("a", "M9", "efficiency", 3)]), mechanisms=["M1"]
        )
    ok = scoring.validate_scores(pd.DataFrame([score(" a ", "M1", "efficiency", 3.0, "High")]))
    assert ok.iloc[0][["evaluator", "score", "confidence"]].tolist() == ["a", 3, "high"]


def test_decision_matrix_refuses_gaps() -> None:
    rows = [score("a", m, c, 3) for m in ("M1", "M2") for c in criteria_codes()]
    matrix = scoring.decision_matrix(scoring.aggregate_scores(pd.DataFrame(rows)))
    assert matrix.shape == (2, 6) and list(matrix.columns) == criteria_codes()
    with pytest.raises(EvaluationInputError, match="M2/sustainability"):
        scoring.decision_matrix(scoring.aggregate_scores(pd.DataFrame(rows[:-1])))
