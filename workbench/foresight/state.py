"""What participants may see: the exercise state published by the facilitator (light to read).

Participant kernels never query the knowledge base.  They read the latest ``foresight.state`` row of
the capture inbox, which the facilitator (or ``workbench foresight publish`` / ``workbench serve``)
publishes: open round, statements, drivers, the group median/IQR of rounds whose results the
facilitator shared, each participant's own earlier answers keyed by a hash of their code, and the
hashes of valid codes.  Nothing in it names a participant, and nothing of a round is in it before
the facilitator shares that round.  Reading needs only sqlite3 + json.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from workbench import capture

STATE_KIND = "foresight.state"
ROUND_KIND = "foresight.round"


_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")


def normalise_code(code: str) -> str:
    """A code as typed, in its canonical form: case-insensitive, spaces around it ignored, and a code of
    the generated shape typed without or with other separators ("k7qm4zt9xh", "k7qm4 zt9xh",
    "K7QM4\u2013ZT9XH") becomes ``K7QM4-ZT9XH`` (alphabet, length and grouping: ``foresight.yml``).
    Anything else is only upper-cased, so older codes keep working."""
    text = str(code).strip().upper()
    letters = _SEPARATORS.sub("", text)
    rules = _code_rules()
    alphabet, length, group = str(rules["alphabet"]), int(rules["length"]), int(rules["group"])
    if len(letters) == length and all(ch in alphabet for ch in letters):
        return "-".join(letters[i : i + group] for i in range(0, length, group))
    return text


@functools.cache
def _code_rules() -> dict[str, Any]:
    from workbench.config import load_defaults

    return dict(load_defaults("foresight")["codes"])


def hash_code(exercise_id: str, code: str) -> str:
    """sha256 of ``exercise_id:CODE`` (the state holds hashes, never codes)."""
    return hashlib.sha256(f"{exercise_id}:{normalise_code(code)}".encode()).hexdigest()


def current_state(
    exercise_id: str, db: str | os.PathLike[str] | None = None
) -> dict[str, Any] | None:
    """The latest published state of an exercise, or None when the facilitator has not published it."""
    row = capture.latest(STATE_KIND, where={"exercise_id": exercise_id}, db=db)
    return row.payload if row is not None else None


def published_exercises(db: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """(exercise_id, title) of every published exercise, newest state per exercise."""
    latest: dict[str, dict[str, str]] = {}
    for row in capture.read(STATE_KIND, db=db):
        latest[row.payload["exercise_id"]] = {
            "exercise_id": row.payload["exercise_id"],
            "title": row.payload.get("title", ""),
        }
    return sorted(latest.values(), key=lambda r: r["exercise_id"])


def build_state(exercise_id: str, db: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Assemble the participant-visible state from the knowledge base and pending inbox rows."""
    from workbench.foresight import delphi
    from workbench.foresight.model import load_exercise

    ex = load_exercise(exercise_id, db=db)
    _refuse_weak_codes(exercise_id, list(ex.participants["participant_code"]))
    rounds = ex.rounds.sort_values("round_no")
    open_rounds = rounds.loc[rounds["status"] == "open", "round_no"].tolist()
    shared: dict[str, dict[str, dict[str, float]]] = {}
    own: dict[str, dict[str, dict[str, int]]] = {}
    latest = delphi.latest_answers(ex.answers) if len(ex.answers) else ex.answers
    scales = ex.statements.set_index("statement_id")["scale_points"]
    for r in rounds.itertuples():
        if r.status != "closed" or not bool(r.results_shared):
            continue
        in_round = latest[latest["round_no"] == r.round_no]
        if len(in_round) == 0:
            continue
        stats = delphi.item_stats(in_round, scales)
        shared[str(r.round_no)] = {
            s.statement_id: {"median": s.median, "q1": s.q1, "q3": s.q3, "n": int(s.n)}
            for s in stats.itertuples()
        }
        for a in in_round.itertuples():
            key = hash_code(exercise_id, a.participant_code)
            own.setdefault(key, {}).setdefault(str(r.round_no), {})[a.statement_id] = int(a.value)
    return {
        "exercise_id": exercise_id,
        "title": str(ex.exercise["title"]),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "open_round": int(open_rounds[0]) if open_rounds else None,
        "rounds": [
            {
                "round_no": int(r.round_no),
                "status": r.status,
                "results_shared": bool(r.results_shared),
            }
            for r in rounds.itertuples()
        ],
        "languages": _languages(ex.exercise),
        "statements": _statements(ex),
        "drivers": _drivers(ex),
        "shared": shared,
        "own_previous": own,
        "code_hashes": sorted(
            hash_code(exercise_id, c) for c in ex.participants["participant_code"]
        ),
    }


