"""Operations located in several regions: which share of an operation's amount a region's totals get.

A source file may list one operation once per county or region, each time with the full amount; the
importer stores it once with all its locations (``operation_locations``).  A regional total then takes
a share s of each operation (pure function :func:`apportion`; rule ``operations.apportion`` in
``workbench/defaults/policy.yml``):

- ``equal``: s = k / n, with n the operation's locations and k those inside the requested regions;
- ``population``: s = sum of the population of the k locations / sum over all n locations (latest
  population figure per location); equal shares when a location has no figure;
- ``parent``: s = 1 when the common parent region of all locations (the action's ``region``) lies inside
  the requested regions, else 0 (the operation is left out of the region's report).

Amounts (``budget``, ``eu_amount``, ``grant_amount``) are multiplied by s; the full amount stays in
``budget_total``; each operation stays ONE row, so counts count it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from workbench.errors import ValidationError

RULES = {
    "equal": "equal shares per location",
    "population": "shares proportional to the locations' population",
    "parent": "attribution to the common parent region of the locations",
}
AMOUNTS = ("budget", "eu_amount", "grant_amount")


def _inside(code: object, regions: Sequence[str]) -> bool:
    return isinstance(code, str) and any(code.startswith(r) for r in regions)


def apportion(
    actions: pd.DataFrame,
    locations: pd.DataFrame,
    regions: Sequence[str],
    rule: str = "equal",
    population: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Share each action's amounts to ``regions`` by ``rule`` (see the module docstring).

    ``locations``: action_id, location_code, region (one row per location).  Adds ``location_share``,
    ``n_locations``, ``budget_total`` and ``operation_region`` (the stored region); ``region`` becomes
    the requested region holding most of the operation; rows with share 0 are dropped.
    ``out.attrs['population_fallback']`` lists operations that fell back to equal shares.
    """
    if rule not in RULES:
        raise ValidationError(
            f"operations.apportion must be one of {', '.join(RULES)}, got {rule!r}"
        )
    regions = [r for r in regions if r]
    out = actions.copy()
    out["operation_region"] = out["region"]
    out["budget_total"] = pd.to_numeric(out["budget"], errors="coerce")
    shares: dict[str, float] = {}
    where: dict[str, str | None] = {}
    fallback: list[str] = []
    locs = locations[locations["action_id"].isin(out["action_id"])] if len(locations) else locations
    counts = locs.groupby("action_id").size() if len(locs) else pd.Series(dtype=int)
    for key, g in locs.groupby("action_id") if len(locs) else []:
        aid = str(key)
        place = g["location_code"].where(g["location_code"].notna(), g["region"])
        inside = [
            _inside(c, regions) or _inside(r, regions)
            for c, r in zip(place, g["region"], strict=True)
        ]
        in_regions = g["region"][inside]
        where[aid] = str(in_regions.mode().iloc[0]) if len(in_regions) else None
        if rule == "equal" or len(g) == 1:
            shares[aid] = sum(inside) / len(g)
        elif rule == "population":
            pops = [float(population.get(str(c)) or 0.0) if population else 0.0 for c in place]
            if any(p <= 0 for p in pops):
                fallback.append(aid)
                shares[aid] = sum(inside) / len(g)
            else:
                shares[aid] = sum(p for p, i in zip(pops, inside, strict=True) if i) / sum(pops)
    if rule == "parent":
        share = out["operation_region"].map(lambda r: 1.0 if _inside(r, regions) else 0.0)
    else:
        direct = out["operation_region"].map(lambda r: 1.0 if _inside(r, regions) else 0.0)
        share = out["action_id"].map(shares).fillna(direct)
    out["location_share"] = share.astype(float)
    out["n_locations"] = out["action_id"].map(counts).fillna(out.get("n_locations")).astype("Int64")
    for col in AMOUNTS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce") * out["location_share"]
    moved = out["action_id"].map(where)
    out["region"] = moved.where(moved.notna(), out["region"])
    out = out[out["location_share"] > 0].reset_index(drop=True)
    out.attrs["population_fallback"] = fallback
    return out


def multi_region_summary(actions: pd.DataFrame, rule: str) -> str:
    """A sentence on operations shared between regions (empty when there are none)."""
    if "location_share" not in actions:
        return ""
    shared = actions[actions["location_share"] < 1]
    if shared.empty:
        return ""
    n_loc = pd.to_numeric(shared["n_locations"], errors="coerce")
    return (
        f"{len(shared):,} of these {len(actions):,} operations are located in several regions (the "
        f"source lists them once per location, up to {int(n_loc.max()):,} times); each is counted "
        f"once, and its amounts are shared by {RULES[rule]} (policy.yml operations.apportion = "
        f"{rule}): on average {shared['location_share'].mean():.0%} of their amount is attributed here."
    )
