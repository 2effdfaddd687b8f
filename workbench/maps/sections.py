"""Map sections of the reports: each notebook calls one function here in one cell.

Each function builds the maps of its report (pure builders ``*_maps`` return :class:`RegionMap`
objects; the ``show_*`` functions display them through the report): the interactive map, its CSV
(region, name, value, class, class bounds, status) and a static SVG beside the CSV
(:func:`show_map`).

- S3 profile: LQ classes of a sector across SEE (default: the region's most specialised sector),
  European Cluster Observatory stars of that sector, and the relatedness density of the region's
  top diversification option across SEE;
- parallel contexts: the region and its peers highlighted.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.maps.model import RegionMap, category_map, value_map


# ------------------------------------------------------------------------------ display
def show_map(report: Any, m: RegionMap, name: str, *, static: str | None = None) -> None:
    """Show ``m`` in ``report`` (interactive map + CSV) and write ``<name>.svg`` (or ``.png``)
    beside the CSV with the same classes and legend; ``static="none"`` skips the image."""
    from workbench.maps.interactive import to_plotly

    fmt = static or str(load_defaults("maps").get("static_images", "svg"))
    report.show(to_plotly(m, as_dict=True), data=m.table(), name=name, caption=m.caption())
    if fmt == "none":
        return
    from workbench.maps.static import save_static

    path = save_static(m, report.report_dir / f"{name}.{fmt}")
    entry = next((o for o in report.outputs if o.get("name") == name), None)
    if entry is not None:
        entry["image"] = path.name
        report._write_record()
    publish = getattr(report, "_publish", None)
    if publish is not None:
        href = path.name if getattr(report, "batch", False) else str(path)
        publish(
            {
                "text/html": f"<p class='wb-data-link'>Static map: <a href='{html.escape(href, quote=True)}' "
                f"download>{html.escape(path.name)}</a> (for print; same classes)</p>",
                "text/plain": f"Static map: {path}",
            }
        )


def _heading(report: Any, text: str) -> None:
    publish = getattr(report, "_publish", None)
    if publish is not None:
        publish({"text/html": f"<h2>{html.escape(text)}</h2>", "text/plain": text})


# ------------------------------------------------------------------------------ S3 profile
def top_option(options: pd.DataFrame) -> pd.Series:
    """The top diversification option: the "low risk / high gain" sector with the highest
    complexity outlook gain (cog); without such a sector, the option with the highest density."""
    if options.empty:
        raise ValidationError("the region has no diversification options")
    best = options[options["quadrant"] == "low risk / high gain"]
    if len(best):
        return best.sort_values("cog", ascending=False).iloc[0]
    return options.sort_values("density", ascending=False).iloc[0]


def density_across_regions(
    stars: pd.DataFrame, sector: str, reference: str = "all"
) -> pd.DataFrame:
    """Relatedness density of ``sector`` for every region (columns region, value), computed with
    :func:`workbench.evidence.complexity.complexity_panel` from the end-year employment in the
    profile's ``stars`` table (region, category, employment): density_cp = sum_q M_cq phi_pq /
    sum_q phi_pq (Hidalgo et al. 2007), M_cq = 1 when RCA >= the evidence.yml threshold."""
    from workbench.evidence.complexity import complexity_panel
    from workbench.evidence.reference import as_reference

    long = pd.DataFrame(
        {
            "period": "end",
            "region": stars["region"].astype(str),
            "sector": stars["category"].astype(str),
            "value": stars["employment"].astype(float),
        }
    )
    cx = complexity_panel(long, as_reference(reference), on_empty="drop", keep_proximity=False)
    cells = cx.cells[cx.cells["sector"].astype(str) == sector]
    if cells.empty:
        raise ValidationError(f"sector {sector!r} left out of the complexity calculation")
    return pd.DataFrame({"region": cells["region"].astype(str), "value": cells["density"]})


def s3_profile_maps(
    profile: Any,
    *,
    sector: str | None = None,
    reference: str = "all",
    missing_regions: list[str] | None = None,
    method: str | None = None,
) -> list[tuple[str, RegionMap]]:
    """The S3 profile's maps as (name, map): LQ of ``sector``, its cluster stars, and the
    relatedness density of the top diversification option.

    ``missing_regions``: regions whose employment in ``sector`` is not published in the end year
    (drawn "no data" instead of LQ 0).  LQ classes use ``maps.yml`` ``lq_breaks`` unless
    ``method`` is given.
    """
    cfg = load_defaults("maps")
    spec = profile.specialisation
    sector = sector or str(spec.iloc[0]["sector"])
    if sector not in set(profile.stars["category"].astype(str)):
        raise ValidationError(
            f"sector {sector!r} not in the profile; sectors: {sorted(spec['sector'])[:20]} ..."
        )
    label = (
        str(spec.set_index("sector").loc[sector, "label"])
        if sector in set(spec["sector"])
        else sector
    )
    st = profile.stars[profile.stars["category"].astype(str) == sector].copy()
    missing = set(missing_regions or [])
    lq = st.assign(value=st["lq"].where(~st["region"].isin(missing)))[["region", "value"]]
    lq_map = value_map(
        lq,
        title=f"Location quotient of {label} by region, {profile.end}",
        value_label="LQ",
        unit="1 = reference share",
        method=method or "manual",
        breaks=None if method else list(cfg["lq_breaks"]),
        focus=[profile.region],
        notes=[
            f"Reference economy: {profile.reference}. LQ >= 1: specialised; LQ >= 2: "
            "specialisation star."
            + (f" Employment not published for {len(missing)} region(s)." if missing else "")
        ],
    )
    stars = st.assign(region=st["region"].astype(str))
    stars = stars[~stars["region"].isin(missing)]
    groups = {
        f"{n} star{'s' if n != 1 else ''}": list(stars.loc[stars["stars"] == n, "region"])
        for n in (3, 2, 1)
    }
    pal = list(cfg["palette"])
    stars_map = category_map(
        {**groups, "no star": list(stars.loc[stars["stars"] == 0, "region"])},
        title=f"European Cluster Observatory stars in {label}, {profile.end}",
        colours={
            "3 stars": pal[-1],
            "2 stars": pal[len(pal) // 2 + 1],
            "1 star": pal[2],
            "no star": pal[0],
        },
        other_label=str(cfg["no_data"]["label"]),
        other_colour=str(cfg["no_data"]["colour"]),
        other_hatch=str(cfg["no_data"]["hatch"]),
        value_label="stars",
        focus=[profile.region],
        notes=[
            "Stars: size (top 10 % by employment), specialisation (LQ >= 2), focus (top 10 % by "
            "the sector's share of regional employment)."
        ],
    )
    opt = top_option(profile.options)
    dens = density_across_regions(profile.stars, str(opt["sector"]), reference)
    dens_map = value_map(
        dens,
        title=f"Relatedness density of {opt['label']} by region, {profile.end} "
        f"(top diversification option of {profile.region})",
        value_label="relatedness density",
        method=method,
        focus=[profile.region],
        notes=[
            f"Top option of {profile.region_name} ({profile.region}): {opt['quadrant']}, "
            f"density {opt['density']:.2f}, complexity (PCI) {opt['pci']:.2f}. Higher density: more "
            "related sectors already present, lower risk."
        ],
    )
    return [
        ("map_lq_" + sector.lower(), lq_map),
        ("map_stars_" + sector.lower(), stars_map),
        ("map_density_" + str(opt["sector"]).lower(), dens_map),
    ]


def _unpublished(source: str, sector: str, period: str) -> list[str]:
    from workbench.evidence import data as kbdata

    panel = kbdata.employment_panel(source)
    sel = panel[
        (panel["sector"].astype(str) == sector)
        & (panel["period"].astype(str) == str(period))
        & panel["value"].isna()
    ]
    return sorted(sel["region"].astype(str).unique())


def show_s3_profile_maps(
    report: Any,
    profile: Any,
    parameters: Mapping[str, Any] | None = None,
    *,
    sector: str | None = None,
    method: str | None = None,
) -> list[RegionMap]:
    """Display the S3 profile's maps (see :func:`s3_profile_maps`) with a heading."""
    p = dict(parameters or {})
    sector = sector or str(profile.specialisation.iloc[0]["sector"])
    missing = _unpublished(str(p.get("source", "demo")), sector, profile.end)
    maps = s3_profile_maps(
        profile,
        sector=sector,
        reference=str(p.get("reference", "all")),
        missing_regions=missing,
        method=method,
    )
    _heading(report, "Maps: specialisation and diversification across South-East Europe")
    for name, m in maps:
        show_map(report, m, name)
    return [m for _, m in maps]


