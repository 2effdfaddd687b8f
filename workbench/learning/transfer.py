"""Transferability of good practices to a target region, explained in words.

For practice *p* from origin region *o* and target region *t* (weights ``w`` from learning.yml
``practices.transferability``)::

    similarity  = exp(-d(o, t) / median_r d(r, t))      # structural peers, workbench.evidence.peers
    barriers    = max severity of t's barriers in p's dimensions / 3     # barrier matrix, 0-3 scale
    governance  = 1 if level(p) == level(t), 0.5 if neighbouring levels, else 0
    score       = (w_s * similarity + w_b * barriers + w_g * governance) / (w_s + w_b + w_g)

``d`` is the weighted Euclidean distance on standardised sector shares and structural indicators of
the lab's peer-region measure (parallel contexts); dividing by the median distance makes a typical
region score exp(-1) = 0.37 and the closest peers near 1.  Practices of the target region itself
are left out (nothing to transfer).  Sources: Interreg Europe Policy Learning Platform (good
practices: proven results, potential for transfer); the lab's barrier matrix and peer regions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.results import Notes
from workbench.wording import count, join

COMPONENTS = ("similarity", "barriers", "governance")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def governance_match(level: str, target_level: str, levels: list[str]) -> float:
    """1 for the same level, 0.5 for neighbouring levels of the ordered list, else 0."""
    if level not in levels or target_level not in levels:
        return 0.0
    gap = abs(levels.index(level) - levels.index(target_level))
    return 1.0 if gap == 0 else 0.5 if gap == 1 else 0.0


def transferability(
    practices: pd.DataFrame,
    distances: pd.DataFrame,
    barriers: pd.DataFrame,
    target: str,
    *,
    target_level: str = "regional",
    settings: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Score and explain every practice for ``target`` (formula in the module docstring).

    ``practices``: the library (practice_id, title, region, dimensions, governance_level, ...);
    ``distances``: region, distance from the target (every region with data, the target excluded);
    ``barriers``: the target's barriers (barrier, dimensions, severity).  Output: one row per
    practice of another region, best first, with the three components, ``score`` and ``reasons``.
    """
    cfg = settings or load_defaults("learning")["practices"]["transferability"]
    weights = cfg["weights"]
    levels = cfg["governance_levels"]
    severe_at = cfg["severe_at"]
    names = names or {}
    if target_level not in levels:
        raise ValidationError(f"target level {target_level!r} is not one of {', '.join(levels)}")
    dist = distances.set_index("region")["distance"].astype(float)
    median = float(dist.median()) if len(dist) else math.nan
    rank = dist.rank(method="min").astype(int)
    exploded = barriers.explode("dimensions")
    exploded = exploded[exploded["dimensions"].notna()]
    target_name = f"{names.get(target, target)} ({target})"
    rows = []
    for rec in practices.to_dict("records"):
        origin = rec["region"]
        if origin == target:
            continue
        origin_name = f"{names.get(origin, origin)} ({origin})"
        reasons = []
        if origin in dist.index and median > 0:
            d = float(dist[origin])
            sim = math.exp(-d / median)
            reasons.append(
                f"{origin_name} is the {_ordinal(int(rank[origin]))} closest structural peer of "
                f"{target_name} among {len(dist)} regions (distance {d:.2f}, similarity {sim:.2f})."
            )
        else:
            sim = 0.0
            reasons.append(f"{origin_name} has no structural data to compare with {target_name}.")
        dims = list(rec["dimensions"])
        hit = exploded[exploded["dimensions"].isin(dims)].sort_values("severity", ascending=False)
        if len(hit):
            top = hit.iloc[0]
            sev = int(top["severity"])
            bar = sev / 3.0
            word = "severe barrier" if sev >= severe_at else "barrier"
            n_severe = (
                int((hit.drop_duplicates("barrier_id")["severity"] >= severe_at).sum())
                if "barrier_id" in hit
                else 0
            )
            reasons.append(
                f"It addresses the {word} '{top['barrier']}' of {target} ({top['dimensions']}, "
                f"severity {sev} of 3)"
                + (f" and {count(n_severe - 1, 'more severe one')}" if n_severe > 1 else "")
                + "."
            )
        else:
            bar = 0.0
            label = "dimension" if len(dims) == 1 else "dimensions"
            reasons.append(f"{target} records no barrier in its {label} {join(dims)}.")
        gov = governance_match(rec["governance_level"], target_level, levels)
        reasons.append(
            f"Governance level {rec['governance_level']} "
            + ("matches" if gov == 1 else "is next to" if gov == 0.5 else "differs from")
            + f" the target's level ({target_level})."
        )
        if rec.get("outcome") == "unsuccessful":
            reasons.append("It did not reach its targets: learn from what went wrong.")
        parts = {"similarity": sim, "barriers": bar, "governance": gov}
        score = sum(weights[c] * parts[c] for c in COMPONENTS) / sum(weights[c] for c in COMPONENTS)
        rows.append(
            {
                "practice_id": rec["practice_id"],
                "title": rec["title"],
                "origin": origin,
                "origin_name": names.get(origin, origin),
                "dimensions": ", ".join(dims),
                "instrument_type": rec.get("instrument_type"),
                "governance_level": rec["governance_level"],
                "outcome": rec.get("outcome", "successful"),
                "validation_state": rec.get("validation_state"),
                **parts,
                "score": score,
                "reasons": " ".join(reasons),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values(["score", "practice_id"], ascending=[False, True], ignore_index=True)


@dataclass
class TransferReport(Notes):
    """The most transferable practices for one region (what good_practices.ipynb shows)."""

    region: str
    region_name: str
    target_level: str
    ranking: pd.DataFrame
    dataset_ids: list[str]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Good practices most transferable to {self.region_name} ({self.region})"


def transferable_practices(
    region: str,
    *,
    target_level: str = "regional",
    published_only: bool = True,
    db: str | None = None,
) -> TransferReport:
    """Load the library, the region's peers and barriers, and rank the practices for ``region``."""
    from workbench.evidence.reports import parallel_contexts
    from workbench.learning import data

    practices = data.load_practices(db, published_only=published_only)
    if practices.empty:
        raise ValidationError(
            "the good-practice library is empty (or has no validated practice): build the demo "
            "(`workbench demo`) or import a template (`workbench practices import FILE`)"
        )
    names = data.region_names(db)
    pc = parallel_contexts(region, n=10_000, db=db)
    bars = data.barriers_of(region, db)
    ranking = transferability(
        practices, pc.peers[["region", "distance"]], bars, region,
        target_level=target_level, names=names,
    )  # fmt: skip
    cfg = load_defaults("learning")["practices"]["transferability"]
    w = cfg["weights"]
    top = ranking.head(3)
    finding = "; ".join(
        f"{r.title} ({r.practice_id}, score {r.score:.2f})" for r in top.itertuples()
    )
    ids = sorted({*practices["dataset_id"].dropna(), *pc.dataset_ids, *bars["dataset_id"].dropna()})
    return TransferReport(
        region=region,
        region_name=names.get(region, region),
        target_level=target_level,
        ranking=ranking,
        dataset_ids=ids,
        notes={
            "finding": f"Most transferable to {names.get(region, region)} ({region}): {finding}.",
            "method": (
                f"Score 0-1 = {w['similarity']:g} x structural similarity of origin and target "
                f"(peer-region distance, {pc.period}) + {w['barriers']:g} x highest severity of the "
                f"target's barriers in the practice's dimensions (of 3) + {w['governance']:g} x "
                f"governance level match, divided by {sum(w.values()):g}. "
                + (
                    "Only validated practices."
                    if published_only
                    else "All practices, drafts included."
                )
                + f" {len(practices)} practices, {int((practices['region'] == region).sum())} of "
                f"them from {region} itself (left out)."
            ),
            "synthetic": ("The demo library is synthetic." if practices["synthetic"].any() else ""),
        },
    )
