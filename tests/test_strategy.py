"""Joint strategy (issue 17): validation against the S3 minimum content, export/import round trip,
roll-up, traceability, initiative checks, demo data and the two report notebooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.batches import PlanBatch
from support.findings_check import key_findings_in, unmatched_numbers

from workbench.errors import ImportFailed
from workbench.kb import query
from workbench.kb.access import writer
from workbench.strategy import initiative as register
from workbench.strategy import traceability
from workbench.strategy.data import load_plan
from workbench.strategy.exchange import export_plan, import_plan, plan_tables
from workbench.strategy.minimum import action_gaps, validate_action
from workbench.strategy.plan import rollup, validate_plan
from workbench.strategy.settings import minimum_content

ROOT = Path(__file__).resolve().parents[1]
STRATEGY = "see-joint-strategy"


def complete_action(**changes: object) -> dict[str, object]:
    action: dict[str, object] = {
        "action_id": "T1",
        "title": "Joint cluster academy",
        "objective_id": "O1",
        "dimensions": ["skills"],
        "barriers": ["B1"],
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "delivery": "training programme",
        "lead_region": "HR03",
        "responsible_body": "Regional agency",
        "funding_source": "esf_plus",
        "budget": 100000.0,
        "currency": "EUR",
        "indicators": [{"indicator_id": "RCO81", "baseline": 0, "target": 120, "unit": None}],
    }
    action.update(changes)
    return action


# ------------------------------------------------------------------------------ validation
def test_complete_action_has_no_gap() -> None:
    assert action_gaps(complete_action()) == []


def test_action_without_funding_source_is_named() -> None:
    messages = validate_action(complete_action(funding_source=None))
    assert messages == [
        "Action T1 'Joint cluster academy' names no funding source (funding source)"
    ]
    unknown = validate_action(complete_action(funding_source="lottery"))
    assert len(unknown) == 1 and "'lottery'" in unknown[0] and "Action T1" in unknown[0]


def test_action_without_measurable_target_is_named() -> None:
    no_target = complete_action(
        indicators=[{"indicator_id": "OWN-1", "baseline": 0, "target": None, "unit": "events"}]
    )
    gaps = action_gaps(no_target)
    assert [g["element"] for g in gaps] == ["measurable target"]
    assert gaps[0]["message"].startswith("Action T1 'Joint cluster academy' has no indicator")
    assert gaps[0]["reference"].startswith("S3 Platform")
    # an own indicator without unit is not measurable; a common one takes its unit from projects.yml
    assert action_gaps(
        complete_action(indicators=[{"indicator_id": "OWN", "baseline": 0, "target": 3}])
    )
    assert not action_gaps(
        complete_action(indicators=[{"indicator_id": "RCO84", "baseline": 0, "target": 3}])
    )


def test_every_minimum_element_is_checked() -> None:
    """Emptying all fields yields one message per element of strategy.yml's minimum content."""
    empty = {"action_id": "T0", "title": "Nothing yet"}
    gaps = action_gaps(empty)
    assert [g["element"] for g in gaps] == [e["element"] for e in minimum_content()]
    assert all(g["message"].startswith("Action T0 'Nothing yet' ") for g in gaps)


