"""Evidence defaults (thresholds, conventions, country groups) from ``workbench/defaults/evidence.yml``."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults


def setting(section: str, key: str) -> Any:
    """One value of ``evidence.yml``, e.g. ``setting("stars", "specialisation_lq")``."""
    return load_defaults("evidence")[section][key]


def country_groups() -> dict[str, list[str]]:
    """Named country groups usable as reference economies (``EU27``, ``SEE``, ...)."""
    return {k: list(v) for k, v in load_defaults("evidence")["country_groups"].items()}
