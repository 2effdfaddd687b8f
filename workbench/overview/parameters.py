"""The knowledge-base overview notebook's parameter ``country``."""

from __future__ import annotations

from typing import Any

from workbench.errors import ParameterError
from workbench.geography.codes import COUNTRY_CODE, nuts_country
from workbench.overview.reports import Db, available_countries


def validate_country(country: Any, db: Db = None) -> str:
    """The ``country`` parameter as an upper-case NUTS country code present in the knowledge base.

    Raises :class:`~workbench.errors.ParameterError` naming the value and the available countries.
    """
    if not isinstance(country, str) or not COUNTRY_CODE.match(country.strip().upper()):
        raise ParameterError(
            f"parameter 'country': {country!r} is not a two-letter country code such as 'HR'"
        )
    code = nuts_country(country)  # ISO 3166 'GR' -> Eurostat/NUTS 'EL'
    known = available_countries(db)
    if code not in known:
        raise ParameterError(
            f"parameter 'country': {code!r} has no data in the knowledge base; "
            f"available: {', '.join(known) or 'none (run `workbench demo` or import data)'}"
        )
    return code
