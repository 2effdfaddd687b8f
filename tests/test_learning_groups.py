"""Working-group spaces (issue 18, item 3): overdue action items, progress, the .ics calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from workbench.learning import data
from workbench.learning.groups import flag_overdue, group_progress, meetings_calendar

AS_OF = dt.date(2026, 12, 1)


def test_overdue_items_are_flagged_with_days_late() -> None:
    items = pd.DataFrame(
        {
            "item_id": ["late", "done_late", "future", "dropped", "today"],
            "group_id": ["G"] * 5,
            "due_date": ["2026-11-20", "2026-11-20", "2026-12-05", "2026-01-01", "2026-12-01"],
            "status": ["open", "done", "open", "dropped", "in_progress"],
        }
    )
    out = flag_overdue(items, AS_OF).set_index("item_id")
    assert out["overdue"].to_dict() == {
        "late": True, "done_late": False, "future": False, "dropped": False, "today": False,
    }  # fmt: skip
    assert out.loc["late", "days_overdue"] == 11 and out.loc["future", "days_overdue"] == 0
    assert flag_overdue(items, AS_OF).iloc[0]["item_id"] == "late"  # overdue first


def test_calendar_has_one_event_per_meeting_and_parses(demo_kb: Path) -> None:
    t = data.group_tables(str(demo_kb))
    ics = meetings_calendar(t["meetings"], t["groups"])
    cal = Calendar.from_ical(ics)
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == len(t["meetings"]) > 0
    uids = {str(e["UID"]).split("@")[0] for e in events}
    assert uids == set(t["meetings"]["meeting_id"])
    first = t["meetings"].sort_values("starts_at").iloc[0]
    ev = next(e for e in events if str(e["UID"]).startswith(first["meeting_id"] + "@"))
    assert (
        ev.decoded("dtstart").replace(tzinfo=None)
        == pd.Timestamp(first["starts_at"]).to_pydatetime()
    )
    assert "Agenda:" in str(ev["DESCRIPTION"])


def test_progress_matches_direct_counts(demo_kb: Path) -> None:
    t = data.group_tables(str(demo_kb))
    progress = group_progress(
        t["groups"], t["members"], t["meetings"], t["attendance"], t["decisions"],
        t["action_items"], AS_OF,
    ).set_index("group_id")  # fmt: skip
    assert len(progress) == 7  # six dimensions + the horizontal governance group
    items = t["action_items"]
    for gid, row in progress.iterrows():
        own = items[items["group_id"] == gid]
        due = pd.to_datetime(own["due_date"]).dt.date
        late = ((due < AS_OF) & ~own["status"].isin(["done", "dropped"])).sum()
        assert row["overdue"] == late
        assert row["done"] == (own["status"] == "done").sum()
        held = t["meetings"][(t["meetings"]["group_id"] == gid)
                             & (pd.to_datetime(t["meetings"]["starts_at"]).dt.date <= AS_OF)]  # fmt: skip
        present = t["attendance"][t["attendance"]["meeting_id"].isin(held["meeting_id"])]["present"]
        assert row["attendance"] == pytest.approx(present.mean())
    linked = items.dropna(subset=["link_kind"])
    assert set(linked["link_kind"]) <= {"barrier_cell", "pilot", "strategy_action"}


def test_cli_flags_overdue_items_and_writes_the_calendar(
    demo_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_DB", str(demo_kb))
    result = CliRunner().invoke(app, ["groups", "status", "--as-of", "2026-12-01"])
    assert result.exit_code == 1 and "OVERDUE" in result.output
    out = tmp_path / "wg.ics"
    result = CliRunner().invoke(
        app, ["groups", "calendar", "--out", str(out), "--group", "WG-SKIL"]
    )
    assert result.exit_code == 0, result.output
    events = [c for c in Calendar.from_ical(out.read_bytes()).walk() if c.name == "VEVENT"]
    assert len(events) == 4 and all("Skills and jobs" in str(e["SUMMARY"]) for e in events)


def test_group_page_shows_overdue_items_and_offers_the_calendar(demo_kb: Path) -> None:
    from workbench.dashboards.working_group import WorkingGroupDashboard

    dash = WorkingGroupDashboard("WG-INTE", as_of="2026-12-01", db=str(demo_kb))
    items = data.group_tables(str(demo_kb), "WG-INTE")["action_items"]
    late = flag_overdue(items, AS_OF)
    assert dash.output.value.count("OVERDUE") == int(late["overdue"].sum()) > 0
    assert f"{int(late['overdue'].sum())} action item(s) overdue" in dash.status.value
    assert 'download="WG-INTE.ics"' in dash.output.value
    dash.group.value = "WG-SKIL"
    assert "Skills and jobs" in dash.output.value


@pytest.mark.slow
def test_progress_report_runs_in_the_batch(demo_kb: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "run", str(root / "notebooks" / "working_groups.ipynb"),
         "-p", "group", "all", "-p", "as_of", "2026-12-01", "--out", str(tmp_path), "-q"],
        capture_output=True, text=True, env=os.environ | {"WORKBENCH_DB": str(demo_kb)}, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    shown = pd.read_csv(next(tmp_path.glob("working_groups/latest/*/action_items.csv")))
    direct = flag_overdue(data.group_tables(str(demo_kb))["action_items"], AS_OF)
    assert shown["overdue"].sum() == direct["overdue"].sum() > 0
    html = next(tmp_path.glob("working_groups/latest/*/report.html")).read_text(encoding="utf-8")
    assert f"{int(direct['overdue'].sum())} are overdue" in html
