"""The shared dashboard kit (escaping, status messages, tables with paging, legend, downloads) and
the scoring dashboard's grid driven in-process: one save per evaluator, unchanged cells not sent
again, a retry stores nothing twice, never-scored mechanisms listed as not ranked yet."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from support.html_cells import parse_cells

from workbench import capture
from workbench.dashboards import kit
from workbench.evaluation.capture_kinds import KIND

XSS = '<img src=x onerror="alert(1)">&'


def test_escape_and_status_roles() -> None:
    assert kit.h(XSS) == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;"
    assert kit.h(None) == "" and kit.h(float("nan")) == ""
    ok = kit.status_html("ok", XSS)
    assert 'role="status"' in ok and 'aria-live="polite"' in ok and "wb-status-ok" in ok
    assert "<img" not in ok and "img" not in parse_cells(ok).tag_names  # shown as text, not a tag
    err = kit.status_html("error", "x", extra_class="fs-err")
    assert 'role="alert"' in err and 'aria-live="assertive"' in err and "fs-err" in err
    with pytest.raises(ValueError, match="status kind"):
        kit.status_html("fine", "x")  # type: ignore[arg-type]
    box = kit.Status("my-status")
    box.error("no")
    assert box.kind == "error" and "wb-status-error" in box.value
    assert "my-status" in box._dom_classes and "wb-status-box" in box._dom_classes
    box.clear()
    assert box.value == "" and box.kind == ""


def test_table_escapes_every_cell_and_formats_numbers() -> None:
    rows = [
        {"name": XSS, "n": 3, "share": 0.1234, "ok": True, "tags": ["a", "b"], "gap": None},
        {"name": "plain", "n": 12, "share": float("nan"), "ok": False, "tags": [], "gap": 1.5},
    ]
    markup = kit.table_html(
        rows,
        [("name", "Name <b>"), "n", "share", "ok", "tags", "gap"],
        formats={"share": "{:.1%}"},
        row_attrs=lambda r: {"data-name": r["name"]},
        css_class="x-table",
    )
    parsed = parse_cells(markup)
    assert "img" not in parsed.tag_names and "b" not in parsed.tag_names
    assert parsed.cells == [
        "Name <b>", "n", "share", "ok", "tags", "gap",
        XSS, "3", "12.3%", "yes", "a, b", "",
        "plain", "12", "", "no", "", "1.50",
    ]  # fmt: skip
    assert 'class="wb-table x-table"' in markup
    assert 'data-name="&lt;img' in markup  # attributes escaped too
    assert markup.count('class="wb-num"') == 4  # n (2x), one share, one gap; missing ones not
    empty = kit.table_html([], ["a"], empty="Nothing <here>")
    assert "Nothing &lt;here&gt;" in empty and "<table" not in empty


def test_paged_table_pages_and_filters() -> None:
    rows = [{"id": f"R{i:02d}", "text": "needle" if i % 10 == 3 else "hay"} for i in range(45)]
    t = kit.PagedTable(["id", "text"], page_size=20)
    t.set_rows(rows)
    assert t.n_pages == 3 and t.prev_button.disabled and not t.next_button.disabled
    assert "rows 1-20 of 45, page 1 of 3" in t.info.value
    assert parse_cells(t.table.value).cells[2] == "R00"
    t.next_button.click()
    t.next_button.click()
    assert "rows 41-45 of 45, page 3 of 3" in t.info.value and t.next_button.disabled
    assert [c for c in parse_cells(t.table.value).cells if c.startswith("R")] == [
        f"R{i}" for i in range(40, 45)
    ]
    t.go(99)  # clipped to the last page
    assert t.page == 2
    t.search.value = "NEEDLE"  # case-insensitive; back to page 1
    needles = [r["id"] for r in rows if r["text"] == "needle"]
    assert t.page == 0 and f"of {len(needles)} (filtered from 45)" in t.info.value
    assert [c for c in parse_cells(t.table.value).cells if c.startswith("R")] == needles
    t.set_rows([])
    assert "0 rows" in t.info.value and "Nothing to show" in t.table.value
    with pytest.raises(ValueError, match="page_size"):
        kit.PagedTable(["id"], page_size=0)


def test_legend_and_download_link() -> None:
    legend = kit.legend_html([("#fff", "none <x>"), ("#d7301f", "blocking")], title="Severity")
    assert legend.count("wb-legend-swatch") == 2 and "none &lt;x&gt;" in legend
    link = kit.download_link("a,b\n1,=2\n", "t.csv", "table <1>")
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link)[1]
    assert base64.b64decode(payload).decode() == "a,b\n1,=2\n"
    assert 'download="t.csv"' in link and "table &lt;1&gt;" in link


def test_kit_is_light() -> None:
    """The participant kernel imports the kit: it must not pull in pandas (checked in a fresh
    interpreter, since this test process has pandas loaded already)."""
    import subprocess
    import sys

    code = "import sys, workbench.dashboards.kit; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# ---------------------------------------------------------------- the scoring dashboard's grid
@pytest.fixture
def scoring_kb(tmp_path: Path) -> Path:
    from workbench.demo.pilots import write_standalone

    db = tmp_path / "kb.duckdb"
    write_standalone(db, seed=6)
    return db


def test_scoring_grid_one_save_per_evaluator(scoring_kb: Path) -> None:
    from workbench.dashboards.scoring import ScoringDashboard
    from workbench.evaluation import data
    from workbench.evaluation.reports import rank_mechanisms
    from workbench.evaluation.settings import criteria_codes

    db = scoring_kb
    codes = criteria_codes()
    names = data.load_mechanisms(db).set_index("mechanism_id")["name"].to_dict()
    never = sorted(set(names) - set(data.load_criteria_scores(db)["mechanism_id"]))
    assert never  # the demo has mechanisms nobody scored yet
    ranking = rank_mechanisms(data.current_scores(db), "ahp", mechanisms=names)
    listed = ranking.unranked.set_index("mechanism_id")
    assert set(never) <= set(listed.index)
    assert (listed.loc[never, "n_criteria_scored"] == 0).all()
    assert (listed.loc[never, "missing_criteria"] == ", ".join(codes)).all()
    assert (listed["status"] == "not ranked yet").all()
    # without the catalogue, as before: never-scored mechanisms are unknown to the ranking
    assert not set(never) & set(
        rank_mechanisms(data.current_scores(db), "ahp").unranked.mechanism_id
    )

    dash = ScoringDashboard(db=db)
    for m in never:
        assert f"data-mechanism='{m}'" in dash.ranking.value
    new = never[0]
    for i, c in enumerate(codes):
        dash.cells[(new, c)].value = 1 + i % 5
    assert not dash.on_save()  # no name, no confidence: nothing stored
    assert "Evaluator: type your name first" in dash.status.value
    dash.evaluator.value = "kit-test"
    assert not dash.on_save()
    assert f"{names[new]} ({new}): choose your confidence" in dash.status.value
    assert capture.pending(KIND, db=db) == []
    dash.confidence[new].value = "medium"
    dash.comments[new].value = "first impressions"
    assert dash.on_save()
    assert f"Saved {len(codes)} score(s) of 1 mechanism(s)" in dash.status.value
    assert len(capture.pending(KIND, db=db)) == len(codes)
    assert f'data-mechanism="{new}"' in dash.ranking.value  # ranked now (a <tr> of the table)
    # nothing changed: nothing sent; a retry of the same records reuses their keys
    assert not dash.on_save() and "Nothing to save" in dash.status.value
    assert dash.changed_records() == []
    record = {"evaluator": "kit-test", "mechanism_id": new, "criterion": codes[0], "score": 5,
              "confidence": "high", "comment": None}  # fmt: skip
    again = dash.submit([record])
    retry = dash.submit([record])  # e.g. Save pressed again after a failure
    assert [r.duplicate for r in again] == [False] and [r.duplicate for r in retry] == [True]
    assert len(capture.pending(KIND, db=db)) == len(codes) + 1
    # changing the confidence of a row re-sends that row's scores only
    other = ScoringDashboard(db=db, evaluator="kit-test")
    assert other.cells[(new, codes[0])].value == 5 and other.cells[(new, codes[1])].value == 2
    assert other.confidence[new].value == "high"  # that of the latest score
    other.confidence[new].value = "low"
    records = other.changed_records()
    assert {(r["mechanism_id"], r["criterion"]) for r in records} == {(new, c) for c in codes}
    assert {r["confidence"] for r in records} == {"low"}
