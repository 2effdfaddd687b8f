"""The foresight report notebook's parameters (raise ParameterError with a clear message)."""

from __future__ import annotations

import re

from workbench.errors import ParameterError

_EXERCISE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


def validate_exercise_id(exercise_id: object) -> str:
    """The parameter ``exercise_id``: a non-empty id of letters, digits and ``_.:-``."""
    if not isinstance(exercise_id, str) or not _EXERCISE_ID.match(exercise_id):
        raise ParameterError(
            f"exercise_id must be an exercise id like 'see-clusters-2035', got {exercise_id!r}"
        )
    return exercise_id
