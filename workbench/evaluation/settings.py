"""Evaluation defaults from ``workbench/defaults/evaluation.yml`` (policy data, not code)."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults


def section(name: str) -> dict[str, Any]:
    """One top-level section of ``evaluation.yml`` as a fresh dict."""
    cfg = load_defaults("evaluation")
    if name not in cfg:
        raise KeyError(f"workbench/defaults/evaluation.yml has no section {name!r}")
    value = cfg[name]
    return dict(value) if isinstance(value, dict) else value


def criteria_codes() -> list[str]:
    """Codes of the evaluation criteria in their configured order."""
    return [c["code"] for c in load_defaults("evaluation")["criteria"]]


def criteria_labels() -> dict[str, str]:
    """Criterion code -> human label."""
    return {c["code"]: c["label"] for c in load_defaults("evaluation")["criteria"]}
