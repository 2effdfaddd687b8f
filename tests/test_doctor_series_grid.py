"""The data doctor inside an import works on the cells the Eurostat importer hands over (no read-back,
issue 10 item 12): its findings must equal those of the doctor reading the knowledge base, both over
the series store and through the ``observations`` view."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
from support.testing import require_real_data

from workbench.config import load_defaults
from workbench.importers import import_file
from workbench.quality import doctor
from workbench.quality.doctor import check_kb, nuts_versions

pytestmark = pytest.mark.realdata


def _stored(db: Path, dataset_id: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT check_name, severity, message, n_rows FROM data_checks WHERE dataset_id = ? "
            "ORDER BY check_name",
            [dataset_id],
        ).fetchall()
    finally:
        con.close()


def test_import_findings_equal_read_back_and_view_findings(tmp_db: Path) -> None:
    names = ["lfst_r_lfe2en2.tsv.gz", "estat_nama_10r_3gdp.tsv", "nama_10r_2gvagr.tsv.gz"]
    ids = [import_file(require_real_data("eurostat_tsv", n), db=tmp_db).dataset_id for n in names]
    report = check_kb(tmp_db)  # reads the cells back from the series store
    conf = load_defaults("quality")
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        versions = nuts_versions(con)
        for dataset_id in ids:
            stored = _stored(tmp_db, dataset_id)
            assert stored, dataset_id  # every file has findings (flags, gaps, outliers, NUTS)
            read_back = sorted(
                (f.check, f.severity, f.message, f.n_rows)
                for f in report.findings
                if f.dataset_id == dataset_id
            )
            assert read_back == sorted(stored)
            # the view queries (the reference definition of every check)
            dims = con.execute(
                "SELECT dimensions FROM datasets WHERE dataset_id = ?", [dataset_id]
            ).fetchone()[0]
            (n_obs,) = con.execute(
                "SELECT count(*) FROM observations WHERE dataset_id = ?", [dataset_id]
            ).fetchone()
            view = doctor._observation_findings(con, dataset_id, n_obs, list(dims), conf, versions)
            assert sorted((f.check, f.severity, f.message, f.n_rows) for f in view) == sorted(
                stored
            )
    finally:
        con.close()
    checks = {row[0] for i in ids for row in _stored(tmp_db, i)}
    assert {"flagged_values", "outliers", "mixed_nuts_versions"} <= checks


def test_grid_work_runs_in_a_thread_and_its_error_fails_the_import_cleanly(
    tmp_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The doctor's connection-free checks run beside the INSERTs, in another thread; an error
    there surfaces from ``import_file`` as itself, and the knowledge base is left as it was."""
    import threading

    threads: list[str] = []
    real = doctor.grid_checks

    def spy(*args):  # noqa: ANN002, ANN202
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(doctor, "grid_checks", spy)
    first = import_file(require_real_data("eurostat_tsv", "nama_10r_2gdp.tsv.gz"), db=tmp_db)
    assert len(threads) == 1 and threads[0] != threading.main_thread().name
    before = _stored(tmp_db, first.dataset_id)
    assert before

    def boom(*args):  # noqa: ANN002, ANN202
        raise MemoryError("grid work failed")

    monkeypatch.setattr(doctor, "grid_checks", boom)
    with pytest.raises(MemoryError, match="grid work failed"):
        import_file(require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz"), db=tmp_db)
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT dataset_id FROM datasets").fetchall()]
        (series,) = con.execute("SELECT count(*) FROM observation_series").fetchone()
        (mine,) = con.execute(
            "SELECT count(*) FROM observation_series WHERE dataset_id = ?", [first.dataset_id]
        ).fetchone()
    finally:
        con.close()
    assert ids == [first.dataset_id] and series == mine > 0
    assert _stored(tmp_db, first.dataset_id) == before


@pytest.mark.parametrize(
    "kind", ["normal_odd", "normal_even", "sorted", "reversed", "two_values", "ties", "bad_sample"]
)
def test_sampled_selection_equals_a_full_partition(kind: str) -> None:
    """The outlier check's medians come from a sampled selection; they must equal the order
    statistics of a full partition (the reference) bit for bit, including when the strided sample
    misleads the bracket (every 50th value huge: the fallback)."""
    rng = np.random.default_rng(7)
    values = {
        "normal_odd": lambda: rng.normal(0, 0.1, 1_000_001),
        "normal_even": lambda: rng.normal(0, 0.1, 1_000_000),
        "sorted": lambda: np.sort(rng.normal(size=600_000)),
        "reversed": lambda: np.sort(rng.normal(size=600_000))[::-1].copy(),
        "two_values": lambda: np.repeat([0.0, 1.0], 300_000),
        "ties": lambda: rng.integers(0, 3, 700_001).astype(float),
        "bad_sample": lambda: np.where(
            np.arange(1_000_000) % 50 == 0, 1e9, rng.normal(size=1_000_000)
        ),
    }[kind]()
    n = len(values)
    for first, last in [((n - 1) // 2, n // 2), (0, 0), (n - 1, n - 1), (n // 10, n // 10 + 1)]:
        part = np.partition(values, [first, last])
        assert doctor._order_statistics(values, first, last) == (part[first], part[last])
