"""Policy defaults (``workbench/defaults/policy.yml``) and the fixed dimension vocabulary.

Kept free of pandas/duckdb: participant kernels import it through :mod:`workbench.policy.capture_kinds`.
"""

from __future__ import annotations

from workbench.config import load_defaults

# The fixed dimension vocabulary (policy.yml `dimensions`; the knowledge base's `dimensions` table
# holds the same, tests/test_settings.py keeps them equal), in sort order.
DIMENSION_LABELS: dict[str, str] = dict(load_defaults("policy")["dimensions"])
DIMENSIONS: tuple[str, ...] = tuple(DIMENSION_LABELS)
HORIZONTAL: tuple[str, ...] = tuple(load_defaults("policy")["horizontal_dimensions"])
SEVERITY_MIN, SEVERITY_MAX = 0, 3


def phases() -> dict[str, str]:
    """Learning phases of the matrix approach, ``code -> label``, in display order."""
    return dict(load_defaults("policy")["phases"])
