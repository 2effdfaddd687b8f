"""The training package's lessons (``training/lessons/*.ipynb``): catalogue, start-up, execution.

A lesson is a notebook with a ``parameters`` cell (``region``: the learner's NUTS 2 region,
``worksheet_dir``: where the worksheet goes), teaching cells on the demo knowledge base, a quiz
from ``training/quizzes/<bank>.yml`` and an exercise that writes the learner's worksheet.
:func:`run_lesson` executes one with papermill for a region; ``workbench training`` wraps it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import project_root
from workbench.errors import ValidationError


def training_dir() -> Path:
    """``training/`` of the project (env ``WORKBENCH_TRAINING_DIR`` overrides)."""
    env = os.environ.get("WORKBENCH_TRAINING_DIR")
    return Path(env) if env else project_root() / "training"


@dataclass(frozen=True)
class Lesson:
    """One lesson notebook: its id (file stem), title (first heading) and quiz bank."""

    id: str
    title: str
    path: Path
    quiz: str


def lessons(folder: str | Path | None = None) -> list[Lesson]:
    """Every lesson in ``training/lessons`` in order (title from the first Markdown heading; quiz
    bank from the notebook metadata ``workbench.quiz``)."""
    folder = Path(folder) if folder else training_dir() / "lessons"
    out = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        title = path.stem
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                first = "".join(cell.get("source", "")).lstrip().splitlines()[0]
                title = first.lstrip("# ").strip()
                break
        quiz = ((nb.get("metadata") or {}).get("workbench") or {}).get("quiz", "")
        out.append(Lesson(id=path.stem, title=title, path=path, quiz=quiz))
    return out


def lesson(lesson_id: str, folder: str | Path | None = None) -> Lesson:
    """A lesson by id or by its two-digit number (``"01"`` or ``"01_regional_context"``)."""
    every = lessons(folder)
    found = [ls for ls in every if ls.id == lesson_id or ls.id.split("_")[0] == lesson_id]
    if not found:
        raise ValidationError(
            f"no lesson {lesson_id!r}; lessons: {', '.join(ls.id for ls in every)}"
        )
    return found[0]


def start_lesson() -> None:
    """Select the offline-safe plotly renderer and the house style (like a report does)."""
    from workbench.reporting.figures import configure_plotly_renderer

    configure_plotly_renderer()


def show_quiz(bank: str) -> Any:
    """The lesson's quiz questions as Markdown (answers stay in the bank, scored by
    ``workbench training quiz``)."""
    from IPython.display import Markdown

    from workbench.learning.quiz import load_bank, questions_markdown

    return Markdown(questions_markdown(load_bank(training_dir() / "quizzes" / f"{bank}.yml")))


def run_lesson(
    lesson_id: str,
    region: str,
    out: str | Path,
    *,
    db: str | None = None,
    timeout: int = 600,
    source: str | Path | None = None,
) -> dict[str, Path]:
    """Execute a lesson with papermill for ``region``; the executed notebook and the worksheet
    (Markdown + CSVs) go to ``out``; ``source`` is another lessons folder.  Returns ``{"notebook": ..., "worksheet": ...}``."""
    import papermill

    from workbench.learning.exercises import exercise_parameters

    region = exercise_parameters(region)
    item = lesson(lesson_id, source)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{item.id}__{region}.ipynb"
    env_before = os.environ.get("WORKBENCH_DB")
    if db:
        os.environ["WORKBENCH_DB"] = str(db)
    try:
        papermill.execute_notebook(
            str(item.path),
            str(executed),
            parameters={"region": region, "worksheet_dir": str(out.resolve())},
            kernel_name="workbench",
            cwd=str(item.path.parent),
            progress_bar=False,
            execution_timeout=timeout,
        )
    finally:
        if db:
            if env_before is None:
                os.environ.pop("WORKBENCH_DB", None)
            else:
                os.environ["WORKBENCH_DB"] = env_before
    sheets = sorted(out.glob(f"{item.id}_{region.lower()}.md"))
    if not sheets:
        raise ValidationError(f"lesson {item.id} ran but wrote no worksheet for {region} in {out}")
    return {"notebook": executed, "worksheet": sheets[0]}


def show_table(frame: Any, max_rows: int = 12) -> Any:
    """A table for a lesson: numbers to 3 significant digits, '–' for missing values, the first
    ``max_rows`` rows (Markdown, so it reads the same in JupyterLab and on the training site)."""
    from IPython.display import Markdown

    from workbench.learning.worksheet import markdown_table

    return Markdown(markdown_table(frame, max_rows=max_rows))
