"""Project monitoring (issue 19): model import, pre-submission checks, finance, KPIs, calendar."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar
from support.projects import broken_project, clean_project

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.importers.projects import (
    frames_to_model,
    import_project,
    read_project_json,
    read_project_xlsx,
    write_project_template,
)
from workbench.kb import query
from workbench.projects import finance, kpis
from workbench.projects.calendar import calendar_ics
from workbench.projects.checks import check_project
from workbench.projects.data import load_project
from workbench.projects.workplan import action_items_status, reporting_deadlines

SETTINGS = load_defaults("projects")


def _write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_clean_fixture_passes_every_check(tmp_path: Path) -> None:
    model = read_project_json(_write_json(clean_project(), tmp_path / "p.json"))
    assert check_project(model, SETTINGS["checks"]) == []


def test_broken_fixture_gets_exactly_the_three_messages(tmp_path: Path) -> None:
    model = read_project_json(_write_json(broken_project(), tmp_path / "p.json"))
    messages = check_project(model, SETTINGS["checks"])
    assert len(messages) == 3, messages
    assert any("Work package WP2" in m and "no output" in m for m in messages)
    assert any("Partner PP2" in m and "600.00 EUR" in m and "650.00 EUR" in m for m in messages)
    assert any("2 lead partners (PP1, PP2)" in m for m in messages)


def test_other_checks_name_the_item(tmp_path: Path) -> None:
    data = clean_project()
    data["cofinancing"][0]["share"] = 0.7  # PP1: 0.7 + 0.2
    data["activities"][1]["end_date"] = "2026-02-01"
    data["activities"].pop(0)  # WP1 loses its only activity
    model = read_project_json(_write_json(data, tmp_path / "p.json"))
    messages = check_project(model, SETTINGS["checks"])
    assert any("PP1" in m and "90.0 %" in m for m in messages)
    assert any("Activity A2.1" in m and "outside the project periods" in m for m in messages)
    assert any("Work package WP1" in m and "no activity" in m for m in messages)
    assert len(messages) == 3


def _fill_template(template: Path, data: dict, out: Path) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(template)
    for sheet in wb.sheetnames:
        if sheet == "columns":
            continue
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        rows = data.get(sheet) or []
        if sheet == "project":
            rows = [{"project_id": data["project_id"], **data["project"]}]
        for row in rows:
            ws.append([row.get(h) for h in header])
    wb.save(out)
    return out


def test_xlsx_template_round_trip_and_errors(tmp_path: Path) -> None:
    template = write_project_template(tmp_path / "template.xlsx")
    filled = _fill_template(template, broken_project(), tmp_path / "filled.xlsx")
    model = read_project_xlsx(filled)
    assert model.project_id == "TEST1"
    assert len(model["budget"]) == len(broken_project()["budget"])
    assert len(check_project(model, SETTINGS["checks"])) == 3
    bad = clean_project()
    bad["periods"][1]["end_date"] = "end of year"
    filled = _fill_template(template, bad, tmp_path / "bad.xlsx")
    with pytest.raises(
        ValidationError, match=r"sheet 'periods', row 3, column 'end_date'.*'end of year'"
    ):
        read_project_xlsx(filled)


def test_import_stores_and_a_failed_import_changes_nothing(tmp_db: Path, tmp_path: Path) -> None:
    import_project(_write_json(clean_project(), tmp_path / "p.json"), db=str(tmp_db))
    loaded = load_project("TEST1", db=str(tmp_db))
    assert len(loaded["partners"]) == 3
    assert check_project(loaded, SETTINGS["checks"]) == []
    before = query("SELECT count(*) AS n FROM project_budget", db=str(tmp_db))["n"].iloc[0]
    bad = clean_project()
    bad["budget"].append(dict(bad["budget"][0]))  # duplicate key: the insert fails
    with pytest.raises(ValidationError, match="budget"):
        import_project(_write_json(bad, tmp_path / "bad.json"), db=str(tmp_db))
    after = query("SELECT count(*) AS n FROM project_budget", db=str(tmp_db))["n"].iloc[0]
    assert before == after == len(clean_project()["budget"])


def test_half_absorption_at_period_end_is_flagged() -> None:
    budget = pd.DataFrame(
        [("PP1", "staff", 1, 1000.0), ("PP1", "staff", 2, 1000.0),
         ("PP2", "staff", 1, 800.0), ("PP2", "staff", 2, 800.0)],
        columns=["partner_id", "category", "period", "amount_eur"],
    )  # fmt: skip
    spending = pd.DataFrame(
        [("PP1", "staff", 1, 500.0, "certified"), ("PP1", "staff", 1, 400.0, "draft"),
         ("PP2", "staff", 1, 790.0, "submitted")],
        columns=["partner_id", "category", "period", "amount_eur", "status"],
    )  # fmt: skip
    threshold = SETTINGS["finance"]["underspend_threshold"]
    assert threshold > 0.5  # the configured threshold flags half absorption
    counted = finance.counted_spending(spending, SETTINGS["counted_statuses"])
    cum = finance.absorption(finance.spending_vs_plan(budget, counted), threshold)
    p1 = cum[cum["period"] == 1].set_index("partner_id")
    assert p1.loc["PP1", "absorption"] == pytest.approx(500 / 1000)  # the draft does not count
    assert bool(p1.loc["PP1", "underspend"]) and not bool(p1.loc["PP2", "underspend"])
    risk = finance.partners_at_risk(cum, 1, threshold).set_index("partner_id")
    # needed by end of period 2: threshold * 2000 - 500 against a run rate of 500 per period
    assert risk.loc["PP1", "needed_eur"] == pytest.approx(threshold * 2000 - 500)
    assert bool(risk.loc["PP1", "at_risk"])
    fc = finance.forecast_to_end(cum, 1, pd.Series({"PP1": 2000.0, "PP2": 1600.0}))
    assert fc.set_index("partner_id").loc["PP1", "forecast_eur"] == pytest.approx(1000.0)


def test_event_log_counts_rco115_and_rco87() -> None:
    events = pd.DataFrame(
        {"event_id": ["E1", "E2", "E3"], "kind": ["public_event"] * 3,
         "date": ["2025-03-01", "2025-04-01", "2025-05-01"], "title": ["a", "b", "c"]}
    )  # fmt: skip
    participants = pd.DataFrame(
        {
            "event_id": ["E1", "E1", "E2", "E2", "E2", "E3", "E3"],
            "organisation_id": ["O1", "O2", "O1", "O3", "O3", "O4", "O5"],
            "country": ["IT", "SI", "IT", "HR", "HR", "RS", "RS"],
            "completed": [None] * 7,
        }
    )
    counts = kpis.counted_indicators(events, participants, SETTINGS["kpis"])
    assert counts["cross_border_public_events"] == 2  # E3 is one country only
    assert counts["cross_border_organisations"] == 3  # O1 attends E1 and E2: counted once
    registry = kpis.indicator_registry(SETTINGS["common_indicators"], pd.DataFrame(
        {"indicator_code": ["RCO115"], "baseline": [0.0], "target": [8.0], "source": ["log"]}))  # fmt: skip
    achievements = pd.DataFrame(
        {"item_id": ["I1", "I2"], "indicator_code": ["RCO83", "RCO83"], "date": ["2025-02-01"] * 2,
         "value": [1.0, 1.0], "description": ["x", "y"], "evidence": ["https://e.org/1", None]}
    )  # fmt: skip
    table = kpis.achieved(registry, events, participants, achievements, SETTINGS["kpis"],
                          pd.Timestamp("2025-12-31")).set_index("indicator_code")  # fmt: skip
    assert table.loc["RCO115", "achieved"] == 2 and table.loc["RCO87", "achieved"] == 3
    assert table.loc["RCO83", "achieved"] == 1  # the claim without evidence is excluded
    assert kpis.evidenced(achievements)[1]["item_id"].tolist() == ["I2"]
    rag = kpis.rag_status(table.reset_index(), 2, 4, 0.9, 0.6).set_index("indicator_code")
    # pro-rata target at period 2 of 4: 8 * 2 / 4 = 4; 2 of 4 is 50 %, below amber_at 0.6
    assert rag.loc["RCO115", "expected"] == 4 and rag.loc["RCO115", "ratio"] == 0.5
    assert rag.loc["RCO115", "status"] == "red"
    assert (
        kpis.rag_status(table.reset_index(), 1, 4, 0.9, 0.6)
        .set_index("indicator_code")
        .loc["RCO115", "status"]
        == "green"
    )  # 2 of 8 / 4 = 2: 100 %


def test_reporting_calendar_parses_with_one_event_per_deadline(tmp_path: Path) -> None:
    model = read_project_json(_write_json(clean_project(), tmp_path / "p.json"))
    deadlines = reporting_deadlines(model["periods"], model.acronym)
    cal = Calendar.from_ical(calendar_ics(deadlines, model.project_id, model.acronym))
    events = cal.walk("VEVENT")
    assert len(events) == len(model["periods"]) == 2
    assert sorted(e.decoded("dtstart") for e in events) == [
        dt.date(2025, 9, 1),
        dt.date(2026, 3, 1),
    ]


def test_overdue_action_items() -> None:
    actions = pd.DataFrame({"action_id": ["a", "b", "c"], "due_date": ["2025-01-01", "2025-01-01", "2025-12-01"],
                            "done_date": [None, "2025-01-02", None]})  # fmt: skip
    status = action_items_status(actions, dt.date(2025, 6, 1)).set_index("action_id")["status"]
    assert status.to_dict() == {"a": "overdue", "b": "done", "c": "open"}


def test_model_rejects_bad_json_value(tmp_path: Path) -> None:
    data = clean_project()
    data["budget"][3]["amount_eur"] = "lots"
    with pytest.raises(ValidationError, match=r"sheet 'budget', row 5, column 'amount_eur'"):
        read_project_json(_write_json(data, tmp_path / "p.json"))
    data = clean_project()
    data["budget"][0]["category"] = "catering"
    with pytest.raises(
        ValidationError, match=r"sheet 'budget', row 2, column 'category': value 'catering'"
    ):
        read_project_json(_write_json(data, tmp_path / "p.json"))
    with pytest.raises(ValidationError, match="sheet 'partners' is missing"):
        frames_to_model("x.json", "P", {"project": []})


def test_demo_project_is_synthetic_and_clean(demo_kb: Path) -> None:
    model = load_project(db=str(demo_kb))
    partners = model["partners"]
    assert (partners["role"] == "lead").sum() == 1
    assert partners.loc[partners["role"] == "lead", "country"].item() == "IT"
    assert len(partners) == 21 and len(model["work_packages"]) == 6 and len(model["periods"]) == 4
    assert check_project(model, SETTINGS["checks"]) == []
    flags = query("SELECT DISTINCT synthetic FROM project_partners", db=str(demo_kb))
    assert flags["synthetic"].tolist() == [True]


def test_demo_rebuild_keeps_an_imported_project(demo_kb_copy: Path, tmp_path: Path) -> None:
    from workbench.demo import build_demo

    import_project(_write_json(clean_project(), tmp_path / "p.json"), db=str(demo_kb_copy))
    build_demo(demo_kb_copy)
    ids = query("SELECT project_id, synthetic FROM projects ORDER BY 1", db=str(demo_kb_copy))
    assert ids["project_id"].tolist() == ["DEMO-CLUSTER4SEE", "TEST1"]
    assert len(load_project("TEST1", db=str(demo_kb_copy))["budget"]) == len(
        clean_project()["budget"]
    )


@pytest.mark.slow
def test_notebooks_run_on_the_demo(demo_kb: Path, tmp_path: Path) -> None:
    from support.notebooks import run_notebook

    run_notebook("project_monitoring.ipynb", tmp_path / "pm.ipynb", {"period": 2, "as_of": "2026-12-01"},
                 db=demo_kb, report_dir=tmp_path / "pm")  # fmt: skip
    absorption = pd.read_csv(next((tmp_path / "pm").rglob("absorption.csv")))
    model = load_project(db=str(demo_kb))
    assert set(absorption["partner_id"]) == set(model["partners"]["partner_id"])
    ics = next((tmp_path / "pm").rglob("reporting_calendar.ics"))
    assert len(Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) == len(model["periods"])
    run_notebook("communication_kpis.ipynb", tmp_path / "ck.ipynb", {"period": 2},
                 db=demo_kb, report_dir=tmp_path / "ck")  # fmt: skip
    indicators = pd.read_csv(next((tmp_path / "ck").rglob("indicators.csv")))
    assert set(SETTINGS["common_indicators"]) <= set(indicators["indicator_code"])
    words = SETTINGS["counted_from_labels"]  # how each indicator is counted, in words
    assert set(indicators["counted_from"]) <= set(words.values())
    codes = indicators.set_index("indicator_code")["counted_from"]
    for code, spec in SETTINGS["common_indicators"].items():
        assert codes[code] == words[spec["counted_from"]]


def test_command_line_template_import_check_calendar(tmp_path: Path) -> None:
    from support.cli import assert_clean_failure, run_workbench

    db = tmp_path / "kb.duckdb"
    done = run_workbench("template", "project", "--out", str(tmp_path / "t.xlsx"), db=db)
    assert done.returncode == 0, done.stderr
    filled = _fill_template(tmp_path / "t.xlsx", broken_project(), tmp_path / "broken.xlsx")
    done = run_workbench("project", "check", str(filled), db=db)
    assert done.returncode == 1 and done.stdout.count("\n") == 3, done.stdout
    assert "Work package WP2 'Pilots' has no output." in done.stdout
    done = run_workbench(
        "project", "import", str(_write_json(clean_project(), tmp_path / "p.json")), db=db
    )
    assert done.returncode == 0 and "TEST1" in done.stdout and "check:" not in done.stdout, (
        done.stdout
    )
    done = run_workbench("project", "calendar", "--out", str(tmp_path / "c.ics"), db=db)
    assert done.returncode == 0, done.stderr
    assert len(Calendar.from_ical((tmp_path / "c.ics").read_bytes()).walk("VEVENT")) == 2
    assert_clean_failure(run_workbench("project", "check", str(tmp_path / "t.txt"), db=db), ".txt")
