"""Parameters of the project notebooks, checked before any data is loaded."""

from __future__ import annotations

import datetime as dt

from workbench.errors import ParameterError


def _as_of(as_of: str) -> dt.date:
    if not as_of:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise ParameterError(f"as_of {as_of!r} is not a date YYYY-MM-DD") from None


def project_monitoring_parameters(project_id: str = "", period: int = 0, as_of: str = "") -> dict:
    """``period`` 0 = the last period ended by ``as_of``; ``as_of`` empty = today."""
    if int(period) < 0:
        raise ParameterError(f"period {period!r} must be 0 (latest ended) or a period number")
    return {"project_id": project_id.strip(), "period": int(period), "as_of": _as_of(as_of)}


def communication_kpis_parameters(project_id: str = "", period: int = 0, as_of: str = "") -> dict:
    """Same parameters as the monitoring report."""
    return project_monitoring_parameters(project_id, period, as_of)
