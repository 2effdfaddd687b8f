from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.batches import demo_batch, real_plan_batch  # noqa: F401  (shared plan batches)
from support.browser import chromium_browser, voila  # noqa: F401  (shared browser-test fixtures)
from support.shared import assert_unchanged, once_per_run, tree_signature
from support.testing import require_real_data


@pytest.fixture
def tmp_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty knowledge-base path in a temp folder, also exported as WORKBENCH_DB."""
    db = tmp_path / "kb.duckdb"
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    return db


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real public data folder (fails under CI=true when missing)."""
    return require_real_data()


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The synthetic demo knowledge base (default seed), built once per test run (shared by the
    xdist workers, ``support.shared.once_per_run``).

    Shared by every test that only READS it: a test that writes must build its own
    (``demo_kb_copy``) so that the others see the demo as built; the session fails at its end
    when the folder of the shared knowledge base was written to.
    """

    def build(folder: Path) -> Path:
        from workbench.demo import build_demo

        build_demo(folder / "demo.duckdb")
        return folder / "demo.duckdb"

    db = once_per_run(tmp_path_factory, "demo_kb", build)
    before = tree_signature(db.parent)
    yield db
    assert_unchanged(db.parent, before, f"the demo knowledge base {db}")


@pytest.fixture
def demo_kb_copy(demo_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo knowledge base for a test that writes, exported as WORKBENCH_DB."""
    import shutil

    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_kb, db)
    wal = demo_kb.with_name(demo_kb.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, db.with_name(db.name + ".wal"))
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    return db


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Apply the markers the suite declares where they follow from what a test uses:

    * ``realdata``: the test (or a fixture it requests) reads ``../shared/data/real``
      (the ``real_data`` or ``real_plan_batch`` fixture, or ``require_real_data(...)`` in its
      body);
    * ``browser``: tests in ``*_browser.py`` modules drive Debian chromium.

    ``slow`` is set by hand on the tests that run notebooks, batches or many processes
    (``make test-fast`` leaves out ``slow`` and ``browser``).
    """
    import inspect

    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        fixtures = getattr(item, "fixturenames", ())
        if (
            "real_data" in fixtures
            or "real_plan_batch" in fixtures
            or "require_real_data(" in source
        ):
            item.add_marker(pytest.mark.realdata)
        if item.path.name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``make test`` runs ``pytest -n 2 --dist loadfile``: one work unit per test file, except the
    readers of the shared plan batches (one unit), handed out longest first
    (``support.scheduling``)."""
    if config.getoption("dist") != "loadfile":
        return None
    from support.scheduling import LongestFileFirst

    return LongestFileFirst(config, log)
