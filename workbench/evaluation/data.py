"""Knowledge-base loaders for pilot evaluation (read-only, through :mod:`workbench.kb.access`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from workbench.evaluation.errors import EvaluationInputError
from workbench.kb import query, reader

Db = str | os.PathLike[str] | None


@dataclass
class PilotData:
    """Everything the KB holds about one pilot."""

    pilot: pd.Series
    mechanism: pd.Series
    regions: pd.DataFrame
    logic_model: pd.DataFrame
    indicators: pd.DataFrame
    values: pd.DataFrame
    survey: pd.DataFrame
    dataset_ids: list[str] = field(default_factory=list)

    @property
    def pilot_regions(self) -> list[str]:
        return self.regions.loc[self.regions["role"] == "pilot", "region"].tolist()

    @property
    def comparison_regions(self) -> list[str]:
        return self.regions.loc[self.regions["role"] == "comparison", "region"].tolist()


def list_pilots(db: Db = None) -> pd.DataFrame:
    """All pilots with their mechanism name and number of pilot regions."""
    return query(
        """
        SELECT p.pilot_id, p.title, p.mechanism_id, m.name AS mechanism, m.type AS mechanism_type,
               p.start_date, p.end_date, p.status,
               (SELECT count(*) FROM pilot_regions r
                 WHERE r.pilot_id = p.pilot_id AND r.role = 'pilot') AS n_regions,
               p.dataset_id, p.synthetic
        FROM pilots p LEFT JOIN mechanisms m USING (mechanism_id)
        ORDER BY p.pilot_id
        """,
        db=db,
    )


def load_mechanisms(db: Db = None) -> pd.DataFrame:
    """The mechanism catalogue with its dimension codes (list) and labels."""
    return query(
        """
        SELECT m.mechanism_id, m.name, m.type, m.cost_eur, m.duration_months, m.description,
               list(d.dimension ORDER BY d.dimension) FILTER (WHERE d.dimension IS NOT NULL) AS dimensions,
               m.dataset_id, m.synthetic
        FROM mechanisms m LEFT JOIN mechanism_dimensions d USING (mechanism_id)
        GROUP BY ALL ORDER BY m.mechanism_id
        """,
        db=db,
    )


def load_criteria_scores(db: Db = None, *, timeout: float | None = None) -> pd.DataFrame:
    """Every stored criteria score (all submissions; use scoring.latest_scores for the latest).

    ``timeout``: seconds to wait while a writer holds the KB (default: the access policy's).
    """
    sql = "SELECT * FROM criteria_scores ORDER BY submitted_at, score_id"
    if timeout is None:
        return query(sql, db=db)
    with reader(db, timeout=timeout) as con:
        return con.execute(sql).df()


def load_pilot(pilot_id: str, db: Db = None) -> PilotData:
    """One pilot's rows from every pilot table; unknown id -> error listing the known ids."""
    with reader(db) as con:
        pilot = con.execute("SELECT * FROM pilots WHERE pilot_id = ?", [pilot_id]).df()
        if pilot.empty:
            known = [r[0] for r in con.execute("SELECT pilot_id FROM pilots ORDER BY 1").fetchall()]
            raise EvaluationInputError(
                f"unknown pilot_id {pilot_id!r}; known pilots: {', '.join(known) or '(none)'}"
            )
        p = pilot.iloc[0]
        mech = con.execute(
            "SELECT * FROM mechanisms WHERE mechanism_id = ?", [p["mechanism_id"]]
        ).df()
        regions = con.execute(
            "SELECT * FROM pilot_regions WHERE pilot_id = ? ORDER BY role DESC, region", [pilot_id]
        ).df()
        logic = con.execute(
            """SELECT * FROM logic_model WHERE pilot_id = ?
               ORDER BY list_position(['inputs','activities','outputs','outcomes','impact'], level),
                        position""",
            [pilot_id],
        ).df()
        indicators = con.execute(
            "SELECT * FROM indicators WHERE pilot_id = ? ORDER BY indicator_id", [pilot_id]
        ).df()
        values = con.execute(
            """SELECT v.* FROM indicator_values v JOIN indicators i USING (indicator_id)
               WHERE i.pilot_id = ? ORDER BY v.indicator_id, v.region NULLS FIRST, v.period""",
            [pilot_id],
        ).df()
        survey = con.execute(
            "SELECT * FROM survey_responses WHERE pilot_id = ? ORDER BY wave, respondent_id, item",
            [pilot_id],
        ).df()
    frames = [pilot, mech, regions, logic, indicators, values, survey]
    ids = sorted({d for f in frames if "dataset_id" in f.columns for d in f["dataset_id"].dropna()})
    return PilotData(
        pilot=p,
        mechanism=mech.iloc[0] if not mech.empty else pd.Series(dtype=object),
        regions=regions,
        logic_model=logic,
        indicators=indicators,
        values=values,
        survey=survey,
        dataset_ids=ids,
    )


def pilot_level_values(data: PilotData) -> pd.DataFrame:
    """Values for achievement: pilot-wide rows, or for regional indicators the pilot regions only."""
    v = data.values
    regional = set(data.indicators.loc[data.indicators["regional"], "indicator_id"])
    keep = (~v["indicator_id"].isin(regional) & v["region"].isna()) | (
        v["indicator_id"].isin(regional) & v["region"].isin(data.pilot_regions)
    )
    return v[keep].reset_index(drop=True)


def did_panel(data: PilotData, indicator_id: str | None = None) -> pd.DataFrame:
    """Panel (region, period, value, treated, start) of a regional indicator for DiD.

    Default indicator: the pilot's first regional outcome indicator.  Pilot regions are treated from
    their own ``start_date`` (else the pilot's); comparison regions are the stored ones.
    """
    regional = data.indicators[data.indicators["regional"]]
    if indicator_id is None:
        if regional.empty:
            raise EvaluationInputError(
                f"pilot {data.pilot['pilot_id']!r} has no regional indicator: no counterfactual comparison"
            )
        outcomes = regional[regional["level"] == "outcomes"]
        indicator_id = (outcomes if not outcomes.empty else regional)["indicator_id"].iloc[0]
    elif indicator_id not in set(regional["indicator_id"]):
        raise EvaluationInputError(
            f"indicator {indicator_id!r} is not a regional indicator of pilot {data.pilot['pilot_id']!r}"
        )
    if not data.comparison_regions:
        raise EvaluationInputError(
            f"pilot {data.pilot['pilot_id']!r} has no comparison regions: store some (role "
            "'comparison') or choose them with did.comparison_regions()"
        )
    regions = data.regions.set_index("region")
    v = data.values[(data.values["indicator_id"] == indicator_id) & data.values["region"].notna()]
    v = v[v["region"].isin(regions.index)].copy()
    v["treated"] = v["region"].map(regions["role"]).eq("pilot")
    starts = regions["start_date"].fillna(pd.Timestamp(data.pilot["start_date"]))
    v["start"] = v["region"].map(starts).where(v["treated"])
    v["period"] = pd.to_datetime(v["period"])
    v["start"] = pd.to_datetime(v["start"])
    return v[["region", "period", "value", "treated", "start"]].reset_index(drop=True)


def inbox_scores(db: Db = None) -> pd.DataFrame:
    """Dashboard scores in the capture inbox (merged or not; failed merges left out).

    Read from the inbox file only, so this works while a writer holds the knowledge base.
    """
    from workbench import capture
    from workbench.evaluation.capture_kinds import DATASET_ID, KIND

    rows = [
        {"score_id": r.idempotency_key, **r.payload, "dataset_id": DATASET_ID, "synthetic": False}
        for r in capture.read(KIND, db=db)
        if r.merge_error is None
    ]
    out = pd.DataFrame(rows)
    if not out.empty:
        out["submitted_at"] = pd.to_datetime(out["submitted_at"])
    return out


def current_scores(db: Db = None, *, stored: pd.DataFrame | None = None) -> pd.DataFrame:
    """Criteria scores in the KB (or ``stored``) plus dashboard scores from the capture inbox.

    So a ranking reflects a score as soon as it is saved, before the next merge.  Rows are unique by
    ``score_id`` (a merged submission is in the KB under its idempotency key).
    """
    stored = load_criteria_scores(db) if stored is None else stored
    inbox = inbox_scores(db)
    if inbox.empty:
        return stored
    inbox = inbox[~inbox["score_id"].isin(stored["score_id"])]
    return pd.concat([stored, inbox], ignore_index=True)


def known_dataset_ids(frame: pd.DataFrame, db: Db = None) -> list[str]:
    """Dataset ids of ``frame`` that the KB's ``datasets`` table knows (for report provenance)."""
    ids = sorted(set(frame["dataset_id"].dropna())) if "dataset_id" in frame.columns else []
    if not ids:
        return []
    known = set(query("SELECT dataset_id FROM datasets", db=db)["dataset_id"])
    return [i for i in ids if i in known]
