"""Key findings in words for the S3 profile and the parallel-contexts reports (pure functions).

Each function takes the result object the report already computed and returns 3-7 sentences with
numbers (rounded as in :mod:`workbench.wording`), units, the comparison they rest on and the caveats
that apply.  Every number can be found in one of the report's CSV files after the same rounding.

Also here: the *comparable-by-default* rules of the evidence reports (issue 13):
:func:`common_period` (one default period for every region of a source) and
:func:`comparison_basis` (the table that states period and reference set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.config import load_defaults
from workbench.kb.names import region_label, sector_short
from workbench.wording import count, join, num, pct, sentence

if TYPE_CHECKING:
    from workbench.evidence.reports import ParallelContexts, S3Profile

VARIABLE_NAMES = {
    "sector structure": "sector structure",
    "gdp_per_head": "GDP per head",
    "population_density": "population density",
    "rd_intensity": "R&D intensity",
    "population": "population",
}


def _setting(section: str, key: str, default: Any) -> Any:
    return (load_defaults("evidence").get(section) or {}).get(key, default)


def min_sectors() -> int:
    """Fewest sectors for which relatedness and complexity are read without a caveat (evidence.yml)."""
    return int(_setting("complexity", "min_sectors", 20))


# ------------------------------------------------------------------ comparable by default
def common_period(panel: pd.DataFrame, min_region_share: float | None = None) -> tuple[str, str]:
    """The default (start, end) of every S3 profile of one data source.

    start = the first and end = the last period in which the number of regions with employment
    data reaches ``min_region_share`` x the largest number of regions of any period
    (``evidence.yml`` ``common_period.min_region_share``).  Profiles of one batch then share the
    period and so the reference set (the regions with data in both years), whatever the region.
    """
    share = float(
        _setting("common_period", "min_region_share", 0.95)
        if min_region_share is None
        else min_region_share
    )
    have = panel[panel["value"].notna()]
    per = have.groupby(have["period"].astype(str))["region"].nunique().sort_index()
    if per.empty:
        return "", ""
    ok = per[per >= share * per.max()].index
    return str(ok[0]), str(ok[-1])


def comparison_basis(
    *,
    region: str,
    start: str,
    end: str,
    reference: str,
    regions: int,
    sectors: int,
    common: bool,
    source: str = "",
) -> pd.DataFrame:
    """One-row table stating what the profile compares against (shown and saved as a CSV)."""
    return pd.DataFrame(
        [
            {
                "region": region,
                "source": source,
                "start": start,
                "end": end,
                "reference_economy": reference,
                "regions_compared": regions,
                "sectors": sectors,
                "period_rule": (
                    "common default of the source" if common else "set by parameter or region data"
                ),
            }
        ]
    )


# ------------------------------------------------------------------ S3 profile
def _sector(code: str, labels: dict[str, str] | None) -> str:
    return f"{sector_short(code, labels)} ({code})"


def s3_profile_findings(
    profile: S3Profile,
    *,
    names: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    unit: str = "thousand",
) -> list[str]:
    """3-7 sentences: specialisation, employment change (shift-share), quadrant and stars,
    diversification options (with the small-sector caveat), peers, and the comparison basis.

    Sources: ``specialisation.csv`` (LQ, share), ``shift_share_total.csv``, ``diversification_options.csv``,
    ``eci_regions.csv``, ``peers.csv`` and ``comparison_basis.csv`` of the report.
    """
    thr = float(load_defaults("evidence")["quadrant"]["lq_threshold"])
    who = region_label(profile.region, names or {profile.region: profile.region_name})
    spec = profile.specialisation.sort_values("lq", ascending=False, ignore_index=True)
    out: list[str] = []

    # 1 specialisation
    top = spec.iloc[0]
    if top["lq"] >= thr:
        text = (
            f"{who} is most specialised in {_sector(top['sector'], labels)}: location quotient (LQ) "
            f"{num(top['lq'], 2)} against {profile.reference} in {profile.end}, "
            f"{pct(top['share'])} of its employment"
        )
        more = spec.iloc[1:][spec["lq"].iloc[1:] >= thr].head(3)
        if len(more):
            text += "; also above the reference share: " + join(
                f"{_sector(r.sector, labels)} (LQ {num(r.lq, 2)})" for r in more.itertuples()
            )
    else:
        text = (
            f"{who} has no sector with a location quotient of at least {num(thr, 2)} against "
            f"{profile.reference} in {profile.end}; the highest is {_sector(top['sector'], labels)} "
            f"(LQ {num(top['lq'], 2)})"
        )
    out.append(sentence(text))
    big = spec.sort_values("share", ascending=False).iloc[0]
    optional = ""
    if big["sector"] != top["sector"]:
        optional = sentence(
            f"The largest employer is {_sector(big['sector'], labels)} with "
            f"{pct(big['share'])} of employment (LQ {num(big['lq'], 2)})"
        )
        out.append(optional)

    # 2 employment change and shift-share
    if len(profile.shift_share_total):
        t = profile.shift_share_total.iloc[0]
        change, shift = float(t["change"]), float(t["regional_shift"])
        verb = "fell" if change < 0 else "rose"
        text = (
            f"Employment {verb} from {num(t['start'])} {unit} to {num(t['end'])} {unit} "
            f"({profile.start}-{profile.end})"
        )
        if shift * change > 0 and abs(shift) <= abs(change):
            text += (
                f"; the regional shift (the region's own performance against the reference economy) "
                f"explains {num(abs(shift))} {unit} of the {num(abs(change))} {unit} "
                f"{'loss' if change < 0 else 'gain'}"
            )
        else:
            text += (
                f"; the regional shift was {'+' if shift >= 0 else '-'}{num(abs(shift))} {unit}: the "
                f"region did {'better' if shift >= 0 else 'worse'} than the reference growth and its "
                f"sector mix predict (national share {num(t['national_share'])}, industry mix "
                f"{num(t['industry_mix'])} {unit})"
            )
        out.append(sentence(text))

    # 3 quadrant: star and mature sectors
    labels_q = load_defaults("evidence")["quadrant"]["labels"]
    star_name, mature_name = labels_q["specialised_growing"], labels_q["specialised_declining"]
    stars = spec[spec["quadrant"] == star_name].head(3)
    mature = spec[spec["quadrant"] == mature_name].head(3)
    parts = []
    if len(stars):
        parts.append(
            f"{star_name} (specialised and gaining, {profile.start}-{profile.end}): "
            + join(
                f"{_sector(r.sector, labels)}, LQ {num(r.lq_start, 2)} to {num(r.lq, 2)}"
                for r in stars.itertuples()
            )
        )
    if len(mature):
        parts.append(
            f"{mature_name} (specialised but losing ground): "
            + join(
                f"{_sector(r.sector, labels)}, LQ {num(r.lq_start, 2)} to {num(r.lq, 2)}"
                for r in mature.itertuples()
            )
        )
    starred = spec[spec["stars"] > 0]
    if parts:
        text = "; ".join(parts)
        if len(starred):
            text += (
                f". {count(len(starred), 'sector')} of the region "
                f"{'carries' if len(starred) == 1 else 'carry'} at least one European Cluster "
                "Observatory star"
            )
        out.append(sentence(text))

    # 4 diversification options and complexity, with the small-sector caveat
    n_sectors = int(profile.basis["sectors"].iat[0]) if len(profile.basis) else len(spec)
    opts = profile.options
    best = opts[opts["quadrant"] == "low risk / high gain"].sort_values("pci", ascending=False)
    if len(opts):
        if len(best):
            text = (
                "Diversification options with low risk and high gain (relatedness density and "
                f"complexity above the median of the {count(len(opts), 'candidate sector')}): "
                + join(
                    f"{_sector(r.sector, labels)}, density {num(r.density, 2)}, PCI {num(r.pci, 2)}"
                    for r in best.head(3).itertuples()
                )
            )
        else:
            text = (
                f"None of the {count(len(opts), 'candidate sector')} combines above-median "
                "relatedness density with above-median complexity"
            )
        own = profile.eci[profile.eci["region"] == profile.region]
        if len(own):
            text += (
                f"; the region's economic complexity (ECI) ranks {num(own['rank'].iat[0])} "
                f"of {num(len(profile.eci))} regions"
            )
        out.append(sentence(text))
    if n_sectors < min_sectors():
        out.append(
            sentence(
                f"Caveat: relatedness and complexity are computed on only {n_sectors} broad sectors "
                f"(at least {min_sectors()} are needed for a robust reading), so the options and "
                "the ECI rank are indicative only"
            )
        )

    # 5 peers
    if len(profile.peers):
        out.append(
            sentence(_peer_sentence(profile.peers, names, "The structurally closest regions"))
        )

    # 6 comparison basis
    if len(profile.basis):
        b = profile.basis.iloc[0]
        rule = (
            "the common default period of this data source, the same for every S3 profile"
            if b["period_rule"].startswith("common")
            else "a period set for this report, not necessarily that of other profiles"
        )
        out.append(
            sentence(
                f"Comparison basis: {b['start']}-{b['end']} ({rule}), reference economy "
                f"{b['reference_economy']}, over {num(b['regions_compared'])} regions with "
                "employment in both years"
            )
        )
    if len(out) > 7 and optional in out:
        out.remove(optional)
    return out[:7]


def _peer_sentence(peers: pd.DataFrame, names: dict[str, str] | None, lead: str) -> str:
    if names is None and "name" in peers.columns:
        names = dict(zip(peers["region"].astype(str), peers["name"].astype(str), strict=True))
    items = []
    for r in peers.head(3).itertuples():
        text = region_label(str(r.region), names or {})
        same = getattr(r, "same_data_as", "")
        if isinstance(same, str) and same:
            text += f", identical data to {same}"
        items.append(text)
    d = peers["distance"]
    return (
        f"{lead} are {join(items)} (distance {num(d.iloc[0], 2)}"
        + (f" to {num(d.iloc[min(2, len(d) - 1)], 2)}" if len(d) > 1 else "")
        + " on standardised variables; 0 means identical)"
    )


# ------------------------------------------------------------------ parallel contexts
def parallel_contexts_findings(
    contexts: ParallelContexts, *, names: dict[str, str] | None = None
) -> list[str]:
    """3-6 sentences: the nearest regions with names, what separates the nearest one, the main
    drivers across peers, GDP per head against the peers, and regions with identical data.

    Sources: ``peers.csv``, ``distance_contributions.csv`` and ``peer_variables.csv`` of the report.
    """
    who = region_label(contexts.region, names or {contexts.region: contexts.region_name})
    if names is None and "name" in contexts.peers.columns:
        names = dict(
            zip(
                contexts.peers["region"].astype(str),
                contexts.peers["name"].astype(str),
                strict=True,
            )
        )
    peers = contexts.peers
    out = [
        sentence(
            _peer_sentence(peers, names, f"The regions most similar to {who} in {contexts.period}")
        )
    ]
    first = peers.iloc[0]
    parts: dict[str, float] = {}
    for col in [c for c in peers.columns if str(c).startswith("contrib:")]:
        var = col.removeprefix("contrib:")
        key = "sector structure" if var.startswith("share:") else var
        parts[key] = parts.get(key, 0.0) + float(first[col]) * float(first["distance"])
    if parts:
        key = max(parts, key=parts.__getitem__)
        out.append(
            sentence(
                f"What still separates {region_label(str(first['region']), names)} from "
                f"{contexts.region} is mostly {VARIABLE_NAMES.get(key, key)} ({num(parts[key], 2)} of "
                f"the distance {num(first['distance'], 2)})"
            )
        )
    drivers = (
        peers["main_driver"]
        .astype(str)
        .map(lambda v: "sector structure" if v.startswith("share:") else v)
    )
    vc = drivers.value_counts()
    out.append(
        sentence(
            f"For {num(vc.iloc[0])} of the {num(len(peers))} peers the largest part of the "
            f"distance comes from {VARIABLE_NAMES.get(vc.index[0], vc.index[0])}"
        )
    )
    var = contexts.variables
    if "gdp_per_head" in var.columns and var["gdp_per_head"].notna().all():
        own = float(var.loc[contexts.region, "gdp_per_head"])
        others = var.drop(index=contexts.region)["gdp_per_head"]
        out.append(
            sentence(
                f"GDP per head: {num(own)} EUR in {contexts.region} against {num(others.min())} to "
                f"{num(others.max())} EUR in the peers"
            )
        )
    if "same_data_as" in peers.columns and peers["same_data_as"].astype(str).str.len().gt(0).any():
        twins = peers[peers["same_data_as"].astype(str).str.len() > 0]
        out.append(
            sentence(
                "Shown once: "
                + join(f"{r.region} and {r.same_data_as}" for r in twins.itertuples())
                + " have identical data (regions split from one older NUTS region inherit its "
                "structure), so they count as one peer"
            )
        )
    return out[:7]
