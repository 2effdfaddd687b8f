"""Knowledge-base loaders of the joint strategy (the only module here that reads DuckDB).

The evidence an action links to is read through its own domain's loaders (barriers: newest
version only, :func:`workbench.policy.data.load_barriers`; mechanisms and pilots from the
evaluation domain).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import ValidationError
from workbench.kb import query
from workbench.kb.access import reader
from workbench.policy.data import load_barriers

Db = str | os.PathLike[str] | None

PLAN_TABLES = (
    "strategies",
    "strategy_objectives",
    "strategy_actions",
    "strategy_action_links",
    "strategy_indicators",
    "strategy_progress",
    "strategy_results",
)


@dataclass
class Plan:
    """One strategy's action plan: one DataFrame per table (columns as in migration 0120).

    ``actions.dimensions`` and ``actions.partner_regions`` are Python lists.
    """

    strategy: pd.DataFrame
    objectives: pd.DataFrame
    actions: pd.DataFrame
    links: pd.DataFrame
    indicators: pd.DataFrame
    progress: pd.DataFrame
    results: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def strategy_id(self) -> str:
        return str(self.strategy["strategy_id"].iloc[0]) if len(self.strategy) else ""

    @property
    def dataset_ids(self) -> list[str]:
        ids: set[str] = set()
        for df in (self.strategy, self.objectives, self.actions, self.progress):
            if "dataset_id" in df:
                ids.update(str(v) for v in df["dataset_id"].dropna().unique())
        return sorted(ids)


def _lists(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        if col in frame:
            frame[col] = [
                [] if v is None or (isinstance(v, float) and pd.isna(v)) else [str(x) for x in v]
                for v in frame[col]
            ]
    return frame


def strategy_ids(db: Db = None) -> list[str]:
    """Ids of the strategies in the knowledge base."""
    return query("SELECT strategy_id FROM strategies ORDER BY 1", db=db)["strategy_id"].tolist()


def load_plan(strategy_id: str, db: Db = None) -> Plan:
    """The action plan of ``strategy_id`` (all its tables, read on one short read-only
    connection); an unknown id is a ValidationError."""
    of_plan = "action_id IN (SELECT action_id FROM strategy_actions WHERE strategy_id = ?)"
    sql = {
        "strategy": "SELECT * FROM strategies WHERE strategy_id = ?",
        "objectives": "SELECT * FROM strategy_objectives WHERE strategy_id = ?"
        " ORDER BY sort_order, objective_id",
        "actions": "SELECT * FROM strategy_actions WHERE strategy_id = ? ORDER BY action_id",
        "links": f"SELECT * FROM strategy_action_links WHERE {of_plan}"
        " ORDER BY action_id, link_type, target_id",
        "indicators": f"SELECT * FROM strategy_indicators WHERE {of_plan}"
        " ORDER BY action_id, indicator_id",
        "progress": f"SELECT * FROM strategy_progress WHERE {of_plan} ORDER BY action_id, period",
        "results": f"SELECT * FROM strategy_results WHERE {of_plan} ORDER BY action_id, result_id",
    }
    with reader(db) as con:
        frames = {k: con.execute(q, [strategy_id]).df() for k, q in sql.items()}
    if frames["strategy"].empty:
        known = ", ".join(strategy_ids(db)) or "none"
        raise ValidationError(
            f"strategy {strategy_id!r} is not in the knowledge base (known: {known})"
        )
    _lists(frames["actions"], "dimensions", "partner_regions")
    return Plan(**frames)


def load_scenarios(exercise_id: str, db: Db = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scenarios, implications) of a foresight exercise; ``signposts`` as Python lists."""
    scenarios = _lists(
        query(
            "SELECT * FROM strategy_scenarios WHERE exercise_id = ? ORDER BY scenario",
            [exercise_id],
            db=db,
        ),
        "signposts",
    )
    implications = query(
        "SELECT i.* FROM strategy_scenario_implications i JOIN dimensions d ON d.code = i.dimension"
        " WHERE exercise_id = ? ORDER BY scenario, d.sort_order",
        [exercise_id],
        db=db,
    )
    return scenarios, implications


def load_visions(strategy_id: str, db: Db = None) -> pd.DataFrame:
    """Vision statements of a strategy (region 'joint' first, then by region code)."""
    return query(
        "SELECT * FROM strategy_visions WHERE strategy_id = ? ORDER BY region <> 'joint', region",
        [strategy_id],
        db=db,
    )


def load_evidence(regions: Iterable[str] | None = None, db: Db = None) -> dict[str, pd.DataFrame]:
    """The evidence actions may link to: ``barriers`` (newest versions, of ``regions`` when given),
    ``mechanisms`` (id, name, type) and ``pilots`` (id, mechanism_id, title)."""
    barriers = load_barriers(list(regions) if regions is not None else None, db=db)
    mechanisms = query("SELECT mechanism_id, name, type FROM mechanisms ORDER BY 1", db=db)
    pilots = query("SELECT pilot_id, mechanism_id, title FROM pilots ORDER BY 1", db=db)
    return {"barriers": barriers, "mechanisms": mechanisms, "pilots": pilots}


@dataclass
class Initiative:
    """One initiative's register: one DataFrame per table of migration 0120."""

    initiative: pd.DataFrame
    signatories: pd.DataFrame
    commitments: pd.DataFrame
    self_assessments: pd.DataFrame
    bodies: pd.DataFrame
    mandates: pd.DataFrame

    @property
    def dataset_ids(self) -> list[str]:
        ids: set[str] = set()
        for df in (self.initiative, self.signatories, self.mandates):
            if "dataset_id" in df:
                ids.update(str(v) for v in df["dataset_id"].dropna().unique())
        return sorted(ids)


def initiative_ids(db: Db = None) -> list[str]:
    """Ids of the initiatives in the knowledge base."""
    return query("SELECT initiative_id FROM initiatives ORDER BY 1", db=db)[
        "initiative_id"
    ].tolist()


def load_initiative(initiative_id: str, db: Db = None) -> Initiative:
    """The register of ``initiative_id``; an unknown id is a ValidationError."""
    head = query("SELECT * FROM initiatives WHERE initiative_id = ?", [initiative_id], db=db)
    if head.empty:
        known = ", ".join(initiative_ids(db)) or "none"
        raise ValidationError(
            f"initiative {initiative_id!r} is not in the knowledge base (known: {known})"
        )
    tables = {
        "signatories": ("initiative_signatories", "signatory_id"),
        "commitments": ("initiative_commitments", "commitment_id"),
        "self_assessments": ("initiative_self_assessments", "signatory_id, year"),
        "bodies": ("initiative_bodies", "body_id"),
        "mandates": ("initiative_mandates", "body_id, start_date, signatory_id"),
    }
    with reader(db) as con:
        frames = {
            k: con.execute(
                f"SELECT * FROM {t} WHERE initiative_id = ? ORDER BY {order}", [initiative_id]
            ).df()
            for k, (t, order) in tables.items()
        }
    _lists(frames["commitments"], "applies_to")
    return Initiative(initiative=head, **frames)
