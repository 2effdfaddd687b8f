"""Synthetic demo joint strategy (issue 17): scenarios, visions, action plan, progress, the SEE
Cluster Initiative register and a sustainability plan.  Every row is synthetic (``demo:strategy``).

Builds on the other demo generators: the scenarios sit on the 2x2 frame of the demo foresight
exercise (axes computed from its ratings as the foresight report does), actions link demo barriers
(severity >= 2 of their regions, matching dimensions), mechanisms and pilots.  A few gaps are
deliberate, so that the reports have something to say: one action without any evidence link, one
without funding source, one without a measurable target, an expired mandate, a term limit
exceeded, members without a joint action or self-assessment.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

import numpy as np
import pandas as pd

from workbench.strategy.write import replace_plan, upsert_scenario, upsert_vision

DATASET_ID = "demo:strategy"
STRATEGY_ID = "see-joint-strategy"
EXERCISE_ID = "see-clusters-2035"
INITIATIVE_ID = "see-cluster-initiative"
PROJECT_END = date(2028, 12, 31)
STAMP = datetime(2026, 10, 1, 9, 0, 0)  # fixed times: a seed gives identical rows

SCENARIOS = {
    "HH": (
        "Green power race",
        "Energy stays expensive while hydrogen and storage mature fast: clusters that master "
        "energy efficiency and clean energy services grow, the others lose orders.",
        [
            "industrial electricity price above 150 EUR/MWh",
            "electrolyser capacity announced in SEE",
        ],
    ),
    "HL": (
        "Energy squeeze",
        "Energy stays expensive and clean alternatives are slow: energy-intensive SMEs cut "
        "investment, cluster members ask for cost sharing and joint purchasing.",
        ["SME insolvencies in energy-intensive sectors", "delays of hydrogen valleys"],
    ),
    "LH": (
        "Clean abundance",
        "Cheap energy and fast storage and hydrogen deployment: new value chains open and "
        "nearshoring favours regions with clean energy and skilled people.",
        ["new storage projects per year", "green investment announcements in SEE"],
    ),
    "LL": (
        "Slow lane",
        "Energy is cheap again and the clean technologies stall: little pressure to change, "
        "clusters drift back to their former business and lose ground to other regions.",
        ["share of renewables in industry flat", "cluster membership fees falling"],
    ),
}
IMPLICATIONS = {
    "innovation": "joint R&D on efficiency and storage pays off",
    "sustainability": "clean energy services become the core cluster offer",
    "international": "partnerships with EU hydrogen valleys matter",
    "financing": "blended finance for member investments is needed",
    "specialisation": "priorities shift towards energy-related value chains",
    "skills": "technicians for energy systems are short",
    "governance": "energy, industry and regional departments must co-ordinate",
}

REGIONS = ["SI03", "SI04", "HR03", "HR02", "AT22", "HU12", "RO11", "BG34", "RS11", "EL51",
           "EL61", "ME00", "MK00", "AL01", "ITH2"]  # fmt: skip

OBJECTIVES = [
    ("O1", "Innovation-driven cluster specialisation", 0.3),
    ("O2", "Green and digital transition of cluster members", 0.25),
    ("O3", "Skills for cluster growth", 0.2),
    ("O4", "International cooperation and finance for clusters", 0.15),
    ("O5", "Multi-level governance of cluster policy", 0.1),
]

# id, objective, title, dimensions, lead, partners, start, end, budget EUR, funding, delivery,
# responsible body, weight, mechanisms, pilots, indicators [(code, name, unit, baseline, target)]
A = tuple[Any, ...]
ACTIONS: list[A] = [
    ("A01", "O1", "Joint cluster R&D voucher scheme", ["innovation"], "SI03", ["HR03", "AT22"],
     "2026-01-01", "2028-06-30", 1_200_000, "erdf", "voucher call", "SPIRIT Slovenia", 3,
     ["M-MATCH"], [], [("RCO84", 0, 6)]),
    ("A02", "O1", "Smart specialisation peer reviews", ["specialisation", "governance"], "HU12",
     ["RS11", "BG34"], "2026-02-01", "2027-12-31", 240_000, "interreg", "peer review cycle",
     "Central Transdanubia development agency", 2, ["M-PEER"], ["P1"], [("RCO83", 0, 3)]),
    ("A03", "O1", "Cross-border innovation camps", ["innovation", "international"], "AT22",
     ["RO11"], "2026-03-01", "2027-09-30", 180_000, "interreg", "study visits and camps",
     "Styrian business promotion agency", 1, ["M-VISIT"], ["P2"], [("RCO81", 0, 120)]),
    ("A04", "O1", "Regional specialisation observatory", ["specialisation"], "EL51", ["EL61"],
     "2026-04-01", "2028-12-31", 300_000, "regional", "shared observatory",
     "Region of Eastern Macedonia and Thrace", 1, ["M-BENCH"], [], [("OWN-OBS", 0, 2)]),
    ("A05", "O1", "Cluster benchmarking across the Adriatic", ["specialisation", "innovation"],
     "ME00", ["ITH2", "AL01"], "2026-05-01", "2027-12-31", 150_000, "ipa_iii",
     "benchmarking rounds", "Ministry of Economic Development of Montenegro", 1, ["M-BENCH"],
     ["P4"], [("RCO116", 0, 2)]),
    ("A06", "O2", "Green transition service packages", ["sustainability"], "HR03", ["SI04"],
     "2026-01-01", "2028-12-31", 900_000, "erdf", "service vouchers",
     "Croatian Agency for SMEs, Innovation and Investments", 3, ["M-MENTOR"], ["P6"],
     [("RCR104", 0, 4)]),
    ("A07", "O2", "Energy efficiency twinning of clusters", ["sustainability", "international"],
     "MK00", ["AT22", "SI04"], "2026-03-01", "2028-02-28", 260_000, "interreg", "twinning",
     "Fund for Innovation and Technology Development", 2, ["M-TWIN"], ["P3"],
     [("RCO87", 0, 12)]),
    ("A08", "O2", "Digital maturity scans for cluster members", ["innovation", "sustainability"],
     "RO11", ["HU12"], "2026-06-01", "2027-12-31", 200_000, "erdf", "scan programme",
     "North-West Regional Development Agency", 1, [], [], [("OWN-SCAN", 0, 150)]),
    ("A09", "O2", "Circular economy policy lab", ["sustainability", "governance"], "EL61",
     ["EL51", "ME00"], "2026-02-01", "2027-06-30", 160_000, "interreg", "policy lab",
     "Region of Thessaly", 1, ["M-LAB"], ["P5"], [("RCO116", 0, 1)]),
    ("A10", "O3", "Joint cluster academy", ["skills"], "HR02", ["HR03", "RS11"], "2026-09-01",
     "2028-08-31", 420_000, "esf_plus", "training programme", "Pannonian Croatia cluster academy",
     None, ["M-THEME"], [], [("OWN-TRAIN", 0, 300)]),
    ("A11", "O3", "Dual vocational training in clusters", ["skills", "specialisation"], "SI04",
     ["AT22"], "2026-09-01", "2029-06-30", 650_000, "national", "apprenticeships",
     "Ministry of Education of Slovenia", None, [], [], [("OWN-APPR", 20, 120)]),
    ("A12", "O3", "Digital skills bootcamps", ["skills", "innovation"], "BG34", ["RO11"],
     "2026-10-01", "2027-12-31", 140_000, None, "bootcamps", "South-East Bulgaria cluster network",
     None, ["M-THEME"], [], [("OWN-BOOT", 0, 200)]),
    ("A13", "O3", "Skills foresight with employers", ["skills"], "RS11", ["MK00"], "2027-01-01",
     "2028-06-30", 90_000, "ipa_iii", "foresight panels", "Belgrade Chamber of Commerce", None,
     [], [], []),
    ("A14", "O4", "SEE cluster matchmaking platform", ["international"], "SI03",
     ["HR03", "RS11", "BG34", "EL51"], "2026-01-01", "2028-12-31", 350_000, "interreg",
     "online platform and events", "SEE Cluster Initiative secretariat", 2, ["M-MATCH"], [],
     [("RCO81", 0, 400), ("RCR84", 0, 30)]),
    ("A15", "O4", "Cluster internationalisation vouchers", ["international", "financing"], "HU12",
     ["SI03"], "2026-04-01", "2028-03-31", 500_000, "national", "voucher call",
     "Hungarian Export Promotion Agency", 1, [], [], [("OWN-EXP", 0, 40)]),
    ("A16", "O4", "Blended finance facility for cluster projects", ["financing"], "RO11",
     ["BG34", "HR03"], "2027-01-01", "2029-12-31", 2_500_000, "private", "guarantee fund",
     "Regional development bank", None, [], [], [("OWN-FIN", 0, 25)]),
    ("A17", "O4", "Western Balkan clusters in EU programmes", ["international", "governance"],
     "AL01", ["ME00", "MK00", "RS11"], "2026-05-01", "2028-04-30", 210_000, "ipa_iii",
     "coaching and partner search", "Albanian Investment Development Agency", 1, ["M-MENTOR"],
     [], [("RCO87", 0, 20)]),
    ("A18", "O5", "Joint monitoring of the SEE strategy", ["governance"], "SI03", ["HR03", "HU12"],
     "2026-01-01", "2028-12-31", 120_000, "interreg", "monitoring cycle",
     "SEE Cluster Initiative secretariat", None, ["M-PEER"], [], [("RCR79", 0, 8)]),
    ("A19", "O5", "Cross-department cluster policy boards", ["governance"], "EL51", ["EL61"],
     "2026-03-01", "2027-12-31", 60_000, "regional", "policy boards",
     "Region of Eastern Macedonia and Thrace", None, ["M-LAB"], [], [("OWN-BOARD", 0, 4)]),
    ("A20", "O5", "Cluster policy learning exchange", ["governance", "innovation"], "ITH2",
     ["AT22"], "2026-06-01", "2027-12-31", 80_000, "interreg", "learning workshops",
     "Veneto Region", None, [], [], [("RCO81", 0, 60)]),
    ("A21", "O2", "Sustainable tourism clusters", ["sustainability", "specialisation"], "ME00",
     ["AL01"], "2026-04-01", "2028-03-31", 230_000, "erdf", "destination clusters",
     "Montenegro tourism cluster", 1, ["M-VISIT"], [], [("OWN-TOUR", 0, 10)]),
    ("A22", "O1", "Regional innovation scoreboard for clusters", ["innovation", "financing"],
     "BG34", ["SI03"], "2026-02-01", "2027-06-30", 70_000, "regional", "scoreboard",
     "South-East Bulgaria regional council", 1, [], [], [("OWN-SCORE", 0, 1)]),
]  # fmt: skip
ORPHAN = "A20"  # deliberately without evidence links
PROGRESS = {  # action -> (2026-H1, 2026-H2) as (status, per cent); missing = not reported
    "A01": (("on_track", 15), ("on_track", 35)),
    "A02": (("on_track", 20), ("delayed", 30)),
    "A03": (("on_track", 25), ("on_track", 50)),
    "A04": (("delayed", 5), ("delayed", 15)),
    "A05": (None, ("on_track", 20)),
    "A06": (("on_track", 10), ("on_track", 30)),
    "A07": (("on_track", 10), ("at_risk", 20)),
    "A08": (None, ("on_track", 10)),
    "A09": (("on_track", 30), ("completed", 100)),
    "A10": (None, ("on_track", 5)),
    "A11": (None, ("planned", 0)),
    "A12": (None, ("delayed", 0)),
    "A14": (("on_track", 20), ("on_track", 40)),
    "A15": (("delayed", 0), ("on_track", 15)),
    "A17": (None, ("on_track", 15)),
    "A18": (("on_track", 15), ("on_track", 30)),
    "A19": (("on_track", 20), ("on_track", 45)),
    "A20": (None, ("cancelled", 0)),
    "A21": (("on_track", 10), ("on_track", 25)),
    "A22": (("on_track", 30), ("on_track", 60)),
}
RESULTS = [  # action, result, owner, durability, transferability, continuation, funding
    ("A02", "Peer review method for S3 priorities", "Central Transdanubia development agency",
     "kept in the regional S3 monitoring", "method handbook in English", None, None),
    ("A03", "Innovation camp format", "Styrian business promotion agency",
     "yearly camp in the agency's programme", "open format guide",
     "agency budget from 2028", "regional"),
    ("A07", "Twinning agreements between clusters", "partner clusters", "three-year agreements",
     "template agreement", None, None),
    ("A09", "Circular economy policy recommendations", "Region of Thessaly",
     "adopted in the regional programme", "shared with the Interreg community",
     "regional programme 2028-2034", "erdf"),
    ("A14", "SEE cluster matchmaking platform", "SEE Cluster Initiative secretariat",
     "hosted by the initiative", "open source code",
     "members' fees of the initiative", "private"),
    ("A18", "Joint monitoring framework", "SEE Cluster Initiative secretariat",
     "annual monitoring report", "indicator guide", None, None),
    ("A06", "Green transition service catalogue", None, "service offer of the agency",
     None, None, None),
    ("A11", "Dual training curricula", "Ministry of Education of Slovenia",
     "accredited curricula", "curricula translated", None, None),
]  # fmt: skip

SIGNATORIES = [  # id, name, kind, region, country, signed_on, status
    ("S01", "Zahodna Slovenija (regional development agency)", "region", "SI04", "SI", "2025-10-15", "member"),
    ("S02", "Vzhodna Slovenija", "region", "SI03", "SI", "2025-10-15", "member"),
    ("S03", "Jadranska Hrvatska", "region", "HR03", "HR", "2025-10-15", "member"),
    ("S04", "Panonska Hrvatska", "region", "HR02", "HR", "2025-11-20", "member"),
    ("S05", "Steiermark", "region", "AT22", "AT", "2025-10-15", "member"),
    ("S06", "Közép-Dunántúl", "region", "HU12", "HU", "2025-12-01", "member"),
    ("S07", "Nord-Vest", "region", "RO11", "RO", "2026-01-20", "member"),
    ("S08", "Yugoiztochen", "region", "BG34", "BG", "2026-01-20", "associate"),
    ("S09", "Beogradski region", "region", "RS11", "RS", "2025-10-15", "member"),
    ("S10", "Anatoliki Makedonia, Thraki", "region", "EL51", "EL", "2026-02-10", "member"),
    ("S11", "Thessalia", "region", "EL61", "EL", "2026-03-05", "associate"),
    ("S12", "Crna Gora", "region", "ME00", "ME", "2025-10-15", "member"),
    ("S13", "Severna Makedonija", "region", "MK00", "MK", "2026-04-15", "member"),
    ("S14", "Bosnia-Herzegovina cluster network (body)", "body", None, "BA", "2026-05-10", "observer"),
    ("S15", "Sud-Est", "region", "RO22", "RO", "2025-10-15", "member"),
    ("S16", "Shqipëria Qendrore", "region", "AL02", "AL", "2026-09-01", "member"),
]  # fmt: skip
COMMITMENTS = [
    ("C1", "Each member leads or joins at least one joint action within 12 months of signing.",
     "joint_action", ["member"], 12,
     "Vanguard Initiative: every member region takes part in at least one pilot"),
    ("C2", "Each member and associate publishes a self-assessment of its commitments every year.",
     "self_assessment", ["member", "associate"], 12, "CoARA agreement: public self-assessment"),
    ("C3", "Members share cluster statistics for the joint monitoring.", "other", ["member"], None,
     "EUSDR PA8: agreed targets, indicators and timetables"),
]  # fmt: skip
SELF_ASSESSMENTS = [  # signatory, year, submitted_on
    ("S01", 2026, "2026-10-20"), ("S02", 2026, "2026-10-30"), ("S03", 2026, "2026-11-02"),
    ("S05", 2026, "2026-10-25"), ("S09", 2026, "2026-11-10"), ("S06", 2026, "2026-12-15"),
    ("S04", 2025, "2025-12-20"),
]  # fmt: skip
BODIES = [  # id, name, kind, mandate, board size, term months, max terms
    ("B1", "Steering board", "board", "adopts the joint strategy and the annual work plan", 5, 24, 2),
    ("B2", "Secretariat", "secretariat", "runs the register and the joint monitoring", None, 36, None),
    ("B3", "General assembly", "assembly", "admits members, elects the board", None, None, None),
]  # fmt: skip
MANDATES = [  # body, signatory, role, start, end, term
    ("B1", "S02", "chair", "2024-10-15", "2026-10-14", 3),
    ("B1", "S03", "vice-chair", "2025-10-15", "2027-10-14", 1),
    ("B1", "S05", "member", "2025-10-15", "2027-10-14", 1),
    ("B1", "S09", "member", "2025-10-15", "2027-10-14", 1),
    ("B1", "S12", "member", "2025-10-15", "2026-09-30", 1),
    ("B1", "S07", "member", "2026-10-01", "2028-09-30", 1),
    ("B2", "S01", "host", "2025-10-15", "2028-10-14", 1),
]


def _axes(con: Any) -> tuple[str | None, str | None]:
    """The two axes of the demo exercise's 2x2 frame, as the foresight report computes them."""
    from workbench.foresight import scenarios

    ratings = con.execute(
        "SELECT * FROM foresight_driver_ratings WHERE exercise_id = ?", [EXERCISE_ID]
    ).df()
    drivers = con.execute(
        "SELECT * FROM foresight_drivers WHERE exercise_id = ?", [EXERCISE_ID]
    ).df()
    if ratings.empty:
        return None, None
    matrix = scenarios.impact_uncertainty(ratings, drivers)
    axes = cast(tuple[str, str], scenarios.critical_uncertainties(matrix, ratings)["axes"])
    return str(axes[0]), str(axes[1])


