"""What the project notebooks call: project monitoring and communication KPIs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ParameterError
from workbench.projects import finance, kpis, workplan
from workbench.projects.checks import check_project
from workbench.projects.data import load_project
from workbench.projects.model import ProjectModel


def resolve_period(model: ProjectModel, period: int, as_of: dt.date) -> int:
    """``period`` itself, or (0) the last period whose end is on or before ``as_of`` (at least 1)."""
    periods = model["periods"]
    numbers = sorted(int(p) for p in periods["period"])
    if period:
        if period not in numbers:
            raise ParameterError(f"period {period} is not a period of the project: {numbers}")
        return period
    ended = periods[pd.to_datetime(periods["end_date"]) <= pd.Timestamp(as_of)]
    return int(ended["period"].max()) if len(ended) else numbers[0]


@dataclass
class ProjectMonitoring:
    """Tables of one project monitoring report."""

    model: ProjectModel
    period: int
    as_of: dt.date
    checks: list[str]
    plan: pd.DataFrame
    cumulative: pd.DataFrame
    at_risk: pd.DataFrame
    forecast: pd.DataFrame
    gantt: pd.DataFrame
    overdue: pd.DataFrame
    deadlines: pd.DataFrame
    meetings: pd.DataFrame
    attendance: pd.DataFrame
    actions: pd.DataFrame
    threshold: float
    dataset_ids: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Project monitoring: {self.model.acronym}, period {self.period}"

    def absorption_at_period(self) -> pd.DataFrame:
        """Cumulative absorption per partner at the end of the report's period, with names."""
        now = self.cumulative[self.cumulative["period"] == self.period]
        names = self.model["partners"][["partner_id", "name", "country"]]
        return names.merge(now, on="partner_id").sort_values("absorption", ignore_index=True)


def project_monitoring(
    project_id: str = "",
    period: int = 0,
    as_of: dt.date | None = None,
    db: str | os.PathLike[str] | None = None,
) -> ProjectMonitoring:
    """Load the project and compute checks, finance, work plan and committee tables."""
    settings = load_defaults("projects")
    as_of = as_of or dt.date.today()
    model = load_project(project_id, db)
    period = resolve_period(model, period, as_of)
    threshold = float(settings["finance"]["underspend_threshold"])
    spent = finance.counted_spending(model["spending"], settings["counted_statuses"])
    plan = finance.spending_vs_plan(model["budget"], spent)
    cumulative = finance.absorption(plan, threshold)
    totals = model["partners"].set_index("partner_id")["total_budget_eur"]
    return ProjectMonitoring(
        model=model,
        period=period,
        as_of=as_of,
        checks=check_project(model, settings["checks"]),
        plan=plan[plan["period"] <= period],
        cumulative=cumulative,
        at_risk=finance.partners_at_risk(cumulative, period, threshold),
        forecast=finance.forecast_to_end(cumulative, period, totals),
        gantt=workplan.gantt_rows(model["activities"], model["deliverables"], as_of),
        overdue=workplan.overdue_deliverables(model["deliverables"], as_of),
        deadlines=workplan.reporting_deadlines(model["periods"], model.acronym),
        meetings=workplan.meeting_attendance(
            model["meetings"],
            model["attendance"],
            model["partners"],
            float(settings["committee"]["quorum_share"]),
        ),  # fmt: skip
        attendance=workplan.partner_attendance(
            model["meetings"], model["attendance"], model["partners"]
        ),
        actions=workplan.action_items_status(model["action_items"], as_of),
        threshold=threshold,
        dataset_ids=model.dataset_ids,
    )


@dataclass
class CommunicationKpis:
    """Tables of one communication KPI report."""

    model: ProjectModel
    period: int
    n_periods: int
    indicators: pd.DataFrame
    events: pd.DataFrame
    participants_by_country: pd.DataFrame
    participants_by_type: pd.DataFrame
    excluded: pd.DataFrame
    dataset_ids: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Communication KPIs: {self.model.acronym}, period {self.period}"


def communication_kpis(
    project_id: str = "",
    period: int = 0,
    as_of: dt.date | None = None,
    db: str | os.PathLike[str] | None = None,
) -> CommunicationKpis:
    """Count the indicators from events, participants and evidenced achievements up to the end of
    ``period``; RAG status against the pro-rata target."""
    settings = load_defaults("projects")
    as_of = as_of or dt.date.today()
    model = load_project(project_id, db)
    period = resolve_period(model, period, as_of)
    periods = model["periods"]
    until = pd.Timestamp(periods.loc[periods["period"] == period, "end_date"].iloc[0])
    registry = kpis.indicator_registry(settings["common_indicators"], model["indicators"])
    table = kpis.achieved(
        registry, model["events"], model["participants"], model["achievements"],
        settings["kpis"], until,
    )  # fmt: skip
    table = kpis.rag_status(
        table, period, len(periods), settings["kpis"]["green_at"], settings["kpis"]["amber_at"]
    )
    table["counted_from"] = table["counted_from"].map(settings["counted_from_labels"])  # words
    events = model["events"][pd.to_datetime(model["events"]["date"]) <= until]
    events = kpis.event_countries(
        events, model["participants"], int(settings["kpis"]["cross_border_min_countries"])
    )
    part = model["participants"][model["participants"]["event_id"].isin(set(events["event_id"]))]
    part = part.assign(persons=part["persons"].fillna(1))
    by_country = part.groupby("country", as_index=False).agg(
        organisations=("organisation_id", "nunique"), persons=("persons", "sum")
    )
    by_type = (
        part.assign(org_type=part["org_type"].fillna("other"))
        .groupby("org_type", as_index=False)
        .agg(organisations=("organisation_id", "nunique"), persons=("persons", "sum"))
    )
    _ok, excluded = kpis.evidenced(model["achievements"])
    return CommunicationKpis(
        model=model,
        period=period,
        n_periods=len(periods),
        indicators=table,
        events=events,
        participants_by_country=by_country.sort_values(
            "organisations", ascending=False, ignore_index=True
        ),
        participants_by_type=by_type.sort_values(
            "organisations", ascending=False, ignore_index=True
        ),
        excluded=excluded,
        dataset_ids=model.dataset_ids,
    )
