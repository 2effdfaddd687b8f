"""Eurostat bulk TSV importer on the real files: one observation per cell, checked independently."""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path

import duckdb
import pytest
from support.testing import require_real_data

from workbench.errors import ImportFailed
from workbench.importers import import_file, sniff_kind
from workbench.importers.eurostat_tsv import dataset_id_for

REAL_FILES = [
    "lfst_r_lfe2en2.tsv.gz",
    "nama_10r_2gdp.tsv.gz",
    "nama_10r_2gvagr.tsv.gz",
    "estat_nama_10r_3gdp.tsv",
]


def read_lines(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def independent_parse(path: Path) -> tuple[list[str], list[str], dict]:
    """Plain-Python reading of a Eurostat TSV, written for the test (not the importer's code).

    Returns (dimension names, periods, {(key..., period): (value or None, flag or None)}).
    """
    lines = read_lines(path)
    head = lines[0].split("\t")
    dims = head[0].split("\\")[0].split(",")
    periods = [h.strip() for h in head[1:]]
    cells = {}
    for line in lines[1:]:
        fields = line.split("\t")
        key = tuple(fields[0].split(","))
        for period, cell in zip(periods, fields[1:], strict=True):
            text = cell.strip()
            if " " in text:
                number, flag = text.split(" ")
            elif re.fullmatch(r"[:\d.\-]+", text):
                number, flag = text, None
            else:
                raise AssertionError(f"unexpected cell {cell!r}")
            cells[key + (period,)] = (None if number == ":" else float(number), flag)
    return dims, periods, cells


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_imports_one_observation_per_cell(name: str, tmp_db: Path) -> None:
    path = require_real_data("eurostat_tsv", name)
    dims, periods, expected = independent_parse(path)

    assert sniff_kind(path) == "eurostat_tsv"
    result = import_file(path)
    dataset_id = dataset_id_for(path)
    assert result.dataset_id == dataset_id
    assert not result.skipped_same_sha
    assert result.rows == len(expected)

    geo = dims.index("geo")
    others = [d for d in dims if d != "geo"]
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        rows = con.execute(
            f"SELECT region, {', '.join(others)}, period, value, flag FROM observations "
            "WHERE dataset_id = ?",
            [dataset_id],
        ).fetchall()
        ds = con.execute(
            "SELECT rows, sha256, file_name, kind FROM datasets WHERE dataset_id = ?", [dataset_id]
        ).fetchone()
    finally:
        con.close()
    assert len(rows) == len(expected)  # exactly one observation per data cell
    got = {}
    for region, *rest in rows:
        *dim_values, period, value, flag = rest
        key = list(dim_values)
        key.insert(geo, region)
        got[tuple(key) + (period,)] = (value, flag)
    assert got.keys() == expected.keys()
    for k, (value, flag) in expected.items():
        gv, gf = got[k]
        assert gf == flag, k
        if value is None:
            assert gv is None, k  # NULL exactly where ':' stands
        else:
            assert gv is not None and math.isclose(gv, value, rel_tol=0, abs_tol=1e-9), k
    assert {k[-1] for k in got} == set(periods)
    assert ds[0] == len(expected) and ds[2] == path.name and ds[3] == "eurostat_tsv"


def test_flags_and_years_of_lfst_match_sources_md(tmp_db: Path) -> None:
    """Counts documented in SOURCES.md (independent of the importer) for lfst_r_lfe2en2."""
    path = require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    import_file(path)
    con = duckdb.connect(str(tmp_db), read_only=True)
    flags = dict(
        con.execute(
            "SELECT flag, count(*) FROM observations WHERE flag IS NOT NULL GROUP BY flag"
        ).fetchall()
    )
    years = [
        r[0] for r in con.execute("SELECT DISTINCT period FROM observations ORDER BY 1").fetchall()
    ]
    example = con.execute(
        "SELECT value, flag FROM observations WHERE unit='THS' AND nace_r2='A' AND age='Y15-24' "
        "AND region='AT1' AND period='2008'"
    ).fetchone()
    con.close()
    assert flags == {"b": 27517, "u": 42813, "bu": 10296, "c": 7496, "bc": 1837}
    assert years == [str(y) for y in range(2008, 2016)]
    assert example == (4.0, "bu")  # header years descend: the last column is 2008


def test_new_format_flags_match_sources_md(tmp_db: Path) -> None:
    path = require_real_data("eurostat_tsv", "estat_nama_10r_3gdp.tsv")
    result = import_file(path)
    assert result.dataset_id == "eurostat:nama_10r_3gdp"  # estat_ prefix dropped
    con = duckdb.connect(str(tmp_db), read_only=True)
    flags = dict(con.execute("SELECT flag, count(*) FROM observations GROUP BY flag").fetchall())
    al = con.execute(
        "SELECT period, value, flag FROM observations WHERE freq='A' AND unit='EUR_HAB' "
        "AND region='AL' AND period IN ('2007', '2008', '2021', '2022') ORDER BY period"
    ).fetchall()
    con.close()
    assert {k: v for k, v in flags.items() if k} == {"p": 3747, "b": 3390, "e": 13545, "d": 12}
    # line 2 of the file: "A,EUR_HAB,AL  : ... : 3000 ... 5400 p  :"
    assert al == [
        ("2007", None, None),
        ("2008", 3000.0, None),
        ("2021", 5400.0, "p"),
        ("2022", None, None),
    ]


def test_reimport_same_file_is_a_reported_noop(tmp_db: Path) -> None:
    path = require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz")
    first = import_file(path)
    con = duckdb.connect(str(tmp_db), read_only=True)
    imported_at = con.execute("SELECT imported_at FROM datasets").fetchone()[0]
    con.close()
    again = import_file(path)
    assert again.skipped_same_sha and again.rows == first.rows
    assert "already imported" in again.warnings[0]
    con = duckdb.connect(str(tmp_db), read_only=True)
    assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == first.rows
    assert con.execute("SELECT imported_at FROM datasets").fetchone()[0] == imported_at
    con.close()


def test_new_version_replaces_old_one(tmp_db: Path, tmp_path: Path) -> None:
    real = require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz")
    lines = read_lines(real)
    old = tmp_path / "v1" / "nama_10r_2gvagr.tsv"
    new = tmp_path / "v2" / "nama_10r_2gvagr.tsv"
    old.parent.mkdir()
    new.parent.mkdir()
    old.write_text("\n".join(lines) + "\n")
    # new version: the last 10 series dropped, one value revised and flagged
    changed = lines[:-10]
    changed[1] = changed[1].replace("\t0.3 \t", "\t0.4 p\t", 1)
    assert changed[1] != lines[1]
    new.write_text("\n".join(changed) + "\n")
    periods = len(lines[0].split("\t")) - 1
    first = import_file(old)
    assert first.rows == (len(lines) - 1) * periods
    second = import_file(new)
    assert second.dataset_id == first.dataset_id and second.replaced and not second.skipped_same_sha
    con = duckdb.connect(str(tmp_db), read_only=True)
    assert (
        con.execute("SELECT count(*) FROM observations").fetchone()[0]
        == (len(changed) - 1) * periods
    )
    assert con.execute(
        "SELECT value, flag FROM observations WHERE region='AT' AND period='2014'"
    ).fetchone() == (0.4, "p")
    assert con.execute("SELECT count(*), any_value(sha256) FROM datasets").fetchone() == (
        1,
        second.sha256,
    )
    con.close()


def test_dataset_id_from_file_name() -> None:
    assert dataset_id_for(Path("estat_nama_10r_3gdp.tsv")) == "eurostat:nama_10r_3gdp"
    assert dataset_id_for(Path("LFST_R_LFE2EN2.tsv.gz")) == "eurostat:lfst_r_lfe2en2"


def test_any_number_of_dimensions_and_quarterly_periods(tmp_db: Path, tmp_path: Path) -> None:
    """Five dimension columns and new-style quarterly periods, built from real cells."""
    real = read_lines(require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz"))
    cells = real[1].split("\t")[1:5]  # four real cells of AT
    path = tmp_path / "estat_demo_q.tsv"
    path.write_text(
        "freq,unit,s_adj,na_item,geo\\TIME_PERIOD\t2020-Q1 \t2020-Q2 \t2020-Q3 \t2020-Q4 \n"
        f"Q,PCH_PRE,SCA,B1GQ,AT\t{chr(9).join(cells)}\n"
        f"Q,PCH_PRE,NSA,B1GQ,AT\t{chr(9).join(reversed(cells))}\n"
    )
    result = import_file(path)
    assert result.rows == 8
    con = duckdb.connect(str(tmp_db), read_only=True)
    got = con.execute(
        "SELECT period, value FROM observations WHERE s_adj='SCA' AND na_item='B1GQ' ORDER BY period"
    ).fetchall()
    con.close()
    assert got == [(f"2020-Q{i + 1}", float(c.strip())) for i, c in enumerate(cells)]


def test_import_errors_are_import_failed(tmp_db: Path, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="does not exist"):
        import_file(tmp_path / "missing.tsv")
