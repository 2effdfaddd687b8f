"""The knowledge-base access policy (workbench/kb/access.py) and migrations, exercised for real:
in-place upgrade of an older file, rollback of a failing writer, a second writer process, reader reuse
inside a writer block, and a reader on a missing file."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from support.kb_state import kb_content

from workbench.errors import KBBusyError, WorkbenchError
from workbench.kb import migrate, query, reader, writer
from workbench.kb.datasets import period_ids

CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?", re.IGNORECASE)


def _seed(db: Path) -> None:
    with writer(db, purpose="test seed") as con:
        con.execute(
            "INSERT INTO datasets (dataset_id, source, kind, rows, synthetic) VALUES ('t:one', 'test', 'x', 2, FALSE)"
        )
        con.execute(
            "INSERT INTO observation_rows (dataset_id, region, period, value, flag) VALUES"
            " ('t:one', 'HR03', '2015', 1.5, NULL), ('t:one', 'HR05', '2015', NULL, 'c')"
        )
        con.execute(
            "INSERT INTO regions (code, nuts_version, name, level, country) VALUES ('HR03', '2021', 'Jadranska Hrvatska', 2, 'HR')"
        )


def test_older_file_is_upgraded_in_place(tmp_db: Path) -> None:
    con = duckdb.connect(str(tmp_db))
    con.execute("BEGIN")
    assert migrate.apply(con, upto="0001_core") == ["0001_core"]
    con.execute(
        "INSERT INTO observations (dataset_id, region, period, value) VALUES ('old:data', 'SI04', '2012', 3.25)"
    )
    con.execute("COMMIT")
    con.close()

    all_ids = [mid for mid, _ in migrate.available()]
    assert len(all_ids) > 1, "needs at least one migration after 0001_core to test the upgrade"
    with writer(tmp_db, purpose="upgrade") as con:
        applied = [
            r[0] for r in con.execute("SELECT id FROM schema_migrations ORDER BY id").fetchall()
        ]
    assert applied == all_ids
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        for mid, sql in migrate.available():
            for name in CREATE_TABLE.findall(sql):
                assert name in tables, f"{name} from {mid}"
        assert (
            con.execute("SELECT value FROM observations WHERE dataset_id = 'old:data'").fetchone()[
                0
            ]
            == 3.25
        )
        assert migrate.schema_version(con) == all_ids[-1]
    finally:
        con.close()


def test_series_cells_keep_their_periods_when_periods_become_ids(tmp_db: Path) -> None:
    """Migration 0140 moves the period text of series-stored cells into observation_periods: the
    observations view shows the same rows before and after, and a new import reuses the ids."""
    con = duckdb.connect(str(tmp_db))
    con.execute("BEGIN")
    migrate.apply(con, upto="0130_practices")
    con.execute("ALTER TABLE observation_series ADD COLUMN unit VARCHAR")
    con.execute("ALTER TABLE observation_rows ADD COLUMN unit VARCHAR")
    con.execute(
        "INSERT INTO observation_series VALUES (1, 'eurostat:a', 'SI04', 'EUR'), "
        "(2, 'eurostat:a', 'AT13', 'EUR'), (3, 'eurostat:b', 'HR03', 'PPS')"
    )
    con.execute(
        "INSERT INTO observation_values VALUES (1, '2019', 1.5, NULL), (1, '2020', 2.5, 'p'), "
        "(2, '2019', NULL, 'c'), (3, '2020-Q1', 7.0, NULL)"
    )
    query = "SELECT dataset_id, region, unit, period, value, flag FROM observations ORDER BY ALL"
    before = con.execute(query).fetchall()
    con.execute("COMMIT")
    con.close()
    assert len(before) == 4
    with writer(tmp_db, purpose="upgrade") as con:
        assert con.execute(query).fetchall() == before
        periods = dict(con.execute("SELECT period, period_id FROM observation_periods").fetchall())
        assert sorted(periods) == ["2019", "2020", "2020-Q1"]
        assert len(set(periods.values())) == 3
        # known periods keep their id, a new one gets the next
        ids = period_ids(con, ["2020", "2021", "2019"])
        assert ids[0] == periods["2020"] and ids[2] == periods["2019"]
        assert ids[1] == max(periods.values()) + 1
        assert period_ids(con, ["2021"]) == [ids[1]]
        assert con.execute("SELECT count(*) FROM observation_periods").fetchone()[0] == 4


def test_reader_upgrades_an_older_file_before_reading(tmp_db: Path) -> None:
    con = duckdb.connect(str(tmp_db))
    con.execute("BEGIN")
    migrate.apply(con, upto="0001_core")
    con.execute("COMMIT")
    con.close()
    ids = query("SELECT id FROM schema_migrations ORDER BY id", db=tmp_db)["id"].tolist()
    assert ids == [mid for mid, _ in migrate.available()]


@pytest.mark.parametrize("failure", ["python", "sql"])
def test_failing_writer_leaves_tables_unchanged(tmp_db: Path, failure: str) -> None:
    _seed(tmp_db)
    before = kb_content(tmp_db)
    with pytest.raises((RuntimeError, duckdb.Error)), writer(tmp_db, purpose="doomed") as con:
        con.execute("DELETE FROM observation_rows")
        con.execute("UPDATE regions SET name = 'changed'")
        con.execute("ALTER TABLE observation_rows ADD COLUMN extra VARCHAR")
        con.execute(
            "INSERT INTO datasets (dataset_id, source, kind, rows) VALUES ('t:two', 'test', 'x', 0)"
        )
        if failure == "python":
            raise RuntimeError("boom")
        # duplicate primary key -> constraint error inside the transaction
        con.execute(
            "INSERT INTO datasets (dataset_id, source, kind, rows) VALUES ('t:two', 'test', 'x', 0)"
        )
    assert kb_content(tmp_db) == before
    cols = query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'observations'",
        db=tmp_db,
    )
    assert "extra" not in set(cols["column_name"])


HOLDER = textwrap.dedent(
    """
    import sys, time
    from workbench.kb import writer
    with writer(sys.argv[1], purpose="holder-test-import") as con:
        con.execute("INSERT INTO observation_rows (dataset_id, region, period, value) VALUES ('h', 'AT13', '2020', 1)")
        print("ready", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)


