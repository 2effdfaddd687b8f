"""Helpers over ``workbench/defaults/strategy.yml`` (and the common indicators of projects.yml).

Kept light (no pandas): a participant kernel may validate a proposed action with them.
"""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults

JOINT = "joint"  # strategy_visions.region of the joint vision


def defaults() -> dict[str, Any]:
    """The whole ``strategy.yml``."""
    return load_defaults("strategy")


def funding_sources() -> dict[str, str]:
    """Funding source code -> label (ERDF, ESF+, Interreg, IPA III, national, regional, ...)."""
    return dict(defaults()["funding_sources"])


def statuses() -> dict[str, str]:
    """Action status code -> label."""
    return dict(defaults()["statuses"])


def common_indicators() -> dict[str, dict[str, Any]]:
    """Interreg common indicators (code -> name, level, unit): ``projects.yml`` is the one copy."""
    return {k: dict(v) for k, v in load_defaults("projects")["common_indicators"].items()}


def minimum_content() -> list[dict[str, Any]]:
    """The S3 minimum content of an action, element by element, with its reference."""
    return [dict(e) for e in defaults()["minimum_content"]]


def dimension_labels() -> dict[str, str]:
    """Dimension code -> label (``policy.yml``: six dimensions and the governance theme)."""
    return dict(load_defaults("policy")["dimensions"])


def commitment_rule_labels() -> dict[str, str]:
    """Initiative commitment rule code -> words (``joint_action`` -> "leads or joins a joint action")."""
    return dict(defaults()["initiative"]["commitment_rules"])
