"""Seconds per test file of a whole recorded run: the order in which ``make test``'s xdist workers
take the test files (``support.scheduling``: longest first).

The seconds come from ``tests/support/durations.json``, taken from the JUnit file
(``build/test-results.xml``) of a whole run.  They only decide the order, never what a test
checks; a file missing from the JSON counts one second per test.  Refresh them after a whole run
(``make test``) with::

    .venv/bin/python tests/support/durations.py build/test-results.xml
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.json")


def file_seconds() -> dict[str, float]:
    """Seconds per test file (``tests/test_x.py``) of the last recorded whole run."""
    try:
        return {k: float(v) for k, v in json.loads(DURATIONS.read_text()).items()}
    except (OSError, ValueError):
        return {}


def record(junit: Path) -> dict[str, float]:
    """Seconds per test file (set-up included) from a JUnit XML file written by pytest."""
    seconds: Counter[str] = Counter()
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        if len(module) >= 2 and module[0] == "tests":
            seconds[f"tests/{module[1]}.py"] += float(case.get("time") or 0)
    return {k: round(v, 1) for k, v in sorted(seconds.items())}


if __name__ == "__main__":
    recorded = record(Path(sys.argv[1] if len(sys.argv) > 1 else "build/test-results.xml"))
    DURATIONS.write_text(json.dumps(recorded, indent=0) + "\n")
    print(f"{DURATIONS}: {len(recorded)} files, {sum(recorded.values()):.0f} s")