def _barriers_for(con: Any, regions: list[str], dims: list[str], n: int) -> list[str]:
    rows = con.execute(
        "SELECT barrier_id, dimensions FROM barriers WHERE synthetic AND severity >= 2"
        " AND list_contains(?, region) ORDER BY severity DESC, barrier_id",
        [regions],
    ).fetchall()
    picked = [b for b, d in rows if set(d) & set(dims)]
    return picked[:n]


def _stored_keys(con: Any, table: str, column: str, owner: tuple[str, str]) -> set[str]:
    """The values of ``column`` in the rows of ``table`` that belong to ``owner`` (``(id column,
    id)``): rows already there (e.g. edited in the dashboard) that the demo must not overwrite."""
    owner_column, owner_id = owner
    return {
        r[0]
        for r in con.execute(
            f"SELECT {column} FROM {table} WHERE {owner_column} = ?", [owner_id]
        ).fetchall()
    }


def generate(con: Any, rng: np.random.Generator, ctx: Any) -> None:
    """Write the demo strategy, its scenarios, visions, plan and the initiative register."""
    tag: dict[str, Any] = {"dataset_id": DATASET_ID, "synthetic": True}
    axis_a, axis_b = _axes(con)
    # narratives edited in the dashboard (not synthetic) are kept, not overwritten
    kept = _stored_keys(con, "strategy_scenarios", "scenario", ("exercise_id", EXERCISE_ID))
    for code, (name, story, signposts) in SCENARIOS.items():
        if code in kept:
            continue
        upsert_scenario(
            con,
            {
                "exercise_id": EXERCISE_ID,
                "scenario": code,
                "axis_a": axis_a,
                "axis_b": axis_b,
                "name": name,
                "story": story,
                "signposts": signposts,
                "author": "demo facilitator",
                "updated_at": STAMP,
                "implications": {
                    d: f"{text} ({'strongly' if code[0] == 'H' else 'mildly'} in this scenario)"
                    for d, text in IMPLICATIONS.items()
                },
            },
            **tag,
        )
    visions = {"joint": "By 2035 South-East Europe's clusters are connected, green and skilled: "
               "every region takes part in joint actions that its people can see."}  # fmt: skip
    for r in REGIONS:
        visions[r] = f"{r}: clusters that lead in their niches and cooperate across borders."
    kept = _stored_keys(con, "strategy_visions", "region", ("strategy_id", STRATEGY_ID))
    for region, text in visions.items():
        if region in kept:
            continue
        upsert_vision(
            con,
            {
                "strategy_id": STRATEGY_ID,
                "region": region,
                "text": text,
                "author": "demo",
                "updated_at": STAMP,
            },
            **tag,
        )
    actions = []
    for spec in ACTIONS:
        (aid, obj, title, dims, lead, partners, start, end, budget, fund, delivery, body, weight,
         mechanisms, pilots, inds) = spec  # fmt: skip
        indicators = []
        for code, base, target in inds:
            common = ctx_common().get(code)
            indicators.append(
                {
                    "indicator_id": code,
                    "name": common["name"] if common else f"{title}: output",
                    "unit": common["unit"] if common else "count",
                    "baseline": float(base),
                    "target": float(target) if aid != "A08" else None,  # no measurable target
                    "target_year": 2028,
                }
            )
        barriers = [] if aid == ORPHAN else _barriers_for(con, [lead, *partners], dims, 3)
        actions.append(
            {
                "action_id": aid,
                "objective_id": obj,
                "title": title,
                "description": f"{title} (synthetic demo action).",
                "dimensions": dims,
                "lead_region": lead,
                "partner_regions": partners,
                "start_date": date.fromisoformat(start),
                "end_date": date.fromisoformat(end),
                "budget": float(budget),
                "currency": "EUR",
                "funding_source": fund,
                "delivery": delivery,
                "responsible_body": body,
                "weight": None if weight is None else float(weight),
                "author": "demo",
                "created_at": STAMP,
                "barriers": barriers,
                "mechanisms": [] if aid == ORPHAN else mechanisms,
                "pilots": pilots,
                "indicators": indicators,
            }
        )
    # O4: one weight missing, so that the roll-up states "weights incomplete"
    progress = []
    for aid, periods in PROGRESS.items():
        for period, value in zip(("2026-H1", "2026-H2"), periods, strict=True):
            if value is None:
                continue
            status, pct = value
            progress.append(
                {
                    "action_id": aid,
                    "period": period,
                    "status": status,
                    "progress": float(pct),
                    "note": None,
                    "reported_by": "demo partner",
                    "reported_at": STAMP,
                }
            )
    results = [
        {
            "action_id": a,
            "result_id": f"R{i + 1:02d}",
            "result": res,
            "owner": owner,
            "durability": dur,
            "transferability": tr,
            "continuation": cont,
            "continuation_funding": cf,
        }
        for i, (a, res, owner, dur, tr, cont, cf) in enumerate(RESULTS)
    ]
    replace_plan(
        con,
        {
            "strategy_id": STRATEGY_ID,
            "title": "Joint strategy for cluster policy in South-East Europe (demo)",
            "exercise_id": EXERCISE_ID,
            "horizon_year": 2035,
            "project_end": PROJECT_END,
            "description": "Synthetic demo strategy built on the demo foresight exercise.",
            "created_at": STAMP,
        },
        [
            {"objective_id": o, "title": t, "description": None, "weight": w, "sort_order": i + 1}
            for i, (o, t, w) in enumerate(OBJECTIVES)
        ],
        actions,
        progress,
        results,
        replace=False,  # clear_demo removed the synthetic rows; accepted proposals (not synthetic) stay
        **tag,
    )
    _initiative(con, tag)
    rows = len(actions) + len(progress) + len(SIGNATORIES)
    ctx.register(
        DATASET_ID,
        "Joint strategy, action plan and SEE Cluster Initiative (synthetic demo)",
        rows,
        notes="synthetic: every scenario, action, progress report and signatory is invented",
    )


