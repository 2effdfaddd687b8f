"""Co-drafting the action plan (issue 17 item 7): proposals, comments and the facilitator's decisions.

Working-group members propose actions and comment on actions and proposals in the co-drafting
dashboard (``notebooks/dashboards/codraft.ipynb``); the facilitator accepts, merges or rejects each
proposal on the review page (``codraft_review.ipynb``, facilitator only).  Every input goes through
the capture inbox (:mod:`workbench.capture`), so nothing is lost to a knowledge-base lock and the
inbox is the audit trail:

* ``strategy.proposal``: a proposed action (the keys of ``strategy_actions`` plus ``barriers``,
  ``mechanisms``, ``pilots``, ``indicators``) with ``proposal_id``, ``strategy_id``, ``author``,
  ``rationale``; merged into ``strategy_proposals`` (migration 0125) with status ``proposed``.
* ``strategy.comment``: a comment on an action or a proposal; merged into ``strategy_comments``.
* ``strategy.decision``: ``accept`` (the proposal becomes a new action of the plan through
  :func:`workbench.strategy.write.upsert_action`, dataset :data:`CODRAFT_DATASET`), ``merge`` (its
  partner regions, dimensions, evidence links and indicators are added to an existing action, which
  keeps its own values and dataset; its description gets a "Merged from proposal ..." paragraph) or
  ``reject``.  A proposal is decided once; a second decision on it is refused by the merger.
* ``strategy.scenario``: a scenario narrative edited in the foresight facilitator dashboard
  (:func:`workbench.strategy.write.upsert_scenario`).

Validators refuse malformed input with a message naming the field and the value (nothing is
stored); :func:`advice` lists what the action plan's minimum content still misses (shown, not
refused: a proposal may be incomplete).  Kept light (no pandas/duckdb at import): dashboards'
kernels import it through :mod:`workbench.strategy.capture_kinds`.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from workbench.errors import ValidationError
from workbench.geography.codes import REGION_CODE

PROPOSAL_KIND = "strategy.proposal"
COMMENT_KIND = "strategy.comment"
DECISION_KIND = "strategy.decision"
SCENARIO_KIND = "strategy.scenario"
CODRAFT_DATASET = "capture:codraft"
DECISIONS = ("accept", "merge", "reject")
SCENARIOS = ("HH", "HL", "LH", "LL")
MAX_TEXT = 4000
MAX_TITLE = 200
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
LIST_KEYS = ("barriers", "mechanisms", "pilots")


def new_id(prefix: str) -> str:
    """A fresh id such as ``P-3f9a0c1b2d4e`` (proposal), ``C-...`` (comment), ``D-...`` (decision)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _refuse(what: str, field: str, value: Any, problem: str) -> ValidationError:
    shown = "" if value is None else f" (got {str(value)[:60]!r})"
    return ValidationError(f"{what} not saved: {field}: {problem}{shown}")


def _text(
    p: dict[str, Any], key: str, what: str, *, required: bool = False, limit: int = MAX_TEXT
) -> str | None:
    value = p.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _refuse(what, key, None, "is required")
        return None
    if not isinstance(value, str):
        raise _refuse(what, key, value, "must be text")
    value = value.strip()
    if len(value) > limit:
        raise _refuse(what, key, value, f"is longer than {limit} characters")
    return value


def _ident(p: dict[str, Any], key: str, what: str, *, required: bool = True) -> str | None:
    value = _text(p, key, what, required=required, limit=80)
    if value is not None and not _ID.match(value):
        raise _refuse(what, key, value, "must be letters, digits or _.:- (max 80)")
    return value


def _region(value: Any, what: str, field: str) -> str:
    code = str(value).strip().upper()
    if not REGION_CODE.match(code):
        raise _refuse(what, field, value, "must be a NUTS code such as HR03")
    return code


def _list(p: dict[str, Any], key: str) -> list[str]:
    value = p.get(key) or []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;\s]+", value) if v]
    if not isinstance(value, list | tuple):
        raise _refuse("proposal", key, value, "must be a list")
    return [str(v).strip() for v in value if str(v).strip()]


def _date(p: dict[str, Any], key: str, what: str) -> str | None:
    value = _text(p, key, what, limit=10)
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _refuse(what, key, value, "must be a date YYYY-MM-DD") from None


