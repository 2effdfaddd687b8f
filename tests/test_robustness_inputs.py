"""Issue 10, items 7 and 10: broken inputs give a clear message, a non-zero exit and change nothing.

Each case is what an attack-and-fault run found printing a traceback (or silently doing the wrong
thing): a knowledge-base file that is not DuckDB, empty, truncated or corrupt; a malformed,
non-UTF-8 or list-shaped run plan; a 5 MB CSV cell; a global option after the subcommand; a typo
in ``--db`` for a read-only command.  Everything runs through the real command line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support.cli import assert_clean_failure, invoke_workbench, run_workbench

from workbench.importers import import_file
from workbench.kb import query

BARRIERS_CSV = (
    "barrier_id,region,barrier,dimensions,phase,severity,evidence,source,author\n"
    "HR03-B-1,HR03,Weak links to universities,innovation;skills,past_actions,2,survey,WG1,ana\n"
    "HR03-B-2,HR03,No regional cluster monitoring,governance,current_framework,3,,WG1,ana\n"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real knowledge base (schema + one imported template) to break in various ways."""
    folder = tmp_path_factory.mktemp("small")
    source = folder / "barriers_hr.csv"
    source.write_text(BARRIERS_CSV, encoding="utf-8")
    db = folder / "kb.duckdb"
    import_file(source, db=db)
    return db


