"""Issue 10, items 3, 6 and 9: workshop input is never lost, silently skipped or overwritten.

* ``workbench demo`` on a knowledge base holding captured workshop answers (merged from the capture
  inbox) and imported files keeps every one of them (it dropped 803 answers to 0 before);
* ``workbench foresight merge`` on a busy knowledge base says so and exits non-zero (it printed
  "merged 0" and exited 0);
* an imported barrier edited in the barrier dashboard stays as imported (citing its file and
  sha256); the edit is a new version with its own provenance.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from support.cli import assert_clean_failure, invoke_workbench, run_workbench

from workbench import capture
from workbench.demo import build_demo
from workbench.demo.foresight import EXERCISE_ID
from workbench.foresight.state import publish_state
from workbench.importers import import_file
from workbench.kb import query
from workbench.policy import data

BARRIERS_CSV = (
    "barrier_id,region,barrier,dimensions,phase,severity,evidence,source,author\n"
    "HR03-B-1,HR03,Weak links to universities,innovation;skills,past_actions,2,survey,WG1,ana\n"
    "HR03-B-2,HR03,No regional cluster monitoring,governance,current_framework,3,,WG1,ana\n"
)
CAPTURED = {
    "answers": "SELECT * FROM foresight_answers WHERE NOT synthetic ORDER BY answer_id",
    "comments": "SELECT * FROM foresight_comments WHERE NOT synthetic ORDER BY comment_id",
    "drivers": "SELECT * FROM foresight_drivers WHERE NOT synthetic ORDER BY driver_id",
    "barriers": "SELECT * FROM barriers WHERE NOT synthetic ORDER BY barrier_id",
    "datasets": "SELECT dataset_id, sha256, file_name, rows FROM datasets WHERE NOT synthetic"
    " ORDER BY dataset_id",
}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain values (missing = None, lists as lists) whatever the column dtypes."""
    out = []
    for rec in frame.astype(object).to_dict("records"):
        out.append(
            {k: (v.tolist() if hasattr(v, "tolist") else None if v is None or v != v else v)
             for k, v in rec.items()}
        )  # fmt: skip
    return out


def _snapshot(db: Path) -> dict[str, pd.DataFrame]:
    return {name: query(sql, db=db) for name, sql in CAPTURED.items()}


def _codes(db: Path) -> list[str]:
    return query(
        "SELECT participant_code FROM foresight_participants WHERE exercise_id = ? ORDER BY 1",
        [EXERCISE_ID],
        db=db,
    )["participant_code"].tolist()


def _submit_answers(db: Path, codes: list[str], statements: list[str]) -> int:
    state = publish_state(EXERCISE_ID, db=db)
    n = 0
    for code in codes:
        for sid in statements:
            capture.submit(
                "foresight.answer",
                {"exercise_id": EXERCISE_ID, "participant_code": code,
                 "round_no": state["open_round"], "statement_id": sid, "value": 4,
                 "comment": f"comment of {code} on {sid}" if sid == statements[0] else ""},
                client_id=f"p-{code}", idempotency_key=f"ans-{code}-{sid}", db=db,
            )  # fmt: skip
            n += 1
    return n


