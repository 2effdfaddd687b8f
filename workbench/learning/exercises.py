"""The exercise of each lesson: the lab's own analysis run for the learner's region, as a worksheet.

One function per lesson (named like the lesson), ``region`` a NUTS 2 code, ``db`` the knowledge
base (default ``WORKBENCH_DB``).  Each calls the analysis the lesson taught (no second copy of a
method) and turns its tables into a :class:`~workbench.learning.worksheet.Worksheet` with findings
in words and the questions the learner answers about their own region.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ParameterError
from workbench.geography.codes import NUTS2_CODE
from workbench.learning import data
from workbench.learning.worksheet import Worksheet
from workbench.policy import barriers as B
from workbench.policy import data as policy_data

DEMO_EXERCISE = "see-clusters-2035"


def exercise_parameters(region: str) -> str:
    """The learner's region as a NUTS 2 code (``ParameterError`` naming the value otherwise)."""
    code = (region or "").strip().upper()
    if not NUTS2_CODE.match(code):
        raise ParameterError(f"parameter 'region': {region!r} is not a NUTS 2 code such as 'HR03'")
    return code


def _sheet(lesson: str, title: str, region: str, db: str | None, **kw: Any) -> Worksheet:
    names = data.region_names(db)
    return Worksheet(
        lesson=lesson, title=title, region=region, region_name=names.get(region, region), **kw
    )


def _dimension_label(code: str) -> str:
    return f"{code} ({load_defaults('policy')['dimensions'].get(code, code)})"


# ------------------------------------------------------------------------------ 1 regional context
def regional_context(region: str, db: str | None = None) -> Worksheet:
    """Lesson 1: location quotients, cluster stars and shift-share of the learner's region."""
    from workbench.evidence.reports import s3_profile

    region = exercise_parameters(region)
    p = s3_profile(region, db=db)
    spec = p.specialisation
    top = spec.sort_values("lq", ascending=False).head(10)
    stars = spec[spec["stars"] >= 2].sort_values(["stars", "employment"], ascending=False)
    ss = p.shift_share
    findings = [
        f"Most specialised sector: {top.iloc[0]['label']} with a location quotient of "
        f"{top.iloc[0]['lq']:.2f} (its share of employment is {top.iloc[0]['lq']:.2f} times the "
        f"reference share), {top.iloc[0]['employment']:,.1f} thousand jobs in {p.end}.",
        f"{len(stars)} sector(s) earn two or three cluster stars (size, specialisation, focus)"
        + (f", led by {stars.iloc[0]['label']}." if len(stars) else "."),
        f"Shift-share {p.start}-{p.end}: the regional shift sums to "
        f"{ss['regional_shift'].sum():+,.1f} thousand jobs (the part of the change not explained "
        f"by national growth or the sector mix).",
    ]
    return _sheet(
        "01_regional_context",
        "Regional context: specialisation, stars and shift-share",
        region,
        db,
        findings=findings,
        tables={
            "Most specialised sectors (LQ)": top[
                ["label", "employment", "share", "lq", "lq_change", "stars", "quadrant"]
            ],
            "Shift-share decomposition (thousand jobs)": ss.reindex(
                ss["regional_shift"].abs().sort_values(ascending=False).index
            )[
                [
                    "label",
                    "start",
                    "end",
                    "change",
                    "national_share",
                    "industry_mix",
                    "regional_shift",
                ]
            ],
        },
        questions=[
            "Which two or three sectors would you propose as candidate S3 domains, and why?",
            "Which highly specialised sector is shrinking (LQ falling), and what does that mean for policy?",
            "Is the regional shift positive or negative? Name one local factor that could explain it.",
        ],
    )


# ------------------------------------------------------------------------------ 2 relatedness
def relatedness_complexity(region: str, db: str | None = None) -> Worksheet:
    """Lesson 2: diversification options (density, complexity, opportunity gain) and the ECI."""
    from workbench.evidence.reports import s3_profile

    region = exercise_parameters(region)
    p = s3_profile(region, db=db)
    options = p.options.sort_values(["density", "cog"], ascending=False).head(10)
    eci = p.eci.set_index("region")
    rank = int(eci.loc[region, "rank"]) if region in eci.index else None
    findings = [
        f"Closest diversification option: {options.iloc[0]['label']} (density "
        f"{options.iloc[0]['density']:.2f}: share of related capabilities the region already has).",
        (
            f"Economic complexity: rank {rank} of {len(eci)} regions (ECI {eci.loc[region, 'eci']:+.2f})."
            if rank
            else "The region has no economic complexity rank in this data."
        ),
    ]
    return _sheet(
        "02_relatedness_complexity",
        "Relatedness and complexity: where can the region diversify?",
        region,
        db,
        findings=findings,
        tables={"Diversification options": options[["label", "density", "pci", "cog", "quadrant"]]},
        questions=[
            "Which option is both related (high density) and complex (high PCI)? Is it realistic here?",
            "Which 'high risk / high gain' option would need the most new capabilities?",
        ],
    )


