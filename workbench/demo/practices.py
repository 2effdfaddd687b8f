"""Demo good-practice library and working groups (synthetic; issue 18, items 2 and 3).

36 practices from SEE regions; the seven working groups (one per cluster eco-system dimension,
governance the horizontal one) with members, four meetings (the last one planned), attendance,
decisions and action items linked to barrier-matrix cells, pilots or strategy actions.

Twelve kinds of practice, each placed in three regions of different countries, with the Interreg
Europe fields filled in words, the lab's codes, and a validation state (most validated, some drafts
without evidence yet, a few unsuccessful ones: they are valuable too).  Every row is synthetic.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from workbench.demo.context import DemoContext
from workbench.learning.practices import store_frame

DOMAIN = "practices"

# title, summary, dimensions, NACE sectors, instrument type, governance level, evidence, transfer
KINDS = [
    ("Innovation vouchers for cluster SMEs",
     "Small grants let SMEs of the cluster buy testing and R&D services from universities and institutes.",
     ["innovation", "financing"], ["C27", "C28"], "grant", "regional",
     "412 vouchers in four years; 38 % of the firms launched a new product", "Simple rules, low cost per firm"),
    ("Cross-border cluster matchmaking days",
     "Twice a year cluster members meet buyers and partners from neighbouring countries in brokerage events.",
     ["international"], ["C10", "I55"], "network", "transnational",
     "1,150 meetings, 96 cooperation agreements signed", "Works wherever a cluster organisation exists"),
    ("Regional skills council for the metal industry",
     "Employers, vocational schools and the employment service agree each year on training places.",
     ["skills", "governance"], ["C24", "C25"], "governance", "regional",
     "Vacancies for welders fell by half in three years", "Needs employers willing to co-fund"),
    ("Green transition audits for food processors",
     "Energy and resource audits with follow-up coaching help food companies cut emissions and costs.",
     ["sustainability"], ["C10", "C11"], "service", "regional",
     "62 audits; average energy savings of 14 %", "Audit method and templates are open"),
    ("Shared pilot line for digital manufacturing",
     "A test bed where SMEs try automation and industrial internet before investing.",
     ["innovation", "specialisation"], ["C28", "J62"], "infrastructure", "regional",
     "140 firms tested solutions, 35 invested afterwards", "Requires a university partner and equipment budget"),
    ("Cluster manager excellence programme",
     "Training and peer coaching for cluster managers, leading to the European cluster management label.",
     ["governance", "skills"], ["M70", "N82"], "training", "national",
     "18 cluster organisations gained the bronze label", "Course material is in English and local languages"),
    ("Guarantee fund for cluster investment projects",
     "A regional guarantee fund shares the risk of bank loans for joint investments of cluster members.",
     ["financing"], ["C22", "C25"], "finance", "regional",
     "EUR 24 million of loans guaranteed, default rate 2 %", "Needs a development bank as partner"),
    ("Innovation procurement for smart tourism services",
     "The region buys innovative visitor-management services from local start-ups through pre-commercial procurement.",
     ["innovation", "specialisation"], ["I55", "J62"], "procurement", "local",
     "Three services deployed in five towns", "Legal templates for pre-commercial procurement available"),
    ("Diaspora talent return scheme",
     "Relocation support and matching with cluster firms for graduates returning from abroad.",
     ["skills", "international"], ["J62", "M72"], "service", "national",
     "210 returnees employed in cluster firms", "Depends on a credible job offer pipeline"),
    ("Multi-level cluster policy board",
     "Ministry, regions and cluster organisations meet quarterly to align funding calls and avoid overlaps.",
     ["governance"], ["O84"], "governance", "national",
     "Calls of three programmes aligned; duplicate funding stopped", "Needs a mandate from the ministry"),
    ("Circular economy cluster for wood and furniture",
     "Firms of the wood value chain exchange by-products and jointly develop recycled materials.",
     ["sustainability", "specialisation"], ["C16", "C31"], "network", "regional",
     "9,000 tonnes of by-products reused a year", "Fits regions with a dense wood industry"),
    ("Export readiness coaching for agri-food clusters",
     "Joint coaching and trade-fair presence prepare small producers for foreign markets.",
     ["international", "financing"], ["A01", "C11"], "service", "regional",
     "Export share of participants rose from 6 to 11 %", "Needs a shared brand the members accept"),
]  # fmt: skip
REGIONS = [
    ["HR03", "RO11", "SK01"], ["SI03", "HU22", "BG41"], ["SK02", "RS12", "HR05"],
    ["EL30", "HU32", "ITH4"], ["SI04", "RO12", "AT22"], ["HU11", "BG31", "ME00"],
    ["RO21", "EL52", "AL01"], ["HR03", "ITF4", "EL43"], ["RS11", "MK00", "AL02"],
    ["AT11", "HR02", "RO42"], ["SI03", "SK04", "BG34"], ["EL61", "RS21", "RO31"],
]  # fmt: skip


def build(rng: np.random.Generator, regions: pd.DataFrame) -> pd.DataFrame:
    """The 36 demo practices as template rows (lists for list columns)."""
    names = dict(zip(regions["code"], regions["name_latn"], strict=False))
    rows = []
    for k, (kind, places) in enumerate(zip(KINDS, REGIONS, strict=True)):
        title, summary, dims, nace, instrument, level, evidence, transfer = kind
        for j, region in enumerate(places):
            n = 3 * k + j
            start = 2014 + int(rng.integers(0, 6))
            state = (
                ("validated_expert", "validated_partner", "draft")[j]
                if n % 4
                else "validated_expert"
            )
            unsuccessful = n % 11 == 5
            rows.append(
                {
                    "practice_id": f"GP-{region}-{n + 1:03d}",
                    "title": f"{title} in {names.get(region, region)}",
                    "summary": summary,
                    "description": f"{summary} Run by the regional development agency of "
                    f"{names.get(region, region)} ({region}) with the cluster organisations.",
                    "resources": f"{1 + int(rng.integers(0, 4))} staff, EUR {int(rng.integers(2, 30)) * 50_000:,} a year",
                    "timescale": f"{start}-{start + 3 + int(rng.integers(0, 3))}",
                    "evidence_of_success": (
                        "" if state == "draft"
                        else ("Targets missed: " if unsuccessful else "") + evidence
                    ),
                    "difficulties": "Low take-up in the first year; administrative burden of reporting.",
                    "potential_for_transfer": transfer,
                    "institution": f"Development agency {names.get(region, region)}",
                    "region": region,
                    "stakeholders": "cluster organisations, SMEs, universities, regional government",
                    "dimensions": dims,
                    "nace_sectors": nace,
                    "instrument_type": instrument,
                    "governance_level": level,
                    "evidence_links": [] if state == "draft" else [f"https://example.org/demo/{region.lower()}-{n + 1:03d}"],
                    "outcome": "unsuccessful" if unsuccessful else "successful",
                    "validation_state": state,
                    "validated_by": "" if state == "draft" else ("demo partner" if state == "validated_partner" else "demo thematic expert"),
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def generate(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, ctx: DemoContext) -> None:
    """Write the demo practices into the open writer connection and register their dataset."""
    dataset_id = ctx.dataset_id(DOMAIN)
    frame = build(rng, ctx.regions)
    store_frame(con, frame, dataset_id=dataset_id, synthetic=True)
    ctx.register(dataset_id, "Demo good-practice library (synthetic)", len(frame), kind="practices")
    generate_groups(con, rng, ctx)


# ------------------------------------------------------------------------------ working groups
GROUP_NAMES = {
    "innovation": "Innovation and R&D", "sustainability": "Sustainability", "international":
    "International cooperation", "financing": "Cluster financing", "specialisation":
    "Specialisation", "skills": "Skills and jobs", "governance": "Multi-level governance (horizontal)",
}  # fmt: skip
MEETING_DATES = ("2026-03-10", "2026-06-16", "2026-09-22", "2027-01-19")  # the last one planned
ROLES = ("chair", "member", "member", "member", "member", "observer")
STATUSES = ("done", "done", "in_progress", "open", "dropped")


def groups_frames(rng: np.random.Generator, regions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The seven demo working groups with members, meetings, attendance, decisions, action items."""
    codes = [c for c in regions["code"] if len(c) == 4]
    g, m, mt, at, de, ai = [], [], [], [], [], []
    for k, (dim, name) in enumerate(GROUP_NAMES.items()):
        gid = f"WG-{dim[:4].upper()}"
        g.append({"group_id": gid, "name": name, "dimension": dim})
        members = []
        for j, role in enumerate(ROLES):
            region = codes[int(rng.integers(0, len(codes)))]
            mid = f"{gid}-M{j + 1}"
            members.append(mid)
            m.append({"group_id": gid, "member_id": mid, "name": f"Member {j + 1} of {name}",
                      "organisation": f"Cluster agency {region}", "region": region, "role": role})  # fmt: skip
        for n, day in enumerate(MEETING_DATES):
            mid = f"{gid}-{n + 1}"
            start = pd.Timestamp(f"{day} 10:00") + pd.Timedelta(days=k)
            held = n < len(MEETING_DATES) - 1
            mt.append({"meeting_id": mid, "group_id": gid, "title": f"Meeting {n + 1}",
                       "starts_at": start, "ends_at": start + pd.Timedelta(hours=2),
                       "location": "online" if n % 2 else "Ljubljana",
                       "agenda": f"Barrier matrix of {dim}; pilots; actions",
                       "minutes": f"Reviewed the {dim} cells of the barrier matrix." if held else None})  # fmt: skip
            if held:
                for mem in members:
                    at.append(
                        {"meeting_id": mid, "member_id": mem, "present": bool(rng.random() < 0.8)}
                    )
                de.append({"decision_id": f"{mid}-D1", "meeting_id": mid,
                           "decision": f"Prioritise the most severe {dim} barriers."})  # fmt: skip
                for i in range(2):
                    due = (start + pd.Timedelta(days=60 + 30 * i)).date()
                    link = (("barrier_cell", f"{codes[k]}/{dim}/past_actions"), ("pilot", f"P{1 + k % 6}"),
                            (None, None))[(n + i) % 3]  # fmt: skip
                    ai.append({"item_id": f"{mid}-A{i + 1}", "group_id": gid, "meeting_id": mid,
                               "title": f"Follow-up {i + 1} of meeting {n + 1}", "owner": members[i],
                               "due_date": due, "status": STATUSES[int(rng.integers(0, len(STATUSES)))],
                               "link_kind": link[0], "link_ref": link[1]})  # fmt: skip
    frames = {"groups": g, "members": m, "meetings": mt, "attendance": at, "decisions": de,
              "action_items": ai}  # fmt: skip
    return {k: pd.DataFrame(v) for k, v in frames.items()}


def generate_groups(
    con: duckdb.DuckDBPyConnection, rng: np.random.Generator, ctx: DemoContext
) -> int:
    """Write the demo working groups (dataset ``demo:groups``); returns the number of rows."""
    dataset_id = ctx.dataset_id("groups")
    rows = 0
    for name, frame in groups_frames(rng, ctx.regions).items():
        frame = frame.assign(dataset_id=dataset_id, synthetic=True)
        con.register("wg_frame", frame)
        con.execute(f"INSERT INTO wg_{name} ({', '.join(frame.columns)}) SELECT * FROM wg_frame")
        con.unregister("wg_frame")
        rows += len(frame)
    ctx.register(dataset_id, "Demo working groups (synthetic)", rows, kind="groups")
    return rows
