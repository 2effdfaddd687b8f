"""Facilitator dashboard of a foresight workshop (Voila): live progress, rounds, Delphi statistics,
impact/uncertainty matrix and scenario axes, MICMAC structural analysis, comments.

Reads the knowledge base plus submissions still pending in the capture inbox (merging first when the
writer lock is free), so fresh answers show up at once.  Never shows participant codes: progress is
counts per item, comments are listed without their author.  All participant text is escaped
(the shared dashboard kit, :mod:`workbench.dashboards.kit`).
"""

from __future__ import annotations

import logging
import os
import threading
from copy import deepcopy
from typing import cast

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from workbench import capture
from workbench.dashboards import kit
from workbench.dashboards.scenario_narratives import ScenarioNarrativeEditor
from workbench.errors import WorkbenchError
from workbench.foresight import capture_kinds as _kinds  # noqa: F401  (registers the mergers)
from workbench.foresight import delphi, micmac, scenarios
from workbench.foresight.model import (
    Exercise,
    list_exercises,
    load_exercise,
    progress,
    round_answers,
)
from workbench.foresight.state import current_state, publish_state, set_round

log = logging.getLogger(__name__)


_h = kit.h


def _table(df: pd.DataFrame, float_format: str = "{:.2f}") -> str:
    """HTML table with every cell escaped (the shared dashboard kit's table)."""
    floats = {str(c): float_format for c in df.columns if df[c].dtype.kind == "f"}
    return kit.table_html(
        df.to_dict("records"), [str(c) for c in df.columns], css_class="fs-table", formats=floats
    )


def _publish_figure_state(fig: go.FigureWidget) -> None:
    """Copy the figure's current traces and layout into the widget's synced state.

    A ``FigureWidget`` sends later edits (``add_scatter``, ``data = []``) to the browser only as
    one-off messages that an already open view applies; its synced state (``_widget_data`` /
    ``_widget_layout``) is refreshed only by ``FigureWidget._repr_mimebundle_``, i.e. when the
    figure itself is displayed.  Nested in a Tab/VBox (never displayed on its own) and filled before
    the browser connects (Voila runs the notebook first), the view is built from the empty state of
    the constructor: axes without points.  plotly 7.1 / anywidget 0.11.
    """
    fig._widget_layout = deepcopy(fig._layout_obj._props)
    fig._widget_data = deepcopy(fig._data)


CSS = kit.CSS  # the shared dashboard stylesheet (workbench/dashboards/kit.py)


