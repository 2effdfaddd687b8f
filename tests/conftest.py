from __future__ import annotations

from pathlib import Path

import pytest

from workbench.testing import require_real_data


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
