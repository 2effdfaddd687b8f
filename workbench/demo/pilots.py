"""Synthetic demo data for policy learning mechanisms and six pilots (issue 6).

A catalogue of mechanisms, SIX pilots running six months (January-June 2026) in demo regions, each
with a logic model, indicators (baseline, target, monthly actuals), a regional outcome measured in
pilot and comparison regions for six months before and during the pilot, two survey waves of the same
participants, and criteria scores from four evaluators.  Every row is flagged synthetic.  Pilot P6
starts in its regions at different months (staggered) so the group-time path is exercised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.evaluation.settings import criteria_codes

DOMAIN = "pilots"

MECHANISMS = [
    # id, name, type, dimensions, cost EUR, duration months, description
    (
        "M-PEER",
        "Peer review of cluster policy",
        "peer_review",
        ["governance", "innovation"],
        45000,
        4,
        "Policy makers from 3-4 regions review one region's cluster programme against good practice.",
    ),
    (
        "M-VISIT",
        "Study visit",
        "study_visit",
        ["international", "specialisation"],
        20000,
        1,
        "Delegation of cluster managers and officials visits a peer region's clusters.",
    ),
    (
        "M-TWIN",
        "Twinning of cluster organisations",
        "twinning",
        ["international", "skills"],
        80000,
        6,
        "Two cluster organisations exchange staff and run joint activities for several months.",
    ),
    (
        "M-BENCH",
        "Cluster benchmarking",
        "benchmarking",
        ["specialisation", "financing"],
        30000,
        3,
        "Cluster organisations are benchmarked on management quality and services (ECEI-style).",
    ),
    (
        "M-LAB",
        "Policy lab",
        "policy_lab",
        ["governance", "sustainability"],
        60000,
        5,
        "Facilitated co-design sessions of officials, clusters and firms to prototype a measure.",
    ),
    (
        "M-MENTOR",
        "Expert mentoring mission",
        "mentoring",
        ["skills", "innovation"],
        35000,
        4,
        "Experienced cluster managers mentor a young cluster organisation on site and remotely.",
    ),
    (
        "M-MATCH",
        "Cross-border matchmaking",
        "matchmaking",
        ["international"],
        25000,
        2,
        "B2B and cluster-to-cluster matchmaking events with follow-up on joint projects.",
    ),
    (
        "M-THEME",
        "Thematic learning workshop",
        "workshop",
        ["sustainability", "skills"],
        15000,
        1,
        "One-off workshop on a policy theme with presentations of practice from other regions.",
    ),
]

PILOT_MECHANISMS = ["M-PEER", "M-VISIT", "M-TWIN", "M-BENCH", "M-LAB", "M-MENTOR"]
PILOT_START = pd.Timestamp("2026-01-01")
PILOT_MONTHS = 6
PRE_MONTHS = 6
SURVEY_ITEMS = {
    "learned": "I learned something useful from other regions",
    "applied": "My organisation has applied something it learned",
    "cooperation": "Cooperation with clusters elsewhere has improved",
    "recommend": "I would recommend this mechanism to peers",
}
EVALUATORS = ["evaluator-a", "evaluator-b", "evaluator-c", "evaluator-d"]


def _insert(con: Any, table: str, df: pd.DataFrame) -> None:
    con.register("_demo_pilots_frame", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_pilots_frame")
    finally:
        con.unregister("_demo_pilots_frame")


def build(rng: np.random.Generator, regions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """All demo rows as DataFrames keyed by table name (without dataset_id/synthetic)."""
    codes = sorted(regions["code"].astype(str).unique())
    if len(codes) < 12:
        raise ValueError(f"the pilots demo needs at least 12 demo regions, got {len(codes)}")
    mechs = pd.DataFrame(
        [
            {
                "mechanism_id": m,
                "name": n,
                "type": t,
                "cost_eur": float(c),
                "duration_months": float(d),
                "description": desc,
            }
            for m, n, t, _dims, c, d, desc in MECHANISMS
        ]
    )
    mech_dims = pd.DataFrame(
        [
            {"mechanism_id": m, "dimension": dim}
            for m, _n, _t, dims, *_ in MECHANISMS
            for dim in dims
        ]
    )
    # effect of each mechanism on the regional outcome (percentage points of cooperating firms)
    true_effect = {
        "M-PEER": 1.0,
        "M-VISIT": 0.4,
        "M-TWIN": 2.5,
        "M-BENCH": 1.5,
        "M-LAB": 2.0,
        "M-MENTOR": 0.8,
    }
    pilots, pregions, logic, inds, values, survey, scores = [], [], [], [], [], [], []
    months_pre = pd.date_range(
        PILOT_START - pd.DateOffset(months=PRE_MONTHS), periods=PRE_MONTHS, freq="MS"
    )
    months_post = pd.date_range(PILOT_START, periods=PILOT_MONTHS, freq="MS")
    all_months = months_pre.append(months_post)
    for k, mech in enumerate(PILOT_MECHANISMS, start=1):
        pid = f"P{k}"
        mname = next(m[1] for m in MECHANISMS if m[0] == mech)
        picked = list(rng.choice(codes, size=2 + (k % 2) + 4, replace=False))
        treated, comparison = picked[: 2 + (k % 2)], picked[2 + (k % 2) :]
        budget = float(next(m[4] for m in MECHANISMS if m[0] == mech)) * 1.1
        pilots.append(
            {
                "pilot_id": pid,
                "mechanism_id": mech,
                "title": f"{mname} pilot in {', '.join(treated)}",
                "description": f"Six-month pilot of the mechanism '{mname}'.",
                "start_date": PILOT_START.date(),
                "end_date": (months_post[-1] + pd.offsets.MonthEnd(0)).date(),
                "budget_eur": budget,
                "status": "completed",
            }
        )
        staggered = pid == "P6"
        starts = {}
        for j, r in enumerate(treated):
            start = PILOT_START + pd.DateOffset(months=2 * j) if staggered else PILOT_START
            starts[r] = start
            pregions.append(
                {"pilot_id": pid, "region": r, "role": "pilot", "start_date": start.date()}
            )
        for r in comparison:
            pregions.append(
                {"pilot_id": pid, "region": r, "role": "comparison", "start_date": None}
            )
        logic += [
            {
                "pilot_id": pid,
                "level": "inputs",
                "position": 1,
                "text": f"Budget of EUR {budget:,.0f}, two facilitators, peer experts",
                "assumptions": "Co-financing is released on time",
            },
            {
                "pilot_id": pid,
                "level": "activities",
                "position": 1,
                "text": f"Monthly {mname.lower()} sessions with cluster organisations",
                "assumptions": "Participants can take part in person",
            },
            {
                "pilot_id": pid,
                "level": "outputs",
                "position": 1,
                "text": "Cluster managers and officials trained; action plans written",
                "assumptions": "The right people attend",
            },
            {
                "pilot_id": pid,
                "level": "outcomes",
                "position": 1,
                "text": "More cluster firms cooperate across regions",
                "assumptions": "Firms have capacity to follow up on contacts",
            },
            {
                "pilot_id": pid,
                "level": "impact",
                "position": 1,
                "text": "Stronger, better connected regional innovation ecosystems",
                "assumptions": "Wider economic conditions stay stable",
            },
        ]
        spec = [
            (
                "spend",
                "Budget spent",
                "EUR thousand",
                "inputs",
                0.0,
                round(budget / 1000, 1),
                False,
            ),
            ("events", "Learning events held", "events", "activities", 0.0, 6.0, False),
            ("trained", "Participants trained", "persons", "outputs", 0.0, 40.0, False),
            (
                "coop",
                "Cluster firms in cross-regional cooperation",
                "% of cluster firms",
                "outcomes",
                None,
                None,
                True,
            ),
            ("projects", "New joint innovation projects", "projects", "impact", 0.0, 4.0, False),
        ]
        level_coop = {r: float(rng.uniform(8, 20)) for r in treated + comparison}
        for code, name, unit, level, base, target, regional in spec:
            iid = f"{pid}-{code}"
            if regional:
                base = round(float(np.mean([level_coop[r] for r in treated])), 1)
                target = base + 3.0
            inds.append(
                {
                    "indicator_id": iid,
                    "pilot_id": pid,
                    "name": name,
                    "unit": unit,
                    "level": level,
                    "baseline": base,
                    "target": target,
                    "regional": regional,
                    "source": "pilot monitoring (synthetic)"
                    if not regional
                    else "regional cluster survey (synthetic)",
                }
            )
            if regional:
                trend = float(rng.normal(0.05, 0.02))
                for r in treated + comparison:
                    for t, month in enumerate(all_months):
                        effect = true_effect[mech] if r in starts and month >= starts[r] else 0.0
                        val = level_coop[r] + trend * t + effect + rng.normal(0, 0.35)
                        values.append(
                            {
                                "indicator_id": iid,
                                "region": r,
                                "period": month.date(),
                                "value": round(float(val), 2),
                            }
                        )
            else:
                assert target is not None  # only regional indicators take their target from data
                pace = float(rng.uniform(0.6, 1.15))
                for t, month in enumerate(months_post, start=1):
                    frac = t / PILOT_MONTHS
                    val = target * min(1.3, pace * frac) * float(rng.uniform(0.95, 1.05))
                    if unit in ("events", "projects", "persons"):
                        val = float(np.floor(val))
                    values.append(
                        {
                            "indicator_id": iid,
                            "region": None,
                            "period": month.date(),
                            "value": round(float(val), 1),
                        }
                    )
        n_resp = int(rng.integers(14, 26))
        shift = true_effect[mech] / 2.5
        for i in range(n_resp):
            rid = f"{pid}-R{i + 1:02d}"
            base_att = rng.normal(3.0, 0.8)
            for item in SURVEY_ITEMS:
                s1 = int(np.clip(np.rint(base_att + rng.normal(0, 0.6)), 1, 5))
                s2 = int(np.clip(np.rint(base_att + shift + rng.normal(0, 0.6)), 1, 5))
                survey.append(
                    {"pilot_id": pid, "respondent_id": rid, "wave": 1, "item": item, "score": s1}
                )
                survey.append(
                    {"pilot_id": pid, "respondent_id": rid, "wave": 2, "item": item, "score": s2}
                )
    quality = {
        "M-PEER": 3.6,
        "M-VISIT": 3.0,
        "M-TWIN": 4.0,
        "M-BENCH": 3.5,
        "M-LAB": 3.8,
        "M-MENTOR": 3.2,
    }
    stamp = pd.Timestamp("2026-07-10 09:00:00")
    for e, evaluator in enumerate(EVALUATORS):
        for mech in PILOT_MECHANISMS:
            for c, crit in enumerate(criteria_codes()):  # evaluation.yml
                noisy = quality[mech] + rng.normal(0, 0.7 if crit == "eu_added_value" else 0.45)
                scores.append(
                    {
                        "score_id": f"demo-{evaluator}-{mech}-{crit}",
                        "evaluator": evaluator,
                        "mechanism_id": mech,
                        "criterion": crit,
                        "score": int(np.clip(np.rint(noisy), 1, 5)),
                        "confidence": ["low", "medium", "high"][int(rng.integers(0, 3))],
                        "comment": None,
                        "submitted_at": stamp + pd.Timedelta(minutes=10 * e + c),
                    }
                )
    return {
        "mechanisms": mechs,
        "mechanism_dimensions": mech_dims,
        "pilots": pd.DataFrame(pilots),
        "pilot_regions": pd.DataFrame(pregions),
        "logic_model": pd.DataFrame(logic),
        "indicators": pd.DataFrame(inds),
        "indicator_values": pd.DataFrame(values),
        "survey_responses": pd.DataFrame(survey),
        "criteria_scores": pd.DataFrame(scores),
    }


def generate(con: Any, rng: np.random.Generator, ctx: Any) -> None:
    """Write the pilots demo into the open writer connection ``con`` and register its dataset."""
    dataset_id = ctx.dataset_id(DOMAIN)
    tables = build(rng, ctx.regions)
    total = 0
    for table, df in tables.items():
        con.execute(f"DELETE FROM {table} WHERE dataset_id = ? AND synthetic", [dataset_id])
        df = df.copy()
        df["dataset_id"] = dataset_id
        df["synthetic"] = True
        _insert(con, table, df)
        total += len(df)
    ctx.register(dataset_id, "Demo policy learning mechanisms and six pilots (synthetic)", total)


def write_standalone(db: Any = None, *, seed: int = 6) -> None:
    """Write only the pilots demo into ``db`` (through the KB writer); for tests and quick starts."""
    from workbench.demo.context import DemoContext
    from workbench.kb import writer

    with writer(db, purpose="demo pilots") as con:
        generate(con, np.random.default_rng(seed), DemoContext(con=con, seed=seed))
