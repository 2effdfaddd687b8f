"""NUTS and NACE code lists as published (BOM, CRLF / bare CR, semicolons, trailing empty rows)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from support.testing import require_real_data

from workbench.errors import ImportFailed
from workbench.importers import import_file, sniff_kind


def rows_of(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_gisco_nuts_2021(tmp_db: Path) -> None:
    path = require_real_data("classifications", "NUTS_AT_2021.csv")
    raw = path.read_bytes()
    assert b"\r\n" in raw  # CRLF as published
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    expected_levels = Counter(len(r["NUTS_ID"]) - 2 for r in records)
    assert sniff_kind(path) == "nuts"
    result = import_file(path)
    assert (result.dataset_id, result.rows) == ("nuts:2021", len(records))
    levels = dict(rows_of(tmp_db, "SELECT level, count(*) FROM regions GROUP BY 1"))
    assert levels == dict(expected_levels) == {0: 37, 1: 125, 2: 334, 3: 1514}
    rs = rows_of(
        tmp_db, "SELECT name, name_latn, level, country, parent FROM regions WHERE code='RS11'"
    )
    src = next(r for r in records if r["NUTS_ID"] == "RS11")
    assert rs == [(src["NUTS_NAME"], src["NAME_LATN"], 2, "RS", "RS1")]
    assert rows_of(tmp_db, "SELECT DISTINCT nuts_version FROM regions") == [("2021",)]


def test_eurostat_nuts_2024_export(tmp_db: Path) -> None:
    path = require_real_data("classifications", "NUTS2021-NUTS2024.csv")
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # BOM as published
    records = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")][1:]
    real = [r for r in records if any(c.strip() for c in r)]
    assert len(records) - len(real) > 600  # the trailing ';;;;;;;' rows
    result = import_file(path)
    assert (result.dataset_id, result.rows) == ("nuts:2024", len(real))
    got = dict(rows_of(tmp_db, "SELECT code, level FROM regions WHERE nuts_version='2024'"))
    assert got == {r[1]: int(r[3]) for r in real}
    assert rows_of(tmp_db, "SELECT name FROM regions WHERE code='HR03'") == [
        ("Jadranska Hrvatska",)
    ]


def test_ramon_nuts_2013_with_bare_cr(tmp_db: Path) -> None:
    path = require_real_data("classifications", "NUTS_2013L.csv")
    raw = path.read_bytes()
    assert b"\n" not in raw and raw.count(b"\r") > 1800  # old-Mac line ends
    lines = raw.decode("utf-8").split("\r")
    codes = {next(csv.reader([ln]))[4] for ln in lines[1:] if ln.strip()} - {""}
    result = import_file(path)
    assert (result.dataset_id, result.rows) == ("nuts:2013", len(codes))
    assert {r[0] for r in rows_of(tmp_db, "SELECT code FROM regions")} == codes
    assert rows_of(tmp_db, "SELECT name, name_latn, level FROM regions WHERE code='BG'") == [
        ("БЪЛГАРИЯ (BULGARIA)", "BULGARIA", 0)
    ]
    assert rows_of(tmp_db, "SELECT level, parent FROM regions WHERE code='UKZZZ'") == [(3, "UKZZ")]


def test_nace_rev2_eurostat_codes(tmp_db: Path) -> None:
    path = require_real_data("classifications", "Nace2_long.csv")
    records = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert sniff_kind(path) == "nace"
    result = import_file(path)
    assert result.rows == len(records) == 996
    levels = dict(rows_of(tmp_db, "SELECT level, count(*) FROM sectors GROUP BY 1"))
    assert (
        levels == dict(Counter(int(r["Level"]) for r in records)) == {1: 21, 2: 88, 3: 272, 4: 615}
    )
    got = dict(
        (c, (lvl, p))
        for c, lvl, p in rows_of(
            tmp_db, "SELECT code, level, parent FROM sectors WHERE nace_version='NACE_R2'"
        )
    )
    assert got["C"] == (1, None)
    assert got["C10"] == (2, "C")
    assert got["C10.1"] == (3, "C10")
    assert got["C10.11"] == (4, "C10.1")
    assert got["A01.11"] == (4, "A01.1")
    assert got["U99.00"] == (4, "U99.0")
    name = next(r["Name"] for r in records if r["nace2"] == "10")
    assert rows_of(tmp_db, "SELECT name FROM sectors WHERE code='C10'") == [(name,)]


def test_nuts_versions_live_side_by_side(tmp_db: Path) -> None:
    import_file(require_real_data("classifications", "NUTS_AT_2021.csv"))
    import_file(require_real_data("classifications", "NUTS_2013L.csv"))
    hr = rows_of(
        tmp_db, "SELECT code, nuts_version FROM regions WHERE code LIKE 'HR0_' ORDER BY ALL"
    )
    assert ("HR04", "2013") in hr and ("HR06", "2021") in hr and ("HR04", "2021") not in hr


def test_bad_level_in_export_names_line_and_column(tmp_db: Path, tmp_path: Path) -> None:
    real = (
        require_real_data("classifications", "NUTS2021-NUTS2024.csv").read_bytes().decode("utf-8")
    )
    lines = real.split("\r\n")
    fields = lines[9].split(";")
    assert fields[1] == "BE22" and fields[3] == "2"
    fields[3] = "3"
    lines[9] = ";".join(fields)
    bad = tmp_path / "NUTS2021-NUTS2024.csv"
    bad.write_bytes("\r\n".join(lines).encode("utf-8"))
    with pytest.raises(ImportFailed) as info:
        import_file(bad)
    p = info.value.problems[0]
    assert (p.line, p.column, p.value) == (10, "NUTS level", "3")


def test_bad_code_in_cr_only_file_names_line(tmp_db: Path, tmp_path: Path) -> None:
    raw = require_real_data("classifications", "NUTS_2013L.csv").read_bytes()
    lines = raw.split(b"\r")
    target = next(i for i, ln in enumerate(lines) if b'"HR03"' in ln)
    lines[target] = lines[target].replace(b'"HR03"', b'"hr-03"')
    bad = tmp_path / "NUTS_2013L.csv"
    bad.write_bytes(b"\r".join(lines))
    with pytest.raises(ImportFailed) as info:
        import_file(bad)
    p = info.value.problems[0]
    assert (p.line, p.column, p.value) == (target + 1, "NUTS-Code", "hr-03")