# ------------------------------------------------------------------------------ parallel contexts
def compared_regions(
    region: str, source: str = "demo", period: str = "", exclude_country: bool = False
) -> list[str]:
    """Regions the peer search compared ``region`` with (employment and every indicator in
    ``period``; the own country left out when ``exclude_country``): the same inputs as
    :func:`workbench.evidence.reports.parallel_contexts`."""
    from workbench.evidence import data as kbdata
    from workbench.evidence.peers import peer_regions, structure_variables

    panel = kbdata.employment_panel(source)
    m = kbdata.matrix_for(panel, period).fillna(0.0)
    m = m.loc[m.sum(axis=1) > 0]
    indicators = kbdata.indicator_table(source, period)
    variables = structure_variables(m, indicators if len(indicators.columns) else None)
    every = peer_regions(
        variables,
        region,
        n=len(variables) - 1,
        exclude_own_country=exclude_country,
        missing="exclude_regions",
    )
    return sorted(every["region"].astype(str))


def peers_map(
    region: str,
    region_name: str,
    peers: pd.DataFrame,
    compared: list[str] | None = None,
) -> RegionMap:
    """The region and its peer regions highlighted (peers table: rank, region, ...); regions the
    search compared are "other regions compared", the rest of the map "no data" (not compared)."""
    cfg = load_defaults("maps")
    hl = cfg["highlight"]
    codes = [str(c) for c in peers.sort_values("rank")["region"]]
    own = f"{region_name} ({region})"
    groups: dict[str, list[str]] = {own: [region], "peer regions": codes}
    colours = {own: hl["focus"], "peer regions": hl["peers"]}
    other_label, other_colour = "other regions compared", hl["other"]
    if compared is not None:
        groups["other regions compared"] = [c for c in compared if c not in codes and c != region]
        colours["other regions compared"] = hl["other"]
        other_label = "not compared (no data, or own country left out)"
        other_colour = str(cfg["no_data"]["colour"])
    return category_map(
        groups,
        colours=colours,
        title=f"{region_name} ({region}) and its {len(codes)} most similar regions",
        value_label="region",
        other_label=other_label,
        other_colour=other_colour,
        other_hatch=str(cfg["no_data"]["hatch"]) if compared is not None else "",
        focus=[region, *codes],
        notes=["Peers in order of similarity: " + ", ".join(codes) + "."],
    )


