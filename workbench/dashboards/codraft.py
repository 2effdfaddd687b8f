"""Co-drafting the joint strategy's action plan (Voila), issue 17 item 7.

Two pages, one per role (``workbench/defaults/serving.yml``):

* :class:`CoDraftDashboard` (``notebooks/dashboards/codraft.ipynb``; working group and facilitator):
  the plan's actions, the proposals and their status, comments; a form to propose an action (with
  the minimum-content advice of :func:`workbench.strategy.minimum.action_gaps`) and a form to
  comment on an action or a proposal.
* :class:`CoDraftReview` (``codraft_review.ipynb``; facilitator only): each open proposal with its
  advice and comments, and Accept (a new action of the plan), Merge into an existing action, Reject.
  The decision buttons exist only on this page, so a working-group kernel can never reach them.

Input is validated in the kernel (:mod:`workbench.strategy.codraft`, clear messages, nothing stored
when refused) and appended to the capture inbox, durable before "Saved" is shown; the page then
tries a short merge into the knowledge base (entries still waiting are shown as pending).  Every
text typed by people is escaped (:mod:`workbench.dashboards.kit`).
"""

from __future__ import annotations

import logging
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
from workbench.strategy import codraft_data as data
from workbench.strategy.settings import funding_sources

log = logging.getLogger(__name__)

FULL = w.Layout(width="100%", max_width="760px")
NONE = ""
CSS = """<style>.cd-section{margin-top:14px}.cd-form .widget-label{min-width:140px}</style>"""