# ------------------------------------------------------------------------------ roll-up
def test_rollup_against_numpy_average() -> None:
    actions = pd.DataFrame(
        {
            "action_id": ["a", "b", "c", "d", "e", "f"],
            "title": list("abcdef"),
            "objective_id": ["O1", "O1", "O2", "O2", "O3", "O3"],
            "weight": [3.0, 1.0, None, None, 2.0, None],
        }
    )
    objectives = pd.DataFrame(
        {"objective_id": ["O1", "O2", "O3"], "title": ["x", "y", "z"], "weight": [0.5, 0.3, 0.2]}
    )
    progress = pd.DataFrame(
        {
            "action_id": ["a", "a", "b", "c", "d", "e", "f", "f"],
            "period": ["2026-H1", "2026-H2", "2026-H2", "2026-H1", "2026-H2", "2026-H2", "2026-H1", "2026-H2"],
            "status": ["on_track"] * 6 + ["on_track", "cancelled"],
            "progress": [10.0, 40.0, 80.0, 30.0, 50.0, 20.0, 60.0, 0.0],
        }
    )  # fmt: skip
    _, table, total = rollup(actions, objectives, progress, "2026-H2")
    got = table.set_index("objective_id")
    o1 = np.average([40.0, 80.0], weights=[3.0, 1.0])  # every action weighted
    o2 = np.mean([30.0, 50.0])  # no weights: the mean
    o3 = 20.0  # f is cancelled in 2026-H2: left out
    assert got.loc["O1", "progress"] == pytest.approx(o1)
    assert got.loc["O2", "progress"] == pytest.approx(o2)
    assert got.loc["O3", "progress"] == pytest.approx(o3)
    assert got.loc["O1", "method"] == "weighted mean"
    assert got.loc["O2", "method"].startswith("mean")
    assert total["progress"] == pytest.approx(np.average([o1, o2, o3], weights=[0.5, 0.3, 0.2]))
    _, first, _ = rollup(actions, objectives, progress, "2026-H1")
    # as of 2026-H1, b, d and e have no report yet: 0 %
    assert first.set_index("objective_id").loc["O1", "progress"] == pytest.approx(
        np.average([10.0, 0.0], weights=[3.0, 1.0])
    )


def test_demo_rollup_equals_a_direct_computation(demo_kb: Path) -> None:
    plan = load_plan(STRATEGY, db=demo_kb)
    _, table, total = rollup(plan.actions, plan.objectives, plan.progress, "2026-H2")
    raw = query(
        "SELECT a.action_id, a.objective_id, a.weight, p.status, p.progress FROM strategy_actions a"
        " LEFT JOIN (SELECT * FROM strategy_progress WHERE period <= '2026-H2'"
        "  QUALIFY row_number() OVER (PARTITION BY action_id ORDER BY period DESC) = 1) p"
        " USING (action_id) WHERE a.strategy_id = ?",
        [STRATEGY],
        db=demo_kb,
    )
    raw = raw[raw["status"].fillna("") != "cancelled"]
    raw["progress"] = raw["progress"].fillna(0.0)
    expected = {}
    for obj, g in raw.groupby("objective_id"):
        w = g["weight"]
        expected[obj] = (
            float((g["progress"] * w).sum() / w.sum()) if w.notna().all() else g["progress"].mean()
        )
    got = table.set_index("objective_id")["progress"]
    for obj, value in expected.items():
        assert got[obj] == pytest.approx(value), obj
    weights = plan.objectives.set_index("objective_id")["weight"]
    direct = sum(expected[o] * weights[o] for o in expected) / sum(weights[o] for o in expected)
    assert total["progress"] == pytest.approx(direct)


# ------------------------------------------------------------------------------ traceability
def test_traceability_lists_orphan_action_and_unaddressed_severe_barrier() -> None:
    actions = pd.DataFrame(
        {"action_id": ["A1", "A2"], "title": ["Linked", "Orphan"], "lead_region": ["HR03", "SI04"]}
    )
    links = pd.DataFrame(
        {
            "action_id": ["A1", "A1", "A1"],
            "link_type": ["barrier", "pilot", "barrier"],
            "target_id": ["B1", "P1", "B4"],
        }
    )
    barriers = pd.DataFrame(
        {
            "barrier_id": ["B1", "B2", "B3", "B4.v2"],
            "region": ["HR03", "HR03", "SI04", "SI04"],
            "barrier": ["addressed", "severe, open", "minor", "edited version of B4"],
            "dimensions": [["skills"], ["financing"], ["skills"], ["skills"]],
            "severity": [3, 2, 1, 3],
            "supersedes": [None, None, None, "B4"],
        }
    )
    indicators = pd.DataFrame({"action_id": ["A1"], "indicator_id": ["RCO84"]})
    pilots = pd.DataFrame({"pilot_id": ["P1"], "mechanism_id": ["M-PEER"]})
    assert traceability.orphan_actions(actions, links)["action_id"].tolist() == ["A2"]
    open_ = traceability.unaddressed_barriers(barriers, links, severe_at=2)
    assert open_["barrier_id"].tolist() == ["B2"]  # B3 is minor, B4.v2 is addressed via B4
    edges = traceability.chain_edges(actions, links, indicators, pilots)
    chain = set(zip(edges["source"], edges["target"], strict=True))
    assert {("B1", "M-PEER"), ("M-PEER", "P1"), ("P1", "A1"), ("A1", "RCO84")} <= chain
    assert not any("A2" in pair for pair in chain)


