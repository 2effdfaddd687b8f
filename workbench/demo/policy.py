"""Synthetic demo of the policy domain: past policy actions, barriers and instruments in force.

Coherent with the demo regions: capitals lean to innovation, tourism regions to specialisation and
sustainability, rural regions to skills and financing; each region has its own cost level, so the
efficiency comparison shows a spread.  Everything is dataset ``demo:policy``, synthetic=TRUE.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.demo.context import REGION_ROLES_FILE
from workbench.policy.settings import DIMENSIONS, phases

DOMAIN = "policy"

# dimension -> (instrument, output unit, unit cost EUR, result unit, results per output)
INSTRUMENTS: dict[str, list[tuple[str, str, float, str, float]]] = {
    "innovation": [
        ("innovation voucher", "firms supported", 15_000, "firms introducing new products", 0.4),
        ("collaborative R&D grant", "research projects", 400_000, "patent applications", 0.8),
        ("competence centre", "firms cooperating with research", 60_000, "new products", 0.5),
    ],
    "sustainability": [
        ("green transition grant", "firms supported", 80_000, "t CO2 saved per year", 40.0),
        (
            "circular economy pilot",
            "pilot projects",
            250_000,
            "firms adopting circular practices",
            3.0,
        ),
    ],
    "international": [
        ("internationalisation mission", "firms participating", 8_000, "new export contracts", 0.3),
        ("cross-border cluster partnership", "partnerships", 150_000, "joint projects", 2.0),
    ],
    "financing": [
        ("loan guarantee scheme", "firms financed", 120_000, "private investment (EUR M)", 0.2),
        (
            "cluster organisation grant",
            "cluster organisations supported",
            200_000,
            "cluster members",
            40.0,
        ),
    ],
    "specialisation": [
        (
            "cluster excellence programme",
            "cluster organisations supported",
            300_000,
            "new cluster members",
            15.0,
        ),
        (
            "smart specialisation call",
            "projects in priority domains",
            500_000,
            "firms in priority domains",
            6.0,
        ),
    ],
    "skills": [
        (
            "skills academy",
            "participants trained",
            2_500,
            "participants employed after 6 months",
            0.55,
        ),
        ("apprenticeship scheme", "apprentices", 6_000, "apprentices hired", 0.6),
    ],
    "governance": [
        ("regional innovation council", "coordination meetings", 20_000, "joint action plans", 0.1),
        (
            "cluster policy coordination body",
            "agreements between departments",
            100_000,
            "joint calls",
            0.5,
        ),
    ],
}

ROLE_WEIGHTS = {  # relative weights over DIMENSIONS order
    "capital": [3.0, 1.0, 1.5, 1.2, 1.0, 1.2, 0.8],
    "manufacturing": [1.5, 1.2, 1.2, 1.0, 2.0, 1.5, 0.5],
    "tourism": [0.6, 1.5, 1.0, 0.8, 1.8, 1.2, 0.4],
    "energy": [1.0, 2.5, 0.6, 1.0, 1.0, 1.0, 0.4],
    "rural": [0.5, 1.0, 0.5, 1.5, 0.8, 2.0, 0.6],
    "other": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6],
}

BARRIERS: dict[str, list[str]] = {
    "innovation": [
        "Few firms cooperate with universities",
        "R&D grants reach the same firms again",
        "No technology-transfer office in the region",
    ],
    "sustainability": [
        "Green investment does not pay back within grant rules",
        "Firms lack data on their emissions",
    ],
    "international": [
        "Clusters lack partners abroad",
        "Export support is fragmented across agencies",
    ],
    "financing": [
        "Cluster organisations depend on short project grants",
        "Banks do not lend against intangibles",
        "Co-financing rules exclude small members",
    ],
    "specialisation": [
        "Smart specialisation priorities are too broad",
        "Cluster organisations are too small",
    ],
    "skills": [
        "Vocational curricula lag behind industry needs",
        "Young graduates leave the region",
    ],
    "governance": [
        "Ministries do not share cluster monitoring data",
        "Regional level has no say in calls",
        "Policy changes with every election",
    ],
}
EVIDENCE = ["regional innovation survey 2019", "interviews with cluster managers", "programme evaluation report",
            "working-group meeting minutes", "Eurostat indicator trend"]  # fmt: skip
INSTRUMENT_TYPES = [
    "grant scheme",
    "voucher",
    "loan/guarantee",
    "strategy",
    "network programme",
    "advisory service",
]


def _roles(regions: pd.DataFrame) -> dict[str, str]:
    try:
        roles = pd.read_csv(REGION_ROLES_FILE)
        mapped = dict(zip(roles["code"], roles["role"], strict=False))
    except (OSError, KeyError):
        mapped = {}
    out = {}
    for _, r in regions.iterrows():
        out[r["code"]] = "capital" if bool(r.get("is_capital")) else mapped.get(r["code"], "other")
    return out


def build(
    rng: np.random.Generator, regions: pd.DataFrame, years: list[int]
) -> dict[str, pd.DataFrame]:
    """The three tables (policy_actions, barriers, policy_instruments) for the demo regions."""
    roles = _roles(regions)
    last = max(years)
    actions: list[dict[str, Any]] = []
    barriers: list[dict[str, Any]] = []
    instruments: list[dict[str, Any]] = []
    for _, reg in regions.sort_values("code").iterrows():
        code, country = reg["code"], reg["country"]
        role = roles[code]
        w = np.array(ROLE_WEIGHTS.get(role, ROLE_WEIGHTS["other"]))
        cost_level = float(rng.lognormal(0.0, 0.25))  # region's cost per output relative to typical
        delivery = float(rng.uniform(0.65, 1.1))  # region's typical achievement
        for _ in range(int(rng.integers(5, 11))):
            dim = DIMENSIONS[int(rng.choice(len(DIMENSIONS), p=w / w.sum()))]
            name, out_unit, unit_cost, res_unit, res_per_out = INSTRUMENTS[dim][
                int(rng.integers(len(INSTRUMENTS[dim])))
            ]
            start_year = int(rng.integers(min(years), last - 1))
            start = pd.Timestamp(year=start_year, month=int(rng.integers(1, 13)), day=1)
            end = start + pd.DateOffset(months=int(rng.integers(12, 49)))
            budget = float(np.round(rng.lognormal(np.log(1_500_000), 0.8), -3))
            planned_out = max(1.0, np.round(budget / (unit_cost * cost_level)))
            planned_res = np.round(planned_out * res_per_out, 1)
            done = end.year <= last - 1
            rate = float(np.clip(rng.normal(delivery, 0.2), 0.1, 1.6))
            no_target = rng.random() < 0.08
            fund = "ESF" if dim == "skills" else ("national" if dim == "governance" else "ERDF")
            actions.append({
                "action_id": f"demo:policy:{code}:{len(actions) + 1:04d}", "region": code, "country": country,
                "title": f"{name.capitalize()} {start_year} ({reg['name_latn']})",
                "description": f"Synthetic demo action: {name} in {reg['name_latn']}.",
                "dimension": dim, "instrument": name,
                "programme": f"{country} {'national programme' if fund == 'national' else 'operational programme'}",
                "fund": fund, "start_date": start.date(), "end_date": end.date(), "budget": budget,
                "currency": "EUR", "eu_amount": None if fund == "national" else round(budget * 0.8, 2),
                "planned_outputs": None if no_target else planned_out,
                "achieved_outputs": None if no_target else (np.round(planned_out * rate) if done else np.round(planned_out * rate * 0.5)),
                "output_unit": out_unit,
                "planned_results": None if no_target else planned_res,
                "achieved_results": (np.round(planned_res * rate * float(rng.uniform(0.7, 1.2)), 1)
                                     if done and not no_target else None),
                "result_unit": res_unit, "status": "completed" if done else "ongoing",
                "source": "synthetic demo", "programming_period": None, "nuts_version": "2021",
            })  # fmt: skip
        for _ in range(int(rng.integers(3, 9))):
            dims = list(
                rng.choice(DIMENSIONS, size=int(rng.integers(1, 3)), replace=False, p=w / w.sum())
            )
            text = BARRIERS[dims[0]][int(rng.integers(len(BARRIERS[dims[0]])))]
            barriers.append({
                "barrier_id": f"demo:barrier:{code}:{len(barriers) + 1:04d}", "region": code, "barrier": text,
                "dimensions": [str(d) for d in dims], "phase": str(rng.choice(list(phases()), p=[0.4, 0.3, 0.15, 0.15])),
                "severity": int(rng.choice(4, p=[0.1, 0.35, 0.35, 0.2])),
                "evidence": str(rng.choice(EVIDENCE)) if rng.random() < 0.6 else None,
                "source": "synthetic demo working group", "author": "demo",
                "created_at": pd.Timestamp(year=last, month=int(rng.integers(1, 13)), day=1),
            })  # fmt: skip
        for _ in range(int(rng.integers(3, 8))):
            dims = sorted(
                {
                    str(d)
                    for d in rng.choice(
                        DIMENSIONS, size=int(rng.integers(1, 4)), replace=True, p=w / w.sum()
                    )
                }
            )
            level = str(rng.choice(["eu", "national", "regional", "local"], p=[0.2, 0.4, 0.3, 0.1]))
            instruments.append({
                "instrument_id": f"demo:instrument:{code}:{len(instruments) + 1:04d}", "region": code,
                "country": country,
                "name": f"{str(rng.choice(INSTRUMENT_TYPES)).capitalize()} for {' & '.join(dims)}",
                "instrument_type": str(rng.choice(INSTRUMENT_TYPES)), "level": level,
                "responsible_body": f"{level} authority", "dimensions": dims,
                "start_year": int(rng.integers(last - 4, last + 1)), "end_year": int(rng.integers(last + 1, last + 5)),
                "budget": float(np.round(rng.lognormal(np.log(5_000_000), 0.7), -3)), "currency": "EUR",
                "description": "Synthetic demo instrument in force.", "source": "synthetic demo",
            })  # fmt: skip
    return {
        "policy_actions": pd.DataFrame(actions),
        "barriers": pd.DataFrame(barriers),
        "policy_instruments": pd.DataFrame(instruments),
    }


def _insert(con: Any, table: str, df: pd.DataFrame) -> None:
    con.register("_wb_demo_policy", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _wb_demo_policy")
    finally:
        con.unregister("_wb_demo_policy")


def generate(con: Any, rng: np.random.Generator, ctx: Any) -> None:
    """Write demo policy actions, barriers and instruments in force; register ``demo:policy``."""
    dataset_id = ctx.dataset_id(DOMAIN)
    tables = build(rng, ctx.regions, list(ctx.years))
    total = 0
    for table, df in tables.items():
        con.execute(f"DELETE FROM {table} WHERE dataset_id = ? AND synthetic", [dataset_id])
        df = df.assign(dataset_id=dataset_id, synthetic=True)
        _insert(con, table, df)
        total += len(df)
    ctx.register(
        dataset_id,
        title="Demo past policy actions, barrier register and instruments in force (synthetic)",
        rows=total,
        kind="demo",
        dimensions=("region", "dimension", "phase"),
    )
