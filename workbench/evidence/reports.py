"""The S3 profile and parallel-contexts analyses behind the notebooks (what the notebooks call).

Parameters of the notebooks are checked in :mod:`workbench.evidence.parameters`.

:func:`build_s3_profile` is pure (panel + indicators in, tables out); :func:`s3_profile` loads the
knowledge-base data named by a source of ``evidence.yml`` and calls it.  Conventions stated in the
report notes: missing employment cells count as zero; regions with no employment in a period and
sectors absent from the reference economy are left out (and listed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence import data as kbdata
from workbench.evidence import findings
from workbench.evidence.complexity import complexity_panel, diversification_options
from workbench.evidence.peers import peer_regions, structure_variables
from workbench.evidence.reference import as_reference
from workbench.evidence.shiftshare import shift_share, shift_share_summary
from workbench.evidence.specialisation import (
    cagr,
    hachman_index,
    herfindahl_index,
    krugman_index,
    location_quotient,
)
from workbench.evidence.stars import cluster_stars, specialisation_quadrant
from workbench.geography.codes import country_of
from workbench.results import Notes


# ------------------------------------------------------------------------------ results
@dataclass
class S3Profile(Notes):
    """Tables of the smart-specialisation profile of one region (each shown with its CSV)."""

    region: str
    region_name: str
    reference: str
    start: str
    end: str
    dataset_ids: list[str]
    specialisation: pd.DataFrame
    indices: pd.DataFrame
    stars: pd.DataFrame
    shift_share: pd.DataFrame
    shift_share_total: pd.DataFrame
    options: pd.DataFrame
    eci: pd.DataFrame
    peers: pd.DataFrame
    peer_variables: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)
    basis: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return f"S3 profile: {self.region_name} ({self.region}), {self.start}-{self.end}"

    @property
    def star_clusters(self) -> pd.DataFrame:
        """Region-sectors of all regions with at least one star, most stars and employment first."""
        s = self.stars[self.stars["stars"] > 0]
        return s.sort_values(["stars", "employment"], ascending=False, ignore_index=True)


def _label(codes: pd.Series, labels: dict[str, str]) -> pd.Series:
    return codes.astype(str).map(lambda c: f"{c} {labels[c]}" if c in labels else c)


def build_s3_profile(
    panel: pd.DataFrame,
    indicators: pd.DataFrame,
    region: str,
    *,
    reference: str = "all",
    start: str = "",
    end: str = "",
    n_peers: int = 5,
    exclude_country: bool = False,
    labels: dict[str, str] | None = None,
    region_name: str | None = None,
    dataset_ids: list[str] | None = None,
    default_period: tuple[str, str] | None = None,
    names: dict[str, str] | None = None,
    source: str = "",
) -> S3Profile:
    """Compute every table of the S3 profile from a long employment panel (period, region, sector, value).

    With ``start`` and ``end`` empty the profile uses ``default_period`` (the source's common period,
    :func:`workbench.evidence.findings.common_period`) when the region has data in both its years,
    so that the profiles of one batch share period and reference set; ``basis`` states which.
    """
    labels = labels or {}
    periods = sorted(panel["period"].astype(str).unique())
    have = sorted(
        panel.loc[(panel["region"] == region) & panel["value"].notna(), "period"]
        .astype(str)
        .unique()
    )
    if not have:
        raise ValidationError(
            f"region {region!r} has no employment data; regions: {sorted(panel['region'].unique())[:20]} ..."
        )
    period_notes: list[str] = []
    use_common = bool(
        default_period
        and not start
        and not end
        and default_period[0] in have
        and default_period[1] in have
        and default_period[0] < default_period[1]
    )
    if use_common:
        start, end = default_period  # type: ignore[misc]
    elif default_period and not start and not end:
        period_notes.append(
            f"{region} has no data in the common period {default_period[0]}-{default_period[1]} of "
            "this source: its own first and last years are used, so this profile is not comparable "
            "with the other profiles of the batch."
        )
    start = start or have[0]
    end = end or have[-1]
    for p in (start, end):
        if p not in periods:
            raise ValidationError(f"no employment data for {p}; periods are {periods}")
    if start >= end:
        raise ValidationError(f"need two periods for change: start {start} / end {end}")
    ref = as_reference(reference)

    def matrix(p: str) -> pd.DataFrame:
        m = kbdata.matrix_for(panel, p).fillna(0.0)
        return m.loc[m.sum(axis=1) > 0]

    m0, m1 = matrix(start), matrix(end)
    common = m0.index.intersection(m1.index)
    sectors = m0.columns.intersection(m1.columns)
    m0, m1 = m0.loc[common, sectors], m1.loc[common, sectors]
    if region not in common:
        raise ValidationError(f"region {region!r} lacks employment in {start} or {end}")
    notes: dict[str, str] = {}
    missing = int(panel["value"].isna().sum())
    notes["data"] = (
        f"{len(common)} regions x {len(sectors)} sectors with employment in both {start} and {end}. "
        f"Reference economy: {ref.label}. {missing} missing cells (confidential or not published) "
        "count as zero." + "".join(" " + t for t in period_notes)
    )

    lq0 = location_quotient(m0, ref, on_empty="drop")
    lq1 = location_quotient(m1, ref, on_empty="drop")
    keep = lq0.columns.intersection(lq1.columns)
    lq0, lq1 = lq0[keep], lq1[keep]
    stars = cluster_stars(m1[keep], ref, on_empty="drop")
    quad = specialisation_quadrant(lq0, lq1)
    years = int(end) - int(start)
    growth = cagr(m0.loc[region, keep], m1.loc[region, keep], years, invalid="nan")
    own = stars[stars["region"] == region].set_index("category")
    q_own = quad[quad["region"] == region].set_index("sector")
    spec = pd.DataFrame(
        {
            "sector": keep.astype(str),
            "label": _label(pd.Series(keep.astype(str)), labels).to_numpy(),
            "employment": m1.loc[region, keep].to_numpy(),
            "share": (m1.loc[region, keep] / m1.loc[region].sum()).to_numpy(),
            "lq": lq1.loc[region, keep].to_numpy(),
            "lq_start": lq0.loc[region, keep].to_numpy(),
            "lq_change": q_own.loc[keep, "lq_change"].to_numpy(),
            "quadrant": q_own.loc[keep, "quadrant"].to_numpy(),
            "stars": own.loc[keep, "stars"].to_numpy(),
            "size_star": own.loc[keep, "size_star"].to_numpy(),
            "specialisation_star": own.loc[keep, "specialisation_star"].to_numpy(),
            "focus_star": own.loc[keep, "focus_star"].to_numpy(),
            "cagr": growth.to_numpy(),
        }
    ).sort_values("lq", ascending=False, ignore_index=True)
    if growth.isna().any():
        notes["cagr"] = (
            f"CAGR undefined (no employment in {start}) for: {', '.join(growth.index[growth.isna()].astype(str))}"
        )

    ss = shift_share(m0[keep], m1[keep], ref)
    ss_region = ss[ss["region"] == region].drop(columns="region").reset_index(drop=True)
    ss_region.insert(1, "label", _label(ss_region["sector"], labels).to_numpy())
    ss_total = shift_share_summary(ss[ss["region"] == region])

    h = herfindahl_index(m1.loc[[region]])
    indices = pd.DataFrame(
        {
            "indicator": [
                "Hachman index",
                "Krugman index (0-2)",
                "Herfindahl index",
                "effective number of sectors",
            ],
            "value": [
                float(hachman_index(m1[keep], ref, on_empty="drop")[region]),
                float(krugman_index(m1[keep], ref)[region]),
                float(h.loc[region, "herfindahl"]),
                float(h.loc[region, "diversity"]),
            ],
        }
    )

    long = pd.concat(
        [
            m0.stack().rename("value").reset_index().assign(period=start),
            m1.stack().rename("value").reset_index().assign(period=end),
        ],
        ignore_index=True,
    )
    cx = complexity_panel(long, ref, on_empty="drop", keep_proximity=False)
    if region not in set(cx.regions.loc[cx.regions["period"] == end, "region"].astype(str)):
        raise ValidationError(
            f"region {region!r} dropped from the complexity calculation: {cx.dropped.to_dict('records')}"
        )
    options = diversification_options(cx, region, end)
    options.insert(1, "label", _label(options["sector"], labels).to_numpy())
    eci = cx.regions[cx.regions["period"] == end][["region", "eci", "diversity", "coi"]].astype(
        {"region": str}
    )
    eci = eci.sort_values("eci", ascending=False, ignore_index=True)
    eci.insert(0, "rank", np.arange(1, len(eci) + 1))
    if len(cx.dropped):
        notes["complexity"] = "Left out of the complexity calculation: " + "; ".join(
            f"{r.period} {r.kind} {r.code} ({r.reason})" for r in cx.dropped.itertuples()
        )
    if len(keep) < findings.min_sectors():
        notes["complexity"] = (
            f"**Caveat: computed on only {len(keep)} broad sectors.** Relatedness density and "
            f"complexity (ECI/PCI) need a detailed classification (at least {findings.min_sectors()} "
            "sectors, evidence.yml `complexity.min_sectors`); on broad groups they are indicative only. "
            + notes.get("complexity", "")
        ).strip()

    variables = structure_variables(m1, indicators if len(indicators.columns) else None)
    peers = peer_regions(
        variables,
        region,
        n=n_peers,
        exclude_own_country=exclude_country,
        missing="exclude_regions",
    )
    if names:
        peers.insert(2, "name", [names.get(r, r) for r in peers["region"]])
        eci.insert(2, "name", [names.get(r, "") for r in eci["region"]])
        stars = stars.copy()
        stars.insert(1, "name", [names.get(str(r), "") for r in stars["region"]])
    missing_ind = indicators.attrs.get("missing_indicators", [])
    notes["peers"] = (
        f"Peers among {len(variables)} regions on {len(variables.columns)} standardised variables "
        f"(sector shares as one block of weight 1, {', '.join(indicators.columns) or 'no other indicators'})"
        + (f"; not in the knowledge base: {', '.join(missing_ind)}" if missing_ind else "")
        + (f"; own country ({country_of(region)}) excluded" if exclude_country else "")
        + "."
    )
    return S3Profile(
        region=region,
        region_name=region_name or region,
        reference=ref.label,
        start=start,
        end=end,
        dataset_ids=list(dataset_ids or []),
        specialisation=spec,
        indices=indices,
        stars=stars,
        shift_share=ss_region,
        shift_share_total=ss_total,
        options=options,
        eci=eci,
        peers=peers,
        peer_variables=variables.loc[[region, *peers["region"]]],
        notes=notes,
        basis=findings.comparison_basis(
            region=region,
            start=start,
            end=end,
            reference=ref.label,
            regions=len(common),
            sectors=len(keep),
            common=use_common,
            source=source,
        ),
    )


def s3_profile(
    region: str,
    *,
    source: str = "demo",
    reference: str = "all",
    start: str = "",
    end: str = "",
    n_peers: int = 5,
    exclude_country: bool = False,
    db: str | None = None,
) -> S3Profile:
    """Load the source's data from the knowledge base and build the S3 profile of ``region``."""
    names = kbdata.region_names(db)
    panel = kbdata.employment_panel(source, db=db)
    default_period = findings.common_period(panel)
    own = set(panel.loc[(panel["region"] == region) & panel["value"].notna(), "period"].astype(str))
    end_p = end or (
        default_period[1]
        if not start and default_period[0] in own and default_period[1] in own
        else max(own, default="")
    )
    indicators = kbdata.indicator_table(source, end_p or None, db=db)
    ids = [panel.attrs["dataset_id"], *[u["dataset_id"] for u in indicators.attrs["used"].values()]]
    profile = build_s3_profile(
        panel,
        indicators,
        region,
        reference=reference,
        start=start,
        end=end,
        n_peers=n_peers,
        exclude_country=exclude_country,
        labels=kbdata.sector_labels(db),
        region_name=names.get(region),
        dataset_ids=ids,
        default_period=default_period,
        names=names,
        source=source,
    )
    if panel.attrs.get("nuts_from"):
        profile.notes["nuts"] = (
            f"Region codes converted from NUTS {panel.attrs['nuts_from']} to NUTS 2021 with the JRC matrices "
            f"(population 2018 weights); codes the matrices do not cover were left out: "
            f"{', '.join(panel.attrs['unknown_regions']) or 'none'}; {panel.attrs['incomplete_after_conversion']} "
            "region-sector-year values lacked a source value and were left out. Regions split from one old "
            "region (e.g. HR04 -> HR02, HR05, HR06) inherit its sector structure, so they look alike."
        )
    return profile


