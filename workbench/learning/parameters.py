"""Parameters of the learning notebooks (raise ParameterError naming the parameter and value)."""

from __future__ import annotations

from typing import Any

from workbench.config import load_defaults
from workbench.errors import ParameterError
from workbench.geography.codes import NUTS2_CODE


def good_practices_parameters(
    region: str, target_level: str = "regional", include_drafts: bool = False
) -> dict[str, Any]:
    """``region`` a NUTS 2 code; ``target_level`` a governance level of learning.yml;
    ``include_drafts`` also ranks practices not validated yet."""
    code = (region or "").strip().upper()
    if not NUTS2_CODE.match(code):
        raise ParameterError(f"parameter 'region': {region!r} is not a NUTS 2 code such as 'HR03'")
    levels = load_defaults("learning")["practices"]["transferability"]["governance_levels"]
    if target_level not in levels:
        raise ParameterError(
            f"parameter 'target_level': {target_level!r} is not one of {', '.join(levels)}"
        )
    if not isinstance(include_drafts, bool):
        raise ParameterError(f"parameter 'include_drafts': {include_drafts!r} is not True or False")
    return {"region": code, "target_level": target_level, "published_only": not include_drafts}
