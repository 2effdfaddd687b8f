"""Work plan and steering committee: overdue deliverables, reporting deadlines, meetings, actions.

Pure functions over the project model's frames; ``as_of`` is the date the report looks from
("today" unless the report is run for a past date).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def overdue_deliverables(deliverables: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Deliverables due before ``as_of`` and not delivered (or delivered late).

    Output: the deliverables with ``days_late`` (as_of - due_date, or delivered - due) and
    ``overdue`` (due before as_of and no delivered_date).
    """
    d = deliverables.copy()
    due = pd.to_datetime(d["due_date"])
    delivered = pd.to_datetime(d["delivered_date"])
    today = pd.Timestamp(as_of)
    d["overdue"] = (due < today) & delivered.isna()
    d["days_late"] = (delivered.fillna(today) - due).dt.days.clip(lower=0)
    return d


def gantt_rows(
    activities: pd.DataFrame, deliverables: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """Rows of the Gantt chart: one bar per activity, one milestone per deliverable.

    Columns: item, wp_id, kind (activity/deliverable), start, end, status (done, running, planned,
    overdue, delivered, due).
    """
    today = pd.Timestamp(as_of)
    acts = activities.assign(
        item=activities["activity_id"] + " " + activities["title"],
        kind="activity",
        start=pd.to_datetime(activities["start_date"]),
        end=pd.to_datetime(activities["end_date"]),
    )
    acts["status"] = "running"
    acts.loc[acts["end"] < today, "status"] = "done"
    acts.loc[acts["start"] > today, "status"] = "planned"
    dels = overdue_deliverables(deliverables, as_of).merge(
        activities[["activity_id", "wp_id"]], on="activity_id", how="left"
    )
    dels = dels.assign(
        item=dels["deliverable_id"] + " " + dels["title"],
        kind="deliverable",
        start=pd.to_datetime(dels["due_date"]),
        end=pd.to_datetime(dels["due_date"]),
    )
    dels["status"] = "due"
    dels.loc[dels["delivered_date"].notna(), "status"] = "delivered"
    dels.loc[dels["overdue"], "status"] = "overdue"
    cols = ["item", "wp_id", "kind", "start", "end", "status"]
    return pd.concat([acts[cols], dels[cols]], ignore_index=True).sort_values(
        ["wp_id", "start", "kind"], ignore_index=True
    )


def reporting_deadlines(periods: pd.DataFrame, acronym: str) -> pd.DataFrame:
    """One deadline per reporting period: the period's report is due on ``report_due``.

    Output: period, start_date, end_date, report_due, summary.
    """
    out = periods.sort_values("period", ignore_index=True).copy()
    out["summary"] = [f"{acronym}: report of period {int(p)} due" for p in out["period"]]
    return out[["period", "start_date", "end_date", "report_due", "summary"]]


def meeting_attendance(
    meetings: pd.DataFrame, attendance: pd.DataFrame, partners: pd.DataFrame, quorum_share: float
) -> pd.DataFrame:
    """Per meeting: partners present, their share of all partners, and whether quorum was met.

    ``quorum = present / n_partners > quorum_share`` (rules of procedure; ``projects.yml``
    committee.quorum_share).  Associated partners do not count.
    """
    voting = partners.loc[partners["role"] != "associated", "partner_id"]
    present = attendance[attendance["present"].astype(bool) & attendance["partner_id"].isin(voting)]
    counts = present.groupby("meeting_id")["partner_id"].nunique()
    out = meetings.sort_values("date", ignore_index=True).copy()
    out["present"] = out["meeting_id"].map(counts).fillna(0).astype(int)
    out["partners"] = len(voting)
    out["present_share"] = out["present"] / max(len(voting), 1)
    out["quorum"] = out["present_share"] > quorum_share
    return out


def partner_attendance(
    meetings: pd.DataFrame, attendance: pd.DataFrame, partners: pd.DataFrame
) -> pd.DataFrame:
    """Per partner: meetings attended out of all meetings held, and the share."""
    present = attendance[attendance["present"].astype(bool)]
    counts = present.groupby("partner_id")["meeting_id"].nunique()
    out = partners[["partner_id", "name", "country", "role"]].copy()
    out["meetings_attended"] = out["partner_id"].map(counts).fillna(0).astype(int)
    out["meetings_held"] = len(meetings)
    out["attendance_share"] = out["meetings_attended"] / max(len(meetings), 1)
    return out.sort_values(["attendance_share", "partner_id"], ignore_index=True)


def action_items_status(actions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Action items with ``status`` done / open / overdue (open and due before ``as_of``)."""
    out = actions.copy()
    due = pd.to_datetime(out["due_date"])
    done = out["done_date"].notna()
    out["status"] = "open"
    out.loc[done, "status"] = "done"
    out.loc[~done & (due < pd.Timestamp(as_of)), "status"] = "overdue"
    return out.sort_values(["status", "due_date"], ignore_index=True)
