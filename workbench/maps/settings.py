"""Map settings: ``workbench/defaults/maps.yml`` (colours, classification default, small regions)."""

from __future__ import annotations

from workbench.config import load_defaults


def attribution() -> str:
    """The attribution every map shows ("© EuroGeographics for the administrative boundaries")."""
    return str(load_defaults("maps")["attribution"])


def no_nuts_economies() -> dict[str, str]:
    """SEE economies without NUTS regions (code -> name), listed in every map's legend."""
    return {str(k): str(v) for k, v in load_defaults("maps")["no_nuts"].items()}


def no_nuts_label() -> str:
    """The legend text for the economies without NUTS regions."""
    names = ", ".join(f"{v} ({k})" for k, v in no_nuts_economies().items())
    return f"no NUTS regions: {names}"