def _txt(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for r in df.to_dict("records"):
        out.append({k: (list(v) if hasattr(v, "tolist") and not isinstance(v, str) else v)
                    for k, v in r.items()})  # fmt: skip
    return out


class _Base:
    """What both pages share: strategy choice, data, the plan/proposal/comment tables."""

    title = ""
    css_class = ""

    def __init__(self, strategy_id: str, db: str | os.PathLike[str] | None) -> None:
        self.db = db
        self.session = uuid.uuid4().hex[:12]
        self.message = kit.Status("cd-message")
        self.pick = w.Dropdown(description="Strategy", layout=w.Layout(width="auto"))
        self.pick.add_class("cd-strategy")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.add_class("cd-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.actions_html = w.HTML()
        self.actions_html.add_class("cd-actions")
        self.proposals_html = w.HTML()
        self.proposals_html.add_class("cd-proposals")
        self.comments_html = w.HTML()
        self.comments_html.add_class("cd-comments")
        self.strategy_id = ""
        try:
            ids = data.strategies(db)
        except WorkbenchError as exc:
            ids = pd.DataFrame(columns=["strategy_id", "title"])
            self.message.error(str(exc))
        options = [(f"{r['title']} [{r['strategy_id']}]", r["strategy_id"]) for r in _records(ids)]
        self.pick.options = options
        if options:
            wanted = strategy_id if strategy_id in ids["strategy_id"].tolist() else options[0][1]
            self.pick.value = wanted
            self.strategy_id = wanted
        elif not self.message.kind:
            self.message.warn("No strategy in the knowledge base yet: run `workbench demo`.")
        if strategy_id and strategy_id != self.strategy_id:
            self.message.warn(f"No strategy {strategy_id!r}; showing {self.strategy_id or 'none'}.")
        self.pick.observe(lambda ch: self._switch(ch["new"]), names="value")
        self.actions = pd.DataFrame()
        self.proposals = pd.DataFrame()
        self.comments = pd.DataFrame()

    def header(self) -> list[w.Widget]:
        return [
            kit.style(),
            w.HTML(CSS + f"<h3>{kit.h(self.title)}</h3>"),
            w.HBox([self.pick, self.refresh_button]),
            self.message,
        ]

    def _switch(self, strategy_id: str) -> None:
        self.strategy_id = strategy_id
        self.refresh()

    def load(self) -> bool:
        """Re-read actions, proposals and comments of the chosen strategy."""
        if not self.strategy_id:
            return False
        try:
            self.actions = data.actions(self.strategy_id, db=self.db)
            self.proposals = data.proposals(self.strategy_id, db=self.db)
            self.comments = data.comments(self.strategy_id, db=self.db)
        except WorkbenchError as exc:
            self.message.error(str(exc))
            return False
        return True

    def refresh(self) -> None:
        """Re-read and redraw."""
        if self.load():
            self.render()

    def render(self) -> None:
        dims = {d: DIMENSION_LABELS[d] for d in DIMENSIONS}
        acts = [
            {**r, "dimensions": ", ".join(dims.get(d, d) for d in r["dimensions"] or [])}
            for r in _records(self.actions)
        ]
        self.actions_html.value = "<h4>Action plan</h4>" + kit.table_html(
            acts,
            [("action_id", "id"), ("title", "action"), ("dimensions", "dimensions"),
             ("lead_region", "lead region"), ("partner_regions", "partners"),
             ("funding_source", "funding")],
            css_class="cd-action-table", empty="No action in the plan yet.",
            row_attrs=lambda r: {"data-action": r["action_id"]},
        )  # fmt: skip
        props = [
            {**r, "status": r["status"] + (" (in the inbox)" if r["pending"] else "")}
            for r in _records(self.proposals)
        ]
        self.proposals_html.value = "<h4>Proposals</h4>" + kit.table_html(
            props,
            [("proposal_id", "id"), ("title", "proposed action"), ("dimensions", "dimensions"),
             ("author", "by"), ("status", "status"), ("action_id", "action"),
             ("decision_note", "facilitator's note")],
            css_class="cd-proposal-table", empty="No proposal yet.",
            row_attrs=lambda r: {"data-proposal": r["proposal_id"], "data-status": r["status"]},
        )  # fmt: skip
        self.comments_html.value = "<h4>Comments</h4>" + kit.table_html(
            _records(self.comments),
            [("target_id", "on"), ("text", "comment"), ("author", "by"), ("pending", "in the inbox")],
            css_class="cd-comment-table", empty="No comment yet.",
        )  # fmt: skip


class CoDraftDashboard(_Base):
    """Working-group page: propose actions and comment; ``.container`` is the widget to display."""

    title = "Co-drafting the action plan"

    def __init__(
        self, strategy_id: str = "", db: str | os.PathLike[str] | None = None, merge: bool = True
    ) -> None:
        super().__init__(strategy_id, db)
        self.merge_on_save = merge
        # proposal form
        self.i_title = w.Text(description="Action", placeholder="short title", layout=FULL)
        self.i_objective = w.Dropdown(description="Objective", options=[("(none yet)", NONE)])
        self.i_description = w.Textarea(
            description="What it does", placeholder="what the action does, for whom", layout=FULL
        )
        self.i_dims = {
            d: w.Checkbox(description=DIMENSION_LABELS[d], value=False, indent=False)
            for d in DIMENSIONS
        }
        self.i_lead = w.Text(description="Lead region", placeholder="NUTS code, e.g. HR03")
        self.i_partners = w.Text(description="Partners", placeholder="NUTS codes, comma-separated")
        self.i_start = w.Text(description="Start", placeholder="YYYY-MM-DD")
        self.i_end = w.Text(description="End", placeholder="YYYY-MM-DD")
        self.i_budget = w.Text(description="Budget", placeholder="amount, e.g. 250000")
        self.i_currency = w.Text(description="Currency", value="EUR")
        self.i_funding = w.Dropdown(
            description="Funding",
            options=[("(not yet known)", NONE)] + [(v, k) for k, v in funding_sources().items()],
        )
        self.i_delivery = w.Text(
            description="Delivery", placeholder="delivery mechanism or project", layout=FULL
        )
        self.i_body = w.Text(description="Responsible", placeholder="responsible body")
        self.i_indicator = w.Text(description="Indicator", placeholder="e.g. RCO87 or own code")
        self.i_unit = w.Text(description="Unit", placeholder="e.g. organisations")
        self.i_baseline = w.Text(description="Baseline")
        self.i_target = w.Text(description="Target")
        self.i_barriers = w.SelectMultiple(description="Barriers", rows=6, layout=FULL)
        self.i_rationale = w.Textarea(
            description="Why", placeholder="evidence or reason", layout=FULL
        )
        self.i_author = w.Text(description="Your name", placeholder="optional")
        for name in ("title", "objective", "description", "lead", "partners", "start", "end",
                     "budget", "currency", "funding", "delivery", "body", "indicator", "unit", "baseline",
                     "target", "barriers", "rationale", "author"):  # fmt: skip
            getattr(self, f"i_{name}").add_class(f"cd-input-{name}")
        for d, cb in self.i_dims.items():
            cb.add_class(f"cd-dim-{d}")
        self.propose_button = w.Button(description="Propose action", button_style="primary")
        self.propose_button.add_class("cd-propose")
        self.propose_button.on_click(lambda _b: self.propose())
        self.propose_status = kit.Status("cd-propose-status")
        form = w.VBox(
            [w.HTML("<h4>Propose an action</h4>"), self.i_title, self.i_objective,
             self.i_description, w.HTML("<b>Dimension(s)</b>"), w.VBox(list(self.i_dims.values())),
             self.i_lead, self.i_partners, w.HBox([self.i_start, self.i_end]),
             w.HBox([self.i_budget, self.i_currency]), self.i_funding, self.i_delivery, self.i_body,
             w.HBox([self.i_indicator, self.i_unit]), w.HBox([self.i_baseline, self.i_target]),
             self.i_barriers, self.i_rationale, self.i_author,
             w.HBox([self.propose_button, self.propose_status])],
            layout=FULL,
        )  # fmt: skip
        form.add_class("cd-form")
        # comment form
        self.c_target = w.Dropdown(description="On", layout=FULL)
        self.c_text = w.Textarea(description="Comment", layout=FULL)
        self.c_author = w.Text(description="Your name", placeholder="optional")
        self.comment_button = w.Button(description="Add comment")
        self.comment_button.on_click(lambda _b: self.comment())
        self.comment_status = kit.Status("cd-comment-status")
        for name, widget in (("target", self.c_target), ("text", self.c_text),
                             ("author", self.c_author), ("button", self.comment_button)):  # fmt: skip
            widget.add_class(f"cd-comment-{name}")
        comment_form = w.VBox(
            [w.HTML("<h4>Comment on an action or a proposal</h4>"), self.c_target, self.c_text,
             self.c_author, w.HBox([self.comment_button, self.comment_status])],
            layout=FULL,
        )  # fmt: skip
        comment_form.add_class("cd-form")
        self.container = w.VBox(
            [*self.header(), self.actions_html, self.proposals_html, self.comments_html, form,
             comment_form],
            layout=w.Layout(width="100%"),
        )  # fmt: skip
        self.container.add_class("codraft-dashboard")
        self.container.add_class("wb-dashboard")
        self.refresh()

    def render(self) -> None:
        super().render()
        try:
            objectives = data.objectives(self.strategy_id, db=self.db)
            options = [("(none yet)", NONE)] + [
                (f"{r['title']} [{r['objective_id']}]", r["objective_id"])
                for r in _records(objectives)
            ]
            from workbench.policy.data import load_barriers

            bars = load_barriers(db=self.db).sort_values(["severity", "region"], ascending=False)
            barriers = [
                (f"{r['region']}: {str(r['barrier'])[:70]} [{r['barrier_id']}] (severity {r['severity']})",
                 r["barrier_id"])
                for r in _records(bars)
            ]  # fmt: skip
        except WorkbenchError as exc:
            log.warning("codraft: %s", exc)
            options, barriers = [("(none yet)", NONE)], []
        keep = self.i_objective.value
        self.i_objective.options = options
        self.i_objective.value = keep if keep in {v for _, v in options} else NONE
        chosen = set(self.i_barriers.value)
        self.i_barriers.options = barriers
        self.i_barriers.value = tuple(v for _, v in barriers if v in chosen)
        targets = [(f"action {r['action_id']}: {str(r['title'])[:60]}", f"action:{r['action_id']}")
                   for r in _records(self.actions)]  # fmt: skip
        targets += [
            (f"proposal {r['proposal_id']}: {str(r['title'])[:60]}", f"proposal:{r['proposal_id']}")
            for r in _records(self.proposals)
        ]
        keep = self.c_target.value
        self.c_target.options = targets
        if keep in {v for _, v in targets}:
            self.c_target.value = keep

    # -- input --------------------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        """The proposal form as a ``strategy.proposal`` payload (not yet validated)."""
        indicators = []
        if self.i_indicator.value.strip():
            indicators.append(
                {"indicator_id": self.i_indicator.value.strip(), "unit": self.i_unit.value,
                 "baseline": self.i_baseline.value, "target": self.i_target.value}
            )  # fmt: skip
        return {
            "proposal_id": codraft.new_id("P"),
            "strategy_id": self.strategy_id,
            "title": self.i_title.value,
            "objective_id": self.i_objective.value or None,
            "description": self.i_description.value,
            "dimensions": [d for d, cb in self.i_dims.items() if cb.value],
            "lead_region": self.i_lead.value,
            "partner_regions": self.i_partners.value,
            "start_date": self.i_start.value,
            "end_date": self.i_end.value,
            "budget": self.i_budget.value,
            "currency": self.i_currency.value if self.i_budget.value.strip() else "",
            "funding_source": self.i_funding.value or None,
            "delivery": self.i_delivery.value,
            "responsible_body": self.i_body.value,
            "indicators": indicators,
            "barriers": list(self.i_barriers.value),
            "rationale": self.i_rationale.value,
            "author": self.i_author.value,
        }

    def _submit(self, kind: str, payload: dict[str, Any], status: kit.Status) -> Any:
        """Validate + append to the inbox; then a short merge.  Returns (receipt, merged note)."""
        if not self.strategy_id:
            status.error("No strategy chosen.")
            return None
        try:
            receipt = capture.submit(
                kind, payload, client_id=f"codraft-{self.session}",
                idempotency_key=f"{kind}-{uuid.uuid4().hex}", db=self.db,
            )  # fmt: skip
        except (ValidationError, KBBusyError) as exc:
            status.error(str(exc))
            return None
        note = ""
        if self.merge_on_save:
            try:
                n = capture.merge(db=self.db, kinds=[codraft.PROPOSAL_KIND, codraft.COMMENT_KIND])
                note = "" if n else " (knowledge base busy: kept in the inbox, merged later)"
            except WorkbenchError as exc:
                note = f" (merged later: {exc})"
        return receipt, note

    def propose(self) -> bool:
        """Validate the proposal form, append it to the inbox, show the advice; True when saved."""
        payload = self.payload()
        done = self._submit(codraft.PROPOSAL_KIND, payload, self.propose_status)
        if done is None:
            return False
        receipt, note = done
        proposal = codraft.validate_proposal(payload)
        gaps = codraft.advice(proposal)
        text = (
            f"Saved proposal {kit.h(proposal['proposal_id'])} \u201c{kit.h(proposal['title'])}\u201d"
            f"{kit.h(note)} (inbox #{receipt.seq}); the facilitator will accept, merge or reject it."
        )
        if gaps:
            items = "".join(f"<li>{kit.h(g)}</li>" for g in gaps)
            text += f"<br>Before it can enter the plan it still needs:<ul>{items}</ul>"
        self.propose_status.show("ok", text, escape=False)
        for widget in (self.i_title, self.i_description, self.i_rationale, self.i_partners,
                       self.i_indicator, self.i_unit, self.i_baseline, self.i_target,
                       self.i_budget, self.i_start, self.i_end):  # fmt: skip
            widget.value = ""
        for cb in self.i_dims.values():
            cb.value = False
        self.i_barriers.value = ()
        self.refresh()
        return True

    def comment(self) -> bool:
        """Append a comment on the chosen action or proposal; True when saved."""
        target = self.c_target.value or ""
        target_type, _, target_id = target.partition(":")
        payload = {
            "comment_id": codraft.new_id("C"),
            "strategy_id": self.strategy_id,
            "target_type": target_type or None,
            "target_id": target_id or None,
            "text": self.c_text.value,
            "author": self.c_author.value,
        }
        done = self._submit(codraft.COMMENT_KIND, payload, self.comment_status)
        if done is None:
            return False
        receipt, note = done
        self.comment_status.ok(
            f"Saved comment on {target_type} {target_id}{note} (inbox #{receipt.seq})."
        )
        self.c_text.value = ""
        self.refresh()
        return True


class CoDraftReview(_Base):
    """Facilitator page: accept, merge or reject proposals; ``.container`` is the widget."""

    title = "Co-drafting the action plan: facilitator's review"

    def __init__(self, strategy_id: str = "", db: str | os.PathLike[str] | None = None) -> None:
        super().__init__(strategy_id, db)
        self.choice = w.Dropdown(description="Proposal", layout=FULL)
        self.choice.add_class("cd-review-choice")
        self.choice.observe(lambda _ch: self._render_detail(), names="value")
        self.detail = w.HTML()
        self.detail.add_class("cd-review-detail")
        self.new_id = w.Text(description="New action id", placeholder="default A-<proposal>")
        self.merge_into = w.Dropdown(description="Merge into", layout=FULL)
        self.note = w.Textarea(
            description="Note", placeholder="why (shown to the group)", layout=FULL
        )
        self.accept_button = w.Button(description="Accept as new action", button_style="success")
        self.merge_button = w.Button(description="Merge into action")
        self.reject_button = w.Button(description="Reject", button_style="danger")
        for name, widget in (("new-id", self.new_id), ("merge-into", self.merge_into),
                             ("note", self.note), ("accept", self.accept_button),
                             ("merge", self.merge_button), ("reject", self.reject_button)):  # fmt: skip
            widget.add_class(f"cd-review-{name}")
        self.accept_button.on_click(lambda _b: self.decide("accept"))
        self.merge_button.on_click(lambda _b: self.decide("merge"))
        self.reject_button.on_click(lambda _b: self.decide("reject"))
        self.decision_status = kit.Status("cd-decision-status")
        review = w.VBox(
            [w.HTML("<h4>Decide on a proposal</h4>"), self.choice, self.detail, self.new_id,
             self.merge_into, self.note,
             w.HBox([self.accept_button, self.merge_button, self.reject_button]),
             self.decision_status],
            layout=FULL,
        )  # fmt: skip
        review.add_class("cd-form")
        self.container = w.VBox(
            [*self.header(), review, self.proposals_html, self.actions_html, self.comments_html],
            layout=w.Layout(width="100%"),
        )
        self.container.add_class("codraft-review")
        self.container.add_class("wb-dashboard")
        self.refresh()

    def refresh(self) -> None:
        """Merge what waits in the inbox (when the writer is free), then re-read and redraw."""
        try:
            capture.merge(db=self.db)
        except WorkbenchError as exc:
            self.message.warn(f"not merged yet: {exc}")
        super().refresh()

    def render(self) -> None:
        super().render()
        open_ = self.proposals[self.proposals["status"] == "proposed"]
        options = [
            (f"{r['proposal_id']}: {str(r['title'])[:70]}", r["proposal_id"])
            for r in _records(open_)
        ]
        keep = self.choice.value
        self.choice.options = options
        self.choice.value = (
            keep if keep in {v for _, v in options} else (options[0][1] if options else None)
        )
        targets = [(f"{r['action_id']}: {str(r['title'])[:70]}", r["action_id"])
                   for r in _records(self.actions)]  # fmt: skip
        keep = self.merge_into.value
        self.merge_into.options = targets
        if keep in {v for _, v in targets}:
            self.merge_into.value = keep
        self._render_detail()

    def _render_detail(self) -> None:
        pid = self.choice.value
        if not pid:
            self.detail.value = "<p class='wb-muted'>No open proposal.</p>"
            return
        row = self.proposals[self.proposals["proposal_id"] == pid].iloc[0]
        action = dict(row["action"]) if isinstance(row["action"], dict) else {}
        fields = [
            {"field": k, "value": v}
            for k, v in action.items()
            if k not in ("proposal_id", "strategy_id") and v not in (None, "", [], {})
        ]
        gaps = codraft.advice(action) if action else []
        on = self.comments[
            (self.comments["target_type"] == "proposal") & (self.comments["target_id"] == pid)
        ]
        self.detail.value = (
            kit.table_html(fields, ["field", "value"], css_class="cd-detail-table")
            + (
                kit.status_html(
                    "warn",
                    "Missing for the plan's minimum content: " + "; ".join(kit.h(g) for g in gaps),
                    escape=False,
                )
                if gaps
                else kit.status_html("ok", "Complete: meets the plan's minimum content.")
            )
            + "<h5>Comments on it</h5>"
            + kit.table_html(
                _records(on),
                [("text", "comment"), ("author", "by")],
                empty="No comment on this proposal.",
            )  # fmt: skip
        )

    def decide(self, decision: str) -> bool:
        """Record the decision on the chosen proposal (inbox), merge it, show the outcome."""
        pid = self.choice.value
        if not pid:
            self.decision_status.error("Choose a proposal first.")
            return False
        action_id = None
        if decision == "merge":
            action_id = self.merge_into.value
            if not action_id:
                self.decision_status.error("Choose the action to merge the proposal into.")
                return False
        elif decision == "accept":
            action_id = self.new_id.value.strip() or codraft.accepted_action_id(pid)
            if action_id in set(self.actions["action_id"]):
                self.decision_status.error(f"Action {action_id} already exists: choose another id.")
                return False
        payload = {
            "decision_id": codraft.new_id("D"),
            "proposal_id": pid,
            "decision": decision,
            "action_id": action_id,
            "note": self.note.value,
        }
        try:
            receipt = capture.submit(
                codraft.DECISION_KIND, payload, client_id="facilitator",
                idempotency_key=payload["decision_id"], db=self.db,
            )  # fmt: skip
            capture.merge(db=self.db, raise_busy=True)
        except KBBusyError as exc:
            self.decision_status.warn(f"Decision recorded in the inbox; {exc}")
            self.refresh()
            return True
        except (ValidationError, WorkbenchError) as exc:
            self.decision_status.error(str(exc))
            return False
        failed = [r for r in capture.read(codraft.DECISION_KIND, receipt.seq - 1, db=self.db)
                  if r.seq == receipt.seq and r.merge_error]  # fmt: skip
        if failed:
            self.decision_status.error(f"Decision not applied: {failed[0].merge_error}")
            return False
        done = {"accept": f"accepted as action {action_id}", "merge": f"merged into {action_id}",
                "reject": "rejected"}[decision]  # fmt: skip
        self.decision_status.ok(f"Proposal {pid} {done}.")
        self.note.value = ""
        self.new_id.value = ""
        super().refresh()
        return True
