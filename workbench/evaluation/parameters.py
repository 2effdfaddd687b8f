"""The evaluation notebooks' parameters (raise ParameterError with a clear message)."""

from __future__ import annotations

from workbench.errors import ParameterError
from workbench.evaluation.data import Db, list_pilots

WEIGHTINGS = ("ahp", "equal")


def validate_pilot_id(pilot_id: object, db: Db = None) -> str:
    """The ``pilot_id`` notebook parameter, checked against the knowledge base."""
    if not isinstance(pilot_id, str) or not pilot_id.strip():
        raise ParameterError(
            f"parameter 'pilot_id': expected a pilot id such as 'P1', got {pilot_id!r}"
        )
    known = list_pilots(db)["pilot_id"].tolist()
    if pilot_id.strip() not in known:
        raise ParameterError(
            f"parameter 'pilot_id': {pilot_id!r} is not in the knowledge base; "
            f"known pilots: {', '.join(known) or '(none: run `workbench demo`)'}"
        )
    return pilot_id.strip()


def validate_weighting(weighting: object) -> str:
    """The ``weighting`` notebook parameter: 'ahp' (default judgements) or 'equal'."""
    if weighting not in WEIGHTINGS:
        raise ParameterError(
            f"parameter 'weighting': {weighting!r} must be one of {', '.join(WEIGHTINGS)}"
        )
    return str(weighting)