# ------------------------------------------------------------------------------ 3 peers
def peer_regions(region: str, db: str | None = None) -> Worksheet:
    """Lesson 3: the region's structural peers and what drives each distance."""
    from workbench.evidence.reports import parallel_contexts

    region = exercise_parameters(region)
    pc = parallel_contexts(region, db=db)
    peers = pc.peers[["rank", "region", "name", "country", "distance", "main_driver"]]
    first = peers.iloc[0]
    findings = [
        f"Closest structural peer: {first['name']} ({first['region']}), distance "
        f"{first['distance']:.2f}; the variable that separates them most is {first['main_driver']}.",
        f"Peers come from {peers['country'].nunique()} countr(ies): "
        f"{', '.join(sorted(peers['country'].unique()))}.",
    ]
    return _sheet(
        "03_peer_regions",
        "Peer regions: who can the region learn from?",
        region,
        db,
        findings=findings,
        tables={"Structural peers": peers},
        questions=[
            "Which peer would you visit first, and what would you ask its cluster managers?",
            "Which peer looks similar in the data but differs in governance or funding?",
        ],
    )


# ------------------------------------------------------------------------------ 4 past actions
def past_actions_barriers(region: str, db: str | None = None) -> Worksheet:
    """Lesson 4: the region's past actions by dimension and its barrier matrix."""
    region = exercise_parameters(region)
    actions = policy_data.load_actions(region=region, db=db)
    bars = policy_data.load_barriers([region], db=db)
    matrix = B.barrier_matrix(bars, [region])
    cells = matrix[matrix["n_barriers"] > 0].sort_values(
        ["max_severity", "n_barriers"], ascending=False
    )
    gaps = B.evidence_gaps(matrix)
    findings = [f"{len(actions)} past policy action(s) and {len(bars)} barrier(s) are recorded."]
    if len(cells):
        c = cells.iloc[0]
        findings.append(
            f"Most severe cell: {_dimension_label(c['dimension'])} in phase {c['phase']} "
            f"(severity {c['max_severity']:.0f} of 3, {int(c['n_barriers'])} barrier(s))."
        )
    findings.append(f"{len(gaps)} cell(s) of the matrix lack evidence (no entry or no source).")
    by_dim = (
        actions.explode("dimensions").groupby("dimensions").size().rename("actions").reset_index()
        if len(actions) and "dimensions" in actions
        else pd.DataFrame(columns=["dimensions", "actions"])
    )
    return _sheet(
        "04_past_actions_barriers",
        "Past actions and the barrier matrix",
        region,
        db,
        findings=findings,
        tables={
            "Barrier matrix cells with entries": cells[
                ["dimension", "phase", "n_barriers", "max_severity", "evidence_status"]
            ],
            "Past actions by dimension": by_dim.rename(columns={"dimensions": "dimension"}),
        },
        questions=[
            "Which severe barrier has no past action addressing it?",
            "Which empty cell of the matrix would you fill first with evidence, and from which source?",
        ],
    )


# ------------------------------------------------------------------------------ 5 pilots
def pilots_evaluation(region: str, db: str | None = None) -> Worksheet:
    """Lesson 5: pilots the region took part in, and mechanisms that fit its severe barriers."""
    region = exercise_parameters(region)
    pilots = data.pilot_regions(db)
    own = pilots[pilots["region"] == region]
    bars = policy_data.load_barriers([region], db=db)
    severe = bars[bars["severity"] >= 2].explode("dimensions")["dimensions"].dropna()
    needs = severe.value_counts()
    mech = pilots.drop_duplicates("mechanism_id")[
        ["mechanism_id", "mechanism", "dimensions"]
    ].copy()
    mech["dimensions"] = mech["dimensions"].map(lambda d: list(d) if d is not None else [])
    mech["severe_barriers_addressed"] = mech["dimensions"].map(
        lambda dims: int(sum(needs.get(d, 0) for d in dims))
    )
    mech = mech.sort_values("severe_barriers_addressed", ascending=False, ignore_index=True)
    mech["dimensions"] = mech["dimensions"].map(", ".join)
    findings = [
        (
            f"The region took part in {own['pilot_id'].nunique()} pilot(s) as "
            f"{', '.join(sorted(set(own['role'])))}: {', '.join(own['pilot_id'].unique())}."
            if len(own)
            else "The region took part in no pilot; compare it with the pilot regions."
        ),
        (
            f"Mechanism fitting most of its severe barriers (severity 2-3): "
            f"{mech.iloc[0]['mechanism']} ({int(mech.iloc[0]['severe_barriers_addressed'])} barrier(s))."
            if len(mech) and mech.iloc[0]["severe_barriers_addressed"] > 0
            else "No severe barrier of the region falls in a dimension a piloted mechanism covers."
        ),
    ]
    return _sheet(
        "05_pilots_evaluation",
        "Pilots and their evaluation",
        region,
        db,
        findings=findings,
        tables={
            "Pilots of the region": own[["pilot_id", "title", "role", "status", "mechanism"]],
            "Mechanisms and the region's severe barriers": mech,
        },
        questions=[
            "Which indicator would show that the chosen mechanism worked in your region?",
            "Which comparison regions would you choose, and why are they comparable?",
        ],
    )


