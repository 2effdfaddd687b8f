"""Working-group page (Voila): one group's members, meetings, decisions and action items, overdue
items flagged, and its meetings as an .ics download.  Read-only; every text is escaped (kit)."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from workbench.dashboards import kit
from workbench.learning import data
from workbench.learning.groups import meetings_calendar
from workbench.learning.reports import working_groups


class WorkingGroupDashboard:
    """A group dropdown and the group's page."""

    def __init__(self, group: str = "", as_of: str = "", db: str | None = None) -> None:
        self.db = db
        self.as_of = as_of
        groups = data.group_tables(db)["groups"]
        options = [(f"{r.name} ({r.group_id})", r.group_id) for r in groups.itertuples()]
        ids = [v for _, v in options]
        self.group = w.Dropdown(options=options, value=group if group in ids else ids[0])
        self.status = kit.Status()
        self.output = w.HTML()
        self.group.observe(lambda _c: self.refresh(), names="value")
        self.container = w.VBox([kit.style(), self.group, self.status, self.output])
        self.refresh()

    def refresh(self) -> None:
        g = working_groups(self.group.value, self.as_of or dt.date.today().isoformat(), db=self.db)
        row = g.progress.iloc[0]
        late = g.items[g.items["overdue"]]
        if len(late):
            self.status.warn(f"{len(late)} action item(s) overdue")
        else:
            self.status.ok("No action item is overdue")
        upcoming = g.meetings[g.meetings["starts_at"].dt.date > g.as_of]
        ics = meetings_calendar(g.meetings, data.group_tables(self.db, self.group.value)["groups"])
        items = g.items.assign(
            due=g.items["due_date"].astype(str).str[:10],
            flag=g.items["overdue"].map({True: "OVERDUE", False: ""}),
        ).to_dict("records")
        self.output.value = (
            f"<h2>{kit.h(row['name'])}</h2>"
            f"<p>{row['members']} members; {row['meetings_held']} meetings held; "
            f"{row['done']} of {row['items']} action items done. Next meeting: "
            + (
                kit.h(
                    f"{upcoming.iloc[0]['title']}, {upcoming.iloc[0]['starts_at']:%Y-%m-%d %H:%M}"
                )
                if len(upcoming)
                else "none planned"
            )
            + "</p>"
            + kit.download_link(
                ics.decode("utf-8"),
                f"{self.group.value}.ics",
                "meetings (.ics)",
                mime="text/calendar",
            )  # fmt: skip
            + "<h3>Action items</h3>"
            + kit.table_html(
                items,
                [
                    ("flag", ""),
                    "item_id",
                    "title",
                    "owner",
                    ("due", "due date"),
                    "status",
                    "link_kind",
                    "link_ref",
                ],
            )  # fmt: skip
            + "<h3>Members</h3>"
            + kit.table_html(
                g.members.to_dict("records"), ["name", "organisation", "region", "role"]
            )
            + "<h3>Meetings</h3>"
            + kit.table_html(
                g.meetings.assign(date=g.meetings["starts_at"].astype(str).str[:16]).to_dict(
                    "records"
                ),
                ["meeting_id", "date", "title", "location", "agenda", "minutes"],
            )
        )
