"""Expected failures of evaluation functions (all are :class:`workbench.errors.ValidationError`)."""

from __future__ import annotations

from workbench.errors import Problem, ValidationError


class EvaluationInputError(ValidationError):
    """An analysis input lacks a column, has a bad value, or is too small to compute anything."""


class StaggeredAdoptionError(ValidationError):
    """Treated units start at different times and no valid group-time comparison is possible."""


class InconsistentJudgementsError(ValidationError):
    """AHP pairwise comparisons with a consistency ratio above the accepted maximum."""

    def __init__(self, message: str, consistency_ratio: float) -> None:
        super().__init__(message)
        self.consistency_ratio = consistency_ratio


class ScoreValidationError(ValidationError):
    """Criteria scores that break a rule; ``problems`` says where (row, column, value, rule)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in the scores; nothing was stored:"]
        lines += [f"  - {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more")
        super().__init__("\n".join(lines))


def require_columns(df: object, columns: list[str] | tuple[str, ...], what: str) -> None:
    """Raise :class:`EvaluationInputError` naming the missing columns of ``df``."""
    present = list(getattr(df, "columns", []))
    missing = [c for c in columns if c not in present]
    if missing:
        raise EvaluationInputError(
            f"{what}: missing column(s) {', '.join(missing)} (has: {', '.join(map(str, present))})"
        )
