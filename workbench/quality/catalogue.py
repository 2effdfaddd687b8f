"""The data catalogue (``workbench/defaults/catalogue.yml``) joined with what the knowledge base holds."""

from __future__ import annotations

import os

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError

COLUMNS = ["code", "title", "level", "analysis", "role", "use", "select", "in_kb", "command"]


def catalogue_frame(
    analysis: str | None = None, db: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per dataset and analysis: role (uses/gains), why, the fetch command, KB status.

    ``in_kb`` says whether ``eurostat:CODE`` is in the knowledge base and which years it covers.
    """
    conf = load_defaults("catalogue")
    analyses = conf["analyses"]
    if analysis and analysis not in analyses:
        raise ValidationError(f"unknown analysis {analysis!r}; known: {', '.join(analyses)}")
    held = _held(db)
    rows = []
    for d in conf["datasets"]:
        for name, text in d["analyses"].items():
            if name not in analyses:
                raise ValidationError(
                    f"catalogue.yml: dataset {d['code']}: unknown analysis {name!r}"
                )
            if analysis and name != analysis:
                continue
            role, _, why = str(text).partition(" - ")
            select = ", ".join(f"{k}={v}" for k, v in (d.get("select") or {}).items())
            rows.append({
                "code": d["code"], "title": d["title"], "level": d.get("level", ""), "analysis": name,
                "role": role.strip(), "use": why.strip(), "select": select,
                "in_kb": held.get(f"eurostat:{d['code']}", "no"),
                "command": f"workbench fetch eurostat {d['code']}",
            })  # fmt: skip
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["role"] = frame["role"] + ": " + frame["use"]
    return frame.sort_values(["analysis", "code"], key=lambda s: s.map(str), ignore_index=True)


def _held(db: str | os.PathLike[str] | None) -> dict[str, str]:
    """``dataset_id -> 'yes, 2008-2015'`` for Eurostat datasets in the knowledge base (none: {})."""
    from workbench.config import db_path
    from workbench.kb import query

    if not db_path(db).exists():
        return {}
    frame = query(
        "SELECT d.dataset_id, min(o.period) AS lo, max(o.period) AS hi FROM datasets d"
        " LEFT JOIN observations o USING (dataset_id) WHERE d.dataset_id LIKE 'eurostat:%' GROUP BY 1",
        db=db,
    )
    return {
        str(r["dataset_id"]): f"yes, {r['lo']}-{r['hi']}" if r["lo"] else "yes"
        for r in frame.to_dict("records")
    }
