"""The per-plan batch lock between processes: bounded wait, then a message naming the holder."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.batch.locking import BatchLocked, batch_lock

HOLDER = """
import sys, time
from workbench.batch.locking import batch_lock
with batch_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(folder: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_batch_gives_up_after_the_bounded_wait(tmp_path: Path) -> None:
    holder = hold(tmp_path, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(BatchLocked) as err, batch_lock(tmp_path, wait=1.0, label="plan 'demo'"):
            pass
        waited = time.monotonic() - t0
        assert 1.0 <= waited < 5
        message = str(err.value)
        assert f"PID {holder.pid}" in message
        assert "another batch of plan 'demo' is running" in message
        assert err.value.exit_code == 3
    finally:
        holder.kill()
        holder.wait()


def test_second_batch_proceeds_when_the_first_finishes_in_time(tmp_path: Path) -> None:
    holder = hold(tmp_path, 1.0)
    try:
        t0 = time.monotonic()
        with batch_lock(tmp_path, wait=20):
            waited = time.monotonic() - t0
        assert 0.3 < waited < 15
    finally:
        holder.wait()


def test_lock_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    holder = hold(tmp_path, 60)
    holder.kill()
    holder.wait()
    with batch_lock(tmp_path, wait=2):  # flock is released by the kernel with the process
        pass
