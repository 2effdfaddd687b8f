"""The project model: one table per part of a Jems-like application form and its monitoring.

:data:`TABLES` lists, per sheet of the XLSX template / key of the JSON file, the knowledge-base table
and its columns ``(name, type, required, description)``; types: ``text``, ``integer``, ``number``,
``date``, ``boolean``.  Every KB table also has ``project_id``, ``dataset_id`` and ``synthetic``
(migration ``0100_projects.sql``).  A :class:`ProjectModel` holds one project as DataFrames, one per
sheet, with exactly the listed columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

Col = tuple[str, str, bool, str]

TABLES: dict[str, tuple[str, list[Col]]] = {
    "project": (
        "projects",
        [
            ("acronym", "text", True, "Short name of the project"),
            ("title", "text", True, "Full title"),
            ("programme", "text", False, "Programme, e.g. Interreg Danube Region"),
            ("start_date", "date", True, "First day of the project (YYYY-MM-DD)"),
            ("end_date", "date", True, "Last day of the project"),
        ],
    ),
    "partners": (
        "project_partners",
        [
            ("partner_id", "text", True, "Partner number, e.g. PP01"),
            ("name", "text", True, "Organisation name"),
            ("role", "text", True, "lead, partner or associated"),
            ("type", "text", True, "Jems target group (projects.yml target_groups)"),
            ("nuts", "text", False, "NUTS code of the partner's address"),
            ("country", "text", True, "Country code (Eurostat: EL for Greece)"),
            ("total_budget_eur", "number", True, "Partner total budget, EUR"),
            ("cofinancing_rate", "number", False, "Programme co-financing rate (0-1)"),
        ],
    ),
    "cofinancing": (
        "project_cofinancing",
        [
            ("partner_id", "text", True, "Partner number"),
            ("source", "text", True, "programme, public or private contribution"),
            (
                "share",
                "number",
                True,
                "Share of the partner total (0-1); per partner they add up to 1",
            ),
        ],
    ),
    "periods": (
        "project_periods",
        [
            ("period", "integer", True, "Reporting period number 1, 2, ..."),
            ("start_date", "date", True, "First day"),
            ("end_date", "date", True, "Last day"),
            ("report_due", "date", True, "Deadline of the period's report"),
        ],
    ),
    "work_packages": (
        "project_work_packages",
        [
            ("wp_id", "text", True, "Work package number, e.g. WP1"),
            ("title", "text", True, "Title"),
            ("lead_partner", "text", False, "Partner number leading the work package"),
        ],
    ),
    "activities": (
        "project_activities",
        [
            ("activity_id", "text", True, "Activity number, e.g. A1.1"),
            ("wp_id", "text", True, "Work package"),
            ("title", "text", True, "Title"),
            ("start_date", "date", True, "Start"),
            ("end_date", "date", True, "End"),
        ],
    ),
    "deliverables": (
        "project_deliverables",
        [
            ("deliverable_id", "text", True, "Deliverable number, e.g. D1.1.1"),
            ("activity_id", "text", True, "Activity"),
            ("title", "text", True, "Title"),
            ("due_date", "date", True, "Due date"),
            ("delivered_date", "date", False, "Date delivered (empty: not yet)"),
        ],
    ),
    "outputs": (
        "project_outputs",
        [
            ("output_id", "text", True, "Output number, e.g. O1.1"),
            ("wp_id", "text", True, "Work package"),
            ("title", "text", True, "Title"),
            ("indicator_code", "text", True, "Programme output indicator, e.g. RCO84"),
            ("target", "number", True, "Target value"),
            ("unit", "text", False, "Unit of measurement"),
        ],
    ),
    "results": (
        "project_results",
        [
            ("result_id", "text", True, "Result number, e.g. R1"),
            ("title", "text", True, "Title"),
            ("indicator_code", "text", True, "Programme result indicator, e.g. RCR79"),
            ("baseline", "number", True, "Baseline value"),
            ("target", "number", True, "Target value"),
            ("unit", "text", False, "Unit"),
        ],
    ),
    "budget": (
        "project_budget",
        [
            ("partner_id", "text", True, "Partner number"),
            ("category", "text", True, "Jems cost category (projects.yml cost_categories)"),
            ("period", "integer", True, "Reporting period"),
            ("amount_eur", "number", True, "Planned amount, EUR"),
        ],
    ),
    "spending": (
        "project_spending",
        [
            ("partner_id", "text", True, "Partner number"),
            ("category", "text", True, "Jems cost category"),
            ("period", "integer", True, "Reporting period"),
            ("amount_eur", "number", True, "Reported amount, EUR"),
            ("status", "text", True, "Partner report status: draft, submitted or certified"),
        ],
    ),
    "meetings": (
        "project_meetings",
        [
            ("meeting_id", "text", True, "Steering committee meeting, e.g. SC1"),
            ("date", "date", True, "Date"),
            ("place", "text", False, "Place or 'online'"),
        ],
    ),
    "attendance": (
        "project_attendance",
        [
            ("meeting_id", "text", True, "Meeting"),
            ("partner_id", "text", True, "Partner number"),
            ("present", "boolean", True, "Present (yes/no)"),
        ],
    ),
    "decisions": (
        "project_decisions",
        [
            ("decision_id", "text", True, "Decision number"),
            ("meeting_id", "text", True, "Meeting"),
            ("text", "text", True, "What was decided"),
        ],
    ),
    "action_items": (
        "project_action_items",
        [
            ("action_id", "text", True, "Action number"),
            ("meeting_id", "text", True, "Meeting"),
            ("text", "text", True, "What is to be done"),
            ("owner", "text", True, "Partner number responsible"),
            ("due_date", "date", True, "Due date"),
            ("done_date", "date", False, "Date done (empty: open)"),
        ],
    ),
    "indicators": (
        "project_indicators",
        [
            ("indicator_code", "text", True, "Common (RCO/RCR) or own code, e.g. COM-PUB"),
            ("name", "text", False, "Name (own indicators; common ones from projects.yml)"),
            ("level", "text", False, "output or result"),
            ("baseline", "number", False, "Baseline (empty: 0)"),
            ("target", "number", True, "Target at project end"),
            ("unit", "text", False, "Unit"),
            ("source", "text", False, "Source of verification"),
        ],
    ),
    "events": (
        "project_events",
        [
            ("event_id", "text", True, "Event number"),
            ("title", "text", True, "Title"),
            ("date", "date", True, "Date"),
            ("kind", "text", True, "public_event, conference, info_day, training, meeting, ..."),
            ("wp_id", "text", False, "Work package"),
        ],
    ),
    "participants": (
        "project_participants",
        [
            ("event_id", "text", True, "Event"),
            ("organisation_id", "text", True, "Identifier of the organisation (VAT or own id)"),
            ("organisation", "text", True, "Organisation name"),
            ("country", "text", True, "Country code of the organisation"),
            ("org_type", "text", False, "Jems target group of the organisation"),
            ("persons", "integer", False, "Persons attending (empty: 1)"),
            ("completed", "boolean", False, "Training completed (training events)"),
        ],
    ),
    "achievements": (
        "project_achievements",
        [
            ("item_id", "text", True, "Item number"),
            ("indicator_code", "text", True, "Indicator the item counts for"),
            ("date", "date", True, "Date achieved"),
            (
                "value",
                "number",
                True,
                "How much it counts (1 for one strategy, sessions for web ...)",
            ),
            ("description", "text", True, "What was achieved"),
            ("evidence", "text", False, "Link or file proving it (empty: claim excluded)"),
        ],
    ),
}

#: Sheets one may leave empty (monitoring data comes later than the application form).
OPTIONAL_SHEETS = (
    "spending", "meetings", "attendance", "decisions", "action_items", "indicators", "events",
    "participants", "achievements", "deliverables", "results", "cofinancing",
)  # fmt: skip


def columns(sheet: str) -> list[str]:
    """Column names of a sheet (without project_id)."""
    return [c[0] for c in TABLES[sheet][1]]


def empty(sheet: str) -> pd.DataFrame:
    """An empty frame with the sheet's columns."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns(sheet)})


@dataclass
class ProjectModel:
    """One project: ``project_id`` and one DataFrame per sheet of :data:`TABLES`."""

    project_id: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    dataset_ids: list[str] = field(default_factory=list)

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        frame = self.frames.get(sheet)
        return empty(sheet) if frame is None else frame

    @property
    def info(self) -> dict[str, object]:
        rows = self["project"]
        return rows.iloc[0].to_dict() if len(rows) else {}

    @property
    def acronym(self) -> str:
        return str(self.info.get("acronym") or self.project_id)
