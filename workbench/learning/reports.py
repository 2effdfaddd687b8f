"""What the working-group notebook and dashboard call: one function, one result object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import ParameterError, ValidationError
from workbench.learning import data
from workbench.learning.groups import flag_overdue, group_progress
from workbench.results import Notes


@dataclass
class WorkingGroups(Notes):
    """Progress of the working groups (or one) on a date."""

    group: str
    as_of: dt.date
    progress: pd.DataFrame
    items: pd.DataFrame
    meetings: pd.DataFrame
    members: pd.DataFrame
    decisions: pd.DataFrame
    dataset_ids: list[str]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        which = "all working groups" if self.group == "all" else self.progress.iloc[0]["name"]
        return f"Working groups: progress of {which} on {self.as_of.isoformat()}"

    def findings(self) -> list[str]:
        """3-5 sentences for the key findings."""
        p = self.progress
        late = self.items[self.items["overdue"]]
        out = [
            f"{len(p)} working group(s) held {int(p['meetings_held'].sum())} meetings up to "
            f"{self.as_of.isoformat()} and took {int(p['decisions'].sum())} decisions.",
            f"{int(p['done'].sum())} of {int(p['items'].sum())} action items are done; "
            f"{len(late)} are overdue.",
        ]
        if len(late):
            worst = late.iloc[0]
            names = dict(zip(self.members["member_id"], self.members["name"], strict=False))
            owner = names.get(worst["owner"], worst["owner"])
            due = pd.Timestamp(worst["due_date"]).date().isoformat()
            out.append(
                f"Most overdue: '{worst['title']}' of {worst['group_id']} (owner {owner}), "
                f"{int(worst['days_overdue'])} days after its due date {due}."
            )
        if len(p) > 1:
            low = p.sort_values("share_done").iloc[0]
            out.append(
                f"Least progress: {low['name']} ({low['group_id']}), "
                f"{100 * low['share_done']:.0f} % of its action items done."
            )
        att = p["attendance"].dropna()
        if len(att):
            out.append(f"Mean attendance at the meetings held: {100 * att.mean():.0f} %.")
        return out


def working_groups(group: str = "all", as_of: str = "", db: str | None = None) -> WorkingGroups:
    """Load the groups' tables and compute progress and overdue items on ``as_of`` (today if empty)."""
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise ParameterError(
            f"parameter 'as_of': {as_of!r} is not a date such as 2026-12-01"
        ) from None
    t = data.group_tables(db, None if group == "all" else group)
    if t["groups"].empty:
        raise ValidationError(
            f"no working group {group!r}"
            if group != "all"
            else "no working group in the knowledge base"
        )
    progress = group_progress(
        t["groups"], t["members"], t["meetings"], t["attendance"], t["decisions"],
        t["action_items"], day,
    )  # fmt: skip
    items = flag_overdue(t["action_items"], day)
    ids = sorted({*t["groups"]["dataset_id"].dropna(), *t["action_items"]["dataset_id"].dropna()})
    return WorkingGroups(
        group=group, as_of=day, progress=progress, items=items,
        meetings=t["meetings"].sort_values("starts_at", ignore_index=True), members=t["members"],
        decisions=t["decisions"], dataset_ids=ids,
    )  # fmt: skip
