"""Validation of one action against the S3 minimum content (plain Python, no pandas).

Light so that a proposed action can be checked in a working-group member's kernel.  The minimum
content is data (``strategy.yml`` ``minimum_content``, each element with its reference: S3 Platform
guidance on the S3 action plan, Interreg Europe action plans).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from workbench.geography.codes import REGION_CODE
from workbench.strategy.settings import (
    common_indicators,
    funding_sources,
    minimum_content,
)

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return bool(isinstance(value, (list, tuple)) and not value)


def _as_date(value: Any) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()[:10]
    if DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _check(element: dict[str, Any], action: dict[str, Any]) -> str | None:
    """The message of one missing element ('' parts filled by the caller), or None when present."""
    kind = element["check"]
    if kind == "field":
        return None if not _blank(action.get(element["field"])) else "is missing"
    if kind == "dimensions":
        return None if not _blank(action.get("dimensions")) else "names no dimension"
    if kind == "evidence":
        linked = any(not _blank(action.get(k)) for k in ("barriers", "mechanisms", "pilots"))
        return None if linked else "links no barrier, mechanism or pilot result"
    if kind == "dates":
        start, end = _as_date(action.get("start_date")), _as_date(action.get("end_date"))
        if start is None or end is None:
            missing = [n for n, v in (("start", start), ("end", end)) if v is None]
            return f"has no {' and no '.join(missing)} date"
        return None if end >= start else f"ends ({end}) before it starts ({start})"
    if kind == "budget":
        amount = _number(action.get("budget"))
        if amount is None or amount <= 0:
            return "has no budget amount"
        return None if not _blank(action.get("currency")) else "has a budget without currency"
    if kind == "funding":
        source = action.get("funding_source")
        if _blank(source):
            return "names no funding source"
        known = funding_sources()
        if str(source) not in known:
            return f"names the funding source {source!r}, which is not one of {', '.join(known)}"
        return None
    if kind == "regions":
        lead = action.get("lead_region")
        if _blank(lead):
            return "names no lead region"
        return None if REGION_CODE.match(str(lead)) else f"lead region {lead!r} is not a NUTS code"
    if kind == "target":
        for ind in action.get("indicators") or []:
            if (
                _number(ind.get("baseline")) is not None
                and _number(ind.get("target")) is not None
                and not _blank(
                    ind.get("unit")
                    or common_indicators().get(str(ind.get("indicator_id")), {}).get("unit")
                )
            ):
                return None
        return "has no indicator with baseline, target and unit"
    raise ValueError(f"strategy.yml minimum_content: unknown check {kind!r}")


def action_gaps(action: dict[str, Any]) -> list[dict[str, str]]:
    """Every element of the S3 minimum content that ``action`` lacks, as
    ``{"action_id", "title", "element", "message", "reference"}`` (``[]`` = complete).

    ``action``: the columns of ``strategy_actions`` plus ``barriers``, ``mechanisms``, ``pilots``
    (lists of ids) and ``indicators`` (dicts with indicator_id, unit, baseline, target).
    The message names the action and the missing element, e.g. "Action A07 'Joint cluster
    academy' has no funding source (funding source)".
    """
    gaps = []
    ident = str(action.get("action_id") or "(new action)")
    title = str(action.get("title") or "")
    for element in minimum_content():
        problem = _check(element, action)
        if problem is None:
            continue
        if element["check"] == "field":
            problem = f"has no {element['element']}"
        gaps.append(
            {
                "action_id": ident,
                "title": title,
                "element": element["element"],
                "message": f"Action {ident} '{title}' {problem} ({element['element']})",
                "reference": element["reference"],
            }
        )
    return gaps


def validate_action(action: dict[str, Any]) -> list[str]:
    """The messages of :func:`action_gaps` only (advice for a proposal; ``[]`` = complete)."""
    return [g["message"] for g in action_gaps(action)]
