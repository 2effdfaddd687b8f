"""Working-group spaces: overdue action items, progress per group, the meetings calendar (.ics).

Pure functions over the working-group tables (loaded by :func:`workbench.learning.data.group_tables`):

* :func:`flag_overdue`: an action item is **overdue** when its due date is before ``as_of`` and its
  status is not closed (``done`` or ``dropped``); ``days_overdue = as_of - due_date``.
* :func:`group_progress`: per group, members, meetings held (start before ``as_of``), mean attendance
  (present / invited members of the meetings held), decisions, action items by status, overdue items,
  share done = done / (items - dropped).
* :func:`meetings_calendar`: an iCalendar (RFC 5545) with one VEVENT per meeting (UID
  ``<meeting_id>@see-cluster-policy-lab``, agenda as description), built with ``icalendar``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

CLOSED = ("done", "dropped")
UID_DOMAIN = "see-cluster-policy-lab"


def flag_overdue(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``items`` with ``overdue`` (bool) and ``days_overdue`` (0 when not overdue); overdue first."""
    out = items.copy()
    due = pd.to_datetime(out["due_date"]).dt.date
    out["overdue"] = (due < as_of) & ~out["status"].isin(CLOSED)
    out["days_overdue"] = [
        (as_of - d).days if flag else 0 for d, flag in zip(due, out["overdue"], strict=True)
    ]
    return out.sort_values(["overdue", "days_overdue", "due_date"], ascending=[False, False, True],
                           ignore_index=True)  # fmt: skip


def group_progress(
    groups: pd.DataFrame,
    members: pd.DataFrame,
    meetings: pd.DataFrame,
    attendance: pd.DataFrame,
    decisions: pd.DataFrame,
    items: pd.DataFrame,
    as_of: dt.date,
) -> pd.DataFrame:
    """One row per group (formulas in the module docstring)."""
    flagged = flag_overdue(items, as_of)
    held = meetings[pd.to_datetime(meetings["starts_at"]).dt.date <= as_of]
    att = attendance[attendance["meeting_id"].isin(held["meeting_id"])].merge(
        held[["meeting_id", "group_id"]], on="meeting_id"
    )
    rows = []
    for g in groups.to_dict("records"):
        gid = g["group_id"]
        own_items = flagged[flagged["group_id"] == gid]
        own_att = att[att["group_id"] == gid]
        counted = own_items[own_items["status"] != "dropped"]
        rows.append(
            {
                "group_id": gid,
                "name": g["name"],
                "dimension": g["dimension"],
                "members": int((members["group_id"] == gid).sum()),
                "meetings_held": int((held["group_id"] == gid).sum()),
                "meetings_planned": int((meetings["group_id"] == gid).sum())
                - int((held["group_id"] == gid).sum()),
                "attendance": float(own_att["present"].mean()) if len(own_att) else float("nan"),
                "decisions": int(
                    decisions["meeting_id"]
                    .isin(meetings.loc[meetings["group_id"] == gid, "meeting_id"])
                    .sum()
                ),
                "items": len(own_items),
                "done": int((own_items["status"] == "done").sum()),
                "open": int((~own_items["status"].isin(CLOSED)).sum()),
                "overdue": int(own_items["overdue"].sum()),
                "share_done": float((counted["status"] == "done").mean())
                if len(counted)
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def meetings_calendar(meetings: pd.DataFrame, groups: pd.DataFrame) -> bytes:
    """The meetings as one iCalendar file (bytes), one VEVENT each."""
    from icalendar import Calendar, Event

    names = dict(zip(groups["group_id"], groups["name"], strict=True))
    cal = Calendar()
    cal.add("prodid", "-//SEE Cluster Policy Lab//working groups//EN")
    cal.add("version", "2.0")
    stamp = dt.datetime.now(dt.UTC)
    for m in meetings.sort_values("starts_at").to_dict("records"):
        ev = Event()
        ev.add("uid", f"{m['meeting_id']}@{UID_DOMAIN}")
        ev.add("dtstamp", stamp)
        ev.add("summary", f"{names.get(m['group_id'], m['group_id'])}: {m['title']}")
        ev.add("dtstart", pd.Timestamp(m["starts_at"]).to_pydatetime())
        ev.add("dtend", pd.Timestamp(m["ends_at"]).to_pydatetime())
        if m.get("location"):
            ev.add("location", m["location"])
        if m.get("agenda"):
            ev.add("description", f"Agenda: {m['agenda']}")
        cal.add_component(ev)
    return cal.to_ical()
