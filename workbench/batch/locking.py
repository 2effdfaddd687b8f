"""One batch of a plan at a time: an inter-process lock per plan's report folder.

Scheduled runs (cron, systemd timers, Airflow) may overlap when a batch takes longer than the
interval.  The second batch waits a bounded time for the first one, then stops with a message that
names the holder (PID, command, start time) - it never writes into the same folders concurrently.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from workbench.errors import WorkbenchError

LOCK_NAME = ".batch.lock"


class BatchLocked(WorkbenchError):
    """Another batch of the same plan is still running after the bounded wait."""

    exit_code = 3


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"PID {info.get('pid')} since {info.get('since')} ({info.get('command', '')[:120]})"


@contextlib.contextmanager
def batch_lock(
    folder: str | os.PathLike[str], *, wait: float = 60.0, label: str = ""
) -> Iterator[None]:
    """Hold the exclusive lock ``<folder>/.batch.lock``; wait at most ``wait`` seconds for it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fh = open(path, "a+")  # noqa: SIM115 - closed in finally
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        delay = 0.05
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BatchLocked(
                        f"another batch{(' of ' + label) if label else ''} is running "
                        f"(held by {_holder(path)}); waited {wait:.0f} s for {path}. "
                        "Try again later or give a longer --lock-wait."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join(sys.argv)[:300],
                }
            )
        )
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()
