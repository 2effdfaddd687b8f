"""The capture inbox: durable, idempotent, multi-process appends; exactly-once merge into DuckDB."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
from pathlib import Path

import pytest

from workbench import capture
from workbench.capture import registry, writelock
from workbench.errors import KBBusyError, ValidationError
from workbench.kb import query, writer


def _merge_values(con, rows) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS cap_test (key VARCHAR, who VARCHAR, v INTEGER)")
    con.executemany(
        "INSERT INTO cap_test VALUES (?, ?, ?)",
        [(r.idempotency_key, r.client_id, r.payload["v"]) for r in rows],
    )


def _failing(con, rows) -> None:
    raise RuntimeError("broken merger")


@pytest.fixture(autouse=True)
def _kinds():
    capture.register_merger("captest.value", _merge_values)
    capture.register_merger("captest.broken", _failing)
    yield
    registry._MERGERS.pop("captest.value", None)
    registry._MERGERS.pop("captest.broken", None)


def _worker(db: str, client: int, n: int, queue) -> None:
    try:
        for i in range(n):
            key = f"c{client}-{i}"
            capture.submit(
                "captest.value", {"v": i}, client_id=f"c{client}", idempotency_key=key, db=db
            )
            # a retry of the same submission (double click / reconnect) must not duplicate
            if i % 3 == 0:
                again = capture.submit(
                    "captest.value", {"v": i}, client_id=f"c{client}", idempotency_key=key, db=db
                )
                assert again.duplicate
        queue.put(None)
    except BaseException as exc:  # report to the parent
        queue.put(repr(exc))


@pytest.mark.slow
def test_many_processes_append_without_loss_or_duplicates(tmp_db: Path) -> None:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(tmp_db), c, 25, queue)) for c in range(8)]
    for p in procs:
        p.start()
    errors = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert errors == [None] * 8
    # the inbox itself, read with plain sqlite3 (independent of the module)
    con = sqlite3.connect(capture.inbox_path(tmp_db))
    assert con.execute(
        "SELECT count(*), count(DISTINCT idempotency_key) FROM inbox"
    ).fetchone() == (200, 200)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert capture.merge(db=tmp_db) == 200
    got = query("SELECT count(*) AS n, count(DISTINCT key) AS k, sum(v) AS s FROM cap_test")
    assert got.iloc[0].tolist() == [200, 200, 8 * sum(range(25))]
    assert capture.merge(db=tmp_db) == 0  # nothing left, nothing merged twice
    assert capture.status(tmp_db)["captest.value"] == {"total": 200, "pending": 0, "failed": 0}


def test_same_key_different_payload_is_refused(tmp_db: Path) -> None:
    capture.submit("captest.value", {"v": 1}, client_id="a", idempotency_key="k", db=tmp_db)
    with pytest.raises(capture.CaptureConflictError):
        capture.submit("captest.value", {"v": 2}, client_id="a", idempotency_key="k", db=tmp_db)
    assert [r.payload for r in capture.read("captest.value", db=tmp_db)] == [{"v": 1}]


@pytest.mark.parametrize(
    ("kind", "payload", "client", "key"),
    [
        ("nodot", {"v": 1}, "a", "k1"),
        ("captest.value", ["not", "a", "dict"], "a", "k2"),
        ("captest.value", {"v": float("nan")}, "a", "k3"),
        ("captest.value", {"v": 1}, "bad id with spaces", "k4"),
        ("captest.value", {"v": 1}, "a", ""),
        ("captest.value", {"v": "x" * 1_100_000}, "a", "k5"),
    ],
)
def test_malformed_submissions_change_nothing(tmp_db, kind, payload, client, key) -> None:
    with pytest.raises(ValidationError):
        capture.submit(kind, payload, client_id=client, idempotency_key=key, db=tmp_db)
    assert capture.status(tmp_db).get("captest.value", {}).get("total", 0) == 0


def test_validator_refuses_before_storing(tmp_db: Path) -> None:
    def validate(payload):
        if not 1 <= payload.get("v", 0) <= 5:
            raise ValidationError("v must be between 1 and 5")
        return payload

    capture.register_merger("captest.value", _merge_values, validate=validate)
    try:
        with pytest.raises(ValidationError, match="between 1 and 5"):
            capture.submit(
                "captest.value", {"v": 9}, client_id="a", idempotency_key="k9", db=tmp_db
            )
        capture.submit("captest.value", {"v": 3}, client_id="a", idempotency_key="k3", db=tmp_db)
    finally:
        registry._VALIDATORS.pop("captest.value", None)
    assert [r.payload["v"] for r in capture.pending("captest.value", db=tmp_db)] == [3]


def _hold_writer(db: str, ready, release) -> None:
    from workbench.kb import writer as w

    with w(db, purpose="test holds the lock"):
        ready.set()
        release.wait(30)


def test_merge_skips_quietly_while_writer_busy_then_merges(tmp_db: Path) -> None:
    with writer(tmp_db):
        pass  # create the file
    for i in range(5):
        capture.submit("captest.value", {"v": i}, client_id="a", idempotency_key=f"b{i}", db=tmp_db)
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_writer, args=(str(tmp_db), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        assert capture.merge(db=tmp_db, lock_wait=0.2) == 0
        assert len(capture.pending("captest.value", db=tmp_db)) == 5
    finally:
        release.set()
        holder.join(30)
    assert capture.merge(db=tmp_db) == 5
    assert capture.pending("captest.value", db=tmp_db) == []


def test_crash_between_commit_and_marking_does_not_duplicate(tmp_db: Path) -> None:
    capture.submit("captest.value", {"v": 7}, client_id="a", idempotency_key="once", db=tmp_db)
    assert capture.merge(db=tmp_db) == 1
    # simulate a crash after the DuckDB commit but before the inbox was marked
    con = sqlite3.connect(capture.inbox_path(tmp_db))
    con.execute("UPDATE inbox SET merged_at = NULL")
    con.commit()
    con.close()
    assert capture.merge(db=tmp_db) == 0
    assert query("SELECT count(*) AS n FROM cap_test").n.iloc[0] == 1
    assert capture.pending(db=tmp_db) == []


def test_failing_merger_is_quarantined_and_others_merge(tmp_db: Path) -> None:
    capture.submit("captest.broken", {"v": 1}, client_id="a", idempotency_key="x1", db=tmp_db)
    capture.submit("captest.value", {"v": 2}, client_id="a", idempotency_key="x2", db=tmp_db)
    assert capture.merge(db=tmp_db) == 1
    bad = capture.pending("captest.broken", db=tmp_db)
    assert len(bad) == 1 and "broken merger" in (bad[0].merge_error or "")
    assert capture.status(tmp_db)["captest.broken"]["failed"] == 1
    assert query("SELECT v FROM cap_test").v.tolist() == [2]


def test_read_since_and_where(tmp_db: Path) -> None:
    for i, ex in enumerate(["a", "b", "a"]):
        capture.submit(
            "captest.value", {"v": i, "ex": ex}, client_id="c", idempotency_key=f"r{i}", db=tmp_db
        )
    rows = capture.read("captest.value", db=tmp_db)
    assert [
        r.payload["v"] for r in capture.read("captest.value", since=rows[0].seq, db=tmp_db)
    ] == [1, 2]
    assert [
        r.payload["v"] for r in capture.read("captest.value", where={"ex": "a"}, db=tmp_db)
    ] == [0, 2]
    assert capture.latest("captest.value", where={"ex": "a"}, db=tmp_db).payload["v"] == 2


def _submit_after_signal(db: str, client: int, started, queue) -> None:
    try:
        started.set()
        capture.submit(
            "captest.value",
            {"v": client},
            client_id=f"t{client}",
            idempotency_key=f"t{client}",
            db=db,
        )
        queue.put(None)
    except BaseException as exc:  # report to the parent
        queue.put(repr(exc))


def _inbox_count(db: Path) -> int:
    con = sqlite3.connect(capture.inbox_path(db))
    try:
        return con.execute("SELECT count(*) FROM inbox").fetchone()[0]
    finally:
        con.close()


@pytest.mark.slow
def test_writers_wait_for_their_turn_then_store_once(tmp_db: Path) -> None:
    capture.submit("captest.value", {"v": 0}, client_id="a", idempotency_key="first", db=tmp_db)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    started = [ctx.Event() for _ in range(3)]
    procs = [
        ctx.Process(target=_submit_after_signal, args=(str(tmp_db), c, started[c], queue))
        for c in range(3)
    ]
    with writelock.write_turn(capture.inbox_path(tmp_db), timeout=5):
        for p in procs:
            p.start()
        assert all(e.wait(60) for e in started)
        time.sleep(0.5)
        assert _inbox_count(tmp_db) == 1 and queue.empty()  # all three wait for the turn
    assert [queue.get(timeout=60) for _ in procs] == [None] * 3
    for p in procs:
        p.join(30)
    assert sorted(r.client_id for r in capture.read("captest.value", db=tmp_db)) == [
        "a",
        "t0",
        "t1",
        "t2",
    ]


def test_write_turn_times_out_with_clear_error_and_is_given_back(tmp_db: Path) -> None:
    capture.submit("captest.value", {"v": 0}, client_id="a", idempotency_key="first", db=tmp_db)
    box = capture.inbox_path(tmp_db)
    with (
        writelock.write_turn(box, timeout=1),
        pytest.raises(KBBusyError, match="no write turn within"),
        writelock.write_turn(box, timeout=0.2),
    ):
        pass  # pragma: no cover - never reached
    # the abandoned waiter takes the released turn and hands it back: later writers proceed
    with writelock.write_turn(box, timeout=5):
        pass
    capture.submit("captest.value", {"v": 1}, client_id="a", idempotency_key="second", db=tmp_db)
    assert _inbox_count(tmp_db) == 2
