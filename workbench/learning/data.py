"""Knowledge-base loaders of the learning platform (the only module here that reads DuckDB)."""

from __future__ import annotations

import pandas as pd

from workbench.kb import query
from workbench.kb.names import region_names

Db = str | None

__all__ = ["pilot_regions", "region_names", "regions_with_employment"]


def pilot_regions(db: Db = None) -> pd.DataFrame:
    """Pilot regions with the pilot's title, mechanism and the mechanism's dimensions (list)."""
    return query(
        """
        SELECT r.pilot_id, r.region, r.role, p.title, p.status, p.mechanism_id, m.name AS mechanism,
               list(d.dimension ORDER BY d.dimension) FILTER (WHERE d.dimension IS NOT NULL)
                   AS dimensions
        FROM pilot_regions r JOIN pilots p USING (pilot_id)
        LEFT JOIN mechanisms m USING (mechanism_id)
        LEFT JOIN mechanism_dimensions d USING (mechanism_id)
        GROUP BY ALL ORDER BY r.pilot_id, r.region
        """,
        db=db,
    )


def regions_with_employment(db: Db = None) -> list[str]:
    """NUTS 2 regions with employment observations (the regions a learner can choose)."""
    frame = query(
        "SELECT DISTINCT region FROM observations WHERE length(region) = 4 ORDER BY 1", db=db
    )
    return frame["region"].tolist()


def load_practices(db: Db = None, *, published_only: bool = False) -> pd.DataFrame:
    """The good-practice library (list columns as Python lists); ``published_only``: the states of
    learning.yml ``practices.published_states``."""
    from workbench.config import load_defaults

    where = ""
    params: list[object] = []
    if published_only:
        states = load_defaults("learning")["practices"]["published_states"]
        where = f" WHERE validation_state IN ({', '.join('?' * len(states))})"
        params = list(states)
    frame = query(f"SELECT * FROM good_practices{where} ORDER BY practice_id", params, db=db)
    for c in ("dimensions", "nace_sectors", "evidence_links"):
        frame[c] = frame[c].map(lambda v: list(v) if v is not None else [])
    return frame


def practice_history(practice_id: str, db: Db = None) -> pd.DataFrame:
    """The validation log of one practice, oldest first."""
    return query(
        "SELECT * FROM practice_validations WHERE practice_id = ? ORDER BY changed_at",
        [practice_id],
        db=db,
    )


def barriers_of(region: str, db: Db = None) -> pd.DataFrame:
    """The target region's barriers (newest versions; ``dimensions`` as lists)."""
    from workbench.policy.data import load_barriers

    return load_barriers([region], db=db)


GROUP_TABLES = ("wg_groups", "wg_members", "wg_meetings", "wg_attendance", "wg_decisions",
                "wg_action_items")  # fmt: skip


def group_tables(db: Db = None, group_id: str | None = None) -> dict[str, pd.DataFrame]:
    """The working-group tables (all groups, or one), by table name without the ``wg_`` prefix."""
    out = {}
    for table in GROUP_TABLES:
        sql = f"SELECT * FROM {table}"
        params: list[object] = []
        if group_id and table != "wg_attendance" and table != "wg_decisions":
            sql += " WHERE group_id = ?"
            params = [group_id]
        out[table.removeprefix("wg_")] = query(sql, params, db=db)
    if group_id:
        ids = set(out["meetings"]["meeting_id"])
        out["attendance"] = out["attendance"][out["attendance"]["meeting_id"].isin(ids)]
        out["decisions"] = out["decisions"][out["decisions"]["meeting_id"].isin(ids)]
    return out
