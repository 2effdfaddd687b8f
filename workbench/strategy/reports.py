"""What the joint strategy and initiative notebooks (and dashboards) call: one function per report,
one result object with the tables (the :class:`workbench.results.ReportResult` interface)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from workbench.errors import ValidationError
from workbench.kb import query
from workbench.kb.names import region_label, region_names
from workbench.results import Notes
from workbench.strategy import initiative as register
from workbench.strategy import plan as plan_mod
from workbench.strategy import sustainability, traceability
from workbench.strategy.data import (
    Plan,
    load_evidence,
    load_initiative,
    load_plan,
    load_scenarios,
    load_visions,
)
from workbench.strategy.settings import (
    defaults,
    dimension_labels,
    funding_sources,
    statuses,
)

Db = str | os.PathLike[str] | None


def _regions_text(codes: list[str], names: dict[str, str]) -> str:
    return ", ".join(region_label(c, names) for c in codes)


def resolve_strategy(strategy_id: str, db: Db = None) -> str:
    """A strategy id, or the id of the foresight exercise a strategy builds on -> the strategy id."""
    found = query(
        "SELECT strategy_id FROM strategies WHERE strategy_id = ? OR exercise_id = ?"
        " ORDER BY strategy_id <> ?, strategy_id",
        [strategy_id, strategy_id, strategy_id],
        db=db,
    )
    if found.empty:
        known = query("SELECT strategy_id FROM strategies ORDER BY 1", db=db)["strategy_id"]
        raise ValidationError(
            f"{strategy_id!r} is neither a strategy nor a foresight exercise with a strategy"
            f" (strategies: {', '.join(known) or 'none'})"
        )
    return str(found["strategy_id"].iloc[0])


@dataclass
class JointStrategy(Notes):
    """The tables of the joint strategy report (``note(key)`` from :class:`Notes`)."""

    strategy_id: str
    strategy_title: str
    region: str
    period: str
    plan: Plan
    scenarios: pd.DataFrame
    implications: pd.DataFrame
    visions: pd.DataFrame
    actions: pd.DataFrame
    gaps: pd.DataFrame
    chain: pd.DataFrame
    orphans: pd.DataFrame
    unaddressed: pd.DataFrame
    coverage: dict[str, int]
    action_progress: pd.DataFrame
    objective_progress: pd.DataFrame
    overall: dict[str, Any]
    periods: list[str]
    results_plan: pd.DataFrame
    funding_ends: pd.DataFrame
    region_name: str = ""
    dataset_ids: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def coverage_table(self) -> pd.DataFrame:
        """Severe barriers of the regions in scope: how many, addressed, not addressed."""
        severe, addressed = self.coverage["severe"], self.coverage["addressed"]
        return pd.DataFrame(
            {
                "severe_barriers": [severe],
                "addressed_by_an_action": [addressed],
                "not_addressed": [severe - addressed],
            }
        )

    @property
    def title(self) -> str:
        where = "all regions" if self.region == "all" else self.region_name
        return f"Joint strategy: {self.strategy_title} ({where})"


def _action_table(
    plan: Plan, progress: pd.DataFrame, names: dict[str, str], dims: dict[str, str]
) -> pd.DataFrame:
    funds = funding_sources()
    labels = statuses()
    objectives = dict(zip(plan.objectives["objective_id"], plan.objectives["title"], strict=True))
    a = plan.actions.merge(
        progress[["action_id", "period", "status", "progress"]], on="action_id", how="left"
    )
    return pd.DataFrame(
        {
            "action_id": a["action_id"],
            "action": a["title"],
            "objective": [
                f"{objectives.get(o, o)} ({o})" if isinstance(o, str) else ""
                for o in a["objective_id"]
            ],
            "dimensions": [", ".join(dims.get(d, d) for d in ds) for ds in a["dimensions"]],
            "lead_region": [
                region_label(r, names) if isinstance(r, str) else "" for r in a["lead_region"]
            ],
            "partner_regions": [_regions_text(list(p), names) for p in a["partner_regions"]],
            "start": pd.to_datetime(a["start_date"]).dt.date,
            "end": pd.to_datetime(a["end_date"]).dt.date,
            "budget": a["budget"],
            "currency": a["currency"],
            "funding_source": [
                funds.get(f, f) if isinstance(f, str) else "" for f in a["funding_source"]
            ],
            "responsible_body": a["responsible_body"],
            "weight": a["weight"],
            "status": [
                labels.get(s, s) if isinstance(s, str) else "no report yet" for s in a["status"]
            ],
            "progress_pct": a["progress"],
        }
    )


def _filter_plan(plan: Plan, region: str) -> Plan:
    if region == "all":
        return plan
    mine = plan.actions[
        [
            region == lead or region in list(p)
            for lead, p in zip(
                plan.actions["lead_region"], plan.actions["partner_regions"], strict=True
            )
        ]
    ]
    ids = set(mine["action_id"])

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["action_id"].isin(ids)].reset_index(drop=True)

    return Plan(
        plan.strategy,
        plan.objectives,
        mine.reset_index(drop=True),
        keep(plan.links),
        keep(plan.indicators),
        keep(plan.progress),
        keep(plan.results),
    )


def joint_strategy(
    strategy_id: str, region: str = "all", period: str = "", db: Db = None
) -> JointStrategy:
    """The joint strategy report of ``strategy_id`` (or of the exercise it builds on), for every
    region (``'all'``) or the actions a region leads or joins; progress as of ``period`` ('' =
    the latest reporting period)."""
    from workbench.strategy.findings import strategy_findings

    sid = resolve_strategy(strategy_id, db=db)
    full = load_plan(sid, db=db)
    plan = _filter_plan(full, region)
    names = region_names(db)
    dims = dimension_labels()
    head = full.strategy.iloc[0]
    exercise = head["exercise_id"] if isinstance(head["exercise_id"], str) else ""
    scenarios, implications = (
        load_scenarios(exercise, db=db) if exercise else (pd.DataFrame(), pd.DataFrame())
    )
    if len(scenarios):
        drivers = query(
            "SELECT driver_id, label FROM foresight_drivers WHERE exercise_id = ?",
            [exercise],
            db=db,
        )
        dl = dict(zip(drivers["driver_id"], drivers["label"], strict=True))
        scenarios = pd.DataFrame(
            {
                "scenario": scenarios["scenario"],
                "name": scenarios["name"],
                "axis_a": [
                    f"{'high' if s[0] == 'H' else 'low'} {dl.get(a, a)} ({a})"
                    for s, a in zip(scenarios["scenario"], scenarios["axis_a"], strict=True)
                ],
                "axis_b": [
                    f"{'high' if s[1] == 'H' else 'low'} {dl.get(b, b)} ({b})"
                    for s, b in zip(scenarios["scenario"], scenarios["axis_b"], strict=True)
                ],
                "story": scenarios["story"],
                "signposts": ["; ".join(s) for s in scenarios["signposts"]],
            }
        )
        implications = implications.assign(
            dimension=implications["dimension"].map(lambda d: f"{dims.get(d, d)} ({d})")
        ).pivot(index="dimension", columns="scenario", values="implication")
        implications = implications.reindex(
            [f"{v} ({k})" for k, v in dims.items() if f"{v} ({k})" in implications.index]
        ).reset_index()
        named = dict(zip(scenarios["scenario"], scenarios["name"], strict=True))
        implications.columns = [  # "Green power race (HH)", as in the scenario table
            f"{named[c]} ({c})" if c in named and named[c] else c for c in implications.columns
        ]
    visions = load_visions(sid, db=db)
    if region != "all":
        visions = visions[visions["region"].isin(["joint", region])]
    visions = pd.DataFrame(
        {
            "region": [
                "joint vision" if r == "joint" else region_label(r, names)
                for r in visions["region"]
            ],
            "vision": visions["text"],
        }
    )
    periods = sorted(full.progress["period"].astype(str).unique())
    as_of = period or (periods[-1] if periods else None)
    if period and period not in periods:
        raise ValidationError(
            f"period {period!r} has no progress report (periods: {', '.join(periods) or 'none'})"
        )
    action_progress, objective_progress, overall = plan_mod.rollup(
        plan.actions, plan.objectives, plan.progress, as_of
    )
    latest = plan_mod.progress_as_of(plan.progress, as_of)
    actions = _action_table(plan, latest, names, dims)
    gaps = plan_mod.validate_plan(plan.actions, plan.links, plan.indicators)
    evidence = load_evidence(db=db)
    regions = sorted(register.action_regions(full.actions)["region"].astype(str).unique())
    scope = regions if region == "all" else [region]
    barriers = evidence["barriers"][evidence["barriers"]["region"].isin(scope)]
    severe_at = int(defaults()["traceability"]["severe_at"])
    chain = traceability.chain_edges(plan.actions, plan.links, plan.indicators, evidence["pilots"])
    orphans = traceability.orphan_actions(plan.actions, plan.links)
    unaddressed = traceability.unaddressed_barriers(barriers, full.links, severe_at=severe_at)
    unaddressed = unaddressed.assign(
        region=[region_label(r, names) for r in unaddressed["region"]],
        dimensions=[", ".join(d) for d in unaddressed["dimensions"]],
    )
    coverage = traceability.coverage(barriers, full.links, severe_at=severe_at)
    results_plan = sustainability.results_plan(plan.actions, plan.results)
    funding_ends = sustainability.funding_ends_with_project(
        plan.actions,
        plan.results,
        project_bound=list(defaults()["project_bound_sources"]),
        project_end=head["project_end"],
    )
    funding_ends["funding_source"] = funding_ends["funding_source"].map(
        lambda f: funding_sources().get(f, f)
    )
    objective_progress = objective_progress.rename(columns={"progress": "progress_pct"})
    result = JointStrategy(
        strategy_id=sid,
        strategy_title=str(head["title"]),
        region=region,
        period=str(as_of or ""),
        plan=plan,
        scenarios=scenarios,
        implications=implications,
        visions=visions,
        actions=actions,
        gaps=gaps,
        chain=chain,
        orphans=orphans,
        unaddressed=unaddressed,
        coverage=coverage,
        action_progress=action_progress.rename(columns={"progress": "progress_pct"}),
        objective_progress=objective_progress,
        overall=overall,
        periods=periods,
        results_plan=results_plan,
        funding_ends=funding_ends,
        region_name=region_label(region, names) if region != "all" else "all regions",
        dataset_ids=sorted(set(full.dataset_ids) | _evidence_ids(evidence)),
    )
    result.notes["findings"] = "\n".join(strategy_findings(result))
    return result


def _evidence_ids(evidence: dict[str, pd.DataFrame]) -> set[str]:
    b = evidence["barriers"]
    return {str(v) for v in b["dataset_id"].dropna().unique()} if "dataset_id" in b else set()


@dataclass
class InitiativeReport(Notes):
    """The tables of the SEE Cluster Initiative report."""

    initiative_id: str
    name: str
    as_of: date
    signatories: pd.DataFrame
    by_country: pd.DataFrame
    commitments: pd.DataFrame
    bodies: pd.DataFrame
    mandates: pd.DataFrame
    checks: pd.DataFrame
    centrality: pd.DataFrame
    without_partners: pd.DataFrame
    edges: pd.DataFrame
    dataset_ids: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Initiative register: {self.name} (as of {self.as_of})"


def initiative_report(initiative_id: str, as_of: str = "", db: Db = None) -> InitiativeReport:
    """Register, commitments, governance, checks as of ``as_of`` ('' = today) and the
    cooperation network of the initiative's joint actions."""
    from workbench.strategy.findings import initiative_findings

    day = date.fromisoformat(as_of) if as_of else date.today()
    ini = load_initiative(initiative_id, db=db)
    head = ini.initiative.iloc[0]
    sid = head["strategy_id"] if isinstance(head["strategy_id"], str) else None
    plan = load_plan(sid, db=db) if sid else None
    actions = (
        plan.actions
        if plan is not None
        else pd.DataFrame(
            columns=[
                "action_id",
                "title",
                "dimensions",
                "lead_region",
                "partner_regions",
                "start_date",
            ]
        )
    )
    names = region_names(db)
    dims = dimension_labels()
    every = int(defaults()["initiative"]["self_assessment_every_months"])
    checks = register.register_checks(
        ini.signatories, ini.commitments, ini.self_assessments, ini.bodies, ini.mandates, actions,
        as_of=day, every_months=every,
    )  # fmt: skip
    joined = register.action_regions(actions).groupby("region")["action_id"].nunique()
    s = ini.signatories
    signatories = pd.DataFrame(
        {
            "signatory_id": s["signatory_id"],
            "name": s["name"],
            "kind": s["kind"],
            "region": [region_label(r, names) if isinstance(r, str) else "" for r in s["region"]],
            "country": [region_label(c, names) for c in s["country"]],
            "signed_on": pd.to_datetime(s["signed_on"]).dt.date,
            "status": s["status"],
            "left_on": pd.to_datetime(s["left_on"]).dt.date,
            "joint_actions": [
                int(joined.get(r, 0)) if isinstance(r, str) else 0 for r in s["region"]
            ],
        }
    )
    active = s[s["left_on"].isna()]
    by_country = (
        active.assign(country=[region_label(c, names) for c in active["country"]])
        .pivot_table(
            index="country", columns="status", values="signatory_id", aggfunc="count", fill_value=0
        )
        .reset_index()
    )
    members = active[active["status"] == "member"]["region"].dropna().astype(str).tolist()
    graph = register.cooperation_graph(actions)
    central = register.centrality(graph)
    central.insert(1, "name", [region_label(r, names) for r in central["region"]])
    signatory_regions = [r for r in members if r]
    missing = register.regions_without_partners(actions, signatory_regions, list(dims))
    without = (
        missing.assign(dimension=missing["dimension"].map(lambda d: f"{dims.get(d, d)} ({d})"))
        .groupby("region")["dimension"]
        .agg(lambda x: "; ".join(x))
        .reset_index()
        .rename(columns={"dimension": "dimensions_without_partner"})
    )
    without.insert(1, "name", [region_label(r, names) for r in without["region"]])
    without["count"] = without["dimensions_without_partner"].str.count(";") + 1
    edges = pd.DataFrame(
        [
            {"region_a": u, "region_b": v, "joint_actions": d["weight"]}
            for u, v, d in graph.edges(data=True)
        ],
        columns=["region_a", "region_b", "joint_actions"],
    )
    mandates = ini.mandates.merge(
        ini.signatories[["signatory_id", "name"]], on="signatory_id", how="left"
    )
    mandates = mandates[
        ["body_id", "signatory_id", "name", "role", "start_date", "end_date", "term_no"]
    ]
    commitments = ini.commitments[
        ["commitment_id", "text", "rule", "applies_to", "within_months", "reference"]
    ].copy()
    commitments["applies_to"] = commitments["applies_to"].map(", ".join)
    report = InitiativeReport(
        initiative_id=initiative_id,
        name=str(head["name"]),
        as_of=day,
        signatories=signatories,
        by_country=by_country,
        commitments=commitments,
        bodies=ini.bodies.drop(columns=["initiative_id", "dataset_id", "synthetic"]),
        mandates=mandates,
        checks=checks,
        centrality=central,
        without_partners=without,
        edges=edges,
        dataset_ids=sorted(set(ini.dataset_ids) | (set(plan.dataset_ids) if plan else set())),
    )
    report.notes["findings"] = "\n".join(initiative_findings(report))
    return report
