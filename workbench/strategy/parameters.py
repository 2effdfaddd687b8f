"""The joint strategy and initiative notebooks' parameters (ParameterError naming parameter and value)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from workbench.errors import ParameterError
from workbench.geography.codes import REGION_CODE

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
ALL = "all"


def _id(name: str, value: object, example: str) -> str:
    if not isinstance(value, str) or not _ID.match(value.strip()):
        raise ParameterError(f"parameter {name!r}: {value!r} is not an id such as {example!r}")
    return value.strip()


def joint_strategy_parameters(
    strategy_id: str, region: str = ALL, period: str = ""
) -> dict[str, Any]:
    """``strategy_id``: a strategy id or the id of the foresight exercise it builds on;
    ``region``: a NUTS region code or 'all'; ``period``: a reporting period label or '' (latest)."""
    code = (region or ALL).strip()
    if code.lower() == ALL:
        code = ALL
    else:
        code = code.upper()
        if not REGION_CODE.match(code):
            raise ParameterError(
                f"parameter 'region': {region!r} is not a NUTS region code such as 'HR03' or 'all'"
            )
    if period and not re.match(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,19}$", str(period)):
        raise ParameterError(
            f"parameter 'period': {period!r} is not a period label such as '2026-H2'"
        )
    return {
        "strategy_id": _id("strategy_id", strategy_id, "see-joint-strategy"),
        "region": code,
        "period": str(period or ""),
    }


def initiative_parameters(initiative_id: str, as_of: str = "") -> dict[str, Any]:
    """``initiative_id``: an initiative id; ``as_of``: the date of the checks (YYYY-MM-DD, '' = today)."""
    if as_of:
        try:
            date.fromisoformat(str(as_of))
        except ValueError:
            raise ParameterError(
                f"parameter 'as_of': {as_of!r} is not a date such as '2027-03-31'"
            ) from None
    return {
        "initiative_id": _id("initiative_id", initiative_id, "see-cluster-initiative"),
        "as_of": str(as_of or ""),
    }
