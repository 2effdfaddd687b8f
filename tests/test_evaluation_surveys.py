"""Surveys: distributions and net scores by hand; wave change with exact test p-values."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.evaluation import surveys
from workbench.evaluation.errors import EvaluationInputError


def answers(item: str, wave: int, scores: list[int], prefix: str = "r") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": [f"{prefix}{i}" for i in range(len(scores))],
            "item": item,
            "wave": wave,
            "score": scores,
        }
    )


def test_net_score_by_hand() -> None:
    # 10 answers: agree (4, 5) = 5, disagree (1, 2) = 3, neutral = 2 -> net = 50 % - 30 % = 20
    df = answers("learned", 1, [5, 4, 4, 5, 4, 3, 3, 1, 2, 2])
    net = surveys.net_scores(df).iloc[0]
    assert (net["n"], net["agree"], net["disagree"]) == (10, 50.0, 30.0)
    assert net["net_score"] == pytest.approx(20.0)
    assert net["mean"] == pytest.approx(3.3)
    assert net["median"] == pytest.approx(3.5)


def test_distribution_lists_every_point() -> None:
    dist = surveys.likert_distribution(answers("x", 1, [5, 5, 4, 1]))
    assert dist["score"].tolist() == [1, 2, 3, 4, 5]
    assert dist["count"].tolist() == [1, 0, 0, 1, 2]
    assert dist["share"].tolist() == pytest.approx([25.0, 0.0, 0.0, 25.0, 50.0])


def test_paired_waves_use_wilcoxon_with_exact_p() -> None:
    # paired differences 1, 2, 3, 4 (all positive, no ties): exact two-sided p = 2 / 2^4
    w1 = answers("applied", 1, [1, 1, 1, 1])
    w2 = answers("applied", 2, [2, 3, 4, 5])
    out = surveys.wave_change(pd.concat([w1, w2])).iloc[0]
    assert out["test"].startswith("Wilcoxon")
    assert out["p_value"] == pytest.approx(2 / 2**4)
    # wave 2: agree {4, 5} = 50 %, disagree {2} = 25 % -> net 25
    assert out["net_wave1"] == -100.0 and out["net_wave2"] == pytest.approx(25.0)
    assert out["net_change"] == pytest.approx(125.0)


def test_independent_waves_use_mann_whitney_with_exact_p() -> None:
    # completely separated samples of 3 and 2 without ties: exact two-sided p = 2 / C(5, 2) = 0.2
    w1 = answers("coop", 1, [1, 2, 3], prefix="a")
    w2 = answers("coop", 2, [4, 5], prefix="b")
    out = surveys.wave_change(pd.concat([w1, w2])).iloc[0]
    assert out["test"].startswith("Mann-Whitney")
    assert out["p_value"] == pytest.approx(0.2)
    assert not out["significant"]


def test_no_change_at_all_is_defined() -> None:
    same = answers("x", 1, [3, 4, 5])
    out = surveys.wave_change(pd.concat([same, same.assign(wave=2)])).iloc[0]
    assert out["p_value"] == 1.0 and "same answer" in out["note"]


def test_bad_scores_are_named() -> None:
    with pytest.raises(EvaluationInputError, match="row 2: column 'score' must be one of"):
        surveys.net_scores(answers("x", 1, [3, 4, 7]))
    with pytest.raises(EvaluationInputError, match="need two waves"):
        surveys.wave_change(answers("x", 1, [3, 4]))
