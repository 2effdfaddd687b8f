"""What the points of a statement's answer scale mean (its anchors), e.g. 1 = "not important at all".

A statement set up from a template carries its anchors (``anchor_low``/``anchor_mid``/``anchor_high``,
migration 0110).  For one without them (older exercises, the demo) they are taken, in this order,
from the statement's own wording "(1 = not at all, 9 = essential)", from its dimension (agreement,
importance, desirability, feasibility, likelihood), or from the first word of its text ("Importance of
..."); the defaults are data in ``workbench/defaults/setup/foresight_exercise.yml`` (``anchors``).
Light: yaml and re only.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml

from workbench.config import DEFAULTS_DIR

# "(1 = not at all, 9 = essential)", "(1 = very unlikely; 5 = very likely)", optional middle point
_IN_TEXT = re.compile(
    r"\(\s*1\s*=\s*(?P<low>[^,;()=]+?)\s*[,;]\s*"
    r"(?:(?P<midn>\d+)\s*=\s*(?P<mid>[^,;()=]+?)\s*[,;]\s*)?"
    r"(?P<top>\d+)\s*=\s*(?P<high>[^,;()=]+?)\s*\)"
)


@cache
def _rules() -> dict[str, Any]:
    path = DEFAULTS_DIR / "setup" / "foresight_exercise.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {"anchors": raw["anchors"], "guess": raw["guess_dimension"]}


def guess_dimension(text: str) -> str:
    """``importance`` for "Importance of ...", ``agreement`` when nothing fits."""
    first = re.split(r"[\s:,.]", str(text).strip().lower(), maxsplit=1)[0]
    return str(_rules()["guess"].get(first, "agreement"))


def statement_anchors(
    text: str,
    points: int,
    dimension: str | None = None,
    low: str | None = None,
    mid: str | None = None,
    high: str | None = None,
) -> dict[str, Any]:
    """``{"dimension", "low", "mid", "high"}`` of a statement: given anchors win, then the wording
    "(1 = ..., N = ...)" in the text (only when N is the statement's top point), then the defaults of
    the dimension (given, or guessed from the first word of the text)."""
    found = _IN_TEXT.search(str(text))
    if found and int(found.group("top")) == int(points):
        low = low or found.group("low").strip()
        high = high or found.group("high").strip()
        if found.group("mid") and int(found.group("midn")) == (int(points) + 1) // 2:
            mid = mid or found.group("mid").strip()
    dim = dimension or guess_dimension(text)
    defaults = _rules()["anchors"].get(dim) or _rules()["anchors"]["agreement"]
    if not low and not high:
        low, high, mid = defaults[0], defaults[2], mid or defaults[1]
    return {
        "dimension": dim,
        "low": low or defaults[0],
        "mid": mid or None,
        "high": high or defaults[2],
    }