def _broken(kind: str, good: Path, target: Path) -> Path:
    data = good.read_bytes()
    if kind == "not_duckdb":
        target.write_text("region,value\nHR03,1\n", encoding="utf-8")
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "truncated":
        target.write_bytes(data[: len(data) // 2])
    else:  # corrupt: zeros over the first data block (its checksum no longer matches)
        broken = bytearray(data)
        broken[12288 + 100 : 12288 + 164] = bytes(64)
        target.write_bytes(bytes(broken))
    return target


@pytest.mark.parametrize("kind", ["not_duckdb", "empty", "truncated", "corrupt"])
def test_unusable_kb_file_gives_a_message_for_info_import_and_demo(
    kind: str, small_kb: Path, tmp_path: Path
) -> None:
    db = _broken(kind, small_kb, tmp_path / "kb.duckdb")
    before = _sha(db)
    source = tmp_path / "barriers_more.csv"
    source.write_text(BARRIERS_CSV.replace("HR03-B-", "HR04-B-"), encoding="utf-8")
    expected = (
        "is an empty file"
        if kind == "empty"
        else "is not a DuckDB"
        if kind == "not_duckdb"
        else "is damaged"
    )
    for args in (["kb", "info"], ["import", str(source)], ["demo"]):
        # one real subprocess per kind of damage, the other commands in this process (faster)
        run = run_workbench if args == ["kb", "info"] else invoke_workbench
        done = run(*args, db=db)
        assert_clean_failure(done, f"knowledge base {db}", expected, "nothing was changed")
        assert done.returncode == 4
        assert _sha(db) == before, f"{args} changed the file"
    assert not db.with_name(db.name + ".wal").exists()


def test_read_only_commands_refuse_a_kb_that_does_not_exist(tmp_path: Path) -> None:
    typo = tmp_path / "wrokbench.duckdb"
    for args in (
        ["kb", "info"],
        ["kb", "export", "barriers", "--out", str(tmp_path / "b.csv")],
        ["foresight", "status"],
        ["foresight", "merge"],
        ["foresight", "codes", "see-clusters-2035"],
        ["check", "--kb"],
    ):
        done = invoke_workbench(*args, db=typo)
        assert_clean_failure(done, f"knowledge base {typo} does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "a file was created"


def test_failed_import_into_a_new_kb_leaves_no_kb_behind(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    bad = tmp_path / "barriers_bad.csv"
    bad.write_text(BARRIERS_CSV.replace("innovation;skills", "tourism"), encoding="utf-8")
    done = invoke_workbench("import", str(bad), db=db)
    assert_clean_failure(done, "tourism", "nothing was written")
    assert not db.exists()


def test_global_db_option_after_the_subcommand(small_kb: Path, tmp_path: Path) -> None:
    out = tmp_path / "pa.csv"
    done = run_workbench(
        "template", "policy_actions", "--db", str(tmp_path / "x.duckdb"), "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8-sig").startswith("action_id,")
    # the option after the subcommand really selects the knowledge base
    done = invoke_workbench("kb", "info", "--json", f"--db={small_kb}")
    assert done.returncode == 0, done.stderr
    (dataset,) = query("SELECT dataset_id FROM datasets", db=small_kb)["dataset_id"]
    assert f'"db": "{small_kb}"' in done.stdout and f'"{dataset}"' in done.stdout
    # a real usage error is one short message, not a traceback
    done = invoke_workbench("kb", "info", "--no-such-option", db=small_kb)
    assert_clean_failure(done, "No such option: --no-such-option")
    assert len(done.stderr.strip().splitlines()) <= 4


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b"runs:\n  - notebook: [x\n    parameters: {a: 1\n", ["line 3", "not valid YAML"]),
        ("runs:\n  - notebook: \u010dvor.ipynb\n".encode("cp1250"), ["line 2", "not UTF-8"]),
        (b"- notebook: a.ipynb\n- notebook: b.ipynb\n", ["expected a mapping", "is a list"]),
        (b"", ["expected a mapping", "is empty"]),
    ],
    ids=["malformed", "non_utf8", "list", "empty"],
)
def test_broken_run_plan_is_a_message(
    content: bytes, needles: list[str], small_kb: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yml"
    plan.write_bytes(content)
    before = _sha(small_kb)
    done = invoke_workbench("run", str(plan), "--out", str(tmp_path / "reports"), db=small_kb)
    assert_clean_failure(done, f"run plan {plan}", *needles)
    assert done.returncode == 2
    assert _sha(small_kb) == before
    assert not (tmp_path / "reports").exists()


def test_five_megabyte_csv_cell_is_a_message_and_writes_nothing(
    small_kb: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kb.duckdb"
    db.write_bytes(small_kb.read_bytes())
    before = query("SELECT * FROM barriers ORDER BY barrier_id", db=db)
    big = tmp_path / "barriers_big.csv"
    cell = "slow permits " * (5 * 1024 * 1024 // 13)
    big.write_text(
        BARRIERS_CSV.splitlines()[0] + "\n"
        f"HR05-B-1,HR05,{cell},governance,past_actions,2,,WG1,ana\n",
        encoding="utf-8",
    )
    assert big.stat().st_size > 5_000_000
    done = run_workbench("import", str(big), db=db)
    assert_clean_failure(done, str(big), "line 2", "too long", "nothing was written")
    after = query("SELECT * FROM barriers ORDER BY barrier_id", db=db)
    assert after.equals(before)
    assert len(query("SELECT * FROM datasets", db=db)) == 1


@pytest.mark.realdata
def test_eurostat_tsv_with_bom_and_crlf_is_recognised(real_data: Path, tmp_path: Path) -> None:
    """A Eurostat TSV saved by a Windows tool (UTF-8 BOM, CRLF) imports without --kind, with the
    same observations as the original file."""
    import gzip

    from workbench.importers import sniff_kind

    original = real_data / "eurostat_tsv" / "nama_10r_2gvagr.tsv.gz"
    text = gzip.decompress(original.read_bytes())
    windows = tmp_path / "nama_10r_2gvagr.tsv"
    windows.write_bytes(b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    assert sniff_kind(windows) == "eurostat_tsv"
    db_a, db_b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    done = invoke_workbench("import", str(windows), db=db_a)
    assert done.returncode == 0, done.stderr
    import_file(original, db=db_b)
    sql = (
        "SELECT region, period, value, flag FROM observations ORDER BY region, period, value, flag"
    )
    got, expected = query(sql, db=db_a), query(sql, db=db_b)
    assert len(got) > 100
    assert got.equals(expected)