def _number(value: Any, what: str, field: str, *, minimum: float | None = None) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", "").replace(" ", ""))
    except ValueError:
        raise _refuse(what, field, value, "must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _refuse(what, field, value, "must be a finite number")
    if minimum is not None and number < minimum:
        raise _refuse(what, field, value, f"must be at least {minimum:g}")
    return number


def dimension_codes() -> tuple[str, ...]:
    """The six dimensions and the horizontal governance theme (``policy.yml`` ``dimensions``)."""
    from workbench.strategy.settings import dimension_labels

    return tuple(dimension_labels())


def funding_sources() -> tuple[str, ...]:
    """Codes of the funding sources (``strategy.yml`` ``funding_sources``)."""
    from workbench.strategy.settings import funding_sources as sources

    return tuple(sources())


def _indicators(p: dict[str, Any]) -> list[dict[str, Any]]:
    items = p.get("indicators") or []
    if not isinstance(items, list):
        raise _refuse("proposal", "indicators", items, "must be a list")
    out = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _refuse("proposal", f"indicator {n}", item, "must be a mapping")
        field = f"indicator {n}"
        code = _ident(item, "indicator_id", f"proposal ({field})", required=True)
        year = _number(item.get("target_year"), "proposal", f"{field} target_year", minimum=2000)
        out.append(
            {
                "indicator_id": code,
                "name": _text(item, "name", "proposal", limit=MAX_TITLE),
                "unit": _text(item, "unit", "proposal", limit=60),
                "baseline": _number(item.get("baseline"), "proposal", f"{field} baseline"),
                "target": _number(item.get("target"), "proposal", f"{field} target"),
                "target_year": None if year is None else int(year),
            }
        )
    return out


def validate_proposal(payload: dict[str, Any]) -> dict[str, Any]:
    """A proposed action, normalised; malformed fields raise :class:`ValidationError` naming the
    field and value.  Required: ``proposal_id``, ``strategy_id``, ``title``, at least one dimension.
    Everything else may still be missing (see :func:`advice`)."""
    p = dict(payload)
    what = "proposal"
    ids = {k: _ident(p, k, what) for k in ("proposal_id", "strategy_id")}
    title = _text(p, "title", what, required=True, limit=MAX_TITLE)
    dims = _list(p, "dimensions")
    known = dimension_codes()
    for d in dims:
        if d not in known:
            raise _refuse(what, "dimensions", d, f"unknown dimension; use {', '.join(known)}")
    if not dims:
        raise _refuse(what, "dimensions", None, "choose at least one dimension")
    currency = _text(p, "currency", what, limit=3)
    if currency is not None:
        currency = currency.upper()
        if not _CURRENCY.match(currency):
            raise _refuse(what, "currency", currency, "must be a 3-letter ISO code such as EUR")
    funding = _text(p, "funding_source", what, limit=40)
    if funding is not None and funding not in funding_sources():
        raise _refuse(what, "funding_source", funding, f"use one of {', '.join(funding_sources())}")
    lead = _text(p, "lead_region", what, limit=10)
    out: dict[str, Any] = {
        **ids,
        "title": title,
        "objective_id": _ident(p, "objective_id", what, required=False),
        "description": _text(p, "description", what),
        "dimensions": [d for d in known if d in dims],
        "lead_region": None if lead is None else _region(lead, what, "lead_region"),
        "partner_regions": sorted(
            {_region(r, what, "partner_regions") for r in _list(p, "partner_regions")}
        ),
        "start_date": _date(p, "start_date", what),
        "end_date": _date(p, "end_date", what),
        "budget": _number(p.get("budget"), what, "budget", minimum=0),
        "currency": currency,
        "funding_source": funding,
        "delivery": _text(p, "delivery", what, limit=MAX_TITLE),
        "responsible_body": _text(p, "responsible_body", what, limit=MAX_TITLE),
        "indicators": _indicators(p),
        "rationale": _text(p, "rationale", what),
        "author": _text(p, "author", what, limit=120),
    }
    for key in LIST_KEYS:
        linked = _list(p, key)
        for i in linked:
            if not _ID.match(i):
                raise _refuse(what, key, i, "must be ids of letters, digits or _.:-")
        out[key] = sorted(set(linked))
    if out["start_date"] and out["end_date"] and out["end_date"] < out["start_date"]:
        raise _refuse(what, "end_date", out["end_date"], f"is before start {out['start_date']}")
    if out["budget"] is not None and out["currency"] is None:
        raise _refuse(what, "currency", None, "is required with a budget")
    return out


def validate_comment(payload: dict[str, Any]) -> dict[str, Any]:
    """A comment on an action or a proposal, normalised (``comment_id``, ``strategy_id``,
    ``target_type`` action|proposal, ``target_id``, ``text``, ``author``)."""
    p = dict(payload)
    what = "comment"
    target_type = p.get("target_type")
    if target_type not in ("action", "proposal"):
        raise _refuse(what, "target_type", target_type, "must be action or proposal")
    return {
        "comment_id": _ident(p, "comment_id", what),
        "strategy_id": _ident(p, "strategy_id", what),
        "target_type": target_type,
        "target_id": _ident(p, "target_id", what),
        "text": _text(p, "text", what, required=True),
        "author": _text(p, "author", what, limit=120),
    }


def validate_decision(payload: dict[str, Any]) -> dict[str, Any]:
    """The facilitator's decision on a proposal: ``accept`` (``action_id`` optional: the id of the
    new action), ``merge`` (``action_id`` of the existing action, required) or ``reject``."""
    p = dict(payload)
    what = "decision"
    decision = p.get("decision")
    if decision not in DECISIONS:
        raise _refuse(what, "decision", decision, f"must be one of {', '.join(DECISIONS)}")
    out = {
        "decision_id": _ident(p, "decision_id", what),
        "proposal_id": _ident(p, "proposal_id", what),
        "decision": decision,
        "action_id": _ident(p, "action_id", what, required=decision == "merge"),
        "note": _text(p, "note", what),
    }
    if decision == "reject":
        out["action_id"] = None
    return out


def validate_scenario(payload: dict[str, Any]) -> dict[str, Any]:
    """A scenario narrative of a foresight exercise's 2x2 frame: ``exercise_id``, ``scenario``
    (HH, HL, LH, LL: level of axis A then axis B), ``axis_a``, ``axis_b`` (driver ids), ``name``
    (required), ``story``, ``signposts`` (list or one per line), ``implications`` ({dimension: text},
    an empty text removes that dimension's implication), ``author``."""
    p = dict(payload)
    what = "scenario"
    scenario = p.get("scenario")
    if scenario not in SCENARIOS:
        raise _refuse(what, "scenario", scenario, f"must be one of {', '.join(SCENARIOS)}")
    signposts = p.get("signposts") or []
    if isinstance(signposts, str):
        signposts = signposts.splitlines()
    if not isinstance(signposts, list | tuple):
        raise _refuse(what, "signposts", signposts, "must be a list of lines")
    implications = p.get("implications") or {}
    if not isinstance(implications, dict):
        raise _refuse(what, "implications", implications, "must map dimensions to text")
    known = dimension_codes()
    clean: dict[str, str] = {}
    for dim, text in implications.items():
        if dim not in known:
            raise _refuse(what, "implications", dim, f"unknown dimension; use {', '.join(known)}")
        value = _text({"t": text}, "t", f"{what} implication ({dim})")
        clean[dim] = value or ""
    return {
        "exercise_id": _ident(p, "exercise_id", what),
        "scenario": scenario,
        "axis_a": _ident(p, "axis_a", what, required=False),
        "axis_b": _ident(p, "axis_b", what, required=False),
        "name": _text(p, "name", what, required=True, limit=MAX_TITLE),
        "story": _text(p, "story", what, limit=20_000),
        "signposts": [s.strip()[:MAX_TITLE] for s in signposts if str(s).strip()],
        "implications": {d: clean[d] for d in known if d in clean},
        "author": _text(p, "author", what, limit=120),
    }


def action_of(proposal: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The action dict for :func:`workbench.strategy.write.upsert_action` made from a proposal."""
    keep = (
        "strategy_id", "objective_id", "title", "description", "dimensions", "lead_region",
        "partner_regions", "start_date", "end_date", "budget", "currency", "funding_source",
        "delivery", "responsible_body", "author", "indicators", *LIST_KEYS,
    )  # fmt: skip
    action = {k: proposal.get(k) for k in keep}
    action["action_id"] = action_id
    return action


def advice(proposal: dict[str, Any]) -> list[str]:
    """What the action plan's S3 minimum content still misses for this proposal (the messages of
    :func:`workbench.strategy.minimum.action_gaps`, naming the proposal); empty when complete."""
    from workbench.strategy.minimum import action_gaps

    action = action_of(proposal, str(proposal.get("proposal_id") or "proposal"))
    return [g["message"].replace("Action ", "Proposal ", 1) for g in action_gaps(action)]


def accepted_action_id(proposal_id: str) -> str:
    """The default id of the action an accepted proposal becomes: ``A-<proposal hex>``."""
    return "A-" + proposal_id.split("-", 1)[-1]


# -- mergers (run inside the capture merge transaction) ------------------------------------------


def received_at(text: str) -> datetime:
    """An inbox ``received_at`` as a naive UTC timestamp."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        return datetime.now(UTC).replace(tzinfo=None)


CODRAFT_SOURCE = (
    "co-drafting dashboards (working-group and facilitator input via the capture inbox)"
)
_CODRAFT_TABLES = (
    "strategy_actions",
    "strategy_proposals",
    "strategy_comments",
    "strategy_scenarios",
)


def register_dataset(con: Any) -> None:
    """Keep the ``datasets`` row of :data:`CODRAFT_DATASET` current (reports cite it in their
    provenance): rows = actions, proposals, comments and scenarios entered through the dashboards."""
    n = sum(
        con.execute(f"SELECT count(*) FROM {t} WHERE dataset_id = ?", [CODRAFT_DATASET]).fetchone()[
            0
        ]
        for t in _CODRAFT_TABLES
    )
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [CODRAFT_DATASET])
    con.execute(
        "INSERT INTO datasets (dataset_id, source, kind, imported_at, rows, importer,"
        " importer_version, synthetic, title) VALUES (?, ?, 'capture', ?, ?, ?, '1', FALSE, ?)",
        [CODRAFT_DATASET, CODRAFT_SOURCE, datetime.now(UTC).replace(tzinfo=None), n,
         "workbench.strategy.codraft", "Action-plan proposals, comments, decisions and scenario "
         "narratives entered in the dashboards"],
    )  # fmt: skip


