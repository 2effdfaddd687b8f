"""Learning-platform vocabularies from ``workbench/defaults/learning.yml``, code -> words."""

from __future__ import annotations

from workbench.config import load_defaults


def instrument_type_labels() -> dict[str, str]:
    """Good-practice instrument type -> words (``service`` -> "advisory and business support ...")."""
    return dict((load_defaults("learning").get("practices") or {}).get("instrument_types") or {})


def action_status_labels() -> dict[str, str]:
    """Working-group action item status -> words (``in_progress`` -> "in progress")."""
    return dict(load_defaults("learning")["working_groups"]["action_statuses"])


def link_kind_labels() -> dict[str, str]:
    """What an action item is linked to, in words (``barrier_cell`` -> "barrier matrix cell ...")."""
    return dict(load_defaults("learning")["working_groups"]["link_kinds"])
