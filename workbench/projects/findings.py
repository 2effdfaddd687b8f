"""Key findings in words of the project reports (pure functions over the result tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.wording import count, join, num, pct

if TYPE_CHECKING:
    from workbench.projects.reports import CommunicationKpis, ProjectMonitoring


def monitoring_findings(m: ProjectMonitoring) -> list[str]:
    """3-6 sentences: absorption, underspending partners, risk, forecast, work plan, committee."""
    cum = m.cumulative[m.cumulative["period"] == m.period]
    planned, reported = cum["planned_cum_eur"].sum(), cum["reported_cum_eur"].sum()
    out = [
        f"By the end of period {m.period} the partners reported {num(reported / 1e3)} thousand EUR "
        f"of {num(planned / 1e3)} thousand EUR planned, an absorption of {pct(reported / planned)}."
        if planned
        else f"No budget is planned up to period {m.period}."
    ]
    under = m.absorption_at_period()
    under = under[under["underspend"]]
    if len(under):
        names = [
            f"{r.name} ({r.partner_id}, {pct(r.absorption)})" for r in under.head(4).itertuples()
        ]
        listed = f"{', '.join(names)} and others" if len(under) > 4 else join(names)
        out.append(
            f"{count(len(under), 'partner')} absorbed less than {pct(m.threshold)} of their "
            f"plan: {listed}."
        )
    else:
        out.append(f"No partner absorbed less than {pct(m.threshold)} of its plan.")
    risk = m.at_risk[m.at_risk["at_risk"]]
    out.append(
        f"{count(len(risk), 'partner')} would need to spend more than their average per period to "
        f"reach {pct(m.threshold)} absorption by the end of period {int(m.at_risk['next_period'].iloc[0])}."
        if len(m.at_risk)
        else "No partner data for the next deadline."
    )
    fc = m.forecast
    if len(fc):
        total, forecast = fc["total_budget_eur"].sum(), fc["forecast_eur"].sum()
        out.append(
            f"At the current pace the project would spend {pct(forecast / total)} of its "
            f"{num(total / 1e6, 2)} million EUR budget by its end."
        )
    overdue = int(m.overdue["overdue"].sum())
    late_actions = int((m.actions["status"] == "overdue").sum())
    out.append(
        f"On {m.as_of:%Y-%m-%d}, {count(overdue, 'deliverable')} overdue and "
        f"{count(late_actions, 'steering committee action item')} past due."
    )
    if m.checks:
        out.append(f"The project data fail {count(len(m.checks), 'pre-submission check')}.")
    return out


def kpi_findings(k: CommunicationKpis) -> list[str]:
    """3-5 sentences: RAG counts, cross-border events and organisations, excluded claims."""
    t = k.indicators[k.indicators["status"] != "no target"]
    status = t["status"].value_counts()
    out = [
        f"Against the pro-rata target of period {k.period} of {k.n_periods}, "
        f"{count(int(status.get('green', 0)), 'indicator')} are green, "
        f"{int(status.get('amber', 0))} amber and {int(status.get('red', 0))} red."
    ]
    red = t[t["status"] == "red"]
    if len(red):
        out.append(
            "Behind target: "
            + join(f"{r.name} ({r.indicator_code})" for r in red.head(4).itertuples())
            + "."
        )
    codes = k.indicators.set_index("indicator_code")["achieved"]
    out.append(
        f"{count(int(codes.get('RCO115', 0)), 'public event')} across borders and "
        f"{count(int(codes.get('RCO87', 0)), 'organisation')} cooperating across borders "
        "were counted from the event log (each organisation once)."
    )
    out.append(
        f"{count(len(k.excluded), 'claimed achievement')} without evidence "
        f"{'was' if len(k.excluded) == 1 else 'were'} excluded from the counts."
    )
    return out