def merge_proposals(con: Any, rows: list[Any]) -> None:
    """Insert proposals (a resubmission of a proposal still undecided replaces it)."""
    for row in rows:
        p = validate_proposal(dict(row.payload))
        found = con.execute(
            "SELECT status FROM strategy_proposals WHERE proposal_id = ?", [p["proposal_id"]]
        ).fetchone()
        if found is not None and found[0] != "proposed":
            continue  # decided proposals are final
        con.execute("DELETE FROM strategy_proposals WHERE proposal_id = ?", [p["proposal_id"]])
        con.execute(
            "INSERT INTO strategy_proposals (proposal_id, strategy_id, title, dimensions, action_json,"
            " rationale, author, submitted_at, status, dataset_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)",
            [p["proposal_id"], p["strategy_id"], p["title"], p["dimensions"],
             json.dumps(p, sort_keys=True, ensure_ascii=False), p["rationale"], p["author"],
             received_at(row.received_at), CODRAFT_DATASET],
        )  # fmt: skip
    register_dataset(con)


def merge_comments(con: Any, rows: list[Any]) -> None:
    """Insert comments (one row each; the same ``comment_id`` twice is stored once)."""
    for row in rows:
        c = validate_comment(dict(row.payload))
        con.execute(
            "INSERT INTO strategy_comments (comment_id, strategy_id, target_type, target_id, text,"
            " author, submitted_at, dataset_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (comment_id) DO NOTHING",
            [c["comment_id"], c["strategy_id"], c["target_type"], c["target_id"], c["text"],
             c["author"], received_at(row.received_at), CODRAFT_DATASET],
        )  # fmt: skip
    register_dataset(con)


