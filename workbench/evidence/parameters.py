"""The evidence notebooks' parameters, checked before any data is loaded.

Each ``<notebook>_parameters`` function takes the notebook's parameters under their notebook names
and returns them, checked and normalised, under the same names, which are also the argument names of
the function in :mod:`workbench.evidence.reports` (so the notebook calls ``s3_profile(**p)``).
Errors are :class:`~workbench.errors.ParameterError` naming the parameter and the value.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.config import load_defaults
from workbench.errors import ParameterError, ValidationError
from workbench.evidence.reference import as_reference
from workbench.geography.codes import NUTS2_CODE

PERIOD = re.compile(r"^\d{4}$")


def evidence_parameters(
    region: str,
    source: str = "demo",
    reference: str = "all",
    start: str = "",
    end: str = "",
    n: int = 5,
    exclude_country: bool = False,
) -> dict[str, Any]:
    """Check the parameters both evidence notebooks share; raise :class:`ParameterError`."""
    region = (region or "").strip().upper()
    if not NUTS2_CODE.match(region):
        raise ParameterError(f"region {region!r} is not a NUTS 2 code such as 'HR03'")
    if source not in load_defaults("evidence")["sources"]:
        raise ParameterError(
            f"source {source!r} unknown; evidence.yml defines {sorted(load_defaults('evidence')['sources'])}"
        )
    try:
        as_reference(reference)
    except ValidationError as exc:
        raise ParameterError(f"reference: {exc}") from exc
    for name, val in (("start", start), ("end", end)):
        if val and not PERIOD.match(str(val)):
            raise ParameterError(
                f"{name} {val!r} must be a year such as '2015' (or empty for the first/last)"
            )
    if start and end and str(start) >= str(end):
        raise ParameterError(f"start {start} must be before end {end}")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 50:
        raise ParameterError(f"n must be an integer from 1 to 50, got {n!r}")
    if not isinstance(exclude_country, bool):
        raise ParameterError(f"exclude_country must be True or False, got {exclude_country!r}")
    return {
        "region": region,
        "source": source,
        "reference": reference,
        "start": str(start),
        "end": str(end),
        "n": n,
        "exclude_country": exclude_country,
    }


def s3_profile_parameters(
    region: str,
    source: str = "demo",
    reference: str = "all",
    start: str = "",
    end: str = "",
    n_peers: int = 5,
    exclude_country: bool = False,
) -> dict[str, Any]:
    """The parameters of ``s3_profile.ipynb``, keyed like :func:`~workbench.evidence.reports.s3_profile`."""
    try:
        p = evidence_parameters(region, source, reference, start, end, n_peers, exclude_country)
    except ParameterError as exc:
        raise ParameterError(str(exc).replace("n must be", "n_peers must be", 1)) from exc
    return {
        "region": p["region"],
        "source": p["source"],
        "reference": p["reference"],
        "start": p["start"],
        "end": p["end"],
        "n_peers": p["n"],
        "exclude_country": p["exclude_country"],
    }


def parallel_contexts_parameters(
    region: str,
    n: int = 5,
    exclude_country: bool = False,
    source: str = "demo",
    period: str = "",
) -> dict[str, Any]:
    """The parameters of ``parallel_contexts.ipynb``, keyed like
    :func:`~workbench.evidence.reports.parallel_contexts`."""
    try:
        p = evidence_parameters(region, source, "all", "", period, n, exclude_country)
    except ParameterError as exc:
        raise ParameterError(str(exc).replace("end ", "period ", 1)) from exc
    return {
        "region": p["region"],
        "n": p["n"],
        "exclude_country": p["exclude_country"],
        "source": p["source"],
        "period": p["end"],
    }
