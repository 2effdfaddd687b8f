"""workbench.retry.retry_until: the one deadline-and-back-off loop (filelock, KB access, inbox)."""

from __future__ import annotations

import time

import pytest

from workbench.retry import retry_until


class Busy(Exception):
    pass


class GaveUp(Exception):
    pass


def _flaky(failures: int, exc: type[Exception] = Busy):
    calls: list[float] = []

    def fn() -> str:
        calls.append(time.monotonic())
        if len(calls) <= failures:
            raise exc("held")
        return "done"

    return fn, calls


def _retry(fn, timeout: float = 5.0, **kw):
    return retry_until(
        fn,
        timeout=timeout,
        retry_if=lambda e: isinstance(e, Busy),
        on_timeout=lambda e: GaveUp(f"gave up after {e}"),
        first_delay=0.01,
        max_delay=0.04,
        **kw,
    )


def test_succeeds_after_retries_with_growing_capped_waits() -> None:
    fn, calls = _flaky(4)
    assert _retry(fn) == "done"
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert len(gaps) == 4
    # 0.01, 0.02, 0.04, 0.04 (capped): each wait at least its nominal length, the cap holds
    for gap, nominal in zip(gaps, [0.01, 0.02, 0.04, 0.04], strict=True):
        assert gap >= nominal * 0.9
    assert gaps[3] < gaps[2] + 0.03


def test_other_errors_propagate_at_once() -> None:
    fn, calls = _flaky(3, exc=KeyError)
    with pytest.raises(KeyError):
        _retry(fn)
    assert len(calls) == 1


def test_deadline_raises_the_callers_error_chained_to_the_last_one() -> None:
    fn, calls = _flaky(10_000)
    start = time.monotonic()
    with pytest.raises(GaveUp, match="gave up after held") as err:
        _retry(fn, timeout=0.2)
    assert 0.2 <= time.monotonic() - start < 1.0
    assert isinstance(err.value.__cause__, Busy)
    with pytest.raises(GaveUp) as err:
        _retry(_flaky(10)[0], timeout=0.0, chain=False)  # timeout 0: a single attempt
    assert err.value.__cause__ is None


def test_a_free_resource_costs_no_tenacity_import() -> None:
    """Short commands (`workbench kb info`) connect once; only a wait may import tenacity."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from workbench.retry import retry_until\n"
        "assert retry_until(lambda: 7, timeout=1.0, retry_if=lambda e: True,\n"
        "    on_timeout=RuntimeError, first_delay=0.01, max_delay=0.02) == 7\n"
        "print('tenacity' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    fn, calls = _flaky(1)  # and a wait still retries (through tenacity)
    assert _retry(fn) == "done" and len(calls) == 2