class ForesightFacilitator:
    """The facilitator page; ``.container`` is the widget to display."""

    def __init__(
        self,
        exercise_id: str = "",
        db: str | os.PathLike[str] | None = None,
        *,
        auto_refresh_s: float = 0.0,
    ) -> None:
        self.db = db
        exercises = list_exercises(db)
        if exercises.empty:
            raise WorkbenchError(
                "no foresight exercise in the knowledge base: run `workbench demo`"
            )
        ids = exercises["exercise_id"].tolist()
        self.exercise_id = exercise_id or ids[0]
        self.pick = w.Dropdown(options=ids, value=self.exercise_id, description="Exercise")
        self.pick.observe(lambda ch: self._switch(ch["new"]), names="value")
        self.refresh_button = w.Button(description="Refresh", icon="")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.message = w.HTML()
        self.round_pick = w.Dropdown(description="Round")
        self.round_pick.observe(lambda _ch: self._render_round(), names="value")
        self.progress_html = w.HTML()
        self.round_buttons = w.HBox()
        self.stats_html = w.HTML()
        self.axis_a = w.Dropdown(description="Axis A")
        self.axis_b = w.Dropdown(description="Axis B")
        self.axis_a.observe(lambda _ch: self._render_scenarios(), names="value")
        self.axis_b.observe(lambda _ch: self._render_scenarios(), names="value")
        self.scenario_html = w.HTML()
        self.matrix_fig = go.FigureWidget(
            layout={
                "height": 420,
                "margin": {"l": 40, "r": 10, "t": 30, "b": 40},
                "xaxis_title": "uncertainty (mean 1-5)",
                "yaxis_title": "impact (mean 1-5)",
            }
        )
        self.micmac_fig = go.FigureWidget(
            layout={
                "height": 420,
                "margin": {"l": 40, "r": 10, "t": 30, "b": 40},
                "xaxis_title": "dependence",
                "yaxis_title": "influence",
            }
        )
        self.micmac_html = w.HTML()
        self.comments_html = w.HTML()
        self.drivers_html = w.HTML()
        # scenario narratives of the 2x2 frame (issue 17 item 1, owner: codraft)
        self.narratives = ScenarioNarrativeEditor(self.exercise_id, db)
        tabs = w.Tab(
            children=[
                w.VBox([self.round_pick, self.round_buttons, self.progress_html]),
                self.stats_html,
                w.VBox([self.matrix_fig, w.HBox([self.axis_a, self.axis_b]), self.scenario_html]),
                w.VBox([self.micmac_fig, self.micmac_html]),
                w.VBox([self.comments_html, self.drivers_html]),
                self.narratives.container,
            ]
        )
        for i, name in enumerate(
            [
                "Progress & rounds",
                "Delphi statistics",
                "Impact/uncertainty",
                "MICMAC",
                "Comments & drivers",
                "Scenario narratives",
            ]
        ):
            tabs.set_title(i, name)
        tabs.selected_index = 0
        self.tabs = tabs
        self.container = w.VBox(
            [
                w.HTML(CSS + "<h3>Foresight workshop: facilitator</h3>"),
                w.HBox([self.pick, self.refresh_button]),
                self.message,
                tabs,
            ]
        )
        self.container.add_class("foresight-facilitator")
        self.ex: Exercise | None = None
        self._seen_seq = -1
        self._stop = threading.Event()
        self.refresh()
        if current_state(self.exercise_id, db=db) is None:
            self._publish()
        if auto_refresh_s > 0:
            threading.Thread(target=self._loop, args=(auto_refresh_s,), daemon=True).start()

    # -- data -------------------------------------------------------------------------------------
    def _loop(self, every: float) -> None:
        """Live view: redraw only when the inbox has something new, so a closed page's kernel goes
        quiet and is culled as idle."""
        while not self._stop.wait(every):
            try:
                if capture.last_seq(self.db) != self._seen_seq:
                    self.refresh()
            except Exception:  # keep the loop alive; the message shows the problem
                log.exception("auto refresh failed")

    def _switch(self, exercise_id: str) -> None:
        self.exercise_id = exercise_id
        self.narratives.set_exercise(exercise_id)
        self.refresh()

    def refresh(self) -> None:
        """Merge pending submissions (when the writer is free) and redraw everything."""
        try:
            self._seen_seq = capture.last_seq(self.db)
            merged = capture.merge(db=self.db)
            self.ex = load_exercise(self.exercise_id, db=self.db)
        except WorkbenchError as exc:
            self.message.value = kit.status_html("error", str(exc), extra_class="fs-err")
            return
        ex = self.ex
        n_people = ex.answers["participant_code"].nunique()
        self.message.value = (
            f"<b>{_h(ex.exercise['title'])}</b> - {n_people} participants answered; "
            f"{merged} new submissions merged, {ex.pending} still in the inbox"
            + (" - <i>synthetic demo data</i>" if ex.synthetic else "")
        )
        rounds = sorted(int(r) for r in ex.rounds["round_no"])
        current = self.round_pick.value
        self.round_pick.options = [(f"Round {r} ({self._status(r)})", r) for r in rounds]
        open_rounds = [r for r in rounds if self._status(r) == "open"]
        self.round_pick.value = (
            current if current in rounds else (open_rounds[0] if open_rounds else rounds[-1])
        )
        self._render_round()
        self._render_matrix()
        self._render_micmac()
        self._render_comments()

    def _status(self, round_no: int) -> str:
        assert self.ex is not None
        row = self.ex.rounds[self.ex.rounds["round_no"] == round_no].iloc[0]
        return str(row["status"]) + (", shared" if bool(row["results_shared"]) else "")

    # -- rounds & Delphi --------------------------------------------------------------------------
    def _render_round(self) -> None:
        if self.ex is None or self.round_pick.value is None:
            return
        ex, r = self.ex, int(self.round_pick.value)
        prog = progress(ex, r)
        self.progress_html.value = (
            CSS + f"<p>Answers per statement in round {r} (no identities shown):</p>" + _table(prog)
        )
        status = self._status(r)
        buttons = []
        if status.startswith("open"):
            buttons += [
                self._action("Close round", r, "closed", False),
                self._action("Close and share results", r, "closed", True),
            ]
        else:
            buttons += [self._action("Open round", r, "open", False)]
            if status == "closed":
                buttons.append(self._action("Share results", r, "closed", True))
        buttons.append(
            self._action(
                f"Open round {max(ex.rounds['round_no']) + 1}",
                int(max(ex.rounds["round_no"])) + 1,
                "open",
                False,
            )
        )
        self.round_buttons.children = buttons
        self._render_stats(r)

    def _action(self, label: str, round_no: int, status: str, share: bool) -> w.Button:
        button = w.Button(description=label, layout=w.Layout(width="auto"))
        button.on_click(lambda _b: self.set_round(round_no, status, share))
        return button

    def set_round(self, round_no: int, status: str, share: bool = False) -> None:
        """Open/close a round (only one open at a time) and publish the new state to participants."""
        assert self.ex is not None
        if status == "open":
            others = [
                int(r)
                for r in self.ex.rounds.loc[self.ex.rounds["status"] == "open", "round_no"]
                if int(r) != round_no
            ]
            if others:
                self.message.value = kit.status_html(
                    "error", f"Close round {others[0]} first.", extra_class="fs-err"
                )
                return
        set_round(self.exercise_id, round_no, status, results_shared=share, db=self.db)
        self.refresh()

    def _publish(self) -> None:
        publish_state(self.exercise_id, db=self.db)

    def item_stats(self, round_no: int) -> pd.DataFrame:
        """Per-statement statistics of a round (latest answer of each participant)."""
        assert self.ex is not None
        answers = round_answers(self.ex, round_no)
        scales = self.ex.statements.set_index("statement_id")["scale_points"]
        return delphi.item_stats(answers, scales)

    def _render_stats(self, r: int) -> None:
        assert self.ex is not None
        answers = round_answers(self.ex, r)
        if answers.empty:
            self.stats_html.value = f"<p>No answers in round {r} yet.</p>"
            return
        parts = [CSS, f"<h4>Round {r}: per statement</h4>", _table(self.item_stats(r))]
        try:
            kw = delphi.kendall_w(
                answers, self.ex.statements.set_index("statement_id")["scale_points"]
            )
            parts.append(
                f"<p>Kendall's W = <b>{kw['W']:.3f}</b> (m = {int(kw['m'])} raters, n = {int(kw['n'])} items, "
                f"chi2 = {kw['chi2']:.1f}, p = {kw['p_value']:.3g})</p>"
            )
        except WorkbenchError as exc:
            parts.append(f"<p>Kendall's W: {_h(exc)}</p>")
        previous = round_answers(self.ex, r - 1) if r > 1 else pd.DataFrame()
        if len(previous):
            parts += [
                f"<h4>Stability between rounds {r - 1} and {r}</h4>",
                _table(delphi.stability(previous, answers), "{:.3f}"),
            ]
        self.stats_html.value = "".join(parts)

    # -- impact / uncertainty + scenarios ------------------------------------------------------------
    def _render_matrix(self) -> None:
        assert self.ex is not None
        if self.ex.ratings.empty:
            return
        self.matrix = scenarios.impact_uncertainty(self.ex.ratings, self.ex.drivers)
        m = self.matrix
        with self.matrix_fig.batch_update():
            self.matrix_fig.data = []
            for quadrant, part in m.groupby("quadrant"):
                self.matrix_fig.add_scatter(
                    x=part["uncertainty_mean"],
                    y=part["impact_mean"],
                    mode="markers+text",
                    text=[_h(t) for t in part["driver_id"]],
                    textposition="top center",
                    hovertext=[_h(t) for t in part["label"]],
                    name=str(quadrant),
                )
        _publish_figure_state(self.matrix_fig)
        options = [(f"{d} {label}", d) for d, label in zip(m["driver_id"], m["label"], strict=True)]
        auto = cast(tuple[str, str], scenarios.critical_uncertainties(m, self.ex.ratings)["axes"])
        for box, default in ((self.axis_a, auto[0]), (self.axis_b, auto[1])):
            keep = box.value
            box.options = options
            box.value = keep if keep in m["driver_id"].tolist() else default
        self._render_scenarios()

    def _render_scenarios(self) -> None:
        if self.ex is None or self.axis_a.value is None or self.axis_b.value is None:
            return
        try:
            choice = scenarios.critical_uncertainties(
                self.matrix, self.ex.ratings, (self.axis_a.value, self.axis_b.value)
            )
        except WorkbenchError as exc:
            self.scenario_html.value = kit.status_html("error", str(exc), extra_class="fs-err")
            return
        labels = self.matrix.set_index("driver_id")["label"]
        a, b = cast(tuple[str, str], choice["axes"])
        self.narratives.set_axes(a, b, {str(k): str(v) for k, v in labels.items()})
        frame = scenarios.scenario_frame(labels[a], labels[b])
        warn = (
            kit.status_html("warn", f"Warning: {choice['warning']}", extra_class="fs-warn")
            if choice["warning"]
            else ""
        )
        rho = "n/a" if choice["rho"] is None else f"{choice['rho']:.2f}"
        self.scenario_html.value = (
            CSS
            + warn
            + f"<p>Spearman rho between the axes: {rho} (n = {choice['n']})</p>"
            + _table(frame[["scenario", "title"]])
            + _table(self.matrix.drop(columns=["steep"]))
        )

    # -- MICMAC -----------------------------------------------------------------------------------
    def _render_micmac(self) -> None:
        assert self.ex is not None
        if self.ex.influences.empty:
            self.micmac_html.value = "<p>No influences entered yet.</p>"
            return
        try:
            table, power = micmac.micmac(micmac.influence_matrix(self.ex.influences))
        except WorkbenchError as exc:
            self.micmac_html.value = kit.status_html("error", str(exc), extra_class="fs-err")
            return
        with self.micmac_fig.batch_update():
            self.micmac_fig.data = []
            for kind in ("direct", "indirect"):
                self.micmac_fig.add_scatter(
                    x=table[f"dependence_{kind}"],
                    y=table[f"influence_{kind}"],
                    mode="markers+text",
                    text=[_h(v) for v in table["variable"]],
                    textposition="top center",
                    name=kind,
                )
        _publish_figure_state(self.micmac_fig)
        moved = micmac.moved_variables(table)
        self.micmac_html.value = (
            CSS
            + (
                kit.status_html("warn", table.attrs["indirect_note"], extra_class="fs-err")
                if table.attrs.get("indirect_note")
                else f"<p>Indirect classification stable at matrix power {power}.</p>"
            )
            + _table(
                table[
                    [
                        "variable",
                        "influence_direct",
                        "dependence_direct",
                        "quadrant_direct",
                        "influence_indirect",
                        "dependence_indirect",
                        "quadrant_indirect",
                    ]
                ],
                "{:.1f}",
            )
            + "<h4>Variables whose rank moves</h4>"
            + (
                _table(moved[["variable", "rank_move_influence", "rank_move_dependence"]])
                if len(moved)
                else "<p>none</p>"
            )
        )

    # -- comments ---------------------------------------------------------------------------------
    def _render_comments(self) -> None:
        assert self.ex is not None
        c = self.ex.comments
        if c.empty:
            self.comments_html.value = "<p>No comments yet.</p>"
        else:
            shown = c.sort_values("submitted_at")[["round_no", "statement_id", "text"]]
            self.comments_html.value = CSS + "<h4>Comments (authors not shown)</h4>" + _table(shown)
        proposed = self.ex.drivers[self.ex.drivers["status"] == "proposed"]
        self.drivers_html.value = (
            CSS + "<h4>Proposed drivers</h4>" + _table(proposed[["label", "steep", "description"]])
            if len(proposed)
            else "<p>No proposed drivers.</p>"
        )
