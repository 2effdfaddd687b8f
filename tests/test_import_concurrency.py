"""Imports and other processes: a busy KB gives a clear error; idle readers never block imports."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from support.testing import require_real_data

from workbench.errors import KBBusyError
from workbench.importers import import_file

HOLD_WRITER = textwrap.dedent(
    """
    import sys, time
    from workbench.kb import writer
    with writer(sys.argv[1], purpose="test holder of the writer lock") as con:
        con.execute("SELECT 1")
        print("ready", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
    """
)

IDLE_READER = textwrap.dedent(
    """
    import sys, time
    from workbench.kb import query
    n = int(query("SELECT count(*) AS n FROM observations", db=sys.argv[1])["n"][0])
    print(f"ready {n}", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def start(script: str, db: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("ready"):
        proc.kill()
        raise AssertionError(
            f"helper process did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    proc.ready_line = line  # type: ignore[attr-defined]
    return proc


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_second_writer_gets_busy_error_then_succeeds(tmp_db: Path) -> None:
    small = require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz")
    other = require_real_data("eurostat_tsv", "nama_10r_2gdp.tsv.gz")
    import_file(small)
    holder = start(HOLD_WRITER, tmp_db, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(KBBusyError) as info:
            import_file(other, lock_timeout=1.5)
        waited = time.monotonic() - t0
        message = str(info.value)
        assert "knowledge base is busy (held by" in message
        assert f"PID {holder.pid}" in message and "test holder of the writer lock" in message
        assert 1.4 <= waited < 10  # a bounded wait, not a hang
    finally:
        stop(holder)
    # the file is intact and usable: the earlier dataset is there and the import now works
    result = import_file(other, lock_timeout=10)
    con = duckdb.connect(str(tmp_db), read_only=True)
    ids = dict(con.execute("SELECT dataset_id, count(*) FROM observations GROUP BY 1").fetchall())
    con.close()
    assert ids == {"eurostat:nama_10r_2gvagr": 4230, "eurostat:nama_10r_2gdp": result.rows}


@pytest.mark.slow
def test_idle_reader_process_does_not_block_an_import(tmp_db: Path) -> None:
    import_file(require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz"))
    reader = start(IDLE_READER, tmp_db, 60)
    try:
        assert reader.ready_line.strip() == "ready 4230"  # type: ignore[attr-defined]
        # blocked by the reader, the import would fail after lock_timeout with KBBusyError (a
        # wall-clock bound on top only measured the machine's load)
        result = import_file(
            require_real_data("eurostat_tsv", "nama_10r_2gdp.tsv.gz"), lock_timeout=5
        )
        assert result.rows > 0 and reader.poll() is None  # the reader process is still alive
    finally:
        stop(reader)
