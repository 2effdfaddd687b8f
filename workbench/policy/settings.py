"""Policy defaults (``workbench/defaults/policy.yml``) and the fixed dimension vocabulary.

Kept free of pandas/duckdb: participant kernels import it through :mod:`workbench.policy.capture_kinds`.
"""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults

# The fixed vocabulary of core table `dimensions` (0001_core.sql), in sort order.
DIMENSIONS: tuple[str, ...] = (
    "innovation",
    "sustainability",
    "international",
    "financing",
    "specialisation",
    "skills",
    "governance",
)
DIMENSION_LABELS: dict[str, str] = {
    "innovation": "Innovation & R&D driven cluster development",
    "sustainability": "Sustainability through cluster development",
    "international": "International cluster cooperation & networking",
    "financing": "Financial framework (cluster financing)",
    "specialisation": "Cluster & regional specialisation",
    "skills": "New skills & job creation",
    "governance": "Multi-level & cross-department governance",
}
HORIZONTAL: tuple[str, ...] = ("governance",)
SEVERITY_MIN, SEVERITY_MAX = 0, 3


def policy_defaults() -> dict[str, Any]:
    """The parsed ``policy.yml``."""
    return load_defaults("policy")


def phases() -> dict[str, str]:
    """Learning phases of the matrix approach, ``code -> label``, in display order."""
    return dict(policy_defaults()["phases"])
