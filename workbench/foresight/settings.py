"""Foresight rules loaded from ``workbench/defaults/foresight.yml`` (thresholds are data, not code)."""

from __future__ import annotations

from workbench.config import load_defaults


def max_iqr(scale_points: int) -> float:
    """Consensus threshold on the interquartile range for a scale of ``scale_points`` points."""
    table = load_defaults("foresight")["consensus"]["max_iqr"]
    return float(table[int(scale_points)])


def agreement_min_value(scale_points: int) -> int:
    """Lowest answer that counts as agreement (top band) on a scale of ``scale_points`` points."""
    return int(load_defaults("foresight")["consensus"]["agreement_min_value"][int(scale_points)])