def _text(value: Any) -> str | None:
    """A text cell, or None for NULL/NaN/empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _languages(exercise: Any) -> list[str]:
    """The exercise's languages, first = the language of its statements (default ``en``)."""
    raw = _text(exercise.get("languages")) if hasattr(exercise, "get") else None
    return [x.strip() for x in (raw or "en").split(";") if x.strip()] or ["en"]


def _statements(ex: Any) -> list[dict[str, Any]]:
    """Statements with their scale, anchors (given, or inferred: :mod:`workbench.foresight.anchors`)
    and translations (text and anchors per language; a missing anchor falls back to the default)."""
    from workbench.foresight.anchors import statement_anchors

    tr = ex.statement_translations
    out = []
    for s in ex.statements.sort_values("sort_order").itertuples():
        row = s._asdict()
        anchors = statement_anchors(
            s.text,
            int(s.scale_points),
            _text(row.get("dimension")),
            _text(row.get("anchor_low")),
            _text(row.get("anchor_mid")),
            _text(row.get("anchor_high")),
        )
        translations = {}
        if len(tr):
            for t in tr[tr["statement_id"] == s.statement_id].itertuples():
                translations[str(t.language)] = {
                    "text": str(t.text),
                    "anchors": {
                        k: _text(getattr(t, f"anchor_{k}")) or anchors[k]
                        for k in ("low", "mid", "high")
                    },
                }
        out.append(
            {
                "statement_id": s.statement_id,
                "text": s.text,
                "scale_points": int(s.scale_points),
                "dimension": anchors["dimension"],
                "anchors": {k: anchors[k] for k in ("low", "mid", "high")},
                "translations": translations,
            }
        )
    return out


def _drivers(ex: Any) -> list[dict[str, Any]]:
    """Accepted drivers with description and translations (label, description per language)."""
    tr = ex.driver_translations
    out = []
    for d in ex.drivers[ex.drivers["status"] == "accepted"].itertuples():
        translations = {}
        if len(tr):
            for t in tr[tr["driver_id"] == d.driver_id].itertuples():
                translations[str(t.language)] = {
                    "label": str(t.label),
                    "description": _text(t.description),
                }
        out.append(
            {
                "driver_id": d.driver_id,
                "label": d.label,
                "steep": d.steep,
                "description": _text(getattr(d, "description", None)),
                "translations": translations,
            }
        )
    return out


def _refuse_weak_codes(exercise_id: str, codes: list[str]) -> None:
    """Codes that can be guessed are not published (rules: ``foresight.yml``, ``codes``)."""
    from workbench.errors import ValidationError
    from workbench.foresight.access import new_codes, settings, weak_codes

    weak = weak_codes(codes)
    if weak:
        minimum = settings()["codes"]["min_length"]
        raise ValidationError(
            f"exercise {exercise_id!r}: {len(weak)} of {len(codes)} participant codes have fewer "
            f"than {minimum} letters or digits (e.g. {weak[0]!r}) and could be guessed; give the "
            f"participants longer codes such as {new_codes(1)[0]} "
            "(workbench.foresight.access.new_codes makes them)"
        )


def publish_state(exercise_id: str, db: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Build and publish the state (a ``foresight.state`` inbox row); return it."""
    state = build_state(exercise_id, db=db)
    capture.submit(
        STATE_KIND,
        state,
        client_id="facilitator",
        idempotency_key=f"state-{uuid.uuid4().hex}",
        db=db,
    )
    return state


def set_round(
    exercise_id: str,
    round_no: int,
    status: str,
    *,
    results_shared: bool = False,
    db: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Open or close a round (and share its results); recorded through the inbox, then published."""
    capture.submit(
        ROUND_KIND,
        {
            "exercise_id": exercise_id,
            "round_no": int(round_no),
            "status": status,
            "results_shared": bool(results_shared),
        },
        client_id="facilitator",
        idempotency_key=f"round-{uuid.uuid4().hex}",
        db=db,
    )
    capture.merge(db=db)
    return publish_state(exercise_id, db=db)
