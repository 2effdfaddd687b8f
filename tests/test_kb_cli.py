"""``workbench demo``, ``workbench kb info`` and ``workbench kb export`` through the real CLI (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from workbench.kb.info import kb_info


def _cli(db: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("WORKBENCH_DB", None)
    code = "from workbench.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _q(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "kb.duckdb"
    done = _cli(db, "demo", "--seed", "11")
    assert done.returncode == 0, done.stderr
    assert "demo:employment" in done.stdout and "SYNTHETIC" in done.stdout
    return db


@pytest.mark.slow  # builds the demo twice
def test_demo_seed_option_changes_data(cli_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "seed12.duckdb"
    assert _cli(other, "demo", "--seed", "12").returncode == 0
    sql = "SELECT sum(value) FROM observations WHERE dataset_id = 'demo:employment'"
    assert _q(other, sql).iloc[0, 0] != _q(cli_db, sql).iloc[0, 0]
    notes = _q(other, "SELECT notes FROM datasets WHERE dataset_id = 'demo:employment'").iloc[0, 0]
    assert "seed 12" in notes


def test_kb_info_json_matches_the_database(cli_db: Path) -> None:
    done = _cli(cli_db, "kb", "info", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    tables = _q(
        cli_db,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'",
    )["table_name"]
    assert set(info["tables"]) == set(tables)
    for table in tables:
        assert info["tables"][table] == _q(cli_db, f'SELECT count(*) FROM "{table}"').iloc[0, 0], (
            table
        )
    expected = _q(
        cli_db, "SELECT dataset_id, sha256, rows, synthetic, source, importer_version FROM datasets"
    )
    got = (
        pd.DataFrame(info["datasets"])[expected.columns]
        .sort_values("dataset_id")
        .reset_index(drop=True)
    )
    expected = expected.sort_values("dataset_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert info["schema_version"] == _q(cli_db, "SELECT max(id) FROM schema_migrations").iloc[0, 0]
    assert info["synthetic_datasets"] == int(expected["synthetic"].sum()) > 0
    assert kb_info(cli_db)["tables"] == info["tables"]  # in-process function agrees


def test_kb_info_human_output(cli_db: Path) -> None:
    done = _cli(cli_db, "kb", "info")
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC" in done.stdout
    n_obs = _q(cli_db, "SELECT count(*) FROM observations").iloc[0, 0]
    assert f"{n_obs:,}" in done.stdout
    assert "demo:clusters" in done.stdout and "schema version" in done.stdout


def test_export_csv_round_trip(cli_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "gdp.csv"
    done = _cli(
        cli_db,
        "kb",
        "export",
        "observations",
        "--format",
        "csv",
        "--out",
        str(out),
        "--where",
        "dataset_id = 'demo:gdp'",
    )
    assert done.returncode == 0, done.stderr
    table = _q(cli_db, "SELECT * FROM observations WHERE dataset_id = 'demo:gdp'")
    back = pd.read_csv(out, dtype={"period": str})
    assert f"exported {len(table)} rows" in done.stdout
    assert list(back.columns) == list(table.columns)
    key = ["region", "period", "unit"]
    back = back.sort_values(key).reset_index(drop=True)
    table = table.sort_values(key).reset_index(drop=True)
    pd.testing.assert_series_equal(back["value"], table["value"], check_dtype=False)
    assert back["region"].tolist() == table["region"].tolist()


def _plain(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of plain Python values (lists for list columns, None for missing)."""

    def cell(v: object) -> object:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if hasattr(v, "tolist"):
            return v.tolist()
        return v

    return [tuple(cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def test_export_parquet_round_trip_whole_table(cli_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.parquet"
    done = _cli(cli_db, "kb", "export", "clusters", "--format", "parquet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    back = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}') ORDER BY cluster_id").df()
    table = _q(cli_db, "SELECT * FROM clusters ORDER BY cluster_id")
    assert len(table) >= 40
    assert list(back.columns) == list(table.columns)
    assert _plain(back) == _plain(table)


def test_export_xlsx_round_trip(cli_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "clusters.xlsx"
    done = _cli(cli_db, "kb", "export", "clusters", "--format", "xlsx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out, read_only=True)["clusters"]
    rows = list(sheet.iter_rows(values_only=True))
    table = _q(cli_db, "SELECT * FROM clusters ORDER BY cluster_id")
    assert list(rows[0]) == list(table.columns)
    body = sorted(rows[1:], key=lambda r: r[0])
    assert [r[0] for r in body] == table["cluster_id"].tolist()
    col = list(table.columns).index("nace_codes")
    assert [r[col] for r in body] == ["; ".join(v) for v in table["nace_codes"]]
    col = list(table.columns).index("employees")
    assert [r[col] for r in body] == table["employees"].tolist()


def test_export_default_path_is_cwd(cli_db: Path, tmp_path: Path) -> None:
    done = _cli(cli_db, "kb", "export", "sectors", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        len(pd.read_csv(tmp_path / "sectors.csv"))
        == _q(cli_db, "SELECT count(*) FROM sectors").iloc[0, 0]
    )


def test_export_unknown_table_lists_tables(cli_db: Path, tmp_path: Path) -> None:
    done = _cli(cli_db, "kb", "export", "no_such_table", "--out", str(tmp_path / "x.csv"))
    assert done.returncode != 0
    assert "unknown table 'no_such_table'" in done.stderr
    assert "observations" in done.stderr and "clusters" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json"], "unknown export format 'json'"),
        (["--where", "1=1; DROP TABLE observations"], "not a valid SQL condition"),
        (["--where", "no_such_column = 1"], "failed on table 'observations'"),
    ],
)
def test_export_bad_options_fail_cleanly(
    cli_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    before = _q(cli_db, "SELECT count(*) FROM observations").iloc[0, 0]
    done = _cli(cli_db, "kb", "export", "observations", "--out", str(tmp_path / "o.csv"), *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert _q(cli_db, "SELECT count(*) FROM observations").iloc[0, 0] == before


def test_kb_info_on_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.duckdb"
    done = _cli(missing, "kb", "info")
    assert done.returncode != 0
    assert "does not exist" in done.stderr and "workbench demo" in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()
