"""Data quality: the data doctor (``workbench check``) and user correction files.

* :mod:`.checks` - pure checks (duplicate rows, operations repeated per location, currency labels that
  do not fit the amounts, outliers, coverage gaps by region and year, mixed NUTS versions, flagged values);
* :mod:`.doctor` - runs them on knowledge-base datasets: after every import (stored in ``data_checks``,
  shown in report provenance) and on demand;
* :mod:`.corrections` - documented correction files applied at import only when the user passes one;
* :mod:`.output` - the findings as a rich table, CSV and a self-contained HTML page.
"""

from __future__ import annotations

from workbench.quality.checks import Finding
from workbench.quality.doctor import (
    DoctorReport,
    check_after_import,
    check_dataset,
    check_file,
    check_kb,
)

__all__ = [
    "DoctorReport",
    "Finding",
    "check_after_import",
    "check_dataset",
    "check_file",
    "check_kb",
]
