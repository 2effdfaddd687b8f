"""Demo cooperation project (synthetic): a lead region in Italy and 20 partners from SEE countries,
six work packages, four reporting periods, budgets, partner reports, a steering committee, events
with participant lists and evidenced achievements (issue 19).  Every row is marked synthetic.

Dates are fixed (project 2025-07-01 to 2027-06-30) so that a seed gives identical content.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.demo.context import DemoContext
from workbench.importers.projects import store_project
from workbench.projects.model import ProjectModel

DOMAIN = "project"
PROJECT_ID = "DEMO-CLUSTER4SEE"
LEAD_REGION = "ITH4"  # Friuli-Venezia Giulia
PERIODS = [
    (1, "2025-07-01", "2025-12-31", "2026-03-01"),
    (2, "2026-01-01", "2026-06-30", "2026-09-01"),
    (3, "2026-07-01", "2026-12-31", "2027-03-01"),
    (4, "2027-01-01", "2027-06-30", "2027-09-01"),
]
PERIOD_SHARES = (0.15, 0.30, 0.30, 0.25)
CATEGORY_SHARES = {"staff": 0.45, "office_administration": 0.07, "travel_accommodation": 0.08,
                   "external_expertise": 0.30, "equipment": 0.10, "infrastructure_works": 0.0}  # fmt: skip
PARTNER_COUNTRIES = ("SI", "HR", "HR", "AT", "HU", "HU", "SK", "RO", "RO", "BG", "BG", "EL",
                     "EL", "RS", "RS", "AL", "ME", "MK", "IT", "SI")  # fmt: skip
TYPES = ("regional_public_authority", "business_support", "higher_education_research",
         "sectoral_agency", "interest_group", "local_public_authority")  # fmt: skip
WORK_PACKAGES = [
    ("WP1", "Project management and coordination"),
    ("WP2", "Communication and dissemination"),
    ("WP3", "Joint evidence base on cluster policies"),
    ("WP4", "Transnational policy learning"),
    ("WP5", "Pilot actions"),
    ("WP6", "Joint strategies and uptake"),
]
WP_OUTPUTS = {"WP1": ("RCO87", 40), "WP2": ("RCO115", 8), "WP3": ("RCO116", 3),
              "WP4": ("RCO85", 150), "WP5": ("RCO84", 5), "WP6": ("RCO83", 6)}  # fmt: skip
TARGETS = {"RCO81": 400, "RCO83": 6, "RCO84": 5, "RCO85": 150, "RCO87": 40, "RCO115": 8,
           "RCO116": 3, "RCR79": 4, "RCR81": 120, "RCR84": 30, "RCR104": 2}  # fmt: skip
OWN = [("COM-PUB", "Publications", 10, "publications"), ("COM-NL", "Newsletters", 8, "issues"),
       ("COM-WEB", "Web sessions", 20000, "sessions"), ("COM-MEDIA", "Media appearances", 25, "appearances")]  # fmt: skip


def _split(total: float, shares: list[float]) -> list[float]:
    """Round to cents; the last part takes the rounding difference (lines add up exactly)."""
    parts = [round(total * s, 2) for s in shares[:-1]]
    return [*parts, round(total - sum(parts), 2)]


def build(rng: np.random.Generator, regions: pd.DataFrame) -> ProjectModel:
    """The demo project as a :class:`ProjectModel`."""
    cats = list(load_defaults("projects")["cost_categories"])
    f: dict[str, list[dict[str, object]]] = {k: [] for k in (
        "partners", "cofinancing", "budget", "spending", "work_packages", "activities",
        "deliverables", "outputs", "results", "meetings", "attendance", "decisions",
        "action_items", "indicators", "events", "participants", "achievements")}  # fmt: skip
    f["project"] = [{"acronym": "CLUSTER4SEE", "title": "Cluster policies for South-East Europe "
                     "(synthetic demo project)", "programme": "Interreg (synthetic)",
                     "start_date": dt.date(2025, 7, 1), "end_date": dt.date(2027, 6, 30)}]  # fmt: skip
    f["periods"] = [{"period": p, "start_date": dt.date.fromisoformat(s),
                     "end_date": dt.date.fromisoformat(e), "report_due": dt.date.fromisoformat(d)}
                    for p, s, e, d in PERIODS]  # fmt: skip
    lead = regions[regions["code"] == LEAD_REGION].iloc[0]
    chosen = [lead]
    used = {LEAD_REGION}
    for country in PARTNER_COUNTRIES:
        pool = regions[(regions["country"] == country) & ~regions["code"].isin(used)]
        row = pool.iloc[int(rng.integers(len(pool)))]
        used.add(row["code"])
        chosen.append(row)
    for i, r in enumerate(chosen, start=1):
        pid = f"PP{i:02d}"
        kind = "regional_public_authority" if i == 1 else TYPES[int(rng.integers(len(TYPES)))]
        label = {"regional_public_authority": "Regional authority", "business_support":
                 "Cluster agency", "higher_education_research": "University",
                 "sectoral_agency": "Innovation agency", "interest_group": "Chamber network",
                 "local_public_authority": "City"}[kind]  # fmt: skip
        total = 900_000.0 if i == 1 else float(round(rng.uniform(150, 600)) * 1000)
        f["partners"].append({"partner_id": pid, "name": f"{label} {r['name_latn']}", "role": "lead"
                              if i == 1 else "partner", "type": kind, "nuts": r["code"],
                              "country": r["country"], "total_budget_eur": total,
                              "cofinancing_rate": 0.8})  # fmt: skip
        for src, share in (("programme", 0.8), ("public", 0.15), ("private", 0.05)):
            f["cofinancing"].append({"partner_id": pid, "source": src, "share": share})
        pace = 1.0 if i == 1 else float(np.clip(rng.normal(0.85, 0.2), 0.35, 1.1))
        if i in (7, 15):
            pace = 0.5  # two partners clearly behind
        lines = [
            (c, p, amount)
            for p, per_total in zip(range(1, 5), _split(total, list(PERIOD_SHARES)), strict=True)
            for c, amount in zip(
                cats, _split(per_total, [CATEGORY_SHARES[c] for c in cats]), strict=True
            )
        ]  # noqa: E501
        for c, p, amount in lines:
            f["budget"].append(
                {"partner_id": pid, "category": c, "period": p, "amount_eur": amount}
            )
            if p <= 3 and amount > 0:
                status = {1: "certified", 2: "submitted", 3: "draft"}[p]
                spent = amount * pace * float(rng.uniform(0.85, 1.15)) * (0.5 if p == 3 else 1.0)
                f["spending"].append({"partner_id": pid, "category": c, "period": p,
                                      "amount_eur": round(spent, 2), "status": status})  # fmt: skip
    pids = [str(p["partner_id"]) for p in f["partners"]]
    start = dt.date(2025, 7, 1)
    for w, (wp, title) in enumerate(WORK_PACKAGES):
        f["work_packages"].append({"wp_id": wp, "title": title, "lead_partner": pids[w * 3]})
        code, target = WP_OUTPUTS[wp]
        f["outputs"].append({"output_id": f"O{w + 1}.1", "wp_id": wp, "title": f"{title}: output",
                             "indicator_code": code, "target": float(target), "unit": None})  # fmt: skip
        for a in range(1, 4 if w else 3):
            begin = start + dt.timedelta(days=int(rng.integers(0, 300)))
            finish = min(
                begin + dt.timedelta(days=int(rng.integers(120, 420))), dt.date(2027, 6, 30)
            )
            aid = f"A{w + 1}.{a}"
            f["activities"].append({"activity_id": aid, "wp_id": wp, "title": f"{title} - task {a}",
                                    "start_date": begin, "end_date": finish})  # fmt: skip
            due = finish
            delivered = due if due < dt.date(2026, 11, 1) and rng.random() < 0.75 else None
            f["deliverables"].append({"deliverable_id": f"D{w + 1}.{a}.1", "activity_id": aid,
                                      "title": f"Report of task {aid}", "due_date": due,
                                      "delivered_date": delivered})  # fmt: skip
    for r_i, code in enumerate(("RCR79", "RCR84", "RCR104"), start=1):
        f["results"].append({"result_id": f"R{r_i}", "title": f"Result {code}", "indicator_code":
                             code, "baseline": 0.0, "target": float(TARGETS[code]), "unit": None})  # fmt: skip
    for m, day in enumerate(("2025-09-18", "2026-02-12", "2026-06-04", "2026-10-15"), start=1):
        mid = f"SC{m}"
        f["meetings"].append({"meeting_id": mid, "date": dt.date.fromisoformat(day),
                              "place": "online" if m % 2 == 0 else "Trieste"})  # fmt: skip
        for pid in pids:
            f["attendance"].append({"meeting_id": mid, "partner_id": pid,
                                    "present": bool(pid == "PP01" or rng.random() < 0.8)})  # fmt: skip
        for d in (1, 2):
            f["decisions"].append({"decision_id": f"{mid}-D{d}", "meeting_id": mid,
                                   "text": f"Decision {d} of {mid} (synthetic)"})  # fmt: skip
        for a in (1, 2, 3):
            due = dt.date.fromisoformat(day) + dt.timedelta(days=int(rng.integers(20, 90)))
            done = due if rng.random() < 0.6 else None
            f["action_items"].append({"action_id": f"{mid}-A{a}", "meeting_id": mid,
                                      "text": f"Action {a} agreed at {mid} (synthetic)",
                                      "owner": pids[int(rng.integers(len(pids)))],
                                      "due_date": due, "done_date": done})  # fmt: skip
    for code, target in TARGETS.items():
        f["indicators"].append({"indicator_code": code, "name": None, "level": None,
                                "baseline": 0.0, "target": float(target), "unit": None,
                                "source": "event log and participant lists" if code in
                                ("RCO81", "RCO85", "RCO87", "RCO115", "RCR81") else "evidence file"})  # fmt: skip
    for code, name, target, unit in OWN:
        f["indicators"].append({"indicator_code": code, "name": name, "level": "output",
                                "baseline": 0.0, "target": float(target), "unit": unit,
                                "source": "communication log"})  # fmt: skip
    orgs = [
        (str(p["partner_id"]), str(p["name"]), str(p["country"]), str(p["type"]))
        for p in f["partners"]
    ]
    for k in range(40):
        c = PARTNER_COUNTRIES[k % len(PARTNER_COUNTRIES)]
        orgs.append((f"ST{k + 1:02d}", f"Stakeholder {k + 1} ({c})", c, TYPES[k % len(TYPES)]))
    kinds = ("public_event", "conference", "training", "info_day", "training", "public_event")
    for e in range(14):
        date = dt.date(2025, 9, 1) + dt.timedelta(days=int(e * 33 + rng.integers(0, 20)))
        kind = kinds[e % len(kinds)]
        ev = f"E{e + 1:02d}"
        f["events"].append({"event_id": ev, "title": f"{kind.replace('_', ' ').title()} {e + 1}",
                            "date": date, "kind": kind, "wp_id": "WP4" if kind == "training" else "WP2"})  # fmt: skip
        if kind == "info_day":  # local: one country
            local = [o for o in orgs if o[2] == orgs[e % len(orgs)][2]]
            attendees = local[: max(2, len(local))]
        else:
            idx = rng.choice(len(orgs), size=int(rng.integers(8, 25)), replace=False)
            attendees = [orgs[int(i)] for i in idx]
        for oid, name, country, otype in attendees:
            f["participants"].append({"event_id": ev, "organisation_id": oid, "organisation": name,
                                      "country": country, "org_type": otype,
                                      "persons": int(rng.integers(1, 4)),
                                      "completed": bool(rng.random() < 0.8) if kind == "training" else None})  # fmt: skip
    n = 0
    for code, per_item, items in (
        ("RCO83", 1, 3),
        ("RCO84", 1, 3),
        ("RCO116", 1, 2),
        ("RCR79", 1, 1),
        ("COM-PUB", 1, 5),
        ("COM-NL", 1, 3),
        ("COM-WEB", 1500, 4),
        ("COM-MEDIA", 1, 9),
    ):  # noqa: E501
        for j in range(items):
            n += 1
            date = dt.date(2025, 10, 1) + dt.timedelta(days=int(rng.integers(0, 420)))
            missing = n % 7 == 0
            f["achievements"].append({"item_id": f"I{n:03d}", "indicator_code": code, "date": date,
                                      "value": float(per_item), "description": f"{code} item {j + 1} (synthetic)",
                                      "evidence": None if missing else f"https://example.org/evidence/I{n:03d}"})  # fmt: skip
    frames = {k: pd.DataFrame(v) for k, v in f.items()}
    return ProjectModel(project_id=PROJECT_ID, frames=frames)


def generate(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, ctx: DemoContext) -> None:
    """Write the demo project into the open writer connection and register its dataset."""
    dataset_id = ctx.dataset_id(DOMAIN)
    model = build(rng, ctx.regions)
    rows = store_project(con, model, dataset_id=dataset_id, synthetic=True,
                         source="workbench.demo", file_name=None)  # fmt: skip
    ctx.register(
        dataset_id, "Demo cooperation project CLUSTER4SEE (synthetic)", rows, kind="project"
    )
