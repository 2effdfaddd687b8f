"""The small interface every report result offers, so that ``start_report`` can take the result.

A report function in ``<domain>/reports.py`` returns a dataclass holding the report's tables.  Each
such result has a ``title``, the ``dataset_ids`` it was computed from (for provenance) and
``note(key)``, the Markdown note of one section ('' when there is nothing to say).  Results get
``note`` from :class:`Notes` instead of declaring it again; ``start_report(result, parameters)``
then takes title and datasets from the result (:mod:`workbench.reporting.report`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Notes", "ReportResult"]


@runtime_checkable
class ReportResult(Protocol):
    """What ``start_report`` needs from a result: its title and the datasets it used."""

    @property
    def title(self) -> str: ...

    @property
    def dataset_ids(self) -> list[str]: ...

    def note(self, key: str) -> str: ...


class Notes:
    """Mixin for result dataclasses with a ``notes: dict[str, str]`` field."""

    notes: dict[str, str]

    def note(self, key: str) -> str:
        """The Markdown note of section ``key`` ('' when there is nothing to say)."""
        return self.notes.get(key, "")