def _existing_action(con: Any, action_id: str) -> dict[str, Any] | None:
    cur = con.execute("SELECT * FROM strategy_actions WHERE action_id = ?", [action_id])
    row = cur.fetchone()
    if row is None:
        return None
    action = dict(zip([d[0] for d in cur.description], row, strict=True))
    for key, link in (("barriers", "barrier"), ("mechanisms", "mechanism"), ("pilots", "pilot")):
        action[key] = [
            t
            for (t,) in con.execute(
                "SELECT target_id FROM strategy_action_links WHERE action_id = ? AND link_type = ?"
                " ORDER BY target_id",
                [action_id, link],
            ).fetchall()
        ]
    cur = con.execute(
        "SELECT * FROM strategy_indicators WHERE action_id = ? ORDER BY indicator_id", [action_id]
    )
    names = [d[0] for d in cur.description]
    action["indicators"] = [
        {k: v for k, v in zip(names, r, strict=True) if k != "action_id"} for r in cur.fetchall()
    ]
    return action


def merged_action(
    existing: dict[str, Any], proposal: dict[str, Any], proposal_id: str
) -> dict[str, Any]:
    """``existing`` with the proposal's partner regions, dimensions, evidence links and new
    indicators added (existing values win; empty fields are filled from the proposal) and its
    description appended as "Merged from proposal ...".  Pure."""
    out = dict(existing)
    for key in ("dimensions", "partner_regions", *LIST_KEYS):
        out[key] = sorted({*(existing.get(key) or []), *(proposal.get(key) or [])})
    dims = dimension_codes()
    out["dimensions"] = [d for d in dims if d in out["dimensions"]]
    lead = existing.get("lead_region")
    if lead:
        out["partner_regions"] = [r for r in out["partner_regions"] if r != lead]
    for key in ("objective_id", "lead_region", "start_date", "end_date", "budget", "currency",
                "funding_source", "delivery", "responsible_body"):  # fmt: skip
        if existing.get(key) in (None, "") and proposal.get(key) not in (None, ""):
            out[key] = proposal[key]
    have = {i["indicator_id"] for i in existing.get("indicators") or []}
    out["indicators"] = [
        *(existing.get("indicators") or []),
        *(i for i in proposal.get("indicators") or [] if i["indicator_id"] not in have),
    ]
    by = f" ({proposal['author']})" if proposal.get("author") else ""
    text = proposal.get("description") or proposal.get("title")
    addition = f"Merged from proposal {proposal_id}{by}: {proposal['title']}. {text or ''}".strip()
    out["description"] = "\n\n".join(x for x in (existing.get("description"), addition) if x)
    return out