def test_demo_plan_traceability_and_gaps(demo_kb: Path) -> None:
    plan = load_plan(STRATEGY, db=demo_kb)
    assert traceability.orphan_actions(plan.actions, plan.links)["action_id"].tolist() == ["A20"]
    gaps = validate_plan(plan.actions, plan.links, plan.indicators)
    assert set(gaps.loc[gaps["element"] == "funding source", "action_id"]) == {"A12"}
    assert set(gaps.loc[gaps["element"] == "measurable target", "action_id"]) == {"A08", "A13"}


# ------------------------------------------------------------------------------ export / import
def _tables(db: Path) -> dict[str, pd.DataFrame]:
    return plan_tables(load_plan(STRATEGY, db=db))


@pytest.mark.parametrize("target", ["plan.xlsx", "plan_csv"])
def test_export_import_round_trip(demo_kb_copy: Path, tmp_path: Path, target: str) -> None:
    before = _tables(demo_kb_copy)
    assert before["actions"]["weight"].notna().any() and len(before["progress"]) > 20
    path = export_plan(STRATEGY, tmp_path / target, db=demo_kb_copy)
    with writer(demo_kb_copy) as con:  # partners' copy differs: lose progress and weights
        con.execute("DELETE FROM strategy_progress")
        con.execute("UPDATE strategy_actions SET weight = NULL")
    assert import_plan(path, db=demo_kb_copy) == STRATEGY
    after = _tables(demo_kb_copy)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, check_dtype=False, obj=name)
    plan = load_plan(STRATEGY, db=demo_kb_copy)
    assert plan.progress["progress"].sum() == pytest.approx(before["progress"]["progress"].sum())
    assert bool(plan.strategy["synthetic"].iloc[0])  # the demo plan stays marked synthetic


def _fingerprint(db: Path) -> list[tuple[str, int, str]]:
    out = []
    for table in ("strategies", "strategy_actions", "strategy_action_links", "strategy_progress"):
        frame = query(f"SELECT * FROM {table} ORDER BY ALL", db=db)
        out.append((table, len(frame), pd.util.hash_pandas_object(frame.astype(str)).sum()))
    return out


def test_bad_import_names_file_row_column_value_and_writes_nothing(
    demo_kb_copy: Path, tmp_path: Path
) -> None:
    folder = export_plan(STRATEGY, tmp_path / "plan", db=demo_kb_copy)
    progress = pd.read_csv(folder / "progress.csv", dtype=str, keep_default_na=False)
    progress.loc[2, "progress"] = "lots"
    progress.to_csv(folder / "progress.csv", index=False)
    actions = pd.read_csv(folder / "actions.csv", dtype=str, keep_default_na=False)
    actions.loc[0, "funding_source"] = "lottery"
    actions.to_csv(folder / "actions.csv", index=False)
    before = _fingerprint(demo_kb_copy)
    with pytest.raises(ImportFailed) as failed:
        import_plan(folder, db=demo_kb_copy)
    text = str(failed.value)
    assert "progress.csv, row 4, column 'progress', value 'lots': is not a number" in text
    assert "actions.csv, row 2, column 'funding_source', value 'lottery'" in text
    assert "nothing was written" in text
    assert _fingerprint(demo_kb_copy) == before
    # an evidence link the KB does not hold is refused inside the transaction, also atomically
    folder2 = export_plan(STRATEGY, tmp_path / "plan2", db=demo_kb_copy)
    actions = pd.read_csv(folder2 / "actions.csv", dtype=str, keep_default_na=False)
    actions.loc[1, "pilots"] = "P99"
    actions.to_csv(folder2 / "actions.csv", index=False)
    with pytest.raises(ImportFailed, match=r"row 3, column 'pilots', value 'P99': 'P99' is not"):
        import_plan(folder2, db=demo_kb_copy)
    assert _fingerprint(demo_kb_copy) == before