def _start_holder(db: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def test_second_writer_gets_busy_error_after_bounded_wait(tmp_db: Path) -> None:
    _seed(tmp_db)
    holder = _start_holder(tmp_db, 30)
    try:
        started = time.monotonic()
        with pytest.raises(KBBusyError) as err, writer(tmp_db, purpose="second", timeout=1.0):
            pass
        waited = time.monotonic() - started
        message = str(err.value)
        assert "knowledge base is busy (held by" in message
        assert f"PID {holder.pid}" in message and "holder-test-import" in message
        assert 1.0 <= waited < 10.0
        # readers are bounded too: the holder keeps the file open read-write
        started = time.monotonic()
        with pytest.raises(KBBusyError, match="knowledge base is busy"):
            query("SELECT count(*) FROM observations", db=tmp_db, timeout=1.0)
        assert time.monotonic() - started < 10.0
    finally:
        holder.kill()
        holder.wait(timeout=10)
    # the killed holder's transaction never committed; the file is intact and writable again
    assert (
        query("SELECT count(*) AS n FROM observations WHERE dataset_id = 'h'", db=tmp_db)["n"].iloc[
            0
        ]
        == 0
    )
    with writer(tmp_db, purpose="after", timeout=5.0) as con:
        con.execute(
            "INSERT INTO observation_rows (dataset_id, region, period, value) VALUES ('after', 'AT13', '2021', 2)"
        )
    assert query("SELECT count(*) AS n FROM observations", db=tmp_db)["n"].iloc[0] == 3


def test_waiting_writer_proceeds_when_holder_releases(tmp_db: Path) -> None:
    _seed(tmp_db)
    holder = _start_holder(tmp_db, 1.0)
    try:
        with writer(tmp_db, purpose="patient", timeout=20.0) as con:
            # the holder committed before we got in: its row is visible
            assert (
                con.execute("SELECT count(*) FROM observations WHERE dataset_id = 'h'").fetchone()[
                    0
                ]
                == 1
            )
    finally:
        holder.wait(timeout=20)


def test_readers_reuse_the_writer_connection(tmp_db: Path) -> None:
    _seed(tmp_db)
    with writer(tmp_db, purpose="reuse") as con:
        con.execute(
            "INSERT INTO observation_rows (dataset_id, region, period, value) VALUES ('t:one', 'SI03', '2016', 9)"
        )
        # uncommitted row visible only through the same connection
        assert query("SELECT count(*) AS n FROM observations", db=tmp_db)["n"].iloc[0] == 3
        with reader(tmp_db) as r:
            assert r is con
        with writer(tmp_db, purpose="nested") as inner:
            assert inner is con
    assert query("SELECT count(*) AS n FROM observations", db=tmp_db)["n"].iloc[0] == 3


def test_reader_on_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent" / "kb.duckdb"
    with pytest.raises(WorkbenchError, match="does not exist") as err:
        query("SELECT 1", db=missing)
    assert str(missing) in str(err.value)
    assert not missing.exists() and not missing.parent.exists()


def test_caught_statement_error_inside_writer_is_not_a_silent_commit(tmp_db: Path) -> None:
    """DuckDB turns COMMIT of an aborted transaction into a rollback; writer() must say so."""
    from workbench.kb.access import WriteAbortedError

    with writer(tmp_db) as con:
        con.execute("INSERT INTO regions (code, nuts_version) VALUES ('HR03', '2016')")
    with pytest.raises(WriteAbortedError, match="nothing was written"), writer(tmp_db) as con:
        con.execute("INSERT INTO regions (code, nuts_version) VALUES ('HR04', '2016')")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO regions (code, nuts_version) VALUES ('HR03', '2016')")
    assert query("SELECT code FROM regions ORDER BY code", db=tmp_db)["code"].tolist() == ["HR03"]