def _plain(value: Any) -> Any:
    """DuckDB values back to JSON-like Python (dates as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return value


_BOOKKEEPING = ("dataset_id", "synthetic", "created_at", "updated_at")


def merge_decisions(con: Any, rows: list[Any]) -> None:
    """Apply the facilitator's decisions (see the module docstring).  A decision on an unknown or
    already decided proposal, or a merge into an unknown action, raises (the capture merge then
    keeps the row with its error and merges the other kinds)."""
    from workbench.strategy.write import upsert_action

    for row in rows:
        d = validate_decision(dict(row.payload))
        found = con.execute(
            "SELECT status, action_json, strategy_id FROM strategy_proposals WHERE proposal_id = ?",
            [d["proposal_id"]],
        ).fetchone()
        if found is None:
            raise ValueError(f"decision {d['decision_id']}: no proposal {d['proposal_id']!r}")
        status, action_json, strategy_id = found
        if status != "proposed":
            raise ValueError(f"proposal {d['proposal_id']} was already decided ({status})")
        proposal = json.loads(action_json)
        at = received_at(row.received_at)
        action_id = d["action_id"]
        if d["decision"] == "accept":
            action_id = action_id or accepted_action_id(d["proposal_id"])
            if _existing_action(con, action_id) is not None:
                raise ValueError(f"proposal {d['proposal_id']}: action {action_id} already exists")
            upsert_action(con, action_of(proposal, action_id), dataset_id=CODRAFT_DATASET)
        elif d["decision"] == "merge":
            existing = _existing_action(con, action_id)
            if existing is None or existing.get("strategy_id") != strategy_id:
                raise ValueError(
                    f"proposal {d['proposal_id']}: no action {action_id!r} in strategy {strategy_id}"
                )
            dataset = existing.get("dataset_id") or CODRAFT_DATASET
            synthetic = bool(existing.get("synthetic"))
            merged = merged_action(existing, proposal, d["proposal_id"])
            action = {k: _plain(v) for k, v in merged.items() if k not in _BOOKKEEPING}
            upsert_action(con, action, dataset_id=dataset, synthetic=synthetic)
        status = {"accept": "accepted", "merge": "merged", "reject": "rejected"}[d["decision"]]
        con.execute(
            "UPDATE strategy_proposals SET status = ?, action_id = ?, decision_note = ?,"
            " decided_at = ? WHERE proposal_id = ?",
            [status, action_id, d["note"], at, d["proposal_id"]],
        )
    register_dataset(con)


def merge_scenarios(con: Any, rows: list[Any]) -> None:
    """Upsert scenario narratives (a later edit wins)."""
    from workbench.strategy.write import upsert_scenario

    for row in rows:
        upsert_scenario(con, validate_scenario(dict(row.payload)), dataset_id=CODRAFT_DATASET)
    register_dataset(con)
