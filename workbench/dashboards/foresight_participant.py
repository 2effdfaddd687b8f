"""Participant dashboard of a foresight workshop (Voila): join with a code (or an invitation link
that carries it), Delphi rounds, drivers, impact/uncertainty of all drivers in one grid, structural
analysis as a driver x driver grid.

Lean on purpose (40-100 people join in the same minute): plain ipywidgets and escaped HTML, no
pandas, no plotly, no DuckDB in this kernel.  It reads only the state the facilitator published
(:mod:`workbench.foresight.state`) and its own earlier submissions, and writes only through
:func:`workbench.capture.submit`; "Saved" is shown after ``submit`` returned, i.e. once durable.
Every text that came from a person is passed through :func:`workbench.dashboards.kit.h` before it enters an HTML
widget.  Values are validated again in the kernel (capture validators) and refused with a message.

* **Anchors**: each statement shows its own scale's end points: the ``anchors`` the exercise gives
  the statement, else ``(1 = ..., 9 = ...)`` written in its text, else what its first word says
  ("Importance of ..." -> not important ... essential), else agree/disagree.
* **Grids**: impact and uncertainty of every driver with one Save (one ``foresight.ratings`` row);
  influences between drivers one source driver at a time with an overview matrix of the pairs
  already saved (diagonal excluded, "37 of 132 pairs"), starting at the first driver with missing
  pairs; Save stores every changed pair at once (``foresight.influences``).
* **Unsaved answers**: the page carries the class ``fs-unsaved`` while a changed answer is not
  saved; the ``workbench`` Voila template then asks the browser to warn before leaving.
* **Languages**: the page's own texts come from gettext catalogues
  (:mod:`workbench.dashboards.translations`), statement texts from the exercise's translations.
* **Invitation links**: ``?code=K7QM4-ZT9XH`` (any case) signs the participant in; ``?lang=sl``
  picks the language.  With preheated kernels the notebook reads them with
  :func:`request_parameters` after the kernel is handed to the page.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle

from workbench import capture
from workbench.dashboards import kit
from workbench.dashboards.translations import LANGUAGES, N_, gettext_for, pick_language
from workbench.errors import KBBusyError, ValidationError
from workbench.foresight import capture_kinds as kinds
from workbench.foresight.access import JoinGuard
from workbench.foresight.state import current_state, hash_code, normalise_code, published_exercises

log = logging.getLogger(__name__)

UNSET = -1  # a dropdown with no answer chosen (0 is a valid influence)
IMPACT_POINTS = 5
STRENGTHS = [N_("none"), N_("weak"), N_("moderate"), N_("strong")]  # 0-3
# statement wording -> its scale's end points (when the exercise gives none)
ANCHOR_RULES: list[tuple[str, str, str]] = [
    ("importance", N_("not important"), N_("essential")),
    ("desirability", N_("not desirable"), N_("highly desirable")),
    ("feasibility", N_("not feasible"), N_("fully feasible")),
    ("likelihood", N_("very unlikely"), N_("very likely")),
    ("probability", N_("very unlikely"), N_("very likely")),
]
AGREEMENT = (N_("strongly disagree"), N_("strongly agree"))
# STEEP categories as shown (kinds.STEEP holds the stored values)
STEEP_WORDS = [
    N_("social"),
    N_("technological"),
    N_("economic"),
    N_("environmental"),
    N_("political"),
]
_IN_TEXT = re.compile(r"\(\s*1\s*=\s*([^,;()]+?)\s*[,;]\s*(\d+)\s*=\s*([^()]+?)\s*\)")


def _full() -> w.Layout:
    """A fresh full-width layout (layouts are shared objects: never reuse one across widgets)."""
    return w.Layout(width="100%", max_width="640px")


CSS = (
    kit.CSS
    + """<style>
