"""Communication and dissemination KPIs counted from evidence, with a red/amber/green status.

Interreg common indicators (Regulation (EU) 2021/1059 Annex I; Interact methodological fact sheets)
are counted from the event log and its participant lists, never from typed totals:

- an event is *across borders* when its participants come from at least
  ``cross_border_min_countries`` countries;
- RCO115 = public events (kinds ``public_event_kinds``) across borders;
- RCO87 = distinct organisations (``organisation_id``) taking part in events across borders: an
  organisation attending twice is counted once;
- RCO81 = participations (organisation x event) in events across borders;
- RCO85 = participations in training events (``training_event_kinds``); RCR81 = those completed.

Other indicators are counted from the achievements log: an item without evidence is excluded and
listed.
"""

from __future__ import annotations

import pandas as pd


def event_countries(
    events: pd.DataFrame, participants: pd.DataFrame, min_countries: int
) -> pd.DataFrame:
    """Per event: number of participant countries and ``across_borders`` (>= ``min_countries``)."""
    n = participants.groupby("event_id")["country"].nunique()
    out = events.copy()
    out["countries"] = out["event_id"].map(n).fillna(0).astype(int)
    out["across_borders"] = out["countries"] >= min_countries
    return out


def _participations(participants: pd.DataFrame, event_ids: pd.Series) -> pd.DataFrame:
    rows = participants[participants["event_id"].isin(set(event_ids))]
    return rows.drop_duplicates(["event_id", "organisation_id"])


def counted_indicators(
    events: pd.DataFrame, participants: pd.DataFrame, settings: dict
) -> dict[str, float]:
    """The event-based counts: keys are the ``counted_from`` names of ``projects.yml``."""
    ev = event_countries(events, participants, int(settings["cross_border_min_countries"]))
    cross = ev[ev["across_borders"]]
    public = cross[cross["kind"].isin(settings["public_event_kinds"])]
    training = ev[ev["kind"].isin(settings["training_event_kinds"])]
    cross_part = _participations(participants, cross["event_id"])
    train_part = _participations(participants, training["event_id"])
    completed = train_part["completed"].fillna(False).astype(bool) if len(train_part) else []
    return {
        "cross_border_public_events": float(len(public)),
        "cross_border_organisations": float(cross_part["organisation_id"].nunique()),
        "cross_border_participations": float(len(cross_part)),
        "training_participations": float(len(train_part)),
        "training_completions": float(sum(completed)),
    }


def evidenced(achievements: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items with evidence, items claimed without evidence: excluded and listed)."""
    has = achievements["evidence"].fillna("").astype(str).str.strip() != ""
    return achievements[has], achievements[~has]


def indicator_registry(common: dict[str, dict], own: pd.DataFrame) -> pd.DataFrame:
    """Common indicators (``projects.yml``) joined with the project's indicator targets.

    Output: indicator_code, name, level, unit, counted_from, baseline, target, source, common.
    Common indicators without a project target keep target NaN; own indicators count from evidence.
    """
    reg = pd.DataFrame(
        [{"indicator_code": code, **spec, "common": True} for code, spec in common.items()]
    )
    own = own.copy()
    targets = own.set_index("indicator_code")
    reg["baseline"] = reg["indicator_code"].map(targets["baseline"]) if len(own) else float("nan")
    reg["target"] = reg["indicator_code"].map(targets["target"]) if len(own) else float("nan")
    reg["source"] = reg["indicator_code"].map(targets["source"]) if len(own) else None
    extra = own[~own["indicator_code"].isin(list(common))].assign(
        counted_from="evidence", common=False
    )
    out = pd.concat([reg, extra[reg.columns.intersection(extra.columns)]], ignore_index=True)
    out["baseline"] = pd.to_numeric(out["baseline"], errors="coerce").fillna(0.0)
    out["target"] = pd.to_numeric(out["target"], errors="coerce")
    return out


def achieved(
    registry: pd.DataFrame,
    events: pd.DataFrame,
    participants: pd.DataFrame,
    achievements: pd.DataFrame,
    settings: dict,
    until: pd.Timestamp,
) -> pd.DataFrame:
    """Achieved value of every indicator up to ``until`` (events and evidenced items dated <= until)."""
    ev = events[pd.to_datetime(events["date"]) <= until]
    part = participants[participants["event_id"].isin(set(ev["event_id"]))]
    counts = counted_indicators(ev, part, settings)
    ok, _ = evidenced(achievements[pd.to_datetime(achievements["date"]) <= until])
    by_code = ok.groupby("indicator_code")["value"].sum()
    out = registry.copy()
    out["achieved"] = [
        counts[c] if c in counts else float(by_code.get(code, 0.0))
        for code, c in zip(out["indicator_code"], out["counted_from"], strict=True)
    ]
    return out


def rag_status(
    table: pd.DataFrame, period: int, n_periods: int, green_at: float, amber_at: float
) -> pd.DataFrame:
    """Red/amber/green against the pro-rata target of ``period`` out of ``n_periods``.

    ``expected = baseline + (target - baseline) * period / n_periods``;
    ``ratio = (baseline + achieved) / expected`` (outputs have baseline 0: achieved / expected);
    green if ratio >= green_at, amber if >= amber_at, else red; no target: "no target".
    """
    out = table.copy()
    share = period / n_periods
    out["expected"] = out["baseline"] + (out["target"] - out["baseline"]) * share
    value = out["baseline"] + out["achieved"]
    out["ratio"] = value / out["expected"].where(out["expected"] > 0)
    out["status"] = "red"
    out.loc[out["ratio"] >= amber_at, "status"] = "amber"
    out.loc[out["ratio"] >= green_at, "status"] = "green"
    out.loc[out["target"].isna(), "status"] = "no target"
    return out
