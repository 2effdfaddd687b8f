"""The participant page without a browser: anchors per statement, catalogues complete, grids saved
in batches (merged row by row, read back after a reload), language switch, codes in any case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from workbench import capture
from workbench.dashboards import foresight_participant as fp
from workbench.dashboards.translations import LANGUAGES, po_path
from workbench.demo import foresight as demo
from workbench.errors import ValidationError
from workbench.foresight import micmac
from workbench.foresight.model import load_exercise

SOURCE = Path(fp.__file__)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|<b>|</b>")


@pytest.fixture
def kb(tmp_db: Path) -> list[str]:
    return demo.build_foresight_only(tmp_db)


def _source_messages() -> set[str]:
    """Every text of the page marked for translation, extracted from the source by Babel."""
    found = extract_from_file("python", str(SOURCE), keywords={"_": None, "N_": None})
    return {message for _line, message, _comments, _context in found}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_catalogue_is_complete(lang: str) -> None:
    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    wanted = _source_messages()
    assert len(wanted) > 40
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted(wanted - set(translated)) == []
    for msgid in wanted:  # placeholders and markup survive translation
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(
            PLACEHOLDER.findall(translated[msgid])
        ), msgid


@pytest.mark.parametrize(
    ("text", "given", "low", "high"),
    [
        (
            "Importance of Western Balkan clusters joining EU programmes.",
            None,
            "not important",
            "essential",
        ),
        (
            "Desirability: one platform (1 = not at all, 9 = essential).",
            None,
            "not at all",
            "essential",
        ),
        ("Feasibility of harmonised instruments.", None, "not feasible", "fully feasible"),
        (
            "By 2035 most clusters will run joint projects.",
            None,
            "strongly disagree",
            "strongly agree",
        ),
        ("Importance of X.", {"low": "irrelevant", "high": "vital"}, "irrelevant", "vital"),
        ("Importance of X.", {"1": "none", "5": "some", "9": "all"}, "none", "all"),
    ],
)
def test_each_statement_shows_its_own_anchors(text, given, low, high) -> None:
    statement = {"statement_id": "S", "text": text, "scale_points": 9, "anchors": given}
    assert fp.statement_anchors(statement, text)[:2] == (low, high)


def test_importance_statement_never_shows_agreement(kb, tmp_db) -> None:
    page = fp.ForesightParticipant(db=tmp_db)
    assert page.join(kb[45].lower())  # codes in any case
    cards = {
        sid: controls[0].layout  # noqa: F841 - cards are built
        for sid, controls in page.delphi_controls.items()
    }
    assert set(cards) == {f"S{i}" for i in range(1, 9)}
    delphi = page.tabs.children[0].children[0]
    text = {
        c._dom_classes[1].removeprefix("fs-statement-"): c.children[0].value
        for c in delphi.children[1:]
    }
    assert "agree" not in text["S8"] and "not important" in text["S8"]
    assert "1 = not at all ... 9 = essential" in text["S6"]
    assert "1 = strongly disagree ... 5 = strongly agree" in text["S1"]


def test_grids_save_in_batches_and_resume_after_reload(kb, tmp_db) -> None:
    code = kb[45]
    page = fp.ForesightParticipant(db=tmp_db, code=code.lower())
    assert page.code == code
    drivers = [d["driver_id"] for d in page.state["drivers"]]
    for i, driver in enumerate(drivers):
        impact, uncertainty = page.rate_controls_for(driver)
        impact.value, uncertainty.value = i % 5 + 1, (i + 2) % 5 + 1
    assert "12 of 12 drivers rated" in page.rate_progress.value
    assert page.save_ratings()
    # three source drivers completely, the fourth half: 3 * 11 + 5 = 38 pairs, saved in two batches
    page.show_row(0)
    for row in range(3):
        for k, (_label, strength) in enumerate(page.infl_targets):
            strength.value = (row + k) % 4
        if row == 1:
            assert page.save_influences()
        page.show_row(row + 1)
    for _label, strength in page.infl_targets[:5]:
        strength.value = 3
    assert page.save_and_next()
    assert page.influence_progress() == (38, 132)
    rows = capture.read("foresight.influences", db=tmp_db)
    assert len(rows) == 2 and sum(len(r.payload["influences"]) for r in rows) == 38

    again = fp.ForesightParticipant(db=tmp_db, code=code)  # the page reloaded
    assert again.influence_progress() == (38, 132)
    assert again.infl_row == 3  # resumes at the first driver with missing pairs
    assert "38 of 132 pairs" in again.infl_progress.value
    assert [again.rate_controls_for(d)[0].value for d in drivers] == [i % 5 + 1 for i in range(12)]

    capture.merge(db=tmp_db)
    ex = load_exercise(demo.EXERCISE_ID, db=tmp_db, include_pending=False)
    mine = ex.influences[ex.influences["participant_code"] == code]
    assert len(mine) == 38
    expected = {(drivers[0], drivers[1 + k]): k % 4 for k in range(11)}
    got = {
        (r.source_driver, r.target_driver): int(r.strength)
        for r in mine.itertuples()
        if r.source_driver == drivers[0]
    }
    assert got == expected
    matrix = micmac.influence_matrix(ex.influences)
    assert matrix.loc[drivers[0], drivers[0]] == 0
    rated = ex.ratings[ex.ratings["participant_code"] == code]
    assert len(rated) == 12


def test_batches_refuse_bad_values_and_store_nothing(kb, tmp_db) -> None:
    base = {"exercise_id": demo.EXERCISE_ID, "participant_code": kb[45]}
    bad = [
        (
            "foresight.influences",
            {"influences": [{"source_driver": "D01", "target_driver": "D02", "strength": 4}]},
            "from 0 to 3",
        ),
        (
            "foresight.influences",
            {"influences": [{"source_driver": "D01", "target_driver": "D02", "strength": 1}] * 2},
            "twice",
        ),
        ("foresight.influences", {"influences": []}, "nothing to save"),
        (
            "foresight.ratings",
            {"ratings": [{"driver_id": "D99", "impact": 1, "uncertainty": 1}]},
            "unknown driver",
        ),
        (
            "foresight.ratings",
            {"ratings": [{"driver_id": "D01", "impact": 6, "uncertainty": 1}]},
            "impact of D01",
        ),
    ]
    for n, (kind, extra, message) in enumerate(bad):
        with pytest.raises(ValidationError, match=message):
            capture.submit(
                kind, {**base, **extra}, client_id="t", idempotency_key=f"bad-{n}", db=tmp_db
            )
    assert capture.read("foresight.influences", db=tmp_db) == []
    assert capture.read("foresight.ratings", db=tmp_db) == []


def test_language_switch_keeps_unsaved_answers(kb, tmp_db) -> None:
    page = fp.ForesightParticipant(db=tmp_db, code=kb[45], language="sl")
    assert page.join_button.description == "Vstopi"
    rating, comment, _button, _status = page.delphi_controls["S2"]
    rating.value, comment.value = 4, "osnutek"
    assert "fs-unsaved" in page.container._dom_classes
    page.set_language("hr")
    rating, comment, button, status = page.delphi_controls["S2"]
    assert (rating.value, comment.value) == (4, "osnutek")
    assert button.description == "Spremi" and page.tabs.get_title(3) == "Međuutjecaji"
    assert page.save_answer("S2") and "Spremljeno" in status.value
    assert "fs-unsaved" not in page.container._dom_classes
    page.set_language("en")
    assert (
        "1 = strongly disagree" in page.tabs.children[0].children[0].children[2].children[0].value
    )


def test_invitation_link_parameters(monkeypatch) -> None:
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)  # not preheated: Voila sets QUERY_STRING
    monkeypatch.setenv("QUERY_STRING", "code=k7qm4-zt9xh&lang=hr&other=1")
    assert fp.request_parameters() == {"code": "k7qm4-zt9xh", "lang": "hr"}
    monkeypatch.delenv("QUERY_STRING")
    assert fp.request_parameters() == {}  # not in Voila


def test_invitation_link_signs_in_after_the_page_was_built(kb, tmp_db) -> None:
    """A preheated kernel builds the join page first; the link's code and language come later."""
    page = fp.ForesightParticipant(db=tmp_db)
    assert page.state is None and page.join_box.layout.display != "none"
    page.apply_request({"code": f"  {kb[45].lower()} ", "lang": "hr", "exercise": demo.EXERCISE_ID})
    assert page.code == kb[45] and page.lang == "hr"
    assert page.join_box.layout.display == "none" and page.tabs.get_title(0) == "Delphi"
    assert page.delphi_controls["S1"][2].description == "Spremi"
    wrong = fp.ForesightParticipant(db=tmp_db)
    wrong.apply_request({"code": "NOPE-NOPE1"})
    assert wrong.state is None and "Unknown code" in wrong.join_message.value
