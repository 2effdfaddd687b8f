"""What the two policy notebooks show, assembled from the loaders and the pure analyses.

Keeps the notebooks thin: ``past_action_analysis.ipynb`` calls :func:`past_action_analysis`,
``barrier_matrix.ipynb`` calls :func:`barrier_matrix_analysis`; each returns frames ready for
``report.show`` / ``report.table`` and short notes for empty sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.kb.names import region_label, region_names
from workbench.policy import actions as A
from workbench.policy import barriers as B
from workbench.policy import data
from workbench.policy import framework as F
from workbench.policy import locations as L
from workbench.results import Notes


@dataclass
class PastActionAnalysis(Notes):
    """Frames of the past-action report."""

    title: str
    parameters: dict
    actions: pd.DataFrame
    spend: pd.DataFrame
    spend_by_instrument: pd.DataFrame
    spend_eur: pd.DataFrame
    effectiveness: pd.DataFrame
    efficiency: pd.DataFrame
    efficiency_spread: pd.DataFrame
    gaps: pd.DataFrame
    timeline: pd.DataFrame
    issues: pd.DataFrame
    dataset_ids: list[str]
    notes: dict[str, str] = field(default_factory=dict)


def past_action_analysis(
    region: str | None,
    country: str | None,
    period: str,
    include_synthetic: bool = True,
    **_: object,
) -> PastActionAnalysis:
    """Load and analyse the past policy actions of a region or a country over a period."""
    where = region or country
    acts = data.load_actions(
        region=region, country=country, period=period, include_synthetic=include_synthetic
    )
    if acts.empty:
        raise ValidationError(
            f"no policy actions for {where} in period {period or 'all years'}"
            f"{'' if include_synthetic else ' (real data only)'}: build the demo (`workbench demo`) or "
            "import cohesion files (`workbench import FILE`) first"
        )
    rule = load_defaults("policy")["operations"]["apportion"]
    if region:  # operations in several regions: counted once, amounts shared (policy.locations)
        locs = data.load_operation_locations(acts["action_id"])
        codes = set(locs["location_code"].dropna()) | set(locs["region"].dropna())
        pop = data.load_population(codes) if rule == "population" else None
        acts = L.apportion(acts, locs, [region], rule, pop)
        if acts.empty:
            raise ValidationError(
                f"no policy actions attributed to {region} by the rule operations.apportion = {rule} "
                "(policy.yml): every operation found lies in several regions"
            )
    regions = sorted(acts["region"].dropna().unique())
    spend = A.spend_by(acts, by=("dimension", "period"))
    by_instr = A.spend_by(acts, by=("dimension", "instrument"))
    try:
        spend_eur = A.spend_by(A.to_eur(acts), by=("dimension", "period"))
    except ValidationError as exc:
        spend_eur = pd.DataFrame()
        eur_note = str(exc)
    else:
        eur_note = ""
    eff = A.effectiveness(acts, by=("dimension",))
    peers = data.load_actions(
        country=country
        or (acts["country"].dropna().iloc[0] if acts["country"].notna().any() else None),
        period=period,
        include_synthetic=include_synthetic,
    )
    efficiency = A.efficiency(peers, "output", by=("region",))
    spread = A.efficiency_spread(efficiency) if len(efficiency) else pd.DataFrame()
    barriers = data.load_barriers(regions, include_synthetic=include_synthetic)
    instruments = data.load_instruments(regions, include_synthetic=include_synthetic)
    strengths = data.load_strengths(regions)
    gap_frames = [A.gaps(r, acts, barriers, instruments, strengths) for r in regions]
    gaps = pd.concat(gap_frames, ignore_index=True) if gap_frames else pd.DataFrame()
    names = region_names()
    for frame in (gaps, efficiency):
        if "region" in frame.columns and "region_name" not in frame.columns:
            frame.insert(
                list(frame.columns).index("region") + 1,
                "region_name",
                [names.get(str(r), "") for r in frame["region"]],
            )
    ids = data.dataset_ids(acts, barriers, instruments)
    issues = (
        pd.concat([data.load_import_issues(d) for d in ids], ignore_index=True)
        if ids
        else pd.DataFrame()
    )
    notes = {}
    if eff["n_assessed"].sum() == 0:
        notes["effectiveness"] = (
            f"**No planned/achieved outputs or results are recorded** for these {len(acts)} actions "
            "(the cohesion open-data lists carry budgets, not indicators): effectiveness cannot be "
            "assessed - missing evidence is itself a finding."
        )
    if efficiency.empty:
        notes["efficiency"] = (
            "**No action with a budget and an achieved output**: no cost per output."
        )
    if eur_note:
        notes["spend_eur"] = f"No EUR comparison: {eur_note}"
    if len(issues):
        counts = issues["level"].value_counts().to_dict()
        notes["issues"] = "Rows of the source files reported at import: " + ", ".join(
            f"{n} {lvl}" for lvl, n in sorted(counts.items())
        )
    shared = L.multi_region_summary(acts, rule)
    if shared:
        fallback = acts.attrs.get("population_fallback") or []
        notes["operations"] = shared + (
            f" {len(fallback):,} of them lack population figures and use equal shares."
            if fallback
            else ""
        )
    checks, corrections = data.load_data_quality(ids)
    if len(corrections):
        notes["data_quality"] = (
            "**A correction was applied to the source data**: "
            + "; ".join(
                f"{c.correction_id} ({c.correction_file}: {c.changes} in {c.n_rows:,} rows; {c.reason})"
                for c in corrections.itertuples()
            )
            + "."
        )
    warned = checks[checks["severity"] == "warning"] if len(checks) else checks
    if len(warned):
        notes["data_quality"] = (
            notes.get("data_quality", "") + "\n\n" if notes.get("data_quality") else ""
        ) + (
            "**The data doctor flagged the source data** (`workbench check --kb` lists every row):\n"
            + "\n".join(f"- {m}" for m in warned["message"])
        )
    title = f"Past policy actions: {region_label(where or '', region_names())}" + (
        f", {period}" if period else ""
    )
    return PastActionAnalysis(
        title=title, parameters={"region": region or "", "country": country or "", "period": period,
                                 "include_synthetic": include_synthetic},
        actions=acts, spend=spend, spend_by_instrument=by_instr, spend_eur=spend_eur, effectiveness=eff,
        efficiency=efficiency, efficiency_spread=spread, gaps=gaps, timeline=A.timeline(acts),
        issues=issues, dataset_ids=ids, notes=notes,
    )  # fmt: skip


@dataclass
class BarrierMatrixAnalysis(Notes):
    """Frames of the barrier-matrix report."""

    title: str
    regions: list[str]
    barriers: pd.DataFrame
    matrix: pd.DataFrame
    evidence_gaps: pd.DataFrame
    by_dimension: pd.DataFrame
    by_phase: pd.DataFrame
    coherence: pd.DataFrame
    coherence_summary: pd.DataFrame
    dataset_ids: list[str]
    notes: dict[str, str] = field(default_factory=dict)


def barrier_matrix_analysis(
    regions: list[str], include_synthetic: bool = True
) -> BarrierMatrixAnalysis:
    """Barrier matrix (dimensions x phases), cross-region comparison and framework coherence."""
    names = region_names()
    bars = data.load_barriers(regions, include_synthetic=include_synthetic)
    inst = data.load_instruments(regions, include_synthetic=include_synthetic)
    matrix = B.barrier_matrix(bars, regions)
    cov = F.coherence(inst, regions)
    notes = {}
    missing = [r for r in regions if r not in set(bars["region"])]
    if missing:
        notes["matrix"] = (
            f"**No barrier recorded for {', '.join(missing)}**: their cells count as 'no entries' "
            "(missing evidence is itself a finding)."
        )
    no_inst = [r for r in regions if r not in set(inst["region"])]
    if no_inst:
        notes["coherence"] = f"**No instrument in force recorded for {', '.join(no_inst)}**."
    return BarrierMatrixAnalysis(
        title="Barrier matrix: " + ", ".join(region_label(r, names) for r in regions), regions=regions, barriers=bars, matrix=matrix,
        evidence_gaps=B.evidence_gaps(matrix), by_dimension=B.region_comparison(bars, regions, "dimension"),
        by_phase=B.region_comparison(bars, regions, "phase"), coherence=cov,
        coherence_summary=F.coherence_summary(cov), dataset_ids=data.dataset_ids(bars, inst), notes=notes,
    )  # fmt: skip
