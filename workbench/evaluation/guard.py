"""Small-n guard: say "not credible" instead of printing a confident DiD number.

With few treated regions, few comparison regions or few periods, cluster-robust standard errors
over-reject badly (Cameron & Miller 2015, *A Practitioner's Guide to Cluster-Robust Inference*,
J. Human Resources 50(2); Conley & Taber 2011 for few treated groups) and pre-trends cannot be checked.
Thresholds are in ``evaluation.yml`` (``small_n_guard``).  When the guard trips, the headline becomes
the descriptive before/after change of the pilot regions against matched peers, labelled as such.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.evaluation.beforeafter import before_after_vs_peers
from workbench.evaluation.did import describe_design, did_estimate, pretrend_check
from workbench.evaluation.errors import EvaluationInputError, StaggeredAdoptionError

_CHECKS = (
    ("n_treated_units", "min_treated_units", "treated regions"),
    ("n_control_units", "min_control_units", "comparison regions"),
    ("n_clusters", "min_clusters", "clusters (regions) for cluster-robust standard errors"),
    ("n_pre_periods", "min_pre_periods", "periods before the start"),
    ("n_post_periods", "min_post_periods", "periods since the start"),
)


def small_n_checks(
    design: dict[str, Any], thresholds: dict[str, Any] | None = None
) -> pd.DataFrame:
    """One row per rule: what is counted (in words), value, minimum, passed, reason (empty when
    passed)."""
    limits = thresholds or load_defaults("evaluation")["small_n_guard"]
    rows = []
    for key, limit_key, label in _CHECKS:
        value, minimum = int(design[key]), int(limits[limit_key])
        passed = value >= minimum
        rows.append(
            {
                "check": f"number of {label}",
                "value": value,
                "minimum": minimum,
                "passed": passed,
                "reason": "" if passed else f"only {value} {label} (at least {minimum} needed)",
            }
        )
    return pd.DataFrame(rows)


def credibility(
    design: dict[str, Any], thresholds: dict[str, Any] | None = None
) -> tuple[bool, list[str]]:
    """(credible, reasons): credible only if every small-n rule passes."""
    checks = small_n_checks(design, thresholds)
    reasons = [r for r in checks["reason"] if r]
    return not reasons, reasons


def guarded_effect(
    panel: pd.DataFrame, *, thresholds: dict[str, Any] | None = None
) -> pd.DataFrame:
    """DiD with the small-n guard, plus the before/after-vs-peers fallback.

    Rows (``approach``): ``difference-in-differences`` and ``before/after vs matched peers``.  Columns:
    estimate, ci_low, ci_high, credible, headline (the row a report should lead with), reason.
    The DiD row is credible only if every small-n rule passes and no pre-trend was detected.
    """
    design = describe_design(panel)
    credible, reasons = credibility(design, thresholds)
    rows: list[dict[str, Any]] = []
    try:
        did = did_estimate(panel).iloc[0]
        trend = pretrend_check(panel).iloc[0]
        if trend["checkable"] and not pd.isna(trend["p_value"]):
            if trend["p_value"] < trend["alpha"]:
                credible = False
                reasons.append(trend["verdict"])
        elif credible:
            reasons.append(trend["verdict"])
        rows.append(
            {
                "approach": "difference-in-differences",
                "method": did["method"],
                "estimate": float(did["estimate"]),
                "ci_low": float(did["ci_low"]),
                "ci_high": float(did["ci_high"]),
                "p_value": float(did["p_value"]),
                "credible": credible,
                "reason": "; ".join(reasons) if reasons else "all small-n rules passed",
            }
        )
    except (StaggeredAdoptionError, EvaluationInputError) as exc:
        credible = False
        rows.append(
            {
                "approach": "difference-in-differences",
                "method": "not estimated",
                "estimate": float("nan"),
                "ci_low": float("nan"),
                "ci_high": float("nan"),
                "p_value": float("nan"),
                "credible": False,
                "reason": "; ".join([*reasons, str(exc)]),
            }
        )
    fallback = before_after_vs_peers(panel).iloc[0]
    rows.append(
        {
            "approach": "before/after vs matched peers",
            "method": fallback["method"],
            "estimate": float(fallback["difference"]),
            "ci_low": float(fallback["ci_low"]),
            "ci_high": float(fallback["ci_high"]),
            "p_value": float("nan"),
            "credible": False,
            "reason": "descriptive change relative to peers, not a causal estimate",
        }
    )
    out = pd.DataFrame(rows)
    out["headline"] = [credible, not credible]
    for key in ("n_treated_units", "n_control_units", "n_pre_periods", "n_post_periods"):
        out[key] = design[key]
    return out