def show_parallel_contexts_map(
    report: Any, contexts: Any, parameters: Mapping[str, Any] | None = None
) -> RegionMap:
    """Display the parallel-contexts map: the region and its peers highlighted."""
    p = dict(parameters or {})
    compared = compared_regions(
        contexts.region,
        str(p.get("source", "demo")),
        contexts.period,
        bool(p.get("exclude_country", False)),
    )
    m = peers_map(contexts.region, contexts.region_name, contexts.peers, compared)
    _heading(report, "Map: the region and its peers")
    show_map(report, m, "map_peers")
    return m


# ------------------------------------------------------------------------------ pilot evaluation
def pilot_map(pilot: Any) -> RegionMap:
    """Pilot (treated) and comparison regions of a pilot (``pilot.regions``: region, role)."""
    cfg = load_defaults("maps")["highlight"]
    regs = pilot.regions
    treated = sorted(regs.loc[regs["role"] == "pilot", "region"].astype(str))
    comparison = sorted(regs.loc[regs["role"] != "pilot", "region"].astype(str))
    pid = str(pilot.pilot["pilot_id"])
    return category_map(
        {"pilot regions (treated)": treated, "comparison regions": comparison},
        colours={"pilot regions (treated)": cfg["focus"], "comparison regions": cfg["peers"]},
        title=f"Pilot {pid}: pilot and comparison regions",
        value_label="role",
        other_label="not in this evaluation",
        focus=treated,
        notes=[
            f"Pilot regions: {', '.join(treated) or 'none'}; comparison regions: "
            f"{', '.join(comparison) or 'none'}."
        ],
    )


