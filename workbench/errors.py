"""Expected failures of the workbench.

A :class:`WorkbenchError` carries a message meant for a person; the CLI prints it to stderr and exits
non-zero without a traceback.  Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED_PROBLEMS = 20


class WorkbenchError(Exception):
    """Base class of expected, user-facing failures."""

    exit_code = 1


class KBBusyError(WorkbenchError):
    """The knowledge base is locked by another process for longer than the bounded wait."""

    exit_code = 3


class MissingSystemPackage(WorkbenchError):
    """A feature needs a system package that is not installed (e.g. Chromium, pango)."""

    exit_code = 4


class ValidationError(WorkbenchError, ValueError):
    """A value broke a rule (parameters, dashboard input, analysis input)."""

    exit_code = 2


class ParameterError(ValidationError):
    """A notebook parameter is unknown, missing or of the wrong type."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is, what the value was and which rule it broke."""

    file: str
    rule: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where)
        if self.value is not None:
            value = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            text += f", value {value!r}"
        return f"{text}: {self.rule}"


class ImportFailed(WorkbenchError):
    """An import was refused; nothing was written.  Lists up to 20 problems and the total count."""

    exit_code = 2

    def __init__(
        self, problems: list[Problem], total: int | None = None, *, file: str = ""
    ) -> None:
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        self.file = file or (self.problems[0].file if self.problems else "")
        super().__init__(self._message())

    def _message(self) -> str:
        head = f"import of {self.file} failed: {self.total} problem(s); nothing was written"
        lines = [head]
        lines += [f"  - {p}" for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if self.total > MAX_LISTED_PROBLEMS:
            lines.append(f"  ... and {self.total - MAX_LISTED_PROBLEMS} more")
        return "\n".join(lines)