def ctx_common() -> dict[str, Any]:
    from workbench.strategy.settings import common_indicators

    return common_indicators()


def _initiative(con: Any, tag: dict[str, Any]) -> None:
    def insert(table: str, frame: pd.DataFrame) -> None:
        con.register("_demo_strategy_frame", frame.assign(**tag))
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_strategy_frame")
        finally:
            con.unregister("_demo_strategy_frame")

    key = {"initiative_id": INITIATIVE_ID}
    insert(
        "initiatives",
        pd.DataFrame(
            [
                {
                    **key,
                    "name": "SEE Cluster Initiative (demo)",
                    "strategy_id": STRATEGY_ID,
                    "founded": date(2025, 10, 15),
                    "description": "Transnational network of regions committed to joint actions.",
                }
            ]
        ),
    )
    cols = ["signatory_id", "name", "kind", "region", "country", "signed_on", "status"]
    sig = pd.DataFrame(SIGNATORIES, columns=cols).assign(**key)
    sig["signed_on"] = pd.to_datetime(sig["signed_on"]).dt.date
    insert("initiative_signatories", sig)
    com = pd.DataFrame(
        COMMITMENTS,
        columns=["commitment_id", "text", "rule", "applies_to", "within_months", "reference"],
    ).assign(**key)
    com["within_months"] = com["within_months"].astype("Int64")
    insert("initiative_commitments", com)
    sa = pd.DataFrame(SELF_ASSESSMENTS, columns=["signatory_id", "year", "submitted_on"])
    sa["submitted_on"] = pd.to_datetime(sa["submitted_on"]).dt.date
    sa["summary"] = "Self-assessment of the commitments (synthetic)."
    insert("initiative_self_assessments", sa.assign(**key))
    bodies = pd.DataFrame(
        BODIES,
        columns=["body_id", "name", "kind", "mandate", "board_size", "term_months", "max_terms"],
    )
    for c in ("board_size", "term_months", "max_terms"):
        bodies[c] = bodies[c].astype("Int64")
    insert("initiative_bodies", bodies.assign(**key))
    man = pd.DataFrame(
        MANDATES, columns=["body_id", "signatory_id", "role", "start_date", "end_date", "term_no"]
    )
    for c in ("start_date", "end_date"):
        man[c] = pd.to_datetime(man[c]).dt.date
    insert("initiative_mandates", man.assign(**key))
