"""Foresight rules loaded from ``workbench/defaults/foresight.yml`` (thresholds are data, not code)."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults


def foresight_settings() -> dict[str, Any]:
    """The parsed ``foresight.yml``."""
    return load_defaults("foresight")


def max_iqr(scale_points: int) -> float:
    """Consensus threshold on the interquartile range for a scale of ``scale_points`` points."""
    table = foresight_settings()["consensus"]["max_iqr"]
    return float(table[int(scale_points)])


def agreement_min_value(scale_points: int) -> int:
    """Lowest answer that counts as agreement (top band) on a scale of ``scale_points`` points."""
    return int(foresight_settings()["consensus"]["agreement_min_value"][int(scale_points)])