def show_pilot_map(report: Any, pilot: Any) -> RegionMap:
    """Display the pilot's treated and comparison regions on a map."""
    m = pilot_map(pilot)
    _heading(report, "Map: pilot and comparison regions")
    show_map(report, m, "map_pilot_regions")
    return m


# ------------------------------------------------------------------------------ KB overview
def coverage_map(coverage: pd.DataFrame, country: str) -> RegionMap | None:
    """Share of observations with a value (%) per NUTS 2 region of ``country``, all datasets and
    periods together (``coverage``: region, level, observations, values).  None when the country
    has no NUTS 2 regions on the map (e.g. BA, XK, MD, UA)."""
    from workbench.maps.geometry import load_geometry

    try:
        geometry = load_geometry(countries=[country])
    except ValidationError:
        return None
    c = coverage[coverage["level"] == 2] if "level" in coverage.columns else coverage
    agg = c.groupby("region")[["observations", "values"]].sum()
    agg = agg[agg["observations"] > 0]
    data = pd.DataFrame(
        {"region": agg.index.astype(str), "value": 100.0 * agg["values"] / agg["observations"]}
    )
    if data.empty:
        return None
    return value_map(
        data,
        title=f"Data coverage by region, {country}: share of observations with a value",
        value_label="coverage",
        unit="%",
        method="manual",
        breaks=list(load_defaults("maps")["coverage_breaks"]),
        geometry=geometry,
        notes=["All datasets and years of the knowledge base together."],
    )


def show_coverage_map(report: Any, coverage: pd.DataFrame, country: str) -> RegionMap | None:
    """Display the coverage map of ``country`` (or say why there is none)."""
    m = coverage_map(coverage, country)
    _heading(report, "Map: data coverage by region")
    if m is None:
        from workbench.maps.settings import no_nuts_economies

        why = (
            f"{no_nuts_economies()[country]} has no NUTS regions"
            if country in no_nuts_economies()
            else f"no NUTS 2 region of {country} has data or is on the map"
        )
        publish = getattr(report, "_publish", None)
        if publish is not None:
            publish({"text/html": f"<p>No map: {html.escape(why)}.</p>", "text/plain": why})
        return None
    show_map(report, m, "map_coverage")
    return m


# ------------------------------------------------------------------------------ barrier matrix
def barrier_map(by_dimension: pd.DataFrame, dimension: str | None = None) -> RegionMap:
    """Highest barrier severity (0-3) by region for one dimension (default: the dimension with the
    most severe barriers across the regions compared; ``by_dimension``: region, dimension,
    n_barriers, max_severity, mean_severity)."""
    cfg = load_defaults("maps")
    bd = by_dimension.copy()
    if dimension is None:
        rank = bd.groupby("dimension")[["max_severity", "mean_severity"]].max().fillna(-1)
        dimension = str(rank.sort_values(["max_severity", "mean_severity"]).index[-1])
    sel = bd[bd["dimension"] == dimension]
    if sel.empty:
        raise ValidationError(
            f"no barrier data for dimension {dimension!r}; dimensions: {sorted(bd['dimension'].unique())}"
        )
    colours = cfg["severity_colours"]
    groups: dict[str, list[str]] = {}
    for sev in (3, 2, 1):
        groups[f"severity {sev}"] = sorted(
            sel.loc[sel["max_severity"].round() == sev, "region"].astype(str)
        )
    groups["no barrier recorded (or severity 0)"] = sorted(
        sel.loc[sel["max_severity"].fillna(0).round() == 0, "region"].astype(str)
    )
    return category_map(
        groups,
        colours={
            "severity 3": colours[3],
            "severity 2": colours[2],
            "severity 1": colours[1],
            "no barrier recorded (or severity 0)": colours[0],
        },
        title=f"Barriers of the {dimension} dimension: highest severity by region",
        value_label="highest severity",
        other_label="not in this comparison",
        focus=list(sel["region"].astype(str)),
        notes=[f"Severity 0-3 of the barrier register; dimension: {dimension}."],
    )


