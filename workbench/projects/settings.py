"""Project-monitoring vocabularies from ``workbench/defaults/projects.yml`` (Jems), code -> words."""

from __future__ import annotations

from workbench.config import load_defaults


def cost_category_labels() -> dict[str, str]:
    """Jems cost category code -> label (``office_administration`` -> "Office and administration")."""
    return dict(load_defaults("projects")["cost_categories"])


def target_group_labels() -> dict[str, str]:
    """Jems target group / organisation type code -> label; ``other`` for a type not given."""
    return dict(load_defaults("projects")["target_groups"]) | {"other": "Other or not given"}


def event_kind_labels() -> dict[str, str]:
    """Event kind code -> words (``info_day`` -> "Info day"); a kind not listed stays as entered."""
    return dict(load_defaults("projects")["event_kinds"])
