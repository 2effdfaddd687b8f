"""Loaders of the project domain: the only module that reads the knowledge base."""

from __future__ import annotations

import os

from workbench.errors import ParameterError
from workbench.kb.access import reader
from workbench.projects.model import TABLES, ProjectModel, columns


def project_ids(db: str | os.PathLike[str] | None = None) -> list[str]:
    """Every project in the knowledge base."""
    with reader(db) as con:
        return [r[0] for r in con.execute("SELECT project_id FROM projects ORDER BY 1").fetchall()]


def load_project(project_id: str = "", db: str | os.PathLike[str] | None = None) -> ProjectModel:
    """One project as a :class:`ProjectModel` (empty ``project_id``: the only/first project)."""
    ids = project_ids(db)
    if not ids:
        raise ParameterError("the knowledge base holds no project (workbench project import FILE)")
    project_id = project_id or ids[0]
    if project_id not in ids:
        raise ParameterError(f"project_id {project_id!r} is not in the knowledge base: {ids}")
    frames = {}
    with reader(db) as con:
        for sheet, (table, _cols) in TABLES.items():
            cols = ", ".join(columns(sheet))
            frames[sheet] = con.execute(
                f"SELECT {cols} FROM {table} WHERE project_id = ?", [project_id]
            ).df()
        datasets = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT dataset_id FROM projects WHERE project_id = ?", [project_id]
            ).fetchall()
            if r[0]
        ]
    return ProjectModel(project_id=project_id, frames=frames, dataset_ids=datasets)
