"""The learner's worksheet: what a lesson's exercise produced for the learner's own region.

A worksheet holds findings in words, a few tables (each also written as CSV) and open questions
with space for the learner's answers.  :meth:`Worksheet.save` writes ``<lesson>_<region>.md`` and
the CSVs into a folder (a trainer collects the folder); :meth:`Worksheet.markdown` is what the
lesson shows.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

WORKSHEET_DIR_ENV = "WORKBENCH_REPORT_DIR"  # set by `workbench run` to the run's folder


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "worksheet"


def _fmt(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value).replace("|", "/")


def markdown_table(frame: pd.DataFrame, max_rows: int = 12) -> str:
    """A Markdown table of the first ``max_rows`` rows (numbers to 3 significant digits, no NaN)."""
    shown = frame.head(max_rows)
    head = "| " + " | ".join(str(c) for c in shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    more = (
        ["", f"*Showing {len(shown)} of {len(frame)} rows; all rows in the CSV.*"]
        if len(frame) > len(shown)
        else []
    )
    return "\n".join([head, rule, *body, *more])


@dataclass
class Worksheet:
    """One exercise's output for one region."""

    lesson: str
    title: str
    region: str
    region_name: str
    findings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    questions: list[str] = field(default_factory=list)
    synthetic: bool = True

    @property
    def stem(self) -> str:
        return f"{_slug(self.lesson)}_{_slug(self.region)}"

    def markdown(self) -> str:
        """The worksheet as Markdown: header, findings, tables, questions with answer space."""
        parts = [
            f"# Worksheet: {self.title}",
            f"**Region:** {self.region_name} ({self.region})  ",
            f"**Lesson:** {self.lesson}",
        ]
        if self.synthetic:
            parts.append("*Computed from the synthetic demo data: numbers are illustrative.*")
        if self.findings:
            parts += ["## What the data say", "\n".join(f"- {f}" for f in self.findings)]
        for name, table in self.tables.items():
            parts += [f"## {name}", markdown_table(table)]
        if self.questions:
            parts.append("## Your answers")
            for n, q in enumerate(self.questions, start=1):
                parts += [f"{n}. {q}", "", "   > ", ""]
        return "\n\n".join(parts) + "\n"

    def save(self, folder: str | Path = "") -> Path:
        """Write ``<stem>.md`` and one CSV per table into ``folder`` (empty: ``$WORKBENCH_REPORT_DIR``
        when a batch runs the lesson, else ``./worksheets``); returns the Markdown path."""
        target = Path(folder or os.environ.get(WORKSHEET_DIR_ENV) or "worksheets")
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{self.stem}.md"
        path.write_text(self.markdown(), encoding="utf-8")
        for name, table in self.tables.items():
            out = table.copy()
            if self.synthetic:
                out["synthetic_data"] = True
            out.to_csv(target / f"{self.stem}__{_slug(name)}.csv", index=False)
        return path

    def _repr_markdown_(self) -> str:
        return self.markdown()
