"""One way to wait for a shared resource: retry with exponential back-off until a deadline (tenacity).

Used where a process waits for another one to let go of something: the knowledge-base writer lock
file (:mod:`workbench.filelock`), DuckDB's file lock (:mod:`workbench.kb.access`) and the capture
inbox's SQLite lock (:mod:`workbench.capture.inbox`).  The attempt runs at once; after a failure the
condition is checked, then the deadline, then the caller sleeps ``first_delay``, ``2 * first_delay``,
... up to ``max_delay`` between attempts.  When the deadline has passed, ``on_timeout(last error)``
is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry_until(
    fn: Callable[[], T],
    *,
    timeout: float,
    retry_if: Callable[[BaseException], bool],
    on_timeout: Callable[[BaseException], BaseException],
    first_delay: float,
    max_delay: float,
    chain: bool = True,
) -> T:
    """Call ``fn`` until it succeeds, retrying errors for which ``retry_if`` is true.

    Errors for which ``retry_if`` is false propagate at once.  After ``timeout`` seconds (measured
    from the first attempt; 0 = one attempt only) the error ``on_timeout(last_error)`` is raised,
    chained to the last error unless ``chain`` is false.
    """
    started = time.monotonic()
    try:
        # the usual case: the resource is free. Only a wait imports tenacity (~45 ms of start-up
        # for every short command such as `workbench kb info`).
        return fn()
    except BaseException as err:
        if not retry_if(err):
            raise
        first_error = err
    import tenacity

    left = timeout - (time.monotonic() - started)
    if left <= 0:
        raise on_timeout(first_error) from (first_error if chain else None)
    time.sleep(min(first_delay, max_delay, left))
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(retry_if),
        stop=tenacity.stop_after_delay(max(timeout - (time.monotonic() - started), 0.0)),
        # attempt 2 onwards: 2 * first_delay, 4 * first_delay, ... capped at max_delay
        wait=tenacity.wait_exponential(multiplier=2 * first_delay, exp_base=2, max=max_delay),
        reraise=False,
    )
    try:
        return retrying(fn)
    except tenacity.RetryError as err:
        last = err.last_attempt.exception()
        assert last is not None  # a RetryError always follows a failed attempt
        raise on_timeout(last) from (last if chain else None)