# ------------------------------------------------------------------------------ initiative
def test_register_checks_fixture() -> None:
    signatories = pd.DataFrame(
        {
            "signatory_id": ["S1", "S2", "S3", "S4"],
            "name": ["With action", "Without action", "New member", "Observer"],
            "region": ["HR03", "SI04", "RO11", "BG34"],
            "signed_on": [date(2025, 1, 1), date(2025, 1, 1), date(2026, 12, 1), date(2025, 1, 1)],
            "status": ["member", "member", "member", "observer"],
            "left_on": [None, None, None, None],
        }
    )
    commitments = pd.DataFrame(
        {
            "commitment_id": ["C1", "C2"],
            "rule": ["joint_action", "self_assessment"],
            "applies_to": [["member"], ["member"]],
            "within_months": [12, 12],
        }
    )
    assessments = pd.DataFrame(
        {"signatory_id": ["S1"], "year": [2026], "submitted_on": [date(2026, 11, 1)]}
    )
    bodies = pd.DataFrame(
        {"body_id": ["B1"], "name": ["Board"], "board_size": [2], "max_terms": [2]}
    )
    mandates = pd.DataFrame(
        {
            "body_id": ["B1", "B1", "B1"],
            "signatory_id": ["S1", "S2", "S3"],
            "role": ["chair", "member", "member"],
            "start_date": [date(2024, 1, 1), date(2025, 1, 1), date(2025, 6, 1)],
            "end_date": [date(2026, 6, 30), date(2027, 12, 31), date(2027, 12, 31)],
            "term_no": [1, 3, 1],
        }
    )
    actions = pd.DataFrame(
        {
            "action_id": ["A1"],
            "dimensions": [["skills"]],
            "lead_region": ["HR03"],
            "partner_regions": [["RS11"]],
            "start_date": [date(2026, 1, 1)],
        }
    )
    checks = register.register_checks(
        signatories, commitments, assessments, bodies, mandates, actions,
        as_of=date(2027, 3, 1), every_months=12,
    )  # fmt: skip
    found = {
        (c, s, lvl)
        for c, s, lvl in zip(checks["check"], checks["signatory_id"], checks["level"], strict=True)
    }
    assert ("member without a joint action", "S2", "breach") in found
    assert ("member without a joint action", "S3", "due") in found
    assert ("missing self-assessment", "S2", "breach") in found
    assert ("missing self-assessment", "S1", "breach") not in found
    assert ("expired mandate", "S1", "breach") in found
    assert ("term limit exceeded", "S2", "breach") in found
    assert not any(s == "S4" for _, s, _ in found)  # observers are not bound


def test_network_centrality_against_networkx_definitions() -> None:
    actions = pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3"],
            "dimensions": [["skills"], ["skills", "innovation"], ["innovation"]],
            "lead_region": ["HR03", "SI04", "RO11"],
            "partner_regions": [["SI04"], ["RO11"], []],
        }
    )
    table = register.centrality(register.cooperation_graph(actions)).set_index("region")
    # a path HR03 - SI04 - RO11: SI04 lies on the one shortest path between the others
    assert table.loc["SI04", "betweenness"] == pytest.approx(1.0)
    assert table.loc["HR03", "degree_centrality"] == pytest.approx(1 / 2)
    missing = register.regions_without_partners(
        actions, ["HR03", "RO11", "SK01"], ["skills", "innovation"]
    )
    # HR03 has a skills partner (A1) but none in innovation; SK01 takes part in no action
    assert set(zip(missing["region"], missing["dimension"], strict=True)) == {
        ("HR03", "innovation"),
        ("SK01", "skills"),
        ("SK01", "innovation"),
    }


# ------------------------------------------------------------------------------ demo data
def test_demo_strategy_data(demo_kb: Path) -> None:
    plan = load_plan(STRATEGY, db=demo_kb)
    assert len(plan.actions) >= 20
    dims = {d for ds in plan.actions["dimensions"] for d in ds}
    assert dims == {"innovation", "sustainability", "international", "financing",
                    "specialisation", "skills", "governance"}  # fmt: skip
    assert set(plan.links["link_type"]) == {"barrier", "mechanism", "pilot"}
    assert plan.progress["period"].nunique() == 2
    assert plan.actions["synthetic"].all() and plan.progress["synthetic"].all()
    signatories = query(
        "SELECT * FROM initiative_signatories WHERE initiative_id = 'see-cluster-initiative'",
        db=demo_kb,
    )
    assert len(signatories) >= 12 and signatories["country"].nunique() >= 8
    scenarios = query("SELECT * FROM strategy_scenarios", db=demo_kb)
    assert sorted(scenarios["scenario"]) == ["HH", "HL", "LH", "LL"]
    assert scenarios["synthetic"].all()


