"""Validation of one barrier entered by a person (dashboard, template row).

No pandas/duckdb here: participant kernels import it through :mod:`workbench.policy.capture_kinds`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from workbench.errors import ValidationError
from workbench.geography.codes import NUTS_CODE
from workbench.policy.settings import DIMENSIONS, SEVERITY_MAX, SEVERITY_MIN, phases

MAX_TEXT = {"barrier": 500, "evidence": 2000, "source": 300, "author": 100}


def validate_barrier(payload: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise a barrier (dashboard or template input); raise ValidationError naming the
    field and the value.  Returns the normalised dict (``barrier_id`` generated when missing)."""
    if not isinstance(payload, dict):
        raise ValidationError(f"a barrier must be a dict, got {type(payload).__name__}")
    out: dict[str, Any] = {}
    problems: list[str] = []
    bid = payload.get("barrier_id") or f"B-{uuid.uuid4().hex[:12]}"
    if not isinstance(bid, str) or not re.match(r"^[A-Za-z0-9_.:-]{1,80}$", bid):
        problems.append(f"barrier_id {bid!r}: 1-80 letters, digits or _.:-")
    out["barrier_id"] = bid
    region = str(payload.get("region") or "").strip().upper()
    if not NUTS_CODE.match(region):
        problems.append(f"region {payload.get('region')!r}: give a NUTS code such as HR03")
    out["region"] = region
    text = str(payload.get("barrier") or "").strip()
    if len(text) < 3:
        problems.append("barrier: describe the barrier in at least 3 characters")
    out["barrier"] = text
    dims = payload.get("dimensions")
    if isinstance(dims, str):
        dims = [d.strip() for d in re.split(r"[,;|]", dims) if d.strip()]
    dims = list(dict.fromkeys(dims or []))
    bad = [d for d in dims if d not in DIMENSIONS]
    if not dims or bad:
        problems.append(
            f"dimensions {bad or dims!r}: choose one or more of {', '.join(DIMENSIONS)}"
        )
    out["dimensions"] = dims
    phase = str(payload.get("phase") or "").strip()
    if phase not in phases():
        problems.append(f"phase {phase!r}: one of {', '.join(phases())}")
    out["phase"] = phase
    sev = payload.get("severity")
    try:
        sev_int = int(sev)  # type: ignore[arg-type]  # None and text raise, caught below
        if isinstance(sev, float) and sev != sev_int or isinstance(sev, bool):
            raise ValueError
    except (TypeError, ValueError):
        sev_int = None
    if sev_int is None or not SEVERITY_MIN <= sev_int <= SEVERITY_MAX:
        problems.append(f"severity {sev!r}: a whole number from {SEVERITY_MIN} to {SEVERITY_MAX}")
    out["severity"] = sev_int
    for key in ("evidence", "source", "author"):
        val = payload.get(key)
        val = None if val is None else str(val).strip() or None
        if val is not None and len(val) > MAX_TEXT[key]:
            problems.append(f"{key}: at most {MAX_TEXT[key]} characters (got {len(val)})")
        out[key] = val
    if len(text) > MAX_TEXT["barrier"]:
        problems.append(f"barrier: at most {MAX_TEXT['barrier']} characters (got {len(text)})")
    if problems:
        raise ValidationError("barrier not saved: " + "; ".join(problems))
    return out
