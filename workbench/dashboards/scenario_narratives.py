"""Scenario narratives of a foresight exercise's 2x2 frame (issue 17 item 1), edited in the
foresight facilitator dashboard (tab "Scenario narratives").

Per scenario (HH, HL, LH, LL: level of axis A then axis B, the codes of
:func:`workbench.foresight.scenarios.scenario_frame`): a name, the story, signposts to watch (one per
line) and the implications per cluster eco-system dimension.  Saving validates
(:func:`workbench.strategy.codraft.validate_scenario`) and appends to the capture inbox (kind
``strategy.scenario``), then merges into ``strategy_scenarios`` / ``strategy_scenario_implications``.
All text typed by people is escaped when shown.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import ipywidgets as w
import pandas as pd

from workbench import capture
from workbench.dashboards import kit
from workbench.errors import KBBusyError, ValidationError, WorkbenchError
from workbench.policy.settings import DIMENSION_LABELS, DIMENSIONS
from workbench.strategy import capture_kinds as _kinds  # noqa: F401  (registers the mergers)
from workbench.strategy import codraft
from workbench.strategy.data import load_scenarios

FULL = w.Layout(width="100%", max_width="760px")
LEVELS = {"H": "high", "L": "low"}


class ScenarioNarrativeEditor:
    """The editor; ``.container`` is the widget (a tab of the facilitator page)."""

    def __init__(self, exercise_id: str, db: str | os.PathLike[str] | None = None) -> None:
        self.db = db
        self.exercise_id = exercise_id
        self.axes: tuple[str | None, str | None] = (None, None)
        self.labels: dict[str, str] = {}
        self.saved = pd.DataFrame()
        self.implications = pd.DataFrame()
        self.pick = w.Dropdown(description="Scenario", options=list(codraft.SCENARIOS), layout=FULL)
        self.pick.observe(lambda _ch: self.load_fields(), names="value")
        self.name = w.Text(description="Name", placeholder="a short, memorable name", layout=FULL)
        self.story = w.Textarea(
            description="Story", placeholder="how this future unfolds", layout=w.Layout(
                width="100%", max_width="760px", height="140px")
        )  # fmt: skip
        self.signposts = w.Textarea(
            description="Signposts", placeholder="one signpost to watch per line", layout=FULL
        )
        self.impl = {
            d: w.Textarea(description=d, placeholder=DIMENSION_LABELS[d], layout=FULL)
            for d in DIMENSIONS
        }
        self.author = w.Text(description="Author", placeholder="optional")
        self.save_button = w.Button(description="Save narrative", button_style="primary")
        self.save_button.on_click(lambda _b: self.save())
        self.status = kit.Status("sn-status")
        self.frame_html = w.HTML()
        self.saved_html = w.HTML()
        for name, widget in (("pick", self.pick), ("name", self.name), ("story", self.story),
                             ("signposts", self.signposts), ("save", self.save_button),
                             ("frame", self.frame_html), ("saved", self.saved_html)):  # fmt: skip
            widget.add_class(f"sn-{name}")
        for d, box in self.impl.items():
            box.add_class(f"sn-impl-{d}")
        self.container = w.VBox(
            [self.frame_html, self.pick, self.name, self.story, self.signposts,
             w.HTML("<b>Implications per dimension</b>"), *self.impl.values(), self.author,
             w.HBox([self.save_button, self.status]), self.saved_html],
        )  # fmt: skip
        self.container.add_class("scenario-narratives")
        self.refresh()

    def set_exercise(self, exercise_id: str) -> None:
        """Show another exercise's narratives."""
        self.exercise_id = exercise_id
        self.refresh()

    def set_axes(self, axis_a: str | None, axis_b: str | None, labels: dict[str, str]) -> None:
        """The two critical uncertainties chosen on the impact/uncertainty tab (driver ids) and the
        driver labels (for the scenario titles)."""
        self.axes = (axis_a, axis_b)
        self.labels = dict(labels)
        self.render()

    def title(self, scenario: str) -> str:
        """``High <axis A> / low <axis B>`` for a scenario code."""
        a, b = (self.labels.get(x or "", x or "?") for x in self.axes)
        return f"{LEVELS[scenario[0]].capitalize()} {a} / {LEVELS[scenario[1]]} {b}"

    def refresh(self) -> None:
        """Re-read the exercise's narratives and redraw."""
        try:
            self.saved, self.implications = load_scenarios(self.exercise_id, db=self.db)
        except WorkbenchError as exc:
            self.status.error(str(exc))
            return
        self.render()
        self.load_fields()

    def render(self) -> None:
        """The scenario titles of the current axes and the table of saved narratives."""
        self.pick.options = [(f"{s}: {self.title(s)}", s) for s in codraft.SCENARIOS]
        rows: list[dict[str, Any]] = []
        for r in self.saved.to_dict("records"):
            imp = self.implications[self.implications["scenario"] == r["scenario"]]
            rows.append({
                "scenario": r["scenario"], "name": r["name"],
                "signposts": len(r["signposts"] or []),
                "implications": ", ".join(imp["dimension"]),
                "axes": f"{r.get('axis_a') or '?'} x {r.get('axis_b') or '?'}",
            })  # fmt: skip
        stale = [
            r["scenario"]
            for r in self.saved.to_dict("records")
            if self.axes[0] and (r.get("axis_a"), r.get("axis_b")) != self.axes
        ]
        warn = (
            kit.status_html(
                "warn",
                f"Narratives {', '.join(stale)} were written for other axes than the ones chosen now.",
            )
            if stale
            else ""
        )
        self.saved_html.value = "<h4>Saved narratives</h4>" + warn + kit.table_html(
            rows, ["scenario", "name", "signposts", "implications", "axes"],
            css_class="sn-table", empty="No narrative saved yet.",
            row_attrs=lambda r: {"data-scenario": r["scenario"]},
        )  # fmt: skip
        self.frame_html.value = (
            "<p class='wb-muted'>Write one narrative per quadrant of the 2x2 frame chosen on the "
            "impact/uncertainty tab (axis A: "
            f"{kit.h(self.labels.get(self.axes[0] or '', self.axes[0] or 'not chosen'))}; axis B: "
            f"{kit.h(self.labels.get(self.axes[1] or '', self.axes[1] or 'not chosen'))}).</p>"
        )

    def load_fields(self) -> None:
        """Fill the form with the saved narrative of the chosen scenario (empty when none)."""
        s = self.pick.value
        found = self.saved[self.saved["scenario"] == s] if len(self.saved) else self.saved
        row = found.iloc[0].to_dict() if len(found) else {}
        self.name.value = str(row.get("name") or "")
        self.story.value = str(row.get("story") or "")
        self.signposts.value = "\n".join(row.get("signposts") or [])
        imp = (
            self.implications[self.implications["scenario"] == s]
            if len(self.implications)
            else self.implications
        )
        texts = dict(zip(imp.get("dimension", []), imp.get("implication", []), strict=True))
        for d, box in self.impl.items():
            box.value = str(texts.get(d) or "")

    def payload(self) -> dict[str, Any]:
        """The form as a ``strategy.scenario`` payload."""
        return {
            "exercise_id": self.exercise_id,
            "scenario": self.pick.value,
            "axis_a": self.axes[0],
            "axis_b": self.axes[1],
            "name": self.name.value,
            "story": self.story.value,
            "signposts": self.signposts.value,
            "implications": {d: box.value for d, box in self.impl.items()},
            "author": self.author.value,
        }

    def save(self) -> bool:
        """Validate, append to the inbox, merge; show the outcome."""
        try:
            capture.submit(
                codraft.SCENARIO_KIND, self.payload(), client_id="facilitator",
                idempotency_key=f"scenario-{uuid.uuid4().hex}", db=self.db,
            )  # fmt: skip
        except (ValidationError, KBBusyError) as exc:
            self.status.error(str(exc))
            return False
        try:
            merged = capture.merge(db=self.db, kinds=[codraft.SCENARIO_KIND], raise_busy=True)
        except WorkbenchError as exc:
            self.status.warn(f"Saved in the inbox; {exc}")
            return True
        scenario = self.pick.value
        self.refresh()
        self.pick.value = scenario
        self.status.ok(
            f"Saved narrative {scenario} \u201c{self.name.value}\u201d"
            + ("" if merged else " (already stored)")
        )
        return True