.fs-card{border:1px solid #ccc;border-radius:6px;padding:8px;margin:6px 0;max-width:640px}
.fs-ok{color:#1a7f37;font-weight:600}.fs-err{color:#b42318;font-weight:600}
.fs-muted{color:#555;font-size:90%}
.fs-warn{background:#fff4e5;border:1px solid #f0a020;border-radius:4px;padding:4px 8px}
.widget-dropdown>select{font-size:16px}
.fs-grid .widget-dropdown{width:auto;min-width:0}
.fs-grid .widget-dropdown>select{width:100%}
.fs-scroll{overflow-x:auto;max-width:100%}
table.fs-matrix{border-collapse:collapse;font-size:12px}
table.fs-matrix td,table.fs-matrix th{border:1px solid #ccc;min-width:20px;height:20px;
text-align:center;padding:0 2px}
table.fs-matrix td.fs-diag{background:#ddd}table.fs-matrix tr.fs-current th{background:#ffe9a8}
table.fs-matrix td.fs-draft{font-style:italic;background:#fff4e5}
.foresight-participant:not(.fs-unsaved) .fs-unsaved-note{display:none}
</style>"""
)


_h = kit.h  # the shared dashboard kit (workbench/dashboards/kit.py)


def _dropdown_grid(cells: list[w.Widget], columns: str, css_class: str) -> w.GridBox:
    """``cells`` laid out row by row in a grid of ``columns`` (CSS ``grid-template-columns``: a
    label column that may shrink, then the dropdowns), with the classes ``fs-grid`` (the dropdowns'
    width rules above) and ``css_class`` (what the browser tests find the grid by)."""
    grid = w.GridBox(
        cells,
        layout=w.Layout(
            grid_template_columns=columns,
            grid_gap="4px 6px",
            align_items="center",
            width="100%",
        ),
    )
    grid.add_class("fs-grid")
    grid.add_class(css_class)
    return grid


def _ok(text: str) -> str:
    return kit.status_html("ok", text, extra_class="fs-ok")


def _err(text: str) -> str:
    return kit.status_html("error", text, extra_class="fs-err")


def _fmt(x: float) -> str:
    return f"{x:g}"


def request_parameters() -> dict[str, str]:
    """``code``, ``lang`` and ``exercise`` of the page's URL and the browser's language
    (``accept_language``), for invitation links.

    Voila gives a preheated kernel the request only when a page takes it, so this waits for that
    moment there (:func:`workbench.dashboards.request_info.query_string`, Voila's protocol without
    importing Voila's server into every kernel); outside Voila it returns ``{}``.
    """
    if not os.environ.get("VOILA_KERNEL_ID") and "QUERY_STRING" not in os.environ:
        return {}
    try:
        from workbench.dashboards.request_info import query_string

        query = query_string() or ""
    except Exception:  # no Voila: no URL
        log.exception("could not read the page's URL")
        return {}
    values = {
        k: v[0] for k, v in parse_qs(query).items() if v and k in {"code", "lang", "exercise"}
    }
    accept = os.environ.get("HTTP_ACCEPT_LANGUAGE")
    if accept:
        values["accept_language"] = accept
    return values


def statement_anchors(statement: dict[str, Any], text: str) -> tuple[str, str, bool]:
    """(low end, high end, whether the ends are catalogue texts to translate) of a statement's scale.

    ``statement["anchors"]`` from the exercise wins: ``{"low": .., "high": ..}``, ``{"1": .., "9":
    ..}`` or a list from 1 to the scale's top; then anchors written in ``text`` as ``(1 = not at
    all, 9 = essential)``; then the statement's first word (:data:`ANCHOR_RULES`); else agreement.
    """
    given = statement.get("anchors")
    if isinstance(given, dict) and given:
        if "low" in given and "high" in given:
            return str(given["low"]), str(given["high"]), False
        keys = sorted(given, key=lambda k: int(k) if str(k).isdigit() else 0)
        return str(given[keys[0]]), str(given[keys[-1]]), False
    if isinstance(given, list) and len(given) >= 2:
        return str(given[0]), str(given[-1]), False
    found = _IN_TEXT.search(text)
    if found:
        return found.group(1), found.group(3), False
    first = text.strip().lower()
    for word, low, high in ANCHOR_RULES:
        if first.startswith(word):
            return low, high, True
    return AGREEMENT[0], AGREEMENT[1], True


def _close_tree(widget: w.Widget) -> None:
    """Close a widget and its descendants (frees their models in the kernel and the page)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


class ForesightParticipant:
    """The participant page; ``.container`` is the widget to display."""

    def __init__(
        self,
        exercise_id: str = "",
        db: str | os.PathLike[str] | None = None,
        *,
        code: str | None = None,
        language: str | None = None,
        accept_language: str | None = None,
    ) -> None:
        self.db = db
        self.exercise_id = exercise_id
        self.lang = pick_language(language, accept_language)
        self.explicit_language = bool(language and self.lang == language.lower()[:2])
        self._ = gettext_for(self.lang)
        self.code: str | None = None
        self.state: dict[str, Any] | None = None
        self.session = uuid.uuid4().hex[:12]
        self._keys: dict[str, str] = {}
        self._saves = 0
        self.unsaved_parts: set[str] = set()
        self._loading = False
        self.delphi_draft: dict[str, tuple[int, str]] = {}
        self.rating_draft: dict[str, tuple[int, int]] = {}
        self.infl_draft: dict[tuple[str, str], int] = {}
        self.infl_row = 0
        if not exercise_id:
            published = published_exercises(db)
            self.exercise_id = published[0]["exercise_id"] if published else ""
        self.guard = JoinGuard(self.exercise_id, db=db)  # wrong codes: pause, server-wide limit
        self.language = w.Dropdown(
            options=[(label, key) for key, label in LANGUAGES.items()],
            value=self.lang,
            layout=w.Layout(width="11em"),
        )
        self.language.add_class("fs-language")
        self.language.observe(self._language_changed, names="value")
        self.header = w.HTML()
        self.unsaved_note = w.HTML()
        self.code_box = w.Text(layout=_full())
        self.join_button = w.Button(button_style="primary")
        self.join_message = w.HTML()
        self.join_button.on_click(lambda _b: self.join(self.code_box.value))
        self.body = w.VBox(layout=_full())
        self.join_box = w.VBox([self.code_box, self.join_button, self.join_message], layout=_full())
        self.container = w.VBox(
            [
                w.HBox([self.header, self.language], layout=w.Layout(flex_flow="row wrap")),
                self.unsaved_note,
                self.join_box,
                self.body,
            ],
            layout=w.Layout(width="100%"),
        )
        self.container.add_class("foresight-participant")
        self._texts()
        if code:
            self.code_box.value = str(code).strip()
            self.join(self.code_box.value)

    @classmethod
    def from_request(
        cls, exercise_id: str = "", db: str | os.PathLike[str] | None = None
    ) -> ForesightParticipant:
        """The page for the current Voila request: the invitation link's code and language.

        A preheated kernel renders the page before anybody asks for it; the request (and with it
        the link's code) reaches it only when a page takes the kernel.  So the join page is built
        now, as before, and a thread waits for the request and hands the parameters to the
        kernel's event loop, which signs the participant in (the page shows it once its widgets
        are loaded).  Without preheating the request is known at once."""
        import asyncio
        import threading

        page = cls(exercise_id, db)
        if os.environ.get("VOILA_PREHEAT") != "True":
            page.apply_request(request_parameters())
            return page
        loop = asyncio.get_event_loop()

        def wait() -> None:
            params = request_parameters()
            loop.call_soon_threadsafe(page.apply_request, params)

        threading.Thread(target=wait, name="voila-request", daemon=True).start()
        return page

    def apply_request(self, params: dict[str, str]) -> None:
        """Exercise, language and code of an invitation link (``request_parameters``)."""
        try:
            exercise = params.get("exercise")
            if exercise and exercise != self.exercise_id and self.state is None:
                self.exercise_id = exercise
                self.guard = JoinGuard(exercise, db=self.db)
            if params.get("lang") or params.get("accept_language"):
                wanted = pick_language(params.get("lang"), params.get("accept_language"))
                self.explicit_language = bool(params.get("lang"))
                if wanted != self.lang:
                    self.set_language(wanted)
            if params.get("code") and self.state is None:
                self.code_box.value = str(params["code"]).strip()
                self.join(self.code_box.value)
        except Exception:  # the join page stays usable
            log.exception("invitation link could not be applied")

    # -- texts and language -----------------------------------------------------------------------
    def _texts(self) -> None:
        _ = self._
        title = _("Foresight workshop")
        note = _("You have answers that are not saved yet.")
        self.header.value = CSS + f"<h3>{_h(title)}</h3>"
        self.unsaved_note.value = f"<div class='fs-warn fs-unsaved-note'>{_h(note)}</div>"
        self.code_box.description = _("Code")
        self.code_box.placeholder = _("your code, e.g. K7QM4-ZT9XH")
        self.join_button.description = _("Join")

    def _language_changed(self, change: dict[str, Any]) -> None:
        self.explicit_language = True
        self.set_language(str(change["new"]))

    def set_language(self, lang: str) -> None:
        """Show the page in ``lang`` (unsaved answers are kept)."""
        offered = {value for _label, value in self.language.options}
        self.lang = lang if lang in offered else "en"
        self._ = gettext_for(self.lang)
        if self.language.value != self.lang:
            self.language.value = self.lang
        self._texts()
        if self.state is not None:
            self._collect_drafts()
            old, selected = self.body.children, self.tabs.selected_index
            self._build()
            self.tabs.selected_index = selected
            for widget in old:
                _close_tree(widget)

    # -- joining ----------------------------------------------------------------------------------
    def join(self, code: str) -> bool:
        """Check the code (any case) against the published state and build the participant's page."""
        _ = self._
        state = current_state(self.exercise_id, db=self.db) if self.exercise_id else None
        if state is None:
            self.join_message.value = _err(
                _("The workshop is not open yet. Please wait for the facilitator.")
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
        offered = [str(x) for x in state.get("languages") or []]
        extra = [(x.upper(), x) for x in offered if x not in LANGUAGES]
        if extra:  # languages the exercise's texts are translated into (page texts in English)
            self.language.options = [*self.language.options, *extra]
        if not self.explicit_language and offered and offered[0] != self.lang:
            self.set_language(offered[0])  # the exercise's first language
        self.code, self.state = code, state
        self.join_box.layout.display = "none"
        self._load_saved()
        self._build()
        return True

    def _build(self) -> None:
        assert self.state is not None
        _ = self._
        title = w.HTML(
            f"<b>{_h(self.state['title'])}</b><br><span class='fs-muted'>"
            + _h(_("You are {code}").format(code=self.code))
            + "</span>"
        )
        # each tab is built when first shown: a participant's first page sends the Delphi cards
        # only (fewer widget models to send when many join at once)
        self._builders = [self._delphi, self._drivers, self._ratings, self._influences]
        self._panels = [w.VBox(layout=_full()) for _b in self._builders]
        self._built: set[int] = set()
        self.ensure_tab(0)  # the cards exist before the tab that shows them
        self.tabs = w.Tab(children=self._panels)
        for i, name in enumerate([_("Delphi"), _("Drivers"), _("Impact"), _("Influences")]):
            self.tabs.set_title(i, name)
        self.tabs.selected_index = 0
        self.tabs.observe(lambda c: self.ensure_tab(c["new"]), names="selected_index")
        self.body.children = [title, self.tabs]

    def ensure_tab(self, index: int | None) -> None:
        """Build tab ``index`` if it is not built yet."""
        if index is None or index in self._built:
            return
        self._built.add(index)
        self._panels[index].children = [self._builders[index]()]

    # -- unsaved answers ----------------------------------------------------------------------------
    def _mark(self, key: str, dirty: bool = True) -> None:
        if self._loading:
            return
        if dirty:
            self.unsaved_parts.add(key)
        else:
            self.unsaved_parts.discard(key)
        if self.unsaved_parts:
            self.container.add_class("fs-unsaved")
        else:
            self.container.remove_class("fs-unsaved")

    @property
    def unsaved(self) -> bool:
        """Whether an answer was changed and not saved."""
        return bool(self.unsaved_parts)

    def _collect_drafts(self) -> None:
        """Keep what is typed but not saved across a rebuild (language change)."""
        for sid, (value, comment, _b, _s) in getattr(self, "delphi_controls", {}).items():
            if f"delphi:{sid}" in self.unsaved_parts:
                self.delphi_draft[sid] = (int(value.value), str(comment.value))
        ratings_built = 2 in getattr(self, "_built", set())
        for driver, (impact, uncertainty) in self.rating_controls.items() if ratings_built else []:
            if impact.value != UNSET or uncertainty.value != UNSET:
                self.rating_draft[driver] = (int(impact.value), int(uncertainty.value))

    # -- saving -----------------------------------------------------------------------------------
    def _save(self, kind: str, payload: dict[str, Any], status: w.HTML, button: w.Button) -> bool:
        """Submit once; "Saved" only after the durable commit.  A retry or a double click with the same
        values reuses the idempotency key, so it stores nothing twice.  (The submit takes about a
        millisecond, so no intermediate "Saving..." message is sent: fewer messages when 40 people
        press Save at once.)"""
        _ = self._
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
                _ok(_("Saved {time}").format(time=datetime.now().strftime("%H:%M:%S")))
                + f"<!--{self._saves}-->"
            )
            return True
        except ValidationError as exc:
            status.value = _err(_("Not saved: {reason}").format(reason=exc))
        except Exception:  # never show a traceback to a participant
            log.exception("foresight submit failed")
            status.value = _err(_("Not saved: the server is busy, please press the button again."))
        return False

    def _button(self, label: str, action: Callable[[w.Button], object]) -> w.Button:
        button = w.Button(description=label, button_style="success")
        button.on_click(action)
        return button

    def _mine(self, *kinds_: str) -> list[Any]:
        """This participant's own submissions of ``kinds_`` in the order they were stored."""
        where = {"exercise_id": self.exercise_id, "participant_code": self.code}
        rows = [r for k in kinds_ for r in capture.read(k, where=where, db=self.db)]
        return sorted(rows, key=lambda r: r.seq)

    def _load_saved(self) -> None:
        """Own ratings and influences saved earlier (single or batched; the latest wins)."""
        self.saved_ratings: dict[str, tuple[int, int]] = {}
        self.saved_influences: dict[tuple[str, str], int] = {}
        for r in self._mine("foresight.rating", "foresight.ratings"):
            for item in r.payload.get("ratings", [r.payload]):
                self.saved_ratings[item["driver_id"]] = (item["impact"], item["uncertainty"])
        for r in self._mine("foresight.influence", "foresight.influences"):
            for item in r.payload.get("influences", [r.payload]):
                pair = (item["source_driver"], item["target_driver"])
                self.saved_influences[pair] = int(item["strength"])
        ids = [d["driver_id"] for d in self.state["drivers"]] if self.state else []
        self.infl_row = next(
            (
                i
                for i, s in enumerate(ids)
                if any((s, t) not in self.saved_influences for t in ids if t != s)
            ),
            0,
        )

    # -- Delphi -----------------------------------------------------------------------------------
    def _own_answers(self) -> dict[tuple[int, str], dict[str, Any]]:
        return {
            (r.payload["round_no"], r.payload["statement_id"]): r.payload
            for r in self._mine("foresight.answer")
        }

    def _translation(self, item: dict[str, Any]) -> dict[str, Any]:
        """The exercise's translation of a statement or driver into the page's language ({} when
        there is none); ``{"text": ...}`` for a translation given as plain text."""
        found = (item.get("translations") or {}).get(self.lang)
        if isinstance(found, str):
            return {"text": found}
        return found if isinstance(found, dict) else {}

    def statement_text(self, statement: dict[str, Any]) -> str:
        """The statement in the page's language (the exercise's translation), else as written."""
        return str(self._translation(statement).get("text") or statement["text"])

    def driver_label(self, driver: dict[str, Any]) -> str:
        """A driver's name in the page's language, else as written."""
        return str(self._translation(driver).get("label") or driver["label"])

    def anchors_of(self, statement: dict[str, Any]) -> tuple[str, str]:
        """The end points of a statement's scale in the page's language: the translation's anchors,
        else the statement's (texts the catalogue knows, such as "strongly agree", translated)."""
        text = self.statement_text(statement)
        translated = self._translation(statement).get("anchors")
        if isinstance(translated, dict) and translated.get("low") and translated.get("high"):
            return str(translated["low"]), str(translated["high"])
        if translated is None and self._translation(statement).get("text"):
            found = _IN_TEXT.search(text)  # anchors written in the translated text
            if found:
                return found.group(1), found.group(3)
        low, high, _catalogue = statement_anchors(statement, text)
        return self._(low), self._(high)

    def _delphi(self) -> w.Widget:
        assert self.state is not None
        _ = self._
        round_no = self.state.get("open_round")
        if round_no is None:
            return w.HTML("<p>" + _h(_("No Delphi round is open at the moment.")) + "</p>")
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
            w.HTML(
                "<p>"
                + _h(_("Round {n}: rate each statement and press Save.").format(n=int(round_no)))
                + "</p>"
            )
        ]
        self.delphi_controls: dict[str, tuple[w.Dropdown, w.Textarea, w.Button, w.HTML]] = {}
        for st in self.state["statements"]:
            sid, points = st["statement_id"], int(st["scale_points"])
            text = self.statement_text(st)
            low, high = self.anchors_of(st)
            lines = [
                f"<div><b>{_h(sid)}</b>. {_h(text)}</div>",
                f"<div class='fs-muted fs-anchors'>1 = {_h(low)} ... {points} = {_h(high)}</div>",
            ]
            if sid in shared:
                s = shared[sid]
                lines.append(
                    "<div class='fs-group'>"
                    + _(
                        "Group in round {round}: median <b>{median}</b>, middle half {q1}-{q3} "
                        "(IQR {iqr}, n={n})"
                    ).format(
                        round=_h(previous),
                        median=_fmt(s["median"]),
                        q1=_fmt(s["q1"]),
                        q3=_fmt(s["q3"]),
                        iqr=_fmt(s["q3"] - s["q1"]),
                        n=int(s["n"]),
                    )
                    + "</div>"
                )
            if sid in own_prev:
                lines.append(
                    "<div class='fs-own'>"
                    + _(
                        "Your answer in round {round}: <b>{value}</b> - revise it, or keep it and "
                        "say why below."
                    ).format(round=_h(previous), value=int(own_prev[sid]))
                    + "</div>"
                )
            current = mine.get((round_no, sid))
            draft = self.delphi_draft.pop(sid, None)
            value = w.Dropdown(
                options=[("-", 0)] + [(str(i), i) for i in range(1, points + 1)],
                value=draft[0] if draft else int(current["value"]) if current else 0,
                description=_("Rating"),
                layout=w.Layout(width="auto"),
            )
            comment = w.Textarea(
                value=draft[1] if draft else (current or {}).get("comment", ""),
                placeholder=_("comment or justification (optional)"),
                layout=w.Layout(width="100%"),
            )
            status = w.HTML(_ok(_("Saved earlier")) if current and not draft else "")
            button = self._button(_("Save"), functools.partial(self._save_answer_clicked, sid))
            for widget in (value, comment):
                widget.observe(lambda _c, key=f"delphi:{sid}": self._mark(key), names="value")
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
            status.value = _err(self._("Choose a rating first."))
            return False
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "round_no": self.state["open_round"],
            "statement_id": statement_id,
            "value": value.value,
            "comment": comment.value,
        }
        ok = self._save("foresight.answer", payload, status, button)
        if ok:
            self._mark(f"delphi:{statement_id}", dirty=False)
        return ok

    # -- drivers ----------------------------------------------------------------------------------
    def _drivers(self) -> w.Widget:
        assert self.state is not None
        _ = self._
        listed = "".join(
            f"<li>{_h(self.driver_label(d))} <span class='fs-muted'>({_h(_(d['steep']))})</span></li>"
            for d in self.state["drivers"]
        )
        self.driver_name = w.Text(
            placeholder=_("driver of change"), description=_("Driver"), layout=_full()
        )
        self.driver_steep = w.Dropdown(
            options=[(_(s).capitalize(), s) for s in kinds.STEEP], description="STEEP"
        )
        self.driver_text = w.Textarea(
            placeholder=_("why it matters (optional)"), layout=w.Layout(width="100%")
        )
        self.driver_status = w.HTML()
        self.driver_button = self._button(_("Propose"), lambda _b: self.propose_driver())
        self.driver_name.observe(lambda c: self._mark("driver", bool(c["new"])), names="value")
        return w.VBox(
            [
                w.HTML("<p>" + _h(_("Drivers so far:")) + f"</p><ul>{listed}</ul>"),
                self.driver_name,
                self.driver_steep,
                self.driver_text,
                w.HBox([self.driver_button, self.driver_status]),
            ],
            layout=_full(),
        )

    def propose_driver(self) -> bool:
        """Submit a new driver proposal."""
        self.ensure_tab(1)
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "label": self.driver_name.value,
            "steep": self.driver_steep.value,
            "description": self.driver_text.value,
        }
        ok = self._save("foresight.driver", payload, self.driver_status, self.driver_button)
        if ok:
            self.driver_name.value = ""
            self.driver_text.value = ""
            self._mark("driver", dirty=False)
        return ok

    # -- impact / uncertainty: one grid, one save -------------------------------------------------
    def _ratings(self) -> w.Widget:
        assert self.state is not None
        _ = self._
        scale = [("-", UNSET)] + [(str(i), i) for i in range(1, IMPACT_POINTS + 1)]
        cells: list[w.Widget] = [
            w.HTML("<b>" + _h(_("Driver")) + "</b>"),
            w.HTML("<b>" + _h(_("Impact")) + "</b>"),
            w.HTML("<b>" + _h(_("Uncertainty")) + "</b>"),
        ]
        self.rating_controls: dict[str, tuple[w.Dropdown, w.Dropdown]] = {}
        # one layout and one style model shared by the grid's cells (never changed afterwards):
        # a third of the models to send
        cell, style, text = w.Layout(width="auto"), DescriptionStyle(), w.Layout()
        for d in self.state["drivers"]:
            saved = self.saved_ratings.get(d["driver_id"], (UNSET, UNSET))
            draft = self.rating_draft.pop(d["driver_id"], saved)
            impact = w.Dropdown(options=scale, value=draft[0], layout=cell, style=style)
            uncertainty = w.Dropdown(options=scale, value=draft[1], layout=cell, style=style)
            for widget in (impact, uncertainty):
                widget.observe(lambda _c: self._ratings_changed(), names="value")
            self.rating_controls[d["driver_id"]] = (impact, uncertainty)
            cells += [w.HTML(_h(self.driver_label(d)), layout=text), impact, uncertainty]
        grid = _dropdown_grid(cells, "minmax(0, 1fr) 5em 5em", "fs-ratings")
        self.rate_progress = w.HTML()
        self.rate_status = w.HTML()
        self.rate_button = self._button(_("Save all ratings"), lambda _b: self.save_ratings())
        self._ratings_changed(initial=True)
        return w.VBox(
            [
                w.HTML(
                    "<p>"
                    + _h(
                        _(
                            "How large is each driver's impact on SEE clusters by the horizon, and "
                            "how uncertain is its development? (1 = low, 5 = high)"
                        )
                    )
                    + "</p>"
                ),
                grid,
                self.rate_progress,
                w.HBox([self.rate_button, self.rate_status], layout=w.Layout(flex_flow="row wrap")),
            ],
            layout=_full(),
        )

    def rate_controls_for(self, driver_id: str) -> tuple[w.Dropdown, w.Dropdown]:
        """The (impact, uncertainty) dropdowns of one driver's row."""
        self.ensure_tab(2)
        return self.rating_controls[driver_id]

    def _rating_values(self) -> dict[str, tuple[int, int]]:
        return {k: (int(i.value), int(u.value)) for k, (i, u) in self.rating_controls.items()}

    def _ratings_changed(self, initial: bool = False) -> None:
        values = self._rating_values()
        done = sum(UNSET not in v for v in values.values())
        self.rate_progress.value = (
            "<span class='fs-muted fs-progress'>"
            + _h(self._("{done} of {total} drivers rated").format(done=done, total=len(values)))
            + "</span>"
        )
        if not initial:
            changed = any(v != self.saved_ratings.get(k, (UNSET, UNSET)) for k, v in values.items())
            self._mark("ratings", changed)

    def save_ratings(self) -> bool:
        """Submit every complete, changed row of the grid in one batch."""
        self.ensure_tab(2)
        _ = self._
        values = self._rating_values()
        half = [k for k, v in values.items() if (v[0] == UNSET) != (v[1] == UNSET)]
        if half:
            labels = {d["driver_id"]: self.driver_label(d) for d in self.state["drivers"]}  # type: ignore[index]
            self.rate_status.value = _err(
                _("Choose both impact and uncertainty for: {drivers}").format(
                    drivers=", ".join(labels[k] for k in half)
                )
            )
            return False
        changed: list[dict[str, Any]] = [
            {"driver_id": k, "impact": v[0], "uncertainty": v[1]}
            for k, v in values.items()
            if UNSET not in v and v != self.saved_ratings.get(k)
        ]
        if not changed:
            self.rate_status.value = _err(_("Nothing new to save."))
            return False
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "ratings": changed,
        }
        ok = self._save("foresight.ratings", payload, self.rate_status, self.rate_button)
        if ok:
            for item in changed:
                self.saved_ratings[item["driver_id"]] = (item["impact"], item["uncertainty"])
            self._mark("ratings", dirty=False)
        return ok

    # -- influences: a driver x driver grid, one source driver at a time -------------------------
    def _influences(self) -> w.Widget:
        assert self.state is not None
        _ = self._
        self.drivers = [(d["driver_id"], self.driver_label(d)) for d in self.state["drivers"]]
        n = len(self.drivers)
        options = [("-", UNSET)] + [(f"{i} {_(s)}", i) for i, s in enumerate(STRENGTHS)]
        self.infl_matrix = w.HTML()
        self.infl_progress = w.HTML()
        self.infl_source = w.Dropdown(
            options=[(f"{i + 1}. {label}", i) for i, (_d, label) in enumerate(self.drivers)],
            value=min(self.infl_row, max(n - 1, 0)) if n else None,
            description=_("Driver"),
            layout=_full(),
        )
        self.infl_source.observe(
            lambda c: None if self._loading else self._show_row(int(c["new"])), names="value"
        )
        self.infl_targets: list[tuple[w.HTML, w.Dropdown]] = []
        cells: list[w.Widget] = []
        cell, style, text = w.Layout(width="auto"), DescriptionStyle(), w.Layout()
        for _k in range(max(n - 1, 0)):
            label = w.HTML(layout=text)
            strength = w.Dropdown(options=options, value=UNSET, layout=cell, style=style)
            strength.observe(self._strength_changed, names="value")
            self.infl_targets.append((label, strength))
            cells += [label, strength]
        grid = _dropdown_grid(cells, "minmax(0, 1fr) 8.5em", "fs-influences")
        self.infl_heading = w.HTML()
        self.infl_status = w.HTML()
        self.infl_button = self._button(_("Save"), lambda _b: self.save_influences())
        self.infl_next = self._button(_("Save and next"), lambda _b: self.save_and_next())
        self.infl_prev = w.Button(description=_("Previous"))
        self.infl_prev.on_click(lambda _b: self._show_row((self.infl_row - 1) % max(n, 1)))
        if n:
            self._show_row(self.infl_row)
        return w.VBox(
            [
                w.HTML(
                    "<p>"
                    + _h(
                        _(
                            "Structural analysis: how strongly does each driver directly influence "
                            "each other driver? (0 = none, 3 = strong)"
                        )
                    )
                    + "</p>"
                ),
                self.infl_progress,
                self.infl_matrix,
                self.infl_source,
                self.infl_heading,
                grid,
                w.HBox(
                    [self.infl_prev, self.infl_button, self.infl_next],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                self.infl_status,
            ],
            layout=_full(),
        )

    def _pair_value(self, pair: tuple[str, str]) -> int:
        return self.infl_draft.get(pair, self.saved_influences.get(pair, UNSET))

    def show_row(self, row: int) -> None:
        """Show the pairs of source driver number ``row`` (drafts of other rows are kept)."""
        self.infl_row = row
        if 3 not in self._built:
            self.ensure_tab(3)  # builds the grid, showing this row
        else:
            self._show_row(row)

    def _show_row(self, row: int) -> None:
        _ = self._
        self.infl_row = row
        source, label = self.drivers[row]
        targets = [(d, lab) for d, lab in self.drivers if d != source]
        self._loading = True
        try:
            if self.infl_source.value != row:
                self.infl_source.value = row
            for (html_w, dropdown), (target, target_label) in zip(
                self.infl_targets, targets, strict=True
            ):
                html_w.value = _h(_("acts on {driver}").format(driver=target_label))
                dropdown.value = self._pair_value((source, target))
        finally:
            self._loading = False
        self.infl_heading.value = (
            "<b>"
            + _h(
                _("Driver {n} of {total}: {driver}").format(
                    n=row + 1, total=len(self.drivers), driver=label
                )
            )
            + "</b>"
        )
        self._refresh_matrix()

    def _strength_changed(self, change: dict[str, Any]) -> None:
        if self._loading:
            return
        source = self.drivers[self.infl_row][0]
        targets = [d for d, _lab in self.drivers if d != source]
        for target, (_html_w, dropdown) in zip(targets, self.infl_targets, strict=True):
            pair = (source, target)
            if dropdown.value == self.saved_influences.get(pair, UNSET):
                self.infl_draft.pop(pair, None)
            else:
                self.infl_draft[pair] = int(dropdown.value)
        self._mark("influences", bool(self.infl_draft))
        self._refresh_matrix()

    def influence_progress(self) -> tuple[int, int]:
        """(pairs saved, pairs in the grid): the diagonal is not part of the grid."""
        self.ensure_tab(3)
        ids = [d for d, _lab in self.drivers]
        total = len(ids) * (len(ids) - 1)
        done = sum(1 for s in ids for t in ids if s != t and (s, t) in self.saved_influences)
        return done, total

    def _refresh_matrix(self) -> None:
        _ = self._
        done, total = self.influence_progress()
        self.infl_progress.value = (
            "<span class='fs-progress'>"
            + _h(_("{done} of {total} pairs").format(done=done, total=total))
            + "</span>"
        )
        ids = [d for d, _lab in self.drivers]
        head = "".join(f"<th>{i + 1}</th>" for i in range(len(ids)))
        rows = []
        for i, s in enumerate(ids):
            cells = []
            for t in ids:
                if s == t:
                    cells.append("<td class='fs-diag'></td>")
                elif (s, t) in self.infl_draft:
                    cells.append(f"<td class='fs-draft'>{self.infl_draft[(s, t)]}</td>")
                elif (s, t) in self.saved_influences:
                    cells.append(f"<td>{self.saved_influences[(s, t)]}</td>")
                else:
                    cells.append("<td>&middot;</td>")
            current = " class='fs-current'" if i == self.infl_row else ""
            rows.append(f"<tr{current}><th>{i + 1}</th>{''.join(cells)}</tr>")
        self.infl_matrix.value = (
            "<div class='fs-scroll'><table class='fs-matrix' aria-label='"
            + _h(_("pairs entered"))
            + "'>"
            + f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )

    def save_influences(self) -> bool:
        """Submit every changed pair (all rows) in one batch."""
        self.ensure_tab(3)
        _ = self._
        if not self.infl_draft:
            self.infl_status.value = _err(_("Nothing new to save."))
            return False
        changed = dict(self.infl_draft)
        payload = {
            "exercise_id": self.exercise_id,
            "participant_code": self.code,
            "influences": [
                {"source_driver": s, "target_driver": t, "strength": v}
                for (s, t), v in sorted(changed.items())
            ],
        }
        ok = self._save("foresight.influences", payload, self.infl_status, self.infl_button)
        if ok:
            self.saved_influences.update(changed)
            for pair in changed:
                self.infl_draft.pop(pair, None)
            self._mark("influences", bool(self.infl_draft))
            self._refresh_matrix()
        return ok

    def save_and_next(self) -> bool:
        """Save, then show the next driver with pairs still missing (or the next one)."""
        if self.infl_draft and not self.save_influences():
            return False
        ids = [d for d, _lab in self.drivers]
        n = len(ids)
        for step in range(1, n + 1):
            row = (self.infl_row + step) % n
            if any((ids[row], t) not in self.saved_influences for t in ids if t != ids[row]):
                self._show_row(row)
                return True
        self._show_row((self.infl_row + 1) % n)
        return True
