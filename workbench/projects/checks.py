"""Pre-submission checks of a project, in the spirit of Jems' application form checks.

Each check returns a list of messages, one per problem, each naming the item (work package,
partner, activity) so that a project manager knows what to fix.  :func:`check_project` runs them all.
Source: Jems pre-submission check plug-in (standard checks "every work package has an activity and an
output", "partner budget per period equals the partner total", "exactly one lead partner").
"""

from __future__ import annotations

import pandas as pd

from workbench.projects.model import ProjectModel


def _fmt_eur(value: float) -> str:
    return f"{value:,.2f} EUR"


def work_packages_complete(model: ProjectModel) -> list[str]:
    """Every work package has at least one activity and at least one output."""
    wps, acts, outs = model["work_packages"], model["activities"], model["outputs"]
    messages = []
    for wp in wps.itertuples():
        label = f"Work package {wp.wp_id} '{wp.title}'"
        if not (acts["wp_id"] == wp.wp_id).any():
            messages.append(f"{label} has no activity.")
        if not (outs["wp_id"] == wp.wp_id).any():
            messages.append(f"{label} has no output.")
    return messages


def budgets_add_up(model: ProjectModel, tolerance_eur: float) -> list[str]:
    """The budget lines of a partner (all categories and periods) add up to the partner total.

    ``|sum(amount_eur) - total_budget_eur| <= tolerance_eur`` per partner.
    """
    budget = model["budget"]
    sums = budget.groupby("partner_id")["amount_eur"].sum() if len(budget) else pd.Series()
    messages = []
    for p in model["partners"].itertuples():
        lines = float(sums.get(p.partner_id, 0.0))
        total = float(p.total_budget_eur)
        if abs(lines - total) > tolerance_eur:
            messages.append(
                f"Partner {p.partner_id} ({p.name}): budget lines per period add up to "
                f"{_fmt_eur(lines)}, but the partner total is {_fmt_eur(total)}."
            )
    return messages


def cofinancing_adds_up(model: ProjectModel, tolerance: float) -> list[str]:
    """The co-financing shares of a partner add up to 1 (100 %) within ``tolerance``."""
    cof = model["cofinancing"]
    if cof.empty:
        return []
    names = model["partners"].set_index("partner_id")["name"].to_dict()
    messages = []
    for partner, shares in cof.groupby("partner_id", sort=True)["share"]:
        total = float(shares.sum())
        if abs(total - 1.0) > tolerance:
            messages.append(
                f"Partner {partner} ({names.get(partner, 'unknown partner')}): co-financing shares "
                f"add up to {100 * total:.1f} %, not 100 %."
            )
    return messages


def activities_within_periods(model: ProjectModel) -> list[str]:
    """Every activity starts on or after the first period's start and ends by the last period's end."""
    periods, acts = model["periods"], model["activities"]
    if periods.empty or acts.empty:
        return []
    first = pd.Timestamp(periods["start_date"].min())
    last = pd.Timestamp(periods["end_date"].max())
    messages = []
    for a in acts.itertuples():
        start, end = pd.Timestamp(a.start_date), pd.Timestamp(a.end_date)
        if start < first or end > last:
            messages.append(
                f"Activity {a.activity_id} '{a.title}' ({start:%Y-%m-%d} to {end:%Y-%m-%d}) lies "
                f"outside the project periods ({first:%Y-%m-%d} to {last:%Y-%m-%d})."
            )
    return messages


def one_lead_partner(model: ProjectModel) -> list[str]:
    """Exactly one partner has the role ``lead``."""
    partners = model["partners"]
    leads = partners.loc[partners["role"] == "lead", "partner_id"].tolist()
    if len(leads) == 1:
        return []
    if not leads:
        return ["The project has no lead partner; exactly one partner must have the role 'lead'."]
    return [
        f"The project has {len(leads)} lead partners ({', '.join(leads)}); exactly one partner "
        "must have the role 'lead'."
    ]


def check_project(model: ProjectModel, settings: dict[str, float]) -> list[str]:
    """All pre-submission checks; ``settings`` is the ``checks`` section of ``projects.yml``."""
    return [
        *one_lead_partner(model),
        *work_packages_complete(model),
        *budgets_add_up(model, float(settings["amount_tolerance_eur"])),
        *cofinancing_adds_up(model, float(settings["share_tolerance"])),
        *activities_within_periods(model),
    ]
