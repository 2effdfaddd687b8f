"""Scoring dashboard: evaluators enter criteria scores and comments and watch the ranking update.

Each saved score goes to the capture inbox (:mod:`workbench.capture`, kind
``evaluation.criteria_score``), never straight into DuckDB, so many evaluators can save at the same
time while imports, batches and other dashboards use the knowledge base; the inbox is merged into
``criteria_scores`` by ``workbench serve`` / ``capture.merge``.  "Saved" is shown only after the
inbox commit returned.  The ranking combines the scores in the knowledge base with those still
waiting in the inbox (:func:`workbench.evaluation.data.current_scores`), so it changes at once.
"""

from __future__ import annotations

import html
import os
import uuid
from datetime import datetime
from typing import Any

import ipywidgets as W
import pandas as pd

from workbench import capture
from workbench.config import load_defaults
from workbench.errors import KBBusyError, WorkbenchError
from workbench.evaluation import data
from workbench.evaluation.capture_kinds import KIND
from workbench.evaluation.errors import ScoreValidationError
from workbench.evaluation.parameters import validate_weighting
from workbench.evaluation.reports import rank_mechanisms
from workbench.evaluation.score_rules import check_record
from workbench.evaluation.settings import criteria_labels

CLIENT_ID = "scoring-dashboard"
KB_WAIT_S = 2.0  # how long a ranking refresh waits for a busy knowledge base before using its cache
SCORE_LABELS = {
    1: "1 - very poor",
    2: "2 - poor",
    3: "3 - adequate",
    4: "4 - good",
    5: "5 - very good",
}