# ------------------------------------------------------------------------------ parallel contexts
@dataclass
class ParallelContexts(Notes):
    """Peers of a region with the variables that drive each distance."""

    region: str
    region_name: str
    period: str
    dataset_ids: list[str]
    peers: pd.DataFrame
    contributions: pd.DataFrame
    variables: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Parallel contexts: regions similar to {self.region_name} ({self.region}), {self.period}"

    def variable_labels(self, db: str | None = None) -> dict[str, str]:
        """Each distance variable in words: ``gdp_per_head`` -> "GDP per head", ``share:C30`` ->
        "share of Manufacture of other transport equipment (C30)" (sector names: the KB's)."""
        from workbench.evidence.findings import VARIABLE_NAMES
        from workbench.kb.names import sector_labels

        sectors = sector_labels(db)
        found = set(self.contributions.get("variable", pd.Series(dtype=str)).astype(str))
        found |= set(self.peers.get("main_driver", pd.Series(dtype=str)).dropna().astype(str))
        labels = dict(VARIABLE_NAMES)
        for v in found:
            if v.startswith("share:"):
                code = v.removeprefix("share:")
                labels[v] = f"share of {sectors.get(code, 'sector')} ({code})"
        return labels


def parallel_contexts(
    region: str,
    *,
    n: int = 5,
    exclude_country: bool = False,
    source: str = "demo",
    period: str = "",
    db: str | None = None,
) -> ParallelContexts:
    """Peer regions on sector structure and structural indicators (see :mod:`workbench.evidence.peers`)."""
    panel = kbdata.employment_panel(source, db=db)
    have = sorted(
        panel.loc[(panel["region"] == region) & panel["value"].notna(), "period"]
        .astype(str)
        .unique()
    )
    if not have:
        raise ValidationError(f"region {region!r} has no employment data in source {source!r}")
    common_end = findings.common_period(panel)[1]
    period = period or (common_end if common_end in have else have[-1])
    m = kbdata.matrix_for(panel, period).fillna(0.0)
    m = m.loc[m.sum(axis=1) > 0]
    indicators = kbdata.indicator_table(source, period, db=db)
    variables = structure_variables(m, indicators if len(indicators.columns) else None)
    peers = peer_regions(
        variables, region, n=n, exclude_own_country=exclude_country, missing="exclude_regions"
    )
    names = kbdata.region_names(db)
    peers.insert(2, "name", [names.get(r, r) for r in peers["region"]])
    contrib = [
        {
            "peer": rec["region"],
            "variable": col.removeprefix("contrib:"),
            "share": float(rec[col]),
            "part_of_distance": float(rec[col]) * float(rec["distance"]),
        }
        for rec in peers.to_dict("records")
        for col in peers.columns
        if col.startswith("contrib:")
    ]
    logged = [
        c for c in indicators.columns if c in load_defaults("evidence")["peers"]["log_variables"]
    ]
    ids = [panel.attrs["dataset_id"], *[u["dataset_id"] for u in indicators.attrs["used"].values()]]
    notes = {
        "method": (
            f"Weighted Euclidean distance on standardised variables over {len(variables)} regions in {period}: "
            f"sector shares of employment (one block of weight 1) and {', '.join(indicators.columns) or 'no other indicators'}"
            + (f" (logged: {', '.join(logged)})" if logged else "")
            + (f"; regions of {country_of(region)} excluded" if exclude_country else "")
            + ". Each bar splits a distance by the variables' shares of the squared distance."
        )
    }
    return ParallelContexts(
        region=region,
        region_name=names.get(region, region),
        period=period,
        dataset_ids=ids,
        peers=peers,
        contributions=pd.DataFrame(contrib),
        variables=variables.loc[[region, *peers["region"]]],
        notes=notes,
    )
