"""Foresight: Delphi statistics, MICMAC, scenarios, submissions (validation, merge, privacy), report."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from support.notebooks import run_notebook

from workbench import capture
from workbench.config import load_defaults
from workbench.demo import foresight as demo
from workbench.errors import ValidationError
from workbench.foresight import delphi, micmac, scenarios
from workbench.foresight.state import current_state, hash_code, set_round
from workbench.kb import query

XSS = "<img src=x onerror=alert(1)>"


def _answers(matrix: np.ndarray, items: list[str] | None = None) -> pd.DataFrame:
    raters, n = matrix.shape
    items = items or [f"S{i}" for i in range(n)]
    return pd.DataFrame(
        [
            {"participant_code": f"P{r}", "statement_id": items[i], "value": int(matrix[r, i])}
            for r in range(raters)
            for i in range(n)
        ]
    )


# -- Delphi --------------------------------------------------------------------------------------


def test_kendall_w_matches_friedman_with_ties() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.integers(1, 6, size=(12, 6))  # 5-point ratings: many ties
    got = delphi.kendall_w(_answers(matrix))
    chi2 = stats.friedmanchisquare(*matrix.T).statistic  # scipy applies the tie correction
    assert got["W"] == pytest.approx(chi2 / (12 * (6 - 1)), rel=1e-12)
    assert got["chi2"] == pytest.approx(chi2, rel=1e-12)


def test_kendall_w_is_one_for_identical_rankings_and_refuses_too_few() -> None:
    same = np.tile(np.array([1, 2, 3, 4, 5]), (4, 1))
    assert delphi.kendall_w(_answers(same))["W"] == pytest.approx(1.0)
    with pytest.raises(ValidationError, match="2 complete raters"):
        delphi.kendall_w(_answers(same[:1]))


def test_item_stats_quartiles_consensus_and_agreement() -> None:
    # S5: IQR exactly 1 on a 5-point scale -> consensus; S9: IQR 4 on a 9-point scale -> none
    s5 = [2, 3, 4, 4, 5]
    s9 = [2, 3, 5, 6, 8, 9]
    answers = pd.concat(
        [
            pd.DataFrame(
                {"statement_id": "S5", "participant_code": [f"p{i}" for i in range(5)], "value": s5}
            ),
            pd.DataFrame(
                {"statement_id": "S9", "participant_code": [f"p{i}" for i in range(6)], "value": s9}
            ),
        ]
    )
    got = delphi.item_stats(answers, {"S5": 5, "S9": 9}).set_index("statement_id")
    for sid, values in (("S5", s5), ("S9", s9)):
        series = pd.Series(values, dtype=float)
        assert got.loc[sid, "median"] == series.median()
        assert got.loc[sid, "q1"] == series.quantile(0.25)
        assert got.loc[sid, "iqr"] == series.quantile(0.75) - series.quantile(0.25)
    limits = load_defaults("foresight")["consensus"]["max_iqr"]
    assert got.loc["S5", "iqr"] == limits[5] and bool(got.loc["S5", "consensus"])
    assert got.loc["S9", "iqr"] > limits[9] and not bool(got.loc["S9", "consensus"])
    assert got.loc["S5", "agreement_pct"] == 60.0  # 3 of 5 answers >= 4
    assert got.loc["S9", "agreement_pct"] == pytest.approx(100 * 2 / 6)  # 8 and 9 are >= 7
    with pytest.raises(ValidationError, match="outside 1..5"):
        delphi.item_stats(answers.assign(value=answers["value"] + 5), {"S5": 5, "S9": 9})


def test_stability_pairs_by_participant() -> None:
    rng = np.random.default_rng(3)
    first = rng.integers(1, 10, 30)
    second = np.clip(first + rng.choice([-2, -1, 0, 0, 1], 30), 1, 9)
    a = pd.DataFrame(
        {"statement_id": "S", "participant_code": [f"p{i}" for i in range(30)], "value": first}
    )
    b = pd.DataFrame(
        {"statement_id": "S", "participant_code": [f"p{i}" for i in range(30)], "value": second}
    )
    got = delphi.stability(a, b.sample(frac=1, random_state=1)).iloc[0]  # shuffled order
    expected = stats.wilcoxon(second - first, zero_method="wilcox")
    assert got["p_value"] == pytest.approx(expected.pvalue)
    assert got["share_changed_pct"] == pytest.approx(100 * np.mean(second != first))
    unchanged = delphi.stability(a, a).iloc[0]
    assert unchanged["p_value"] == 1.0 and unchanged["share_changed_pct"] == 0.0


def test_latest_answers_keeps_the_revision() -> None:
    df = pd.DataFrame(
        {
            "round_no": [2, 2],
            "statement_id": ["S1", "S1"],
            "participant_code": ["A", "A"],
            "value": [2, 5],
            "submitted_at": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 10:05"]),
        }
    )
    assert delphi.latest_answers(df)["value"].tolist() == [5]


# -- MICMAC --------------------------------------------------------------------------------------


def test_micmac_indirect_ranking_follows_the_perron_vectors() -> None:
    rng = np.random.default_rng(11)
    m = rng.integers(0, 4, size=(8, 8))
    np.fill_diagonal(m, 0)
    names = [f"V{i}" for i in range(8)]
    table, power = micmac.micmac(pd.DataFrame(m, index=names, columns=names))
    values, right = np.linalg.eig(m.astype(float))
    r = np.abs(np.real(right[:, np.argmax(np.real(values))]))
    values_t, left = np.linalg.eig(m.T.astype(float))
    left_vec = np.abs(np.real(left[:, np.argmax(np.real(values_t))]))
    rank = lambda v: pd.Series(v).rank(ascending=False, method="min").astype(int).tolist()  # noqa: E731
    assert table["rank_influence_indirect"].tolist() == rank(r)
    assert table["rank_dependence_indirect"].tolist() == rank(left_vec)
    assert table["influence_direct"].tolist() == m.sum(axis=1).tolist()
    assert 2 <= power <= load_defaults("foresight")["micmac"]["max_power"]


def test_micmac_quadrants() -> None:
    names = ["driver", "relay", "outcome", "loner"]
    m = pd.DataFrame(0, index=names, columns=names)
    m.loc["driver", ["relay", "outcome"]] = 3
    m.loc["relay", "outcome"] = 3
    m.loc["relay", "driver"] = 1
    m.loc["outcome", "relay"] = 1
    table, _ = micmac.micmac(m)
    quadrant = dict(zip(table["variable"], table["quadrant_direct"], strict=True))
    assert quadrant == {
        "driver": "influential",
        "relay": "relay",
        "outcome": "dependent",
        "loner": "autonomous",
    }
    with pytest.raises(ValidationError):
        micmac.micmac(m * 0)


def test_influence_matrix_takes_the_median_of_latest_entries() -> None:
    rows = pd.DataFrame(
        {
            "source_driver": ["A", "A", "A", "A"],
            "target_driver": ["B"] * 4,
            "strength": [0, 3, 2, 1],
            "participant_code": ["p1", "p2", "p3", "p1"],
            "submitted_at": pd.to_datetime(
                ["2026-01-01 10:00", "2026-01-01 10:01", "2026-01-01 10:02", "2026-01-01 10:03"]
            ),
        }
    )
    m = micmac.influence_matrix(rows)  # p1 revised 0 -> 1; median of 1, 3, 2 = 2
    assert m.loc["A", "B"] == 2 and m.loc["B", "A"] == 0


# -- impact/uncertainty and scenarios --------------------------------------------------------------


def test_critical_uncertainties_warn_when_correlated() -> None:
    drivers = pd.DataFrame(
        {"driver_id": ["A", "B", "C"], "label": ["a", "b", "c"], "steep": ["social"] * 3}
    )
    rng = np.random.default_rng(5)
    imp = rng.integers(3, 6, 20)
    rows = []
    for i in range(20):
        rows.append(
            {
                "participant_code": f"p{i}",
                "driver_id": "A",
                "impact": int(imp[i]),
                "uncertainty": int(imp[i]),
            }
        )
        rows.append(
            {
                "participant_code": f"p{i}",
                "driver_id": "B",
                "impact": int(imp[i]),
                "uncertainty": int(imp[i]),
            }
        )
        rows.append(
            {
                "participant_code": f"p{i}",
                "driver_id": "C",
                "impact": int(rng.integers(1, 6)),
                "uncertainty": int(rng.integers(1, 6)),
            }
        )
    ratings = pd.DataFrame(rows)
    matrix = scenarios.impact_uncertainty(ratings, drivers)
    mean_a = ratings[ratings.driver_id == "A"][["impact", "uncertainty"]].mean()
    row_a = matrix.set_index("driver_id").loc["A"]
    assert row_a["impact_mean"] == pytest.approx(mean_a["impact"])
    assert row_a["quadrant"] == "critical uncertainty"
    correlated = scenarios.critical_uncertainties(matrix, ratings, ("A", "B"))
    assert (
        correlated["rho"] == pytest.approx(1.0) and "strongly correlated" in correlated["warning"]
    )
    independent = scenarios.critical_uncertainties(matrix, ratings, ("A", "C"))
    expected = stats.spearmanr(
        imp * imp, ratings[ratings.driver_id == "C"].eval("impact * uncertainty")
    ).statistic
    assert independent["rho"] == pytest.approx(expected)
    frame = scenarios.scenario_frame("energy prices", "EU enlargement")
    assert set(zip(frame["level_a"], frame["level_b"], strict=True)) == {
        ("high", "high"),
        ("high", "low"),
        ("low", "high"),
        ("low", "low"),
    }
    with pytest.raises(ValidationError):
        scenarios.critical_uncertainties(matrix, ratings, ("A", "A"))


# -- submissions, privacy, merge -----------------------------------------------------------------


@pytest.fixture
def demo_kb(tmp_db: Path) -> list[str]:
    return demo.build_foresight_only(tmp_db)


def _answer(code: str, **over: object) -> dict[str, object]:
    return {
        "exercise_id": demo.EXERCISE_ID,
        "participant_code": code,
        "round_no": 2,
        "statement_id": "S1",
        "value": 4,
        "comment": "",
        **over,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": 6}, "from 1 to 5"),
        ({"value": 0}, "from 1 to 5"),
        ({"value": "4"}, "whole number"),
        ({"value": 2.5}, "whole number"),
        ({"round_no": 1}, "not open"),
        ({"statement_id": "S99"}, "unknown statement"),
        ({"participant_code": "NOPE-00"}, "unknown participant code"),
        ({"comment": "x" * 2001}, "too long"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(demo_kb, tmp_db, change, message) -> None:
    before = capture.status(tmp_db).get("foresight.answer", {}).get("total", 0)
    with pytest.raises(ValidationError, match=message):
        capture.submit(
            "foresight.answer",
            _answer(demo_kb[40], **change),
            client_id="t",
            idempotency_key="bad-1",
            db=tmp_db,
        )
    assert capture.status(tmp_db).get("foresight.answer", {}).get("total", 0) == before


def test_answers_merge_once_with_comment_kept_raw(demo_kb, tmp_db) -> None:
    code = demo_kb[40].lower()  # codes are case-insensitive
    for _attempt in range(2):  # a retry with the same key
        capture.submit(
            "foresight.answer",
            _answer(code, value=5, comment=XSS),
            client_id="t",
            idempotency_key="a-1",
            db=tmp_db,
        )
    capture.submit(
        "foresight.answer",
        _answer(code, statement_id="S6", value=9),
        client_id="t",
        idempotency_key="a-2",
        db=tmp_db,
    )
    assert capture.merge(db=tmp_db) >= 2
    got = query(
        "SELECT statement_id, value, participant_code, synthetic FROM foresight_answers WHERE dataset_id LIKE 'capture:%' ORDER BY 1",
        db=tmp_db,
    )
    assert got.values.tolist() == [["S1", 5, demo_kb[40], False], ["S6", 9, demo_kb[40], False]]
    comments = query(
        "SELECT text FROM foresight_comments WHERE dataset_id LIKE 'capture:%'", db=tmp_db
    )
    assert comments["text"].tolist() == [XSS]
    rows = query(
        "SELECT rows FROM datasets WHERE dataset_id = ?",
        [f"capture:foresight:{demo.EXERCISE_ID}"],
        db=tmp_db,
    )
    assert rows["rows"].tolist() == [2]


def test_published_state_hides_identities_and_unshared_rounds(demo_kb, tmp_db) -> None:
    state = current_state(demo.EXERCISE_ID, db=tmp_db)
    text = json.dumps(state)
    assert not any(code in text for code in demo_kb)  # only hashes of codes
    assert hash_code(demo.EXERCISE_ID, demo_kb[0]) in state["code_hashes"]
    assert list(state["shared"]) == ["1"]  # round 2 is open: nothing of it is shared
    r1 = query(
        "SELECT statement_id, median(value) AS m FROM foresight_answers WHERE round_no = 1 GROUP BY 1",
        db=tmp_db,
    )
    for sid, m in zip(r1["statement_id"], r1["m"], strict=True):
        assert state["shared"]["1"][sid]["median"] == m
    # a participant who answered round 1 sees only their own earlier answers
    own = query(
        "SELECT statement_id, value FROM foresight_answers WHERE round_no = 1 AND participant_code = ?",
        [demo_kb[0]],
        db=tmp_db,
    )
    assert state["own_previous"][hash_code(demo.EXERCISE_ID, demo_kb[0])]["1"] == dict(
        zip(own.statement_id, own.value.astype(int), strict=True)
    )
    # closing round 2 without sharing keeps it hidden; sharing publishes it
    assert "2" not in set_round(demo.EXERCISE_ID, 2, "closed", db=tmp_db)["shared"]
    shared = set_round(demo.EXERCISE_ID, 2, "closed", results_shared=True, db=tmp_db)
    assert "2" in shared["shared"] and shared["open_round"] is None
    assert query(
        "SELECT status, results_shared FROM foresight_rounds WHERE round_no = 2", db=tmp_db
    ).values.tolist() == [["closed", True]]
    with pytest.raises(ValidationError, match="not open"):
        capture.submit(
            "foresight.answer",
            _answer(demo_kb[40]),
            client_id="t",
            idempotency_key="late",
            db=tmp_db,
        )


def test_participant_dashboard_saves_only_when_durable_and_escapes(demo_kb, tmp_db) -> None:
    from workbench.dashboards.foresight_facilitator import ForesightFacilitator
    from workbench.dashboards.foresight_participant import ForesightParticipant

    page = ForesightParticipant(db=tmp_db)
    assert not page.join("WRONG-1") and "Unknown code" in page.join_message.value
    assert page.join(demo_kb[0])
    rating, comment, button, status = page.delphi_controls["S1"]
    # round 2: the group's round-1 median and the participant's own round-1 answer are shown
    card_text = page.tabs.children[0].children[0].children[1].children[0].value
    assert "Group in round 1: median" in card_text and "Your answer in round 1" in card_text
    rating.value, comment.value = 5, XSS
    assert page.save_answer("S1") and "Saved" in status.value
    first = status.value
    assert page.save_answer("S1") and status.value != first  # a double click: shown again ...
    button.click()  # the Save button's handler saves the same way
    assert "Saved" in status.value
    inbox = sqlite3.connect(capture.inbox_path(tmp_db))
    stored = inbox.execute("SELECT payload FROM inbox WHERE kind = 'foresight.answer'").fetchall()
    assert [json.loads(p)["comment"] for (p,) in stored] == [XSS]  # ... but stored once
    rating.value = 0
    assert not page.save_answer("S1") and "Choose a rating" in status.value
    impact, uncertainty = page.rate_controls_for("D01")
    impact.value = 5
    assert not page.save_ratings() and "both impact and uncertainty" in page.rate_status.value
    uncertainty.value = 3
    assert "ratings" in page.unsaved_parts and "fs-unsaved" in page.container._dom_classes
    assert page.save_ratings() and "ratings" not in page.unsaved_parts
    page.show_row(0)  # D01 acts on D02 ... D12
    page.infl_targets[0][1].value = 2
    assert page.influence_progress() == (0, 132) and page.save_influences()
    assert page.influence_progress() == (1, 132)
    refused = {"exercise_id": demo.EXERCISE_ID, "participant_code": demo_kb[0]}
    with pytest.raises(ValidationError, match="cannot influence itself"):
        capture.submit(
            "foresight.influences",
            {
                **refused,
                "influences": [{"source_driver": "D01", "target_driver": "D01", "strength": 1}],
            },
            client_id="t",
            idempotency_key="self-1",
            db=tmp_db,
        )
    page.tabs.selected_index = 1  # the Drivers tab is built when shown
    page.driver_name.value = XSS
    assert page.propose_driver()
    facilitator = ForesightFacilitator(demo.EXERCISE_ID, db=tmp_db)
    shown = facilitator.comments_html.value + facilitator.drivers_html.value
    assert html.escape(XSS) in shown and XSS not in shown
    assert not any(code in facilitator.container.children[2].value for code in demo_kb)
    assert inbox.execute("SELECT count(*) FROM inbox WHERE merged_at IS NULL").fetchone()[0] == 0


@pytest.mark.slow
def test_report_notebook_escapes_comments(demo_kb, tmp_db, tmp_path, monkeypatch) -> None:
    import papermill

    capture.submit(
        "foresight.answer",
        _answer(demo_kb[40], comment=XSS),
        client_id="t",
        idempotency_key="r-1",
        db=tmp_db,
    )
    capture.merge(db=tmp_db)
    out = run_notebook(
        "foresight_report.ipynb",
        tmp_path / "out.ipynb",
        {"exercise_id": demo.EXERCISE_ID},
        report_dir=tmp_path / "report",
    )
    html_outputs = [
        o["data"]["text/html"]
        for c in json.loads(out.read_text())["cells"]
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]
    joined = "".join("".join(h) if isinstance(h, list) else h for h in html_outputs)
    assert html.escape(XSS) in joined and XSS not in joined
    with pytest.raises(papermill.PapermillExecutionError, match="exercise_id"):
        run_notebook("foresight_report.ipynb", tmp_path / "bad.ipynb", {"exercise_id": "<bad>"})


# -- serving -------------------------------------------------------------------------------------


def test_serve_options_and_cdn_free_template(tmp_path: Path) -> None:
    from workbench.serving import ServeOptions, template_root, voila_command

    opts = ServeOptions()
    cmd = " ".join(voila_command(opts))
    assert "--Voila.ip=127.0.0.1" in cmd and "--preheat_kernel=True" in cmd
    assert opts.cull_idle_s + opts.cull_interval_s <= 120 and "cull_connected=False" in cmd
    # kernel websockets with TCP_NODELAY: the class Voila is told to use is the no-delay connection
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
    from traitlets.utils.importstring import import_item

    from workbench.serving.websocket import NoDelayChannelsConnection

    (option,) = [c for c in voila_command(opts) if "kernel_websocket_connection_class=" in c]
    connection = import_item(option.split("=", 1)[1])
    assert connection is NoDelayChannelsConnection
    assert issubclass(connection, ZMQChannelsWebsocketConnection)
    with pytest.raises(ValidationError, match="requires --token"):
        ServeOptions(host="0.0.0.0").check()
    ServeOptions(host="0.0.0.0", token="a" * 24).check()
    # the shipped template inherits from Voila's lab template (no copy at run time); the served
    # pages themselves are checked for foreign requests in the browser tests
    root = template_root()
    assert "lab" in (root / "voila" / "templates" / "workbench" / "conf.json").read_text()
    for path in (root / "voila" / "templates").rglob("*.html*"):
        text = path.read_text(errors="replace")
        assert "cdn.jsdelivr" not in text and "cdnjs" not in text, path