class ScoringDashboard:
    """Form for one criteria score + the live ranking.  Display ``.container``."""

    def __init__(
        self,
        *,
        evaluator: str = "",
        weighting: str = "ahp",
        db: str | os.PathLike[str] | None = None,
    ) -> None:
        self.db = db
        self._stored: pd.DataFrame | None = None
        self._stored_at = ""
        self.weighting = validate_weighting(weighting)
        mechanisms = data.load_mechanisms(db)
        self.mechanism_names = dict(
            zip(mechanisms["mechanism_id"], mechanisms["name"], strict=True)
        )
        levels = list(load_defaults("evaluation")["scoring"]["confidence_weights"])

        self.evaluator = W.Text(value=evaluator, description="Evaluator", placeholder="your name")
        self.mechanism = W.Dropdown(
            options=[(f"{n} ({m})", m) for m, n in self.mechanism_names.items()],
            description="Mechanism",
        )
        self.criterion = W.Dropdown(
            options=[(label, code) for code, label in criteria_labels().items()],
            description="Criterion",
        )
        self.score = W.Dropdown(
            options=[("(choose)", None)] + [(t, s) for s, t in SCORE_LABELS.items()],
            description="Score",
        )
        self.confidence = W.Dropdown(
            options=[("(choose)", None)] + [(c, c) for c in levels], description="Confidence"
        )
        self.comment = W.Textarea(description="Comment", placeholder="why this score (optional)")
        self.save = W.Button(description="Save score", button_style="primary", icon="check")
        self.refresh_button = W.Button(description="Refresh ranking")
        self.status = W.HTML()
        self.ranking = W.HTML()
        self.disagreement = W.HTML()
        for widget, css in [
            (self.evaluator, "wb-evaluator"),
            (self.mechanism, "wb-mechanism"),
            (self.criterion, "wb-criterion"),
            (self.score, "wb-score"),
            (self.confidence, "wb-confidence"),
            (self.comment, "wb-comment"),
            (self.save, "wb-save"),
            (self.refresh_button, "wb-refresh"),
            (self.status, "wb-status"),
            (self.ranking, "wb-ranking-box"),
        ]:
            widget.add_class(css)
        self.save.on_click(lambda _: self.on_save())
        self.refresh_button.on_click(lambda _: self.refresh())
        form = W.VBox(
            [
                self.evaluator,
                self.mechanism,
                self.criterion,
                self.score,
                self.confidence,
                self.comment,
                W.HBox([self.save, self.refresh_button]),
                self.status,
            ]
        )
        self.container = W.VBox(
            [
                W.HTML(
                    "<h2>Score policy learning mechanisms</h2><p>One score (1-5) per mechanism "
                    "and criterion, with how confident you are. Re-scoring replaces your "
                    "earlier score.</p>"
                ),
                form,
                W.HTML("<h3>Ranking (TOPSIS, AHP weights)</h3>"),
                self.ranking,
                self.disagreement,
            ]
        )
        self.refresh()

    # ------------------------------------------------------------------ actions
    def payload(self) -> dict[str, Any]:
        """The form as a score record."""
        return {
            "evaluator": self.evaluator.value,
            "mechanism_id": self.mechanism.value,
            "criterion": self.criterion.value,
            "score": self.score.value,
            "confidence": self.confidence.value,
            "comment": self.comment.value or None,
        }

    def submit(self, payload: dict[str, Any]) -> capture.SubmitReceipt:
        """Validate and append one score to the capture inbox; raises ScoreValidationError."""
        record, problems = check_record(
            payload, source="score form", mechanisms=list(self.mechanism_names)
        )
        if problems:
            raise ScoreValidationError(problems)
        return capture.submit(
            KIND,
            record,
            client_id=CLIENT_ID,
            idempotency_key=f"score-{uuid.uuid4().hex}",
            db=self.db,
        )

    def on_save(self) -> None:
        """Button handler: save, report the outcome in plain words, refresh the ranking."""
        try:
            receipt = self.submit(self.payload())
        except ScoreValidationError as exc:
            items = "".join(
                f"<li><b>{html.escape(p.column or '')}</b>: {html.escape(p.rule)}"
                + (
                    f" (you entered {html.escape(p.value)!s})"
                    if p.value not in (None, "None", "")
                    else ""
                )
                + "</li>"
                for p in exc.problems
            )
            self._status("error", f"Not saved - please correct:<ul>{items}</ul>")
            return
        except WorkbenchError as exc:
            self._status("error", f"Not saved: {html.escape(str(exc))}")
            return
        name = self.mechanism_names.get(self.mechanism.value, self.mechanism.value)
        self._status(
            "ok",
            f"Saved: {html.escape(str(name))}, {html.escape(criteria_labels()[self.criterion.value])}"
            f" = {self.score.value} (receipt #{receipt.seq}).",
        )
        self.comment.value = ""
        self.refresh()

    def _status(self, kind: str, message: str) -> None:
        colour = "#1a7f37" if kind == "ok" else "#b42318"
        self.status.value = f"<div class='wb-status-{kind}' style='color:{colour}'>{message}</div>"

    # ------------------------------------------------------------------ views
    def stored_scores(self) -> tuple[pd.DataFrame, str]:
        """KB scores and a note; while a writer holds the KB, the last ones read (and say so)."""
        try:
            self._stored = data.load_criteria_scores(self.db, timeout=KB_WAIT_S)
            self._stored_at = datetime.now().strftime("%H:%M:%S")
            return self._stored, ""
        except KBBusyError:
            if self._stored is None:
                raise
            return self._stored, (
                "The knowledge base is busy (an import or merge is running): the ranking uses the "
                f"stored scores read at {self._stored_at} plus every score saved since."
            )

    def ranking_frame(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        """(ranking table, not-ranked-yet table, disagreements, note) from KB + inbox scores."""
        stored, note = self.stored_scores()
        result = rank_mechanisms(data.current_scores(self.db, stored=stored), self.weighting)
        return result.table, result.unranked, result.disagreements, note

    def refresh(self) -> None:
        """Recompute the ranking from the knowledge base and the inbox."""
        try:
            table, unranked, disagreements, note = self.ranking_frame()
        except WorkbenchError as exc:
            self.ranking.value = f"<p class='wb-ranking-empty'>{html.escape(str(exc))}</p>"
            self.disagreement.value = ""
            return
        rows = "".join(
            f"<tr data-mechanism='{html.escape(m)}'><td>{int(r.rank_topsis)}</td>"
            f"<td>{html.escape(str(self.mechanism_names.get(m, m)))}</td>"
            f"<td>{r.topsis:.3f}</td><td>{r.weighted_sum:.2f}</td><td>{r.keeps_rank:.0%}</td></tr>"
            for m, r in table.iterrows()
        )
        html_table = (
            "<table class='wb-ranking'><thead><tr><th>Rank</th><th>Mechanism</th>"
            "<th>TOPSIS closeness</th><th>Weighted sum</th><th>Keeps rank under weight noise</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
        if not unranked.empty:
            labels = criteria_labels()
            items = "".join(
                f"<li data-mechanism='{html.escape(r.mechanism_id)}'>"
                f"{html.escape(str(self.mechanism_names.get(r.mechanism_id, r.mechanism_id)))}: "
                "no score yet for "
                + html.escape(", ".join(labels[c] for c in r.missing_criteria.split(", ")))
                + "</li>"
                for r in unranked.itertuples()
            )
            html_table += f"<p>Not ranked yet:</p><ul class='wb-unranked'>{items}</ul>"
        if note:
            html_table = f"<p class='wb-ranking-note'><i>{html.escape(note)}</i></p>" + html_table
        self.ranking.value = html_table
        if disagreements.empty:
            self.disagreement.value = ""
        else:
            labels = criteria_labels()
            items = "".join(
                f"<li>{html.escape(str(self.mechanism_names.get(r.mechanism_id, r.mechanism_id)))} / "
                f"{html.escape(labels.get(r.criterion, r.criterion))}: scores {r.min}-{r.max}</li>"
                for r in disagreements.itertuples()
            )
            self.disagreement.value = f"<p>Evaluators disagree on:</p><ul>{items}</ul>"
