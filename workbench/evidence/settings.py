"""Evidence defaults (thresholds, conventions, country groups) from ``workbench/defaults/evidence.yml``."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults


def evidence_defaults() -> dict[str, Any]:
    """The parsed ``evidence.yml``: policy thresholds live there, not in code."""
    return load_defaults("evidence")


def setting(section: str, key: str) -> Any:
    """One value of ``evidence.yml``, e.g. ``setting("stars", "specialisation_lq")``."""
    return evidence_defaults()[section][key]


def country_groups() -> dict[str, list[str]]:
    """Named country groups usable as reference economies (``EU27``, ``SEE``, ...)."""
    return {k: list(v) for k, v in evidence_defaults()["country_groups"].items()}
