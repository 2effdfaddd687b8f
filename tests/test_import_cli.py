"""`workbench import` and `workbench template` as a user runs them (real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
from openpyxl import load_workbook
from support.testing import require_real_data

EXE = str(Path(sys.executable).with_name("workbench"))


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("WORKBENCH_DB", None)
    return subprocess.run(
        [EXE, "--db", str(db), *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_import_several_files_with_summary(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    tsv = require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz")
    nace = require_real_data("classifications", "Nace2_long.csv")
    out = run("import", str(tsv), str(nace), db=db)
    assert out.returncode == 0, out.stderr
    assert "eurostat:nama_10r_2gvagr" in out.stdout and "4,230" in out.stdout
    assert "nace:NACE_R2" in out.stdout and "996" in out.stdout
    again = run("import", str(tsv), db=db)
    assert again.returncode == 0 and "unchanged (same sha256)" in again.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM datasets").fetchone()[0] == 2
    con.close()


def test_import_error_goes_to_stderr_without_traceback(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    lines = require_real_data("eurostat_tsv", "estat_nama_10r_3gdp.tsv").read_text().splitlines()
    lines[41] = lines[41].replace("\t", "\tx", 1)
    bad = tmp_path / "estat_nama_10r_3gdp.tsv"
    bad.write_text("\n".join(lines) + "\n")
    out = run("import", str(bad), db=db)
    assert out.returncode == 2
    assert (
        "line 42" in out.stderr and "column '2000'" in out.stderr and "Traceback" not in out.stderr
    )
    kind = run("import", str(bad), "--kind", "nonsense", db=db)
    assert kind.returncode == 2 and "unknown kind" in kind.stderr


def test_import_with_encoding_option(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    path = tmp_path / "clusters.csv"
    path.write_bytes("cluster_id,name,region\nEL30-1,Σύμπραξη Αττικής,EL30\n".encode("cp1253"))
    out = run("import", str(path), "--encoding", "cp1253", db=db)
    assert out.returncode == 0, out.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT name FROM clusters").fetchone()[0] == "Σύμπραξη Αττικής"
    con.close()


def test_template_command_writes_documented_xlsx(tmp_path: Path) -> None:
    out_file = tmp_path / "actions.xlsx"
    out = run(
        "template",
        "policy_actions",
        "--format",
        "xlsx",
        "--out",
        str(out_file),
        db=tmp_path / "x.duckdb",
    )
    assert out.returncode == 0, out.stderr
    wb = load_workbook(out_file)
    assert wb.sheetnames == ["policy_actions", "columns"]
    doc = {r[0]: r for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    assert doc["dimension"][3].startswith("innovation, sustainability, international")
    assert doc["title"][2] == "yes"
    csv_out = run(
        "template", "clusters", "--out", str(tmp_path / "c.csv"), db=tmp_path / "x.duckdb"
    )
    assert csv_out.returncode == 0
    assert (tmp_path / "c.csv").read_text(encoding="utf-8-sig").startswith("cluster_id,name,region")
    unknown = run("template", "nope", db=tmp_path / "x.duckdb")
    assert unknown.returncode != 0 and "no template for table 'nope'" in unknown.stderr
