"""Participant dashboard of a foresight workshop (Voila): join with a code, Delphi rounds, drivers,
impact/uncertainty ratings, influences.

Lean on purpose (40 people join in the same minute): plain ipywidgets and escaped HTML, no pandas, no
plotly, no DuckDB in this kernel.  It reads only the state the facilitator published
(:mod:`workbench.foresight.state`) and its own earlier submissions, and writes only through
:func:`workbench.capture.submit`; "Saved" is shown after ``submit`` returned, i.e. once durable.
Every text that came from a person is passed through :func:`html.escape` before it enters an HTML
widget.  Values are validated again in the kernel (capture validators) and refused with a message.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ipywidgets as w

from workbench import capture
from workbench.errors import KBBusyError, ValidationError
from workbench.foresight import capture_kinds as kinds
from workbench.foresight.access import JoinGuard
from workbench.foresight.state import current_state, hash_code, normalise_code, published_exercises

log = logging.getLogger(__name__)


def _full() -> w.Layout:
    """A fresh full-width layout (layouts are shared objects: never reuse one across widgets)."""
    return w.Layout(width="100%", max_width="640px")


CSS = """<style>
.fs-card{border:1px solid #ccc;border-radius:6px;padding:8px;margin:6px 0;max-width:640px}
.fs-ok{color:#1a7f37;font-weight:600}.fs-err{color:#b42318;font-weight:600}
.fs-muted{color:#555;font-size:90%}
.widget-dropdown>select{font-size:16px}
</style>"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _ok(text: str) -> str:
    return f'<span class="fs-ok">{_h(text)}</span>'


def _err(text: str) -> str:
    return f'<span class="fs-err">{_h(text)}</span>'


def _fmt(x: float) -> str:
    return f"{x:g}"


class ForesightParticipant:
    """The participant page; ``.container`` is the widget to display."""

    def __init__(self, exercise_id: str = "", db: str | os.PathLike[str] | None = None) -> None:
        self.db = db
        self.exercise_id = exercise_id
        self.code: str | None = None
        self.state: dict[str, Any] | None = None
        self.session = uuid.uuid4().hex[:12]
        self._keys: dict[str, str] = {}
        self._saves = 0
        self.code_box = w.Text(
            placeholder="your code, e.g. K7QM4-ZT9XH", description="Code", layout=_full()
        )
        self.join_button = w.Button(description="Join", button_style="primary")
        self.join_message = w.HTML()
        self.join_button.on_click(lambda _b: self.join(self.code_box.value))
        self.body = w.VBox(layout=_full())
        header = w.HTML(CSS + "<h3>Foresight workshop</h3>")
        if not exercise_id:
            published = published_exercises(db)
            self.exercise_id = published[0]["exercise_id"] if published else ""
        self.guard = JoinGuard(self.exercise_id, db=db)  # wrong codes: pause, server-wide limit
        self.join_box = w.VBox([self.code_box, self.join_button, self.join_message], layout=_full())
        self.container = w.VBox([header, self.join_box, self.body], layout=w.Layout(width="100%"))
        self.container.add_class("foresight-participant")

    # -- joining ----------------------------------------------------------------------------------
    def join(self, code: str) -> bool:
        """Check the code against the published state and build the participant's page."""
        state = current_state(self.exercise_id, db=self.db) if self.exercise_id else None
        if state is None:
            self.join_message.value = _err(
                "The workshop is not open yet. Please wait for the facilitator."
            )
            return False
        refusal = self.guard.refusal()
        if refusal is not None:
            self.join_message.value = _err(refusal)
            return False
        code = normalise_code(code)
        if not code or hash_code(self.exercise_id, code) not in set(state["code_hashes"]):
            self.join_message.value = _err(self.guard.failed())
            return False
        self.guard.succeeded()
        self.code, self.state = code, state
        self.join_box.layout.display = "none"
        self._build()
        return True

    def _build(self) -> None:
        assert self.state is not None
        title = w.HTML(
            f"<b>{_h(self.state['title'])}</b><br><span class='fs-muted'>You are {_h(self.code)}</span>"
        )
        self.tabs = w.Tab(
            children=[self._delphi(), self._drivers(), self._ratings(), self._influences()]
        )
        for i, name in enumerate(["Delphi", "Drivers", "Impact", "Influences"]):
            self.tabs.set_title(i, name)
        self.tabs.selected_index = 0
        self.body.children = [title, self.tabs]

    # -- saving -----------------------------------------------------------------------------------
    def _save(self, kind: str, payload: dict[str, Any], status: w.HTML, button: w.Button) -> bool:
        """Submit once; "Saved" only after the durable commit.  A retry or a double click with the same
        values reuses the idempotency key, so it stores nothing twice.  (The submit takes about a
        millisecond, so no intermediate "Saving..." message is sent: fewer messages when 40 people
        press Save at once.)"""
        fingerprint = json.dumps([kind, payload], sort_keys=True, default=str)
        key = self._keys.get(fingerprint) or f"{self.session}-{uuid.uuid4().hex}"
        try:
            for attempt in range(3):
                try:
                    capture.submit(
                        kind, payload, client_id=self.session, idempotency_key=key, db=self.db
                    )
                    break
                except KBBusyError:
                    if attempt == 2:
                        raise
            self._keys = {fingerprint: key}  # only the last submission may be repeated
            self._saves += 1  # the counter makes every "Saved" a change the page receives
            status.value = (
                _ok(f"Saved {datetime.now().strftime('%H:%M:%S')}") + f"<!--{self._saves}-->"
            )
            return True
        except ValidationError as exc:
            status.value = _err(f"Not saved: {exc}")
        except Exception:  # never show a traceback to a participant
            log.exception("foresight submit failed")
            status.value = _err("Not saved: the server is busy, please press the button again.")
        return False

    def _button(self, label: str, action: Callable[[w.Button], object]) -> w.Button:
        button = w.Button(description=label, button_style="success")
        button.on_click(action)
        return button

    # -- Delphi -----------------------------------------------------------------------------------
    def _own_answers(self) -> dict[tuple[int, str], dict[str, Any]]:
        rows = capture.read(
            "foresight.answer",
            where={"exercise_id": self.exercise_id, "participant_code": self.code},
            db=self.db,
        )
        return {(r.payload["round_no"], r.payload["statement_id"]): r.payload for r in rows}

    def _delphi(self) -> w.Widget:
        assert self.state is not None
        round_no = self.state.get("open_round")
        if round_no is None:
            return w.HTML("<p>No Delphi round is open at the moment.</p>")
        previous = str(round_no - 1)
        shared = self.state.get("shared", {}).get(previous, {})
        own_prev = self.state.get("own_previous", {}).get(
            hash_code(self.exercise_id, self.code or ""), {}
        )
        own_prev = own_prev.get(previous, {})
        mine = self._own_answers()
        for (r, sid), p in mine.items():
            if r == round_no - 1:
                own_prev.setdefault(sid, p["value"])
        cards: list[w.Widget] = [
            w.HTML(f"<p>Round {int(round_no)}: rate each statement and press Save.</p>")
        ]
        self.delphi_controls: dict[str, tuple[w.Dropdown, w.Textarea, w.Button, w.HTML]] = {}
        for st in self.state["statements"]:
            sid, points = st["statement_id"], int(st["scale_points"])
            lines = [
                f"<div><b>{_h(sid)}</b>. {_h(st['text'])}</div>",
                f"<div class='fs-muted'>1 = strongly disagree ... {points} = strongly agree</div>",
            ]
            if sid in shared:
                s = shared[sid]
                lines.append(
                    f"<div class='fs-group'>Group in round {_h(previous)}: median <b>{_fmt(s['median'])}</b>, "
                    f"middle half {_fmt(s['q1'])}-{_fmt(s['q3'])} (IQR {_fmt(s['q3'] - s['q1'])}, n={int(s['n'])})</div>"
                )
            if sid in own_prev:
                lines.append(
                    f"<div class='fs-own'>Your answer in round {_h(previous)}: <b>{int(own_prev[sid])}</b>"
                    " - revise it, or keep it and say why below.</div>"
                )
            current = mine.get((round_no, sid))
            value = w.Dropdown(
                options=[("-", 0)] + [(str(i), i) for i in range(1, points + 1)],
                value=int(current["value"]) if current else 0,
                description="Rating",
                layout=w.Layout(width="auto"),
            )
            comment = w.Textarea(
                value=(current or {}).get("comment", ""),
                placeholder="comment or justification (optional)",
                layout=w.Layout(width="100%"),
            )
            status = w.HTML(_ok("Saved earlier") if current else "")
            button = self._button("Save", functools.partial(self._save_answer_clicked, sid))
            self.delphi_controls[sid] = (value, comment, button, status)
            card = w.VBox(
                [w.HTML("".join(lines)), value, comment, w.HBox([button, status])], layout=_full()
            )
            card.add_class("fs-card")
            card.add_class(f"fs-statement-{sid}")
            cards.append(card)
        return w.VBox(cards, layout=_full())

    def _save_answer_clicked(self, statement_id: str, _button: w.Button) -> None:
        self.save_answer(statement_id)

    def save_answer(self, statement_id: str) -> bool:
        """Submit the rating (+comment) of one statement in the open round."""
        assert self.state is not None
        value, comment, button, status = self.delphi_controls[statement_id]
        if not value.value:
            status.value = _err("Choose a rating first.")
            return False
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "round_no": self.state["open_round"],
            "statement_id": statement_id,
            "value": value.value,
            "comment": comment.value,
        }
        return self._save("foresight.answer", payload, status, button)

    # -- drivers ----------------------------------------------------------------------------------
    def _drivers(self) -> w.Widget:
        assert self.state is not None
        listed = "".join(
            f"<li>{_h(d['label'])} <span class='fs-muted'>({_h(d['steep'])})</span></li>"
            for d in self.state["drivers"]
        )
        self.driver_label = w.Text(
            placeholder="driver of change", description="Driver", layout=_full()
        )
        self.driver_steep = w.Dropdown(
            options=[(s.capitalize(), s) for s in kinds.STEEP], description="STEEP"
        )
        self.driver_text = w.Textarea(
            placeholder="why it matters (optional)", layout=w.Layout(width="100%")
        )
        self.driver_status = w.HTML()
        self.driver_button = self._button("Propose", lambda _b: self.propose_driver())
        return w.VBox(
            [
                w.HTML(f"<p>Drivers so far:</p><ul>{listed}</ul>"),
                self.driver_label,
                self.driver_steep,
                self.driver_text,
                w.HBox([self.driver_button, self.driver_status]),
            ],
            layout=_full(),
        )

    def propose_driver(self) -> bool:
        """Submit a new driver proposal."""
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "label": self.driver_label.value,
            "steep": self.driver_steep.value,
            "description": self.driver_text.value,
        }
        ok = self._save("foresight.driver", payload, self.driver_status, self.driver_button)
        if ok:
            self.driver_label.value = ""
            self.driver_text.value = ""
        return ok

    # -- impact / uncertainty -----------------------------------------------------------------------
    def _ratings(self) -> w.Widget:
        assert self.state is not None
        options = [(d["label"], d["driver_id"]) for d in self.state["drivers"]]
        self.rate_driver = w.Dropdown(options=options, description="Driver", layout=_full())
        scale = [("-", 0)] + [(str(i), i) for i in range(1, 6)]
        self.rate_impact = w.Dropdown(options=scale, value=0, description="Impact")
        self.rate_uncertainty = w.Dropdown(options=scale, value=0, description="Uncertainty")
        self.rate_status = w.HTML()
        self.rate_button = self._button("Save", lambda _b: self.save_rating())
        return w.VBox(
            [
                w.HTML(
                    "<p>How large is the driver's impact on SEE clusters by the horizon, and how "
                    "uncertain is its development? (1 = low, 5 = high)</p>"
                ),
                self.rate_driver,
                self.rate_impact,
                self.rate_uncertainty,
                w.HBox([self.rate_button, self.rate_status]),
            ],
            layout=_full(),
        )

    def save_rating(self) -> bool:
        """Submit impact and uncertainty of the chosen driver."""
        if not self.rate_impact.value or not self.rate_uncertainty.value:
            self.rate_status.value = _err("Choose impact and uncertainty first.")
            return False
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "driver_id": self.rate_driver.value,
            "impact": self.rate_impact.value,
            "uncertainty": self.rate_uncertainty.value,
        }
        return self._save("foresight.rating", payload, self.rate_status, self.rate_button)

    # -- influences ---------------------------------------------------------------------------------
    def _influences(self) -> w.Widget:
        assert self.state is not None
        options = [(d["label"], d["driver_id"]) for d in self.state["drivers"]]
        self.infl_source = w.Dropdown(options=options, description="Driver", layout=_full())
        self.infl_target = w.Dropdown(options=options, description="acts on", layout=_full())
        self.infl_strength = w.Dropdown(
            options=[("none (0)", 0), ("weak (1)", 1), ("moderate (2)", 2), ("strong (3)", 3)],
            value=0,
            description="Strength",
        )
        self.infl_status = w.HTML()
        self.infl_button = self._button("Save", lambda _b: self.save_influence())
        return w.VBox(
            [
                w.HTML(
                    "<p>Structural analysis: how strongly does one driver directly influence another?</p>"
                ),
                self.infl_source,
                self.infl_target,
                self.infl_strength,
                w.HBox([self.infl_button, self.infl_status]),
            ],
            layout=_full(),
        )

    def save_influence(self) -> bool:
        """Submit one direct influence."""
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "source_driver": self.infl_source.value,
            "target_driver": self.infl_target.value,
            "strength": self.infl_strength.value,
        }
        return self._save("foresight.influence", payload, self.infl_status, self.infl_button)