def show_barrier_map(report: Any, analysis: Any, dimension: str | None = None) -> RegionMap:
    """Display the barrier-severity map of the barrier-matrix report."""
    m = barrier_map(analysis.by_dimension, dimension)
    _heading(report, "Map: barrier severity by region")
    show_map(report, m, "map_barrier_severity")
    return m


# ------------------------------------------------------------------------------ past actions
def spend_per_head(actions: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Budget in EUR per inhabitant by region: sum of the actions' budgets converted at the
    ``policy.yml`` fixed rates, divided by the region's population (``population``: region,
    value in thousands, the mean over the years given)."""
    from workbench.policy.actions import to_eur

    eur = to_eur(actions[actions["budget"].notna()])
    col = "budget_eur" if "budget_eur" in eur.columns else "budget"
    spend = eur.groupby("region")[col].sum()
    pop = population.groupby("region")["value"].mean() * 1000.0
    out = (spend / pop.reindex(spend.index)).rename("value").reset_index()
    return out


def gap_map(gaps: pd.DataFrame, dimension: str | None = None) -> RegionMap:
    """Gaps for one dimension (default: the dimension with most gaps): regions with barriers or
    specialisation but no action and no instrument (``gaps``: region, dimension, gap)."""
    cfg = load_defaults("maps")
    if dimension is None:
        counts = gaps.groupby("dimension")["gap"].sum().sort_values(kind="stable")
        dimension = str(counts.index[-1])
    sel = gaps[gaps["dimension"] == dimension]
    hl = cfg["highlight"]
    return category_map(
        {
            "gap": sorted(sel.loc[sel["gap"].astype(bool), "region"].astype(str)),
            "no gap": sorted(sel.loc[~sel["gap"].astype(bool), "region"].astype(str)),
        },
        colours={"gap": cfg["severity_colours"][3], "no gap": hl["peers"]},
        title=f"Gaps in the {dimension} dimension by region",
        value_label="gap",
        other_label="not analysed",
        notes=[
            "Gap: specialisation or barriers in the dimension, but no past action and no "
            "instrument in force."
        ],
    )


def show_past_action_maps(
    report: Any, analysis: Any, population_dataset: str | None = None
) -> list[RegionMap]:
    """Display spend per head (EUR) by region and the gaps map of the past-action report."""
    from workbench.evidence.data import observations

    cfg = load_defaults("maps")
    shown: list[RegionMap] = []
    _heading(report, "Maps: spend per head and gaps by region")
    actions = analysis.actions
    dataset = population_dataset or str(cfg["population"]["dataset_id"])
    note = ""
    try:
        pop = observations(dataset, filters=cfg["population"].get("filters"))
    except ValidationError as exc:
        pop, note = None, f"No population data ({dataset}): {exc}"
    if pop is not None and len(actions):
        years = [str(p) for p in analysis.parameters.get("period", "").split("-") if p]
        sel = pop
        if len(years) == 2:
            sel = pop[
                (pop["period"].astype(str) >= years[0]) & (pop["period"].astype(str) <= years[1])
            ]
        if sel.empty:
            sel = pop[pop["period"] == pop["period"].max()]
        data = spend_per_head(actions, sel)
        m = value_map(
            data.dropna(),
            title="Spend of past actions per inhabitant by region",
            value_label="spend per head",
            unit="EUR",
            notes=[
                "Budgets of the actions overlapping the period, converted to EUR at the fixed "
                f"rates of policy.yml, divided by the mean population of the period ({dataset})."
            ],
        )
        show_map(report, m, "map_spend_per_head")
        shown.append(m)
    elif note:
        publish = getattr(report, "_publish", None)
        if publish is not None:
            publish({"text/html": f"<p>{html.escape(note)}</p>", "text/plain": note})
    if len(analysis.gaps):
        m = gap_map(analysis.gaps)
        show_map(report, m, "map_gaps")
        shown.append(m)
    return shown
