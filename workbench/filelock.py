"""Inter-process exclusive locks on a file (``flock``) with a bounded wait and a named holder.

Used by the knowledge-base writer (``<db>.lock``) and by report batches (``<folder>/.batch.lock``).
The holder writes JSON about itself into the lock file, so that whoever waits in vain can say who
holds it.  The kernel releases an ``flock`` when its process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.retry import retry_until


def holder_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """What the current holder wrote into the lock file ({} when free or unreadable)."""
    try:
        info = json.loads(Path(path).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


@contextlib.contextmanager
def exclusive_lock(
    path: str | os.PathLike[str],
    *,
    wait: float,
    info: dict[str, Any],
    on_timeout: Callable[[dict[str, Any]], Exception],
    max_delay: float = 0.25,
) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; after ``wait`` seconds raise ``on_timeout(holder_info)``.

    ``info`` (plus ``pid`` and ``since``) is written into the lock file while the lock is held.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 - closed in finally
    try:
        retry_until(
            lambda: fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB),
            timeout=wait,
            retry_if=lambda exc: isinstance(exc, BlockingIOError),
            on_timeout=lambda _exc: on_timeout(holder_info(path)),
            first_delay=0.02,
            max_delay=max_delay,
            chain=False,
        )
        fh.seek(0)
        fh.truncate()
        fh.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                    **info,
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
