"""How ``make test`` (``pytest -n 2 --dist loadfile``) shares the test files between its two
xdist workers (selected by ``pytest_xdist_make_scheduler`` in ``tests/conftest.py``).

pytest-xdist's ``loadfile`` hands out one work unit per test file, so module-scoped fixtures are
built once, to whichever worker is about to run out of tests.  Two changes:

* **The readers of the shared plan batches are one unit.**  Every test file that names the
  ``demo_batch`` or ``real_plan_batch`` fixture runs on the same worker, one file after the other:
  that worker builds the batches (``support.batches``) while the other worker runs the rest,
  instead of waiting minutes for the build lock.  Other shared fixtures (``demo_kb``, the export
  batch) are built once per run behind a file lock (``support.shared``).
* **Longest unit first**, by the seconds per file of a recorded whole run
  (``support.durations``), so that the run does not end with one worker busy on a long browser
  file while the other idles.  A file unknown to the record counts one second per test.

Which worker runs which file only changes the wall time, never what a test checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from support.durations import file_seconds
from xdist.scheduler import LoadFileScheduling

PLAN_BATCHES = "plan-batch readers"
_BATCH_FIXTURE = re.compile(r"\b(demo_batch|real_plan_batch)\b")


class LongestFileFirst(LoadFileScheduling):
    """``loadfile`` with the plan-batch readers in one unit and the longest units first."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        super().__init__(config, log)
        self._root = Path(config.rootpath)
        self._reads_batch: dict[str, bool] = {}
        self._ordered = False

    def _file(self, nodeid: str) -> str:
        return nodeid.split("::", 1)[0]

    def _split_scope(self, nodeid: str) -> str:
        file = self._file(nodeid)
        if file not in self._reads_batch:
            try:
                text = (self._root / file).read_text(encoding="utf-8")
            except OSError:
                text = ""
            self._reads_batch[file] = bool(_BATCH_FIXTURE.search(text))
        return PLAN_BATCHES if self._reads_batch[file] else file

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # the first hand-out: the work queue is complete, order it once
            self._ordered = True
            recorded = file_seconds()
            units = sorted(
                self.workqueue.items(), key=lambda unit: -unit_seconds(list(unit[1]), recorded)
            )
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)


def unit_seconds(nodeids: Sequence[str], recorded: dict[str, float]) -> float:
    """Expected seconds of a work unit: the recorded seconds of each of its files (a file not on
    record: one second per test)."""
    files: dict[str, int] = {}
    for nodeid in nodeids:
        file = nodeid.split("::", 1)[0]
        files[file] = files.get(file, 0) + 1
    return sum(recorded.get(file, float(n)) for file, n in files.items())
