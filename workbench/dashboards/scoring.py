"""Scoring dashboard: each evaluator fills one mechanisms x criteria grid (score 1-5 per cell, one
confidence and one comment per mechanism) and saves it with one button; the ranking updates at once.

Mechanisms are named as in the ranking report (``Name (ID)``, :func:`workbench.evaluation.findings.
mechanism_label`).  Typing one's name loads one's latest scores into the grid, so a save sends only
the cells that changed.  Every cell is validated before anything is stored (a bad cell stores
nothing and is named in the message); each changed cell then goes to the capture inbox
(:mod:`workbench.capture`, kind ``evaluation.criteria_score``), never straight into DuckDB, so many
evaluators can save at the same time while imports, batches and other dashboards use the knowledge
base; the inbox is merged into ``criteria_scores`` by ``workbench serve`` / ``capture.merge``.
"Saved" is shown only after the inbox commits returned; pressing Save again after a failure reuses
the same idempotency keys, so nothing is stored twice.  The ranking combines the scores in the
knowledge base with those still waiting in the inbox (:func:`workbench.evaluation.data.
current_scores`); mechanisms missing a score on some criterion, or never scored, are listed as "not
ranked yet".  HTML, status messages and styles come from :mod:`workbench.dashboards.kit`.

With ``round_id`` (a scoring round stored by ``workbench scoring new``; in Voila ``?round=ID``) the
grid shows that round's mechanisms and criteria, scores carry the round's id, and the ranking uses the
round's weights and benefit/cost directions; without it, the default criteria and AHP weights of
``evaluation.yml`` and the scores of no round (the demo's).
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from typing import Any

import ipywidgets as W
import pandas as pd

from workbench import capture
from workbench.config import load_defaults
from workbench.dashboards import kit
from workbench.errors import KBBusyError, WorkbenchError
from workbench.evaluation import data
from workbench.evaluation.capture_kinds import KIND
from workbench.evaluation.errors import EvaluationInputError
from workbench.evaluation.findings import mechanism_label
from workbench.evaluation.parameters import validate_weighting
from workbench.evaluation.reports import not_ranked, rank_mechanisms, round_scores
from workbench.evaluation.rounds import ScoringRound, load_round
from workbench.evaluation.score_rules import check_record
from workbench.evaluation.scoring import latest_scores
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
BLANK = "-"  # shown for "no score yet" / "no confidence chosen"
NO_SCORE = 0
Cell = tuple[str, str]  # (mechanism_id, criterion)


def round_from_request(default: str = "") -> str:
    """The ``round`` query parameter of the page's URL (``?round=ID``), else ``default``.

    A preheated Voila kernel learns the URL only when a page takes it: there this waits for that
    moment (:func:`workbench.dashboards.request_info.query_string`, Voila's protocol without
    importing Voila); outside Voila it returns ``default`` at once."""
    from urllib.parse import parse_qs

    if not os.environ.get("VOILA_KERNEL_ID") and "QUERY_STRING" not in os.environ:
        return default
    query = os.environ.get("QUERY_STRING", "")
    if os.environ.get("VOILA_PREHEAT") == "True" or not query:
        from workbench.dashboards.request_info import query_string

        query = query_string() or ""  # no Voila request (socket refused): no URL
    values = parse_qs(query).get("round")
    return values[0].strip() if values and values[0].strip() else default


class ScoringPage:
    """The scoring dashboard with a choice of scoring round (display ``.container``).

    ``round_choice`` lists "default criteria" and the stored rounds (newest first); choosing one
    rebuilds the grid for it, keeping the evaluator's name.  :meth:`for_request` also follows
    ``?round=ID`` in the page's URL, with preheated kernels too (the URL reaches the kernel when a
    page takes it; the choice is then applied on the kernel's event loop)."""

    def __init__(
        self,
        *,
        evaluator: str = "",
        weighting: str = "ahp",
        round_id: str = "",
        db: str | os.PathLike[str] | None = None,
    ) -> None:
        from workbench.evaluation.rounds import list_rounds

        self.db = db
        self.weighting = weighting
        rounds = list_rounds(db)
        if round_id and round_id not in rounds:
            load_round(round_id, db)  # raises: unknown round, listing the known ones
        options = [("Default criteria (evaluation.yml)", "")] + [
            (f"{title} ({rid})", rid) for rid, title in rounds.items()
        ]
        self.round_choice = W.Dropdown(
            options=options, value=round_id, description="Scoring round",
            layout=W.Layout(width="auto"), style={"description_width": "initial"},
        )  # fmt: skip
        self.round_choice.add_class("wb-round-choice")
        if not rounds:
            self.round_choice.layout.display = "none"  # only the default criteria: no choice
        self.dashboard = ScoringDashboard(
            evaluator=evaluator, weighting=weighting, db=db, round_id=round_id or None
        )
        self.container = W.VBox([self.round_choice, self.dashboard.container])
        self.round_choice.observe(lambda c: self.show(c["new"]), names="value")

    def show(self, round_id: str) -> None:
        """Rebuild the grid for ``round_id`` ("" = default criteria), keeping the evaluator."""
        self.dashboard = ScoringDashboard(
            evaluator=self.dashboard.evaluator.value,
            weighting=self.weighting,
            db=self.db,
            round_id=round_id or None,
        )
        self.container.children = (self.round_choice, self.dashboard.container)

    def apply_round(self, round_id: str) -> None:
        """Choose ``round_id`` if it is a stored round (a URL's unknown round is ignored)."""
        if round_id in dict(self.round_choice.options).values():
            self.round_choice.value = round_id

    @classmethod
    def for_request(
        cls,
        *,
        evaluator: str = "",
        weighting: str = "ahp",
        round_id: str = "",
        db: str | os.PathLike[str] | None = None,
    ) -> ScoringPage:
        """The page for the current Voila request (``?round=ID``); see :func:`round_from_request`."""
        import asyncio
        import threading

        if os.environ.get("VOILA_PREHEAT") != "True":
            wanted = round_from_request(round_id)
            return cls(evaluator=evaluator, weighting=weighting, round_id=wanted, db=db)
        page = cls(evaluator=evaluator, weighting=weighting, round_id=round_id, db=db)
        loop = asyncio.get_event_loop()

        def wait() -> None:
            wanted = round_from_request("")
            if wanted:
                loop.call_soon_threadsafe(page.apply_round, wanted)

        threading.Thread(target=wait, name="voila-request", daemon=True).start()
        return page


