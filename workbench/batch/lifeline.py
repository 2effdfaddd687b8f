"""Child processes of a batch die with it (issue 10, item 5: ``kill -9`` of ``workbench run`` left
four worker processes, about 420 MB, alive indefinitely).

The process tree of a local batch: ``workbench run`` -> multiprocessing forkserver -> pool workers
(-> kernels launched directly), and ``workbench run`` -> pre-warmed kernel zygote -> kernels.  SIGKILL cannot
be caught, so nothing can clean up *after* the main process; instead every child arranges to die
*with its parent*:

* each pool worker sets ``PR_SET_PDEATHSIG`` = SIGKILL (Linux: the kernel signals the child when
  its parent dies) and runs a watchdog thread that also notices the main process being gone
  (belt and braces for a parent-death signal that fires too late or not at all);
* the zygote and the kernels it forks set ``PR_SET_PDEATHSIG`` too (:mod:`workbench.batch.prewarm`);
* the multiprocessing forkserver exits by itself once the batch process is gone and its workers
  have died (without the measures above it stayed alive with them, see the test);
* kernels launched the ordinary way stop through ipykernel's parent poller (``JPY_PARENT_PID``).

``tests/test_batch_orphans.py`` kills ``workbench run`` with SIGKILL mid-batch and finds every
descendant gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
WATCH_INTERVAL_S = 0.5


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent (thread) dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is gone for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def die_with(main_pid: int) -> None:
    """In a pool worker: SIGKILL itself as soon as ``main_pid`` or its own parent is gone (its
    children, if any, follow through their own parent-death signals)."""
    set_parent_death_signal()
    parent = os.getppid()
    if not _alive(main_pid):
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            if os.getppid() != parent or not _alive(main_pid):
                os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="workbench-lifeline", daemon=True).start()