def test_demo_keeps_captured_answers_and_imported_data(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    build_demo(db, seed=5)
    demo_counts = query("SELECT count(*) AS n FROM foresight_answers WHERE synthetic", db=db).iloc[
        0, 0
    ]
    codes = _codes(db)[-6:]  # codes that did not answer in the synthetic demo rounds
    n = _submit_answers(db, codes, ["S1", "S2", "S6"])
    capture.submit(
        "foresight.driver",
        {"exercise_id": EXERCISE_ID, "participant_code": codes[0], "label": "Water scarcity",
         "steep": "environmental", "description": "coastal tourism"},
        client_id="p", idempotency_key="drv-1", db=db,
    )  # fmt: skip
    # a dashboard edit of a synthetic demo barrier is a (real) version of it
    original = query("SELECT * FROM barriers ORDER BY barrier_id LIMIT 1", db=db).iloc[0]
    capture.submit(
        "policy.barrier",
        {"barrier_id": original["barrier_id"], "region": original["region"],
         "barrier": "Checked with the working group", "dimensions": list(original["dimensions"]),
         "phase": original["phase"], "severity": 3, "author": "wg"},
        client_id="t", idempotency_key="demo-edit-1", db=db,
    )  # fmt: skip
    assert capture.merge(db=db) >= n + 2  # (+ the published state row)
    source = tmp_path / "barriers_hr.csv"
    source.write_text(BARRIERS_CSV, encoding="utf-8")
    import_file(source, db=db)
    before = _snapshot(db)
    assert len(before["answers"]) == n and len(before["comments"]) == len(codes)
    assert len(before["drivers"]) == 1 and len(before["barriers"]) == 3

    done = run_workbench("demo", "--seed", "5", db=db)
    assert done.returncode == 0, done.stderr

    after = _snapshot(db)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    # the demo itself was rebuilt as before, and merging again adds nothing twice
    assert (
        query("SELECT count(*) FROM foresight_answers WHERE synthetic", db=db).iloc[0, 0]
        == demo_counts
    )
    assert capture.merge(db=db) == 0
    assert len(query(CAPTURED["answers"], db=db)) == n
    # the edited demo barrier is still replaced by its version in views
    shown = set(data.load_barriers(db=db)["barrier_id"])
    edit = after["barriers"].set_index("supersedes").loc[original["barrier_id"], "barrier_id"]
    assert original["barrier_id"] not in shown and edit in shown


def test_demo_refuses_to_replace_a_real_dataset_with_a_demo_id(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    source = tmp_path / "barriers_hr.csv"
    source.write_text(BARRIERS_CSV, encoding="utf-8")
    import_file(source, db=db, dataset_id="demo:policy")
    before = _snapshot(db)
    done = invoke_workbench("demo", db=db)
    assert_clean_failure(done, "demo:policy", "not synthetic", "nothing was written")
    after = _snapshot(db)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    assert query("SELECT count(*) FROM regions", db=db).iloc[0, 0] == 0


HOLDER = """
import sys, time
from workbench.kb import writer
with writer(sys.argv[1], purpose="test holder"):
    print("held", flush=True)
    time.sleep(120)
"""


def test_merge_on_a_busy_kb_is_an_error_not_merged_0(tmp_path: Path) -> None:
    from workbench.demo.foresight import build_foresight_only

    db = tmp_path / "kb.duckdb"
    codes = build_foresight_only(db)
    n = _submit_answers(db, codes[-2:], ["S1", "S2"])
    waiting = sum(kind["pending"] for kind in capture.status(db).values())  # + published states
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = invoke_workbench("foresight", "merge", "--wait", "0.5", db=db)
        assert_clean_failure(
            done, "knowledge base is busy", "test holder", "nothing was merged",
            f"{waiting} submission(s) still wait", "waited 0.5 s",
        )  # fmt: skip
        assert done.returncode == 3
        assert "merged 0" not in done.stdout
    finally:
        holder.kill()
        holder.wait()
    assert capture.status(db)["foresight.answer"]["pending"] == n
    done = invoke_workbench("foresight", "merge", "--wait", "5", db=db)
    assert done.returncode == 0, done.stderr
    assert f"merged {waiting} submission(s)" in done.stdout
    assert len(query(CAPTURED["answers"], db=db)) == n


def test_imported_barrier_edit_is_a_new_version(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from workbench.dashboards.barriers import BarrierDashboard

    db = tmp_path / "kb.duckdb"
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    source = tmp_path / "barriers_hr.csv"
    source.write_text(BARRIERS_CSV, encoding="utf-8")
    result = import_file(source)
    imported = query("SELECT * FROM barriers ORDER BY barrier_id")
    provenance = query("SELECT * FROM datasets WHERE dataset_id = ?", [result.dataset_id])
    assert provenance["sha256"].tolist() == [result.sha256]

    dash = BarrierDashboard()
    dash.edit_choice.value = "HR03-B-1"  # loads the form
    assert "read-only" in dash.status.value and result.dataset_id in dash.status.value
    dash.i_severity.value = 3
    dash.i_evidence.value = "interviews 2026"
    dash.i_author.value = "maria"
    assert dash.save()

    rows = query("SELECT * FROM barriers ORDER BY barrier_id")
    # the imported rows and their provenance are exactly as imported
    assert _records(rows[rows["barrier_id"].isin(imported["barrier_id"])]) == _records(imported)
    assert _records(
        query("SELECT * FROM datasets WHERE dataset_id = ?", [result.dataset_id])
    ) == _records(provenance)
    version = rows[rows["supersedes"] == "HR03-B-1"]
    assert len(version) == 1
    v = version.iloc[0]
    assert v["barrier_id"] != "HR03-B-1" and v["dataset_id"] == "capture:barriers"
    assert v["author"] == "maria" and v["severity"] == 3 and v["evidence"] == "interviews 2026"
    assert not v["synthetic"] and pd.notna(v["created_at"])
    # views show the newest version only
    shown = data.load_barriers()
    assert sorted(shown["barrier_id"]) == sorted(["HR03-B-2", v["barrier_id"]])
    assert "HR03-B-1" not in set(dash.view["barrier_id"])

    # editing the version changes it in place; a stale edit of the original lands there too
    dash.refresh()
    dash.edit_choice.value = v["barrier_id"]
    assert "read-only" not in dash.status.value
    dash.i_severity.value = 1
    assert dash.save()
    capture.submit(
        "policy.barrier",
        {"barrier_id": "HR03-B-1", "region": "HR03", "barrier": "Weak links to universities",
         "dimensions": ["innovation"], "phase": "past_actions", "severity": 0, "author": "stale"},
        client_id="t", idempotency_key="stale-1",
    )  # fmt: skip
    assert capture.merge() == 1
    rows = query("SELECT * FROM barriers ORDER BY barrier_id")
    assert len(rows) == 3
    latest = rows.set_index("barrier_id").loc[v["barrier_id"]]
    assert latest["severity"] == 0 and latest["author"] == "stale"
    assert pd.notna(latest["updated_at"]) and latest["created_at"] == v["created_at"]
    assert _records(rows[rows["barrier_id"].isin(imported["barrier_id"])]) == _records(imported)
