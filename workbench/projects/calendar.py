"""The reporting calendar as an iCalendar (.ics) file (RFC 5545, ``icalendar`` package)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from icalendar import Calendar, Event


def calendar_ics(deadlines: pd.DataFrame, project_id: str, acronym: str) -> bytes:
    """One all-day VEVENT per deadline (rows of :func:`workplan.reporting_deadlines`)."""
    cal = Calendar()
    cal.add("prodid", "-//SEE Cluster Policy Lab//workbench projects//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{acronym} reporting calendar")
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for row in deadlines.itertuples():
        due = pd.Timestamp(row.report_due).date()
        event = Event()
        event.add("uid", f"{project_id}-period-{int(row.period)}-report@workbench")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", row.summary)
        event.add(
            "description",
            f"Period {int(row.period)}: {pd.Timestamp(row.start_date):%Y-%m-%d} to "
            f"{pd.Timestamp(row.end_date):%Y-%m-%d}",
        )
        cal.add_component(event)
    return cal.to_ical()