def _css_id(text: str) -> str:
    """A CSS-class-safe form of an id (letters, digits, hyphen)."""
    return "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in text)


class ScoringDashboard:
    """One evaluator's mechanisms x criteria grid + the live ranking.  Display ``.container``.

    Widgets for tests and scripts: ``evaluator``, ``cells[(mechanism_id, criterion)]`` (score
    dropdowns), ``confidence[mechanism_id]``, ``comments[mechanism_id]``, ``save``, ``status``,
    ``ranking``.  CSS classes: ``wb-cell-<MECH>-<criterion>``, ``wb-confidence-<MECH>``,
    ``wb-comment-<MECH>``, ``wb-save``, ``wb-score-status``, ``wb-ranking`` (table, rows carry
    ``data-mechanism``), ``wb-unranked`` (list of mechanisms not ranked yet)."""

    def __init__(
        self,
        *,
        evaluator: str = "",
        weighting: str = "ahp",
        db: str | os.PathLike[str] | None = None,
        round_id: str | None = None,
    ) -> None:
        self.db = db
        self.round_id = round_id or None
        self.round: ScoringRound | None = (
            load_round(self.round_id, db) if self.round_id is not None else None
        )
        self._stored: pd.DataFrame | None = None
        self._stored_at = ""
        self._keys: dict[str, str] = {}  # fingerprint of the last save -> its key prefix
        self.loaded: dict[Cell, dict[str, Any]] = {}  # the evaluator's latest score per cell
        self._shown: dict[tuple[str, ...], Any] = {}  # what load_evaluator put in each widget
        self.weighting = validate_weighting(weighting)
        if self.round is not None:
            self.mechanism_names: dict[str, str] = dict(self.round.mechanisms)
            self.labels = self.round.labels
        else:
            mechanisms = data.load_mechanisms(db)
            self.mechanism_names = dict(
                zip(mechanisms["mechanism_id"], mechanisms["name"], strict=True)
            )
            self.labels = criteria_labels()
        levels = list(load_defaults("evaluation")["scoring"]["confidence_weights"])

        self.evaluator = W.Text(
            value=evaluator, description="Evaluator", placeholder="your name",
            continuous_update=False,
        )  # fmt: skip
        self.evaluator.add_class("wb-evaluator")
        self.evaluator.observe(lambda _c: self.load_evaluator(), names="value")
        score_options = [(BLANK, NO_SCORE)] + [(str(s), s) for s in SCORE_LABELS]
        self.cells: dict[Cell, W.Dropdown] = {}
        self.confidence: dict[str, W.Dropdown] = {}
        self.comments: dict[str, W.Text] = {}
        header = [W.HTML("<b>Mechanism</b>")] + [
            W.HTML(f"<b>{kit.h(label)}</b>") for label in self.labels.values()
        ]
        header += [W.HTML("<b>Confidence</b>"), W.HTML("<b>Comment (optional)</b>")]
        grid: list[W.Widget] = list(header)
        for m in self.mechanism_names:
            grid.append(W.HTML(f"<span class='wb-mechanism-name'>{kit.h(self.label(m))}</span>"))
            for c, label in self.labels.items():
                box = W.Dropdown(
                    options=score_options, value=NO_SCORE, layout=W.Layout(width="auto")
                )
                box.add_class(f"wb-cell-{_css_id(m)}-{_css_id(c)}")
                box.add_class("wb-cell")
                box.tooltip = f"{self.label(m)}: {label}"
                self.cells[(m, c)] = box
            conf = W.Dropdown(
                options=[(BLANK, "")] + [(lv, lv) for lv in levels],
                value="",
                layout=W.Layout(width="auto"),
            )
            conf.add_class(f"wb-confidence-{_css_id(m)}")
            self.confidence[m] = conf
            note = W.Text(placeholder="why these scores", layout=W.Layout(width="auto"))
            note.add_class(f"wb-comment-{_css_id(m)}")
            self.comments[m] = note
            grid += [*(self.cells[(m, c)] for c in self.labels), conf, note]
            self._shown |= {("conf", m): "", ("comment", m): ""}
            self._shown |= {("cell", m, c): NO_SCORE for c in self.labels}
        n = len(self.labels)
        self.grid = W.GridBox(
            grid,
            layout=W.Layout(
                grid_template_columns=f"minmax(200px, 2fr) repeat({n}, minmax(64px, 1fr)) "
                "minmax(96px, 1fr) minmax(160px, 2fr)",
                grid_gap="4px 6px",
                align_items="center",
                overflow="auto",
                width="100%",
            ),
        )
        self.grid.add_class("wb-grid")
        self.save = W.Button(description="Save my scores", button_style="primary", icon="check")
        self.save.add_class("wb-save")
        self.refresh_button = W.Button(description="Refresh ranking")
        self.refresh_button.add_class("wb-refresh")
        self.status = kit.Status("wb-score-status")
        self.ranking = W.HTML()
        self.ranking.add_class("wb-ranking-box")
        self.disagreement = W.HTML()
        self.save.on_click(lambda _: self.on_save())
        self.refresh_button.on_click(lambda _: self.refresh())
        scale = ", ".join(SCORE_LABELS.values())
        title = "Score policy learning mechanisms"
        weights_note = "AHP weights"
        if self.round is not None:
            title = f"{kit.h(self.round.title)} <small>(scoring round {kit.h(self.round.round_id)})</small>"
            weights_note = "weights of this round: " + ", ".join(
                f"{kit.h(c['label'])} {w:.0%}"
                + (" (lower is better)" if c["direction"] == "cost" else "")
                for c, w in zip(self.round.criteria, self.round.weights.values(), strict=True)
            )
        self.container = W.VBox(
            [
                kit.style(),
                W.HTML(
                    f"<h2 class='wb-round-title'>{title}</h2><p>Score each mechanism on each "
                    f"criterion ({kit.h(scale)}), say how confident you are, and press "
                    "<b>Save my scores</b> once. Typing your name loads your earlier scores; "
                    "a new score replaces your earlier one, a cell left at "
                    f"&ldquo;{BLANK}&rdquo; is not saved.</p>"
                ),
                self.evaluator,
                self.grid,
                W.HBox(
                    [self.save, self.refresh_button, self.status],
                    layout=W.Layout(flex_flow="row wrap", align_items="center"),
                ),
                W.HTML(f"<h3 class='wb-ranking-title'>Ranking (TOPSIS, {weights_note})</h3>"),
                self.ranking,
                self.disagreement,
            ]
        )
        self.container.add_class("wb-dashboard")
        self.container.add_class("scoring-dashboard")
        self.refresh()
        if evaluator:
            self.load_evaluator()

    def label(self, mechanism_id: str) -> str:
        """The mechanism as the ranking report names it: ``Name (ID)``."""
        return mechanism_label(mechanism_id, self.mechanism_names)

    # ------------------------------------------------------------------ the grid
    def load_evaluator(self) -> None:
        """Fill the grid with the evaluator's latest scores (knowledge base + inbox)."""
        name = self.evaluator.value.strip()
        self.loaded = {}
        if name:
            try:
                stored, _note = self.stored_scores()
                scores = round_scores(data.current_scores(self.db, stored=stored), self.round_id)
            except WorkbenchError as exc:
                self.status.error(f"Your earlier scores could not be read: {exc}")
                return
            if not scores.empty:
                mine = latest_scores(scores[scores["evaluator"] == name])
                for r in mine.to_dict("records"):
                    cell = (r["mechanism_id"], r["criterion"])
                    if cell in self.cells:
                        self.loaded[cell] = r
        # a cell the person already changed keeps their entry; the others show the loaded score
        for (m, c), box in self.cells.items():
            score = int(self.loaded[(m, c)]["score"]) if (m, c) in self.loaded else NO_SCORE
            self._set(box, ("cell", m, c), score)
        for m in self.mechanism_names:
            mine = [r for (mm, _), r in self.loaded.items() if mm == m]
            latest = mine[-1] if mine else None  # loaded in time order (ties: inbox order)
            conf = latest.get("confidence") if latest else None
            levels = dict(self.confidence[m].options).values()
            self._set(self.confidence[m], ("conf", m), conf if conf in levels else "")
            comment = latest.get("comment") if latest else None
            self._set(self.comments[m], ("comment", m), comment if isinstance(comment, str) else "")
        if self.loaded:
            self.status.info(f"Loaded your {len(self.loaded)} earlier score(s).")
        else:
            self.status.clear()

    def _set(self, widget: W.ValueWidget, key: tuple[str, ...], value: Any) -> None:
        """Show ``value`` unless the person changed the widget since the dashboard last set it."""
        if widget.value == self._shown.get(key, widget.value):
            widget.value = value
            self._shown[key] = value

    def changed_records(self) -> list[dict[str, Any]]:
        """Score records to save: the filled cells whose score differs from the evaluator's latest
        one, and every filled cell of a mechanism whose confidence or comment was changed (they
        apply to the mechanism's row)."""
        name = self.evaluator.value
        out = []
        row_changed = {
            m: self.confidence[m].value != self._shown.get(("conf", m))
            or self.comments[m].value != self._shown.get(("comment", m))
            for m in self.mechanism_names
        }
        for (m, c), box in self.cells.items():
            if box.value == NO_SCORE:
                continue
            record = {
                "evaluator": name,
                "mechanism_id": m,
                "criterion": c,
                "score": box.value,
                "confidence": self.confidence[m].value,
                "comment": self.comments[m].value.strip() or None,
            } | ({"round_id": self.round_id} if self.round_id else {})
            before = self.loaded.get((m, c))
            if before is not None and int(before["score"]) == box.value and not row_changed[m]:
                continue
            out.append(record)
        return out

    def problems(self, records: list[dict[str, Any]]) -> list[str]:
        """Plain-language problems of ``records`` (empty = all valid), naming mechanism and criterion."""
        if not self.evaluator.value.strip():
            return ["Evaluator: type your name first."]
        out = []
        missing_conf = sorted({r["mechanism_id"] for r in records if not r["confidence"]})
        for m in missing_conf:
            out.append(f"{self.label(m)}: choose your confidence (low, medium or high).")
        for r in records:
            if r["mechanism_id"] in missing_conf:
                continue
            _rec, found = check_record(
                r,
                source="score grid",
                mechanisms=list(self.mechanism_names),
                criteria=list(self.labels),
            )
            for p in found:
                you = f" (you entered {p.value})" if p.value not in (None, "None", "") else ""
                out.append(
                    f"{self.label(r['mechanism_id'])}, {self.labels[r['criterion']]}: "
                    f"{p.column}: {p.rule}{you}"
                )
        return out

    def submit(self, records: list[dict[str, Any]]) -> list[capture.SubmitReceipt]:
        """Append ``records`` to the capture inbox (each validated again there).  The same records
        saved again (a retry after a failure, a double click) reuse their idempotency keys."""
        fingerprint = json.dumps(records, sort_keys=True, default=str)
        prefix = self._keys.get(fingerprint) or f"score-{uuid.uuid4().hex}"
        self._keys = {fingerprint: prefix}  # only the last save may be repeated
        return [
            capture.submit(
                KIND,
                r,
                client_id=CLIENT_ID,
                db=self.db,
                idempotency_key=f"{prefix}-{_css_id(r['mechanism_id'])}-{_css_id(r['criterion'])}",
            )  # fmt: skip
            for r in records
        ]

    def on_save(self) -> bool:
        """Button handler: validate the whole grid, save the changed cells, say so, refresh."""
        records = self.changed_records()
        problems = self.problems(records)
        if problems:
            items = "".join(f"<li>{kit.h(p)}</li>" for p in problems)
            self.status.error(f"Nothing saved - please correct:<ul>{items}</ul>", escape=False)
            return False
        if not records:
            self.status.info("Nothing to save: no score entered or changed since your last save.")
            return False
        try:
            receipts = self.submit(records)
        except WorkbenchError as exc:
            self.status.error(f"Not saved: {exc}. Press Save again; nothing is stored twice.")
            return False
        for r in records:
            key = (r["mechanism_id"], r["criterion"])
            self.loaded.pop(key, None)  # re-inserted last: the dict stays in time order
            self.loaded[key] = dict(r)
            m = r["mechanism_id"]
            self._shown[("cell", m, r["criterion"])] = r["score"]
            self._shown[("conf", m)] = self.confidence[m].value
            self._shown[("comment", m)] = self.comments[m].value
        n_mech = len({r["mechanism_id"] for r in records})
        seqs = sorted(x.seq for x in receipts)
        self.status.ok(
            f"Saved {len(records)} score(s) of {n_mech} mechanism(s) at "
            f"{datetime.now().strftime('%H:%M:%S')} (receipts #{seqs[0]}-#{seqs[-1]})."
        )
        self.refresh()
        return True

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
        """(ranking table, not-ranked-yet table, disagreements, note) from KB + inbox scores.
        With no mechanism scored on every criterion the ranking table is empty."""
        stored, note = self.stored_scores()
        scores = round_scores(data.current_scores(self.db, stored=stored), self.round_id)
        try:
            result = rank_mechanisms(
                scores, self.weighting, mechanisms=self.mechanism_names, scoring_round=self.round
            )
        except EvaluationInputError:
            unranked = not_ranked(scores, self.mechanism_names, scoring_round=self.round)
            return pd.DataFrame(), unranked, pd.DataFrame(), note
        return result.table, result.unranked, result.disagreements, note

    def refresh(self) -> None:
        """Recompute the ranking from the knowledge base and the inbox."""
        try:
            table, unranked, disagreements, note = self.ranking_frame()
        except WorkbenchError as exc:
            self.ranking.value = f"<p class='wb-ranking-empty'>{kit.h(exc)}</p>"
            self.disagreement.value = ""
            return
        ranked = [
            {"mechanism_id": m, "mechanism": self.label(m), **r}
            for m, r in zip(table.index, table.to_dict("records"), strict=True)
        ]
        parts = []
        if note:
            parts.append(f"<p class='wb-ranking-note'><i>{kit.h(note)}</i></p>")
        parts.append(
            kit.table_html(
                ranked,
                [
                    ("rank_topsis", "Rank"),
                    ("mechanism", "Mechanism"),
                    ("topsis", "TOPSIS closeness"),
                    ("weighted_sum", "Weighted sum"),
                    ("keeps_rank", "Keeps rank under weight noise"),
                ],
                css_class="wb-ranking",
                formats={
                    "rank_topsis": "{:.0f}",
                    "topsis": "{:.3f}",
                    "weighted_sum": "{:.2f}",
                    "keeps_rank": "{:.0%}",
                },
                row_attrs=lambda r: {"data-mechanism": r["mechanism_id"]},
                empty="No mechanism is ranked yet: each needs a score on every criterion.",
            )  # fmt: skip
        )
        if not unranked.empty:
            items = "".join(
                f"<li data-mechanism='{kit.h(r.mechanism_id)}'>{kit.h(self.label(r.mechanism_id))}"
                ": not ranked yet - "
                + (
                    "no score yet"
                    if int(r.n_criteria_scored) == 0
                    else "no score yet for "
                    + kit.h(", ".join(self.labels[c] for c in r.missing_criteria.split(", ")))
                )
                + "</li>"
                for r in unranked.itertuples()
            )
            parts.append(f"<p>Not ranked yet:</p><ul class='wb-unranked'>{items}</ul>")
        self.ranking.value = "".join(parts)
        if disagreements.empty:
            self.disagreement.value = ""
        else:
            items = "".join(
                f"<li>{kit.h(self.label(r.mechanism_id))} / "
                f"{kit.h(self.labels.get(r.criterion, r.criterion))}: scores {r.min}-{r.max}</li>"
                for r in disagreements.itertuples()
            )
            self.disagreement.value = f"<p>Evaluators disagree on:</p><ul>{items}</ul>"
