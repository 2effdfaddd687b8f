"""Co-drafting the action plan (issue 17 item 7): proposals, comments and the facilitator's
decisions through the capture inbox, the two dashboard classes (without a browser; the browser test
is tests/test_codraft_browser.py), and scenario narratives through the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import capture
from workbench.errors import ValidationError
from workbench.kb import query, writer
from workbench.strategy import codraft

STRATEGY = "s1"


@pytest.fixture
def kb(tmp_db: Path) -> Path:
    """A knowledge base with one strategy, one objective, one imported action and two barriers."""
    with writer(tmp_db, purpose="test setup") as con:
        con.execute(
            "INSERT INTO strategies (strategy_id, title) VALUES (?, 'Test strategy')", [STRATEGY]
        )
        con.execute(
            "INSERT INTO strategy_objectives (strategy_id, objective_id, title) VALUES (?, 'O1', 'Skills')",
            [STRATEGY],
        )
        con.execute(
            "INSERT INTO strategy_actions (action_id, strategy_id, title, description, dimensions,"
            " lead_region, partner_regions, dataset_id) VALUES ('A01', ?, 'Cluster academy',"
            " 'Joint training', ['skills'], 'HR03', ['SI04'], 'file:plan.xlsx')",
            [STRATEGY],
        )
        con.execute(
            "INSERT INTO strategy_action_links (action_id, link_type, target_id) VALUES"
            " ('A01', 'barrier', 'b1')"
        )
        for bid, sev in (("b1", 3), ("b2", 2)):
            con.execute(
                "INSERT INTO barriers (barrier_id, region, barrier, dimensions, phase, severity)"
                " VALUES (?, 'HR03', ?, ['skills'], 'past_actions', ?)",
                [bid, f"barrier {bid}", sev],
            )
    return tmp_db


def _proposal(**extra: object) -> dict:
    p = {
        "proposal_id": codraft.new_id("P"),
        "strategy_id": STRATEGY,
        "title": "Joint export desk",
        "description": "One desk for cluster exports",
        "dimensions": ["international", "governance"],
        "lead_region": "hr03",
        "partner_regions": "RS11, SI04",
        "start_date": "2027-01-01",
        "end_date": "2028-12-31",
        "budget": "250 000",
        "currency": "eur",
        "funding_source": "interreg",
        "objective_id": "O1",
        "indicators": [
            {"indicator_id": "RCO87", "unit": "organisations", "baseline": "0", "target": "12"}
        ],
        "barriers": ["b2"],
        "delivery": "Interreg project EXPO-SEE",
        "responsible_body": "Croatian Chamber of Economy",
        "author": "Ana",
    }
    p.update(extra)
    return p


def _submit(kind: str, payload: dict, db: Path) -> capture.SubmitReceipt:
    return capture.submit(
        kind, payload, client_id="test", idempotency_key=f"k-{codraft.new_id('x')}", db=db
    )


def _decide(db: Path, pid: str, decision: str, action_id: str | None = None) -> None:
    _submit(
        codraft.DECISION_KIND,
        {"decision_id": codraft.new_id("D"), "proposal_id": pid, "decision": decision,
         "action_id": action_id, "note": f"{decision} note"},
        db,
    )  # fmt: skip
    capture.merge(db=db)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dimensions": ["tourism"]}, "dimensions: unknown dimension"),
        ({"dimensions": []}, "dimensions: choose at least one"),
        ({"title": "  "}, "title: is required"),
        ({"lead_region": "Zagreb"}, "lead_region: must be a NUTS code"),
        ({"end_date": "2026-01-01"}, "end_date: is before start"),
        ({"start_date": "1.1.2027"}, "start_date: must be a date"),
        ({"budget": "lots"}, "budget: must be a number"),
        ({"currency": ""}, "currency: is required with a budget"),
        ({"funding_source": "lottery"}, "funding_source: use one of"),
    ],
)
def test_malformed_proposal_is_refused_naming_field_and_nothing_is_stored(
    kb: Path, change: dict, field: str
) -> None:
    with pytest.raises(ValidationError, match=f"proposal not saved: {field}"):
        _submit(codraft.PROPOSAL_KIND, _proposal(**change), kb)
    assert capture.status(db=kb) == {}


def test_advice_lists_missing_funding_and_target_and_none_for_a_complete_proposal() -> None:
    complete = codraft.validate_proposal(_proposal())
    assert codraft.advice(complete) == []
    partial = codraft.validate_proposal(_proposal(funding_source=None, indicators=[]))
    gaps = codraft.advice(partial)
    assert len(gaps) == 2
    assert any("funding source" in g for g in gaps) and any("indicator" in g for g in gaps)
    assert all(g.startswith(f"Proposal {partial['proposal_id']} 'Joint export desk'") for g in gaps)


def test_accept_turns_a_proposal_into_an_action_with_links_and_indicator(kb: Path) -> None:
    p = _proposal()
    _submit(codraft.PROPOSAL_KIND, p, kb)
    _submit(codraft.COMMENT_KIND, {"comment_id": codraft.new_id("C"), "strategy_id": STRATEGY,
                                   "target_type": "proposal", "target_id": p["proposal_id"],
                                   "text": "<b>good</b> idea", "author": "Ivo"}, kb)  # fmt: skip
    assert capture.merge(db=kb) == 2
    stored = query("SELECT * FROM strategy_proposals", db=kb)
    assert stored["status"].tolist() == ["proposed"] and stored["author"].iloc[0] == "Ana"
    assert query("SELECT text FROM strategy_comments", db=kb)["text"].tolist() == [
        "<b>good</b> idea"
    ]

    _decide(kb, p["proposal_id"], "accept")
    action_id = codraft.accepted_action_id(p["proposal_id"])
    act = query("SELECT * FROM strategy_actions WHERE action_id = ?", [action_id], db=kb)
    assert len(act) == 1
    row = act.iloc[0]
    assert row["title"] == "Joint export desk" and row["lead_region"] == "HR03"
    assert list(row["partner_regions"]) == ["RS11", "SI04"]
    assert row["budget"] == 250_000 and row["currency"] == "EUR"
    assert row["dataset_id"] == codraft.CODRAFT_DATASET
    links = query("SELECT link_type, target_id FROM strategy_action_links WHERE action_id = ?",
                  [action_id], db=kb)  # fmt: skip
    assert links.values.tolist() == [["barrier", "b2"]]
    ind = query("SELECT * FROM strategy_indicators WHERE action_id = ?", [action_id], db=kb)
    assert ind[["indicator_id", "baseline", "target"]].values.tolist() == [["RCO87", 0.0, 12.0]]
    # reports cite the dashboards' input in their provenance: one dataset row, counted
    ds = query("SELECT rows, kind FROM datasets WHERE dataset_id = 'capture:codraft'", db=kb)
    assert ds.values.tolist() == [[3, "capture"]]  # the action, the proposal and the comment
    prop = query("SELECT status, action_id, decision_note FROM strategy_proposals", db=kb).iloc[0]
    assert (prop["status"], prop["action_id"], prop["decision_note"]) == (
        "accepted",
        action_id,
        "accept note",
    )


def test_merge_adds_to_the_existing_action_and_keeps_its_values_and_dataset(kb: Path) -> None:
    p = _proposal(lead_region="RS11", partner_regions=["RS11", "AL01"], dimensions=["skills"])
    _submit(codraft.PROPOSAL_KIND, p, kb)
    capture.merge(db=kb)
    _decide(kb, p["proposal_id"], "merge", "A01")
    row = query("SELECT * FROM strategy_actions WHERE action_id = 'A01'", db=kb).iloc[0]
    assert row["title"] == "Cluster academy" and row["lead_region"] == "HR03"  # existing values win
    assert sorted(row["partner_regions"]) == ["AL01", "RS11", "SI04"]
    assert row["funding_source"] == "interreg"  # an empty field is filled from the proposal
    assert row["dataset_id"] == "file:plan.xlsx"
    assert row["description"].startswith(
        "Joint training\n\nMerged from proposal " + p["proposal_id"]
    )
    links = query("SELECT target_id FROM strategy_action_links WHERE action_id = 'A01'"
                  " ORDER BY target_id", db=kb)["target_id"].tolist()  # fmt: skip
    assert links == ["b1", "b2"]
    assert query("SELECT count(*) AS n FROM strategy_actions", db=kb)["n"].iloc[0] == 1
    prop = query("SELECT status, action_id FROM strategy_proposals", db=kb).iloc[0]
    assert (prop["status"], prop["action_id"]) == ("merged", "A01")


def test_reject_then_a_second_decision_is_refused_and_changes_nothing(kb: Path) -> None:
    p = _proposal()
    _submit(codraft.PROPOSAL_KIND, p, kb)
    capture.merge(db=kb)
    _decide(kb, p["proposal_id"], "reject")
    _decide(kb, p["proposal_id"], "accept")
    assert query("SELECT status FROM strategy_proposals", db=kb)["status"].tolist() == ["rejected"]
    assert query("SELECT count(*) AS n FROM strategy_actions", db=kb)["n"].iloc[0] == 1
    failed = capture.status(db=kb)[codraft.DECISION_KIND]
    assert failed["failed"] == 1
    err = [r.merge_error for r in capture.pending(codraft.DECISION_KIND, db=kb)]
    assert err and "already decided (rejected)" in err[0]


def test_dashboards_propose_comment_accept_and_group_page_has_no_decision(kb: Path) -> None:
    from workbench.dashboards.codraft import CoDraftDashboard, CoDraftReview

    group = CoDraftDashboard(db=kb)
    assert group.strategy_id == STRATEGY
    assert not hasattr(group, "decide")  # decisions exist on the facilitator's page only
    group.propose()
    assert "proposal not saved: title: is required" in group.propose_status.value
    group.i_title.value = "Regional <i>voucher</i> scheme"
    group.i_dims["innovation"].value = True
    group.i_lead.value = "HR03"
    group.i_barriers.value = ("b1",)
    assert group.propose()
    assert "Saved proposal" in group.propose_status.value
    assert "funding source" in group.propose_status.value  # advice: still missing
    assert "&lt;i&gt;voucher" in group.proposals_html.value  # escaped
    pid = group.proposals["proposal_id"].iloc[0]
    group.c_target.value = f"proposal:{pid}"
    group.c_text.value = "Add Serbia as a partner"
    assert group.comment()

    review = CoDraftReview(db=kb)
    assert review.choice.value == pid
    assert "Add Serbia as a partner" in review.detail.value
    review.new_id.value = "A01"
    assert not review.decide("accept")  # the id is taken: refused before anything is stored
    review.new_id.value = "A99"
    assert review.decide("accept"), review.decision_status.value
    assert "accepted as action A99" in review.decision_status.value
    act = query("SELECT title, dimensions FROM strategy_actions WHERE action_id = 'A99'", db=kb)
    assert act["title"].tolist() == ["Regional <i>voucher</i> scheme"]
    assert review.choice.options == ()  # nothing left to decide
    group.refresh()
    assert 'data-status="accepted"' in group.proposals_html.value


def test_scenario_narrative_goes_through_the_inbox(kb: Path) -> None:
    payload = {
        "exercise_id": "ex1", "scenario": "HL", "axis_a": "D1", "axis_b": "D2",
        "name": "Green corridors", "story": "Regions trade green steel.",
        "signposts": "CBAM revenue\nNew rail links\n", "author": "facilitator",
        "implications": {"skills": "retrain welders", "financing": ""},
    }  # fmt: skip
    _submit(codraft.SCENARIO_KIND, payload, kb)
    capture.merge(db=kb)
    row = query("SELECT * FROM strategy_scenarios", db=kb).iloc[0]
    assert row["name"] == "Green corridors"
    assert list(row["signposts"]) == ["CBAM revenue", "New rail links"]
    imp = query("SELECT dimension, implication FROM strategy_scenario_implications", db=kb)
    assert imp.values.tolist() == [["skills", "retrain welders"]]
    with pytest.raises(ValidationError, match="scenario not saved: scenario"):
        _submit(codraft.SCENARIO_KIND, {**payload, "scenario": "XX"}, kb)


def test_facilitator_tab_edits_a_scenario_narrative(tmp_db: Path) -> None:
    from workbench.dashboards.foresight_facilitator import ForesightFacilitator
    from workbench.demo import foresight as demo

    demo.build_foresight_only(tmp_db)
    page = ForesightFacilitator(db=tmp_db)
    editor = page.narratives
    titles = [page.tabs.get_title(i) for i in range(len(page.tabs.children))]
    assert titles[-1] == "Scenario narratives" and page.tabs.children[-1] is editor.container
    a, b = page.axis_a.value, page.axis_b.value
    assert editor.axes == (a, b)  # follows the axes chosen on the impact/uncertainty tab
    label_a = page.matrix.set_index("driver_id").loc[a, "label"]
    assert dict(editor.pick.options)[f"HL: High {label_a} / low " + editor.labels[b]] == "HL"
    editor.pick.value = "HL"
    editor.save()
    assert "scenario not saved: name: is required" in editor.status.value
    editor.name.value = "Green <corridors>"
    editor.story.value = "Regions trade green steel."
    editor.signposts.value = "CBAM revenue\n\nNew rail links"
    editor.impl["skills"].value = "retrain welders"
    assert editor.save(), editor.status.value
    row = query("SELECT * FROM strategy_scenarios", db=tmp_db).iloc[0]
    assert (row["scenario"], row["name"], row["axis_a"], row["axis_b"]) == (
        "HL", "Green <corridors>", a, b
    )  # fmt: skip
    assert list(row["signposts"]) == ["CBAM revenue", "New rail links"]
    assert "Green &lt;corridors&gt;" in editor.saved_html.value
    editor.pick.value = "HH"
    assert editor.name.value == ""
    editor.pick.value = "HL"  # the saved narrative comes back into the form
    assert (
        editor.name.value == "Green <corridors>"
        and editor.impl["skills"].value == "retrain welders"
    )