# ------------------------------------------------------------------------------ 6 foresight
def foresight(region: str, exercise_id: str = DEMO_EXERCISE, db: str | None = None) -> Worksheet:
    """Lesson 6: the foresight exercise's key drivers and consensus, read for the learner's region."""
    from workbench.foresight.reports import summarise

    region = exercise_parameters(region)
    s = summarise(exercise_id, db=db)
    micmac = s.micmac.sort_values("influence_indirect", ascending=False)[
        ["variable", "label", "influence_indirect", "dependence_indirect", "quadrant_indirect"]
    ].head(6)
    last = max(s.item_stats) if s.item_stats else None
    stats = (
        s.item_stats[last][["statement_id", "statement", "median", "iqr", "consensus"]]
        if last
        else pd.DataFrame()
    )
    bars = policy_data.load_barriers([region], db=db)
    dims = bars.explode("dimensions").groupby("dimensions")["severity"].max()
    findings = [
        f"Most influential driver (MICMAC, indirect): {micmac.iloc[0]['label']}.",
        (
            f"Round {last}: consensus on {int(stats['consensus'].sum())} of {len(stats)} statements."
            if last
            else "No Delphi round answered yet."
        ),
        (
            "Dimensions with the region's most severe barriers: "
            + ", ".join(_dimension_label(d) for d in dims.sort_values(ascending=False).index[:3])
            + "."
            if len(dims)
            else "No barrier is recorded for the region."
        ),
    ]
    return _sheet(
        "06_foresight",
        "Foresight: drivers and scenarios for the region",
        region,
        db,
        findings=findings,
        tables={"Key drivers": micmac, "Delphi statements (last round)": stats},
        questions=[
            "Which key driver affects your region's most severe barrier, and how?",
            "Write one sentence of a desirable 2035 scenario for your region's clusters.",
        ],
    )


# ------------------------------------------------------------------------------ 7 joint strategy
def joint_strategy(region: str, db: str | None = None) -> Worksheet:
    """Lesson 7: draft priorities (star sectors x severe barrier dimensions) and a blank RIS3 wheel."""
    from workbench.evidence.reports import s3_profile
    from workbench.learning.wheel import blank_assessment

    region = exercise_parameters(region)
    p = s3_profile(region, db=db)
    stars = p.specialisation.sort_values(["stars", "employment"], ascending=False).head(3)
    bars = policy_data.load_barriers([region], db=db)
    dims = (
        bars.explode("dimensions")
        .groupby("dimensions")["severity"]
        .max()
        .sort_values(ascending=False)
    )
    rows = [
        {
            "priority sector": s,
            "barrier dimension to address": _dimension_label(d),
            "action (yours)": "",
        }
        for s in stars["label"]
        for d in dims.index[:2]
    ]
    findings = [
        f"Candidate domains from the evidence: {', '.join(stars['label'])}.",
        (
            f"Dimensions to address first (most severe barriers): "
            f"{', '.join(_dimension_label(d) for d in dims.index[:2])}."
            if len(dims)
            else "No barrier recorded: collect them first (lesson 4)."
        ),
    ]
    wheel = blank_assessment(region)
    return _sheet(
        "07_joint_strategy",
        "Joint strategy: priorities and self-assessment",
        region,
        db,
        findings=findings,
        tables={"Draft priorities": pd.DataFrame(rows), "RIS3 wheel self-assessment form": wheel},
        questions=[
            "Fill in one action per row of the draft priorities.",
            "Score the 18 factors of the RIS3 wheel (0-5) for your region, then compare with a peer.",
        ],
    )


EXERCISES = {
    "01_regional_context": regional_context,
    "02_relatedness_complexity": relatedness_complexity,
    "03_peer_regions": peer_regions,
    "04_past_actions_barriers": past_actions_barriers,
    "05_pilots_evaluation": pilots_evaluation,
    "06_foresight": foresight,
    "07_joint_strategy": joint_strategy,
}