# ------------------------------------------------------------------------------ notebooks
@pytest.mark.slow
@pytest.mark.timeout(1800)  # may build the session's demo batch
def test_strategy_notebooks_run_on_the_demo(demo_batch: PlanBatch) -> None:
    # joint_strategy__region-all* and initiative* of the session's demo-plan batch
    # (support/batches.py: the whole demo plan on a copy of the demo knowledge base)
    batch = demo_batch.batch
    (strategy,) = batch.glob("joint_strategy__region-all*")
    sentences = key_findings_in((strategy / "report.html").read_text(encoding="utf-8"))
    assert 3 <= len(sentences) <= 7
    assert any("A20 'Cluster policy learning exchange'" in s for s in sentences)
    assert unmatched_numbers(sentences, strategy, (2,)) == []  # 2: the severity threshold
    shown = pd.read_csv(strategy / "objective_progress.csv")
    plan = load_plan(STRATEGY, db=demo_batch.db)
    _, direct, _ = rollup(plan.actions, plan.objectives, plan.progress, "2026-H2")
    assert shown["progress_pct"].tolist() == pytest.approx(direct["progress"].tolist())
    assert "A20" in set(pd.read_csv(strategy / "orphan_actions.csv")["action_id"])
    scenarios = query("SELECT scenario, name FROM strategy_scenarios", db=demo_batch.db)
    implications = pd.read_csv(strategy / "implications.csv")  # scenarios by name, with code
    named = {f"{n} ({c})" for c, n in zip(scenarios["scenario"], scenarios["name"], strict=True)}
    assert named == set(implications.columns) - {"dimension", "synthetic_data"}
    (ini,) = batch.glob("initiative__*")
    checks = pd.read_csv(ini / "checks.csv")
    assert "expired mandate" in set(checks["check"])
    assert "Sud-Est" in (ini / "report.html").read_text(encoding="utf-8")


def test_cli_check_export_and_refused_import(demo_kb_copy: Path, tmp_path: Path) -> None:
    from support.cli import assert_clean_failure, run_workbench

    check = run_workbench("strategy", "check", STRATEGY, db=demo_kb_copy)
    assert (
        check.returncode == 1
        and "Action A12 'Digital skills bootcamps' names no funding" in check.stdout
    )
    folder = tmp_path / "csv"
    done = run_workbench("strategy", "export", STRATEGY, "--out", str(folder), db=demo_kb_copy)
    assert done.returncode == 0, done.stderr
    objectives = pd.read_csv(folder / "objectives.csv", dtype=str, keep_default_na=False)
    objectives.loc[0, "weight"] = "-1"
    objectives.to_csv(folder / "objectives.csv", index=False)
    refused = run_workbench("strategy", "import", str(folder), db=demo_kb_copy)
    assert_clean_failure(
        refused, "objectives.csv, row 2, column 'weight', value '-1'", "nothing was written"
    )


@pytest.mark.slow
def test_demo_rebuild_keeps_accepted_actions_and_edited_scenarios(demo_kb_copy: Path) -> None:
    from workbench.demo import build_demo
    from workbench.strategy.write import upsert_action, upsert_scenario

    with writer(demo_kb_copy) as con:
        upsert_action(con, {**complete_action(action_id="A-accepted"), "strategy_id": STRATEGY},
                      dataset_id="capture:codraft")  # fmt: skip
        upsert_scenario(con, {"exercise_id": "see-clusters-2035", "scenario": "HH",
                              "name": "Edited by the facilitator", "implications": {}})  # fmt: skip
    build_demo(demo_kb_copy)
    plan = load_plan(STRATEGY, db=demo_kb_copy)
    assert "A-accepted" in set(plan.actions["action_id"]) and len(plan.actions) == 23
    names = query("SELECT scenario, name FROM strategy_scenarios ORDER BY 1", db=demo_kb_copy)
    assert names.set_index("scenario").loc["HH", "name"] == "Edited by the facilitator"
    assert len(names) == 4
