"""Expensive session fixtures made once per test RUN, also when pytest-xdist runs it in several
worker processes (``make test`` runs ``pytest -n 2``).

Each xdist worker is its own pytest session, so a plain ``scope="session"`` fixture would be
built once per worker: the demo knowledge base, the 46-report demo batch and the real-data plan
twice.  :func:`once_per_run` follows pytest-xdist's recipe ("Making session-scoped fixtures
execute only once"): the first worker that needs the result builds it under a
:class:`filelock.FileLock` in the run's shared temporary folder (the parent of every worker's
``basetemp``) and stores a JSON marker; the other workers wait for the lock and read the marker.
A build that fails is recorded as well, so the other workers fail with the same message instead
of repeating a long failing build.  Without xdist it simply builds in ``tmp_path_factory``.

Shared results are READ-ONLY for tests: :func:`tree_signature` is taken after the build and
compared when the session ends (:func:`assert_unchanged`), so a test that writes into a shared
knowledge base or batch folder fails the run instead of silently changing what other tests read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from filelock import FileLock

T = TypeVar("T")


def xdist_worker() -> str | None:
    """The xdist worker id (``gw0``, ...) of this process, or None outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    build: Callable[[Path], T],
    *,
    dump: Callable[[T], Any] = str,
    load: Callable[[Any], T] = Path,  # type: ignore[assignment]
) -> T:
    """``build(folder)`` once per test run (``folder`` is new and empty), shared by every worker.

    ``dump`` turns the result into JSON-able data for the other workers, ``load`` back (default:
    a path)."""
    worker = xdist_worker()
    if worker is None:
        return build(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent  # shared by all workers of this run
    marker = root / f"{name}.json"
    with FileLock(str(root / f"{name}.lock")):
        if marker.exists():
            stored = json.loads(marker.read_text(encoding="utf-8"))
            if "error" in stored:
                pytest.fail(
                    f"shared fixture {name!r} failed in worker {stored['worker']}:\n"
                    f"{stored['error']}",
                    pytrace=False,
                )
            return load(stored["value"])
        folder = root / name
        folder.mkdir()
        try:
            value = build(folder)
        except (Exception, pytest.fail.Exception) as exc:
            error = f"{type(exc).__name__}: {exc}"
            marker.write_text(json.dumps({"worker": worker, "error": error[-4000:]}))
            raise
        marker.write_text(json.dumps({"worker": worker, "value": dump(value)}))
        return value


def tree_signature(path: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``path`` (or ``path`` itself) with its size and modification time (ns)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {
        str(p.relative_to(path) if p != path else p.name): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in files
    }


def assert_unchanged(path: Path, before: dict[str, tuple[int, int]], what: str) -> None:
    """Fail (at session end) when a shared, read-only result was written to."""
    after = tree_signature(path)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, (
        f"{what} is shared read-only by the test session but was changed by a test: {changed[:10]}"
        " (a test that writes must use a copy, e.g. demo_kb_copy or support.batches.copy_kb)"
    )
