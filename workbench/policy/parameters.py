"""Validation of the policy notebooks' parameters (raises ParameterError with a clear message)."""

from __future__ import annotations

import re
from typing import Any

from workbench.errors import ParameterError, ValidationError
from workbench.geography.codes import COUNTRY_CODE, REGION_CODE
from workbench.policy.data import parse_period


def past_action_parameters(
    region: str, country: str, period: str, include_synthetic: bool
) -> dict[str, Any]:
    """Check the parameters of ``past_action_analysis.ipynb``: a NUTS region code OR a country code,
    a period YYYY[-YYYY] (empty = all years), include_synthetic a bool."""
    region = (region or "").strip().upper()
    country = (country or "").strip().upper()
    if bool(region) == bool(country):
        raise ParameterError(
            "give either region (e.g. 'HR03') or country (e.g. 'HR'), not both and not neither"
        )
    if region and not REGION_CODE.match(region):
        raise ParameterError(f"region {region!r} is not a NUTS code such as 'HR03'")
    if country and not COUNTRY_CODE.match(country):
        raise ParameterError(
            f"country {country!r} is not a two-letter code such as 'HR' (Greece is 'EL')"
        )
    try:
        span = parse_period(period)
    except ValidationError as exc:
        raise ParameterError(str(exc)) from exc
    if not isinstance(include_synthetic, bool):
        raise ParameterError(f"include_synthetic must be True or False, got {include_synthetic!r}")
    return {"region": region or None, "country": country or None, "period": period.strip() if span else "",
            "span": span, "include_synthetic": include_synthetic}  # fmt: skip


def region_list(regions: str | list[str]) -> list[str]:
    """``'HR03, SI04'`` or ``['HR03', 'SI04']`` -> ``['HR03', 'SI04']`` (validated, order kept)."""
    items = [
        r.strip().upper()
        for r in (re.split(r"[,;\s]+", regions) if isinstance(regions, str) else regions)
    ]
    items = [r for r in dict.fromkeys(items) if r]
    if not items:
        raise ParameterError("regions: give at least one NUTS code, e.g. 'HR03,SI04'")
    bad = [r for r in items if not REGION_CODE.match(r)]
    if bad:
        raise ParameterError(f"regions: {', '.join(bad)} not NUTS codes such as 'HR03'")
    return items
