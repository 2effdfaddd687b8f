"""One batch of a plan at a time: an inter-process lock per plan's report folder.

Scheduled runs (cron, systemd timers, Airflow) may overlap when a batch takes longer than the
interval.  The second batch waits a bounded time for the first one, then stops with a message that
names the holder (PID, command, start time) - it never writes into the same folders concurrently.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.filelock import exclusive_lock

LOCK_NAME = ".batch.lock"


class BatchLocked(WorkbenchError):
    """Another batch of the same plan is still running after the bounded wait."""

    exit_code = 3


def _holder(info: dict) -> str:
    if not info:
        return "another process"
    return f"PID {info.get('pid')} since {info.get('since')} ({info.get('command', '')[:120]})"


@contextlib.contextmanager
def batch_lock(
    folder: str | os.PathLike[str], *, wait: float = 60.0, label: str = ""
) -> Iterator[None]:
    """Hold the exclusive lock ``<folder>/.batch.lock``; wait at most ``wait`` seconds for it."""
    folder = Path(folder)
    path = folder / LOCK_NAME

    def busy(info: dict) -> BatchLocked:
        return BatchLocked(
            f"another batch{(' of ' + label) if label else ''} is running "
            f"(held by {_holder(info)}); waited {wait:.0f} s for {path}. "
            "Try again later or give a longer --lock-wait."
        )

    with exclusive_lock(
        path, wait=wait, info={"command": " ".join(sys.argv)[:300]}, on_timeout=busy, max_delay=1.0
    ):
        yield
