"""A small, clean cooperation project as JSON-like data, for tests of workbench.projects."""

from __future__ import annotations

import copy
from typing import Any

CATEGORIES = ("staff", "office_administration", "travel_accommodation", "external_expertise",
              "equipment", "infrastructure_works")  # fmt: skip


def clean_project() -> dict[str, Any]:
    """Three partners (one lead), two periods, two work packages each with an activity and output."""
    partners = [
        ("PP1", "Regione Test", "lead", "IT", "ITH4", 1200.0),
        ("PP2", "Agency Two", "partner", "SI", "SI04", 600.0),
        ("PP3", "University Three", "partner", "HR", "HR03", 600.0),
    ]
    budget = []
    for pid, *_rest, total in partners:
        per_line = total / (2 * len(CATEGORIES))
        for period in (1, 2):
            for cat in CATEGORIES:
                budget.append({"partner_id": pid, "category": cat, "period": period,
                               "amount_eur": per_line})  # fmt: skip
    return {
        "project_id": "TEST1",
        "project": {
            "acronym": "TEST",
            "title": "Test project",
            "programme": "Interreg test",
            "start_date": "2025-01-01",
            "end_date": "2025-12-31",
        },  # fmt: skip
        "partners": [
            {
                "partner_id": p,
                "name": n,
                "role": r,
                "type": "sectoral_agency",
                "nuts": nuts,
                "country": c,
                "total_budget_eur": t,
                "cofinancing_rate": 0.8,
            }
            for p, n, r, c, nuts, t in partners
        ],  # fmt: skip
        "cofinancing": [
            {"partner_id": p[0], "source": s, "share": share}
            for p in partners
            for s, share in (("programme", 0.8), ("public", 0.2))
        ],
        "periods": [
            {
                "period": 1,
                "start_date": "2025-01-01",
                "end_date": "2025-06-30",
                "report_due": "2025-09-01",
            },
            {
                "period": 2,
                "start_date": "2025-07-01",
                "end_date": "2025-12-31",
                "report_due": "2026-03-01",
            },
        ],  # fmt: skip
        "work_packages": [
            {"wp_id": "WP1", "title": "Management"},
            {"wp_id": "WP2", "title": "Pilots"},
        ],  # fmt: skip
        "activities": [
            {
                "activity_id": "A1.1",
                "wp_id": "WP1",
                "title": "Coordination",
                "start_date": "2025-01-01",
                "end_date": "2025-12-31",
            },
            {
                "activity_id": "A2.1",
                "wp_id": "WP2",
                "title": "Pilot",
                "start_date": "2025-03-01",
                "end_date": "2025-10-31",
            },
        ],  # fmt: skip
        "deliverables": [
            {
                "deliverable_id": "D1.1",
                "activity_id": "A1.1",
                "title": "Report",
                "due_date": "2025-06-30",
                "delivered_date": "2025-06-20",
            },
            {
                "deliverable_id": "D2.1",
                "activity_id": "A2.1",
                "title": "Pilot report",
                "due_date": "2025-09-30",
                "delivered_date": None,
            },
        ],  # fmt: skip
        "outputs": [
            {
                "output_id": "O1",
                "wp_id": "WP1",
                "title": "Cooperation",
                "indicator_code": "RCO87",
                "target": 10,
            },
            {
                "output_id": "O2",
                "wp_id": "WP2",
                "title": "Pilots",
                "indicator_code": "RCO84",
                "target": 2,
            },
        ],  # fmt: skip
        "results": [
            {
                "result_id": "R1",
                "title": "Uptake",
                "indicator_code": "RCR104",
                "baseline": 0,
                "target": 1,
            }
        ],  # fmt: skip
        "budget": budget,
    }


def broken_project() -> dict[str, Any]:
    """The clean project with exactly three faults: WP2 has no output, PP2's budget lines do not add
    up to its total, and PP2 is a second lead partner."""
    data = copy.deepcopy(clean_project())
    data["outputs"] = [o for o in data["outputs"] if o["wp_id"] != "WP2"]
    data["partners"][1]["total_budget_eur"] = 650.0
    data["partners"][1]["role"] = "lead"
    return data
