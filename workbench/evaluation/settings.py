"""Evaluation defaults from ``workbench/defaults/evaluation.yml`` (policy data, not code)."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults


def evaluation_defaults() -> dict[str, Any]:
    """The parsed ``evaluation.yml`` (cached by :func:`workbench.config.load_defaults`)."""
    return load_defaults("evaluation")


def section(name: str) -> dict[str, Any]:
    """One top-level section of ``evaluation.yml`` as a fresh dict."""
    cfg = evaluation_defaults()
    if name not in cfg:
        raise KeyError(f"workbench/defaults/evaluation.yml has no section {name!r}")
    value = cfg[name]
    return dict(value) if isinstance(value, dict) else value


def criteria_codes() -> list[str]:
    """Codes of the evaluation criteria in their configured order."""
    return [c["code"] for c in evaluation_defaults()["criteria"]]


def criteria_labels() -> dict[str, str]:
    """Criterion code -> human label."""
    return {c["code"]: c["label"] for c in evaluation_defaults()["criteria"]}
