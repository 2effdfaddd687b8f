"""Project templates: empty CSV/XLSX from the YAML descriptions; CSV, XLSX and old XLS imports."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from openpyxl import Workbook, load_workbook
from support.testing import require_real_data

from workbench.config import DEFAULTS_DIR
from workbench.errors import ImportFailed
from workbench.importers import import_file, sniff_kind
from workbench.importers.tabular import read_xls_table
from workbench.importers.templates import write_template

CORE = ["clusters", "policy_actions", "regions", "sectors"]


def spec(table: str) -> dict:
    return yaml.safe_load((DEFAULTS_DIR / "templates" / f"{table}.yml").read_text(encoding="utf-8"))


def rows_of(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("table", CORE)
def test_core_template_columns_exist_in_the_kb(table: str, tmp_db: Path) -> None:
    from workbench.kb import writer

    with writer(tmp_db) as con:
        cols = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
            ).fetchall()
        }
    described = spec(table)["columns"]
    assert set(described) <= cols
    assert all(c.get("description") for c in described.values())


@pytest.mark.parametrize("table", CORE)
def test_write_csv_and_xlsx_templates(table: str, tmp_path: Path) -> None:
    columns = list(spec(table)["columns"])
    out_csv = write_template(table, tmp_path / f"{table}.csv")
    header = next(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert header == columns
    out_xlsx = write_template(table, tmp_path / f"{table}.xlsx", "xlsx")
    wb = load_workbook(out_xlsx)
    data, doc = wb.worksheets
    assert [c.value for c in data[1]] == columns and data.max_row == 1
    documented = {r[0]: r for r in doc.iter_rows(min_row=2, values_only=True)}
    assert list(documented) == columns
    for name, col in spec(table)["columns"].items():
        assert documented[name][1] == col["type"]
        assert documented[name][2] == ("yes" if col.get("required") else "no")
        if col.get("allowed"):
            assert documented[name][3] == ", ".join(str(a) for a in col["allowed"])


def fill_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "clusters"
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


CLUSTER_HEADER = ["cluster_id", "name", "region", "country", "nace_codes", "founded", "members"]
CLUSTERS = [
    ["HR03-WOOD", "Drvni klaster", "HR03", "HR", "C16;C31", 2012, 41],
    ["SI03-AUTO", "ACS Slovenian Automotive Cluster", "SI03", "SI", "C29", 2000, 80],
]


def test_xlsx_template_import(tmp_db: Path, tmp_path: Path) -> None:
    path = fill_xlsx(tmp_path / "clusters_2026.xlsx", CLUSTER_HEADER, CLUSTERS)
    assert sniff_kind(path) == "template"
    result = import_file(path)
    assert result.dataset_id == "template:clusters:clusters_2026" and result.rows == 2
    got = rows_of(
        tmp_db,
        "SELECT cluster_id, name, region, country, nace_codes, founded, members, synthetic, dataset_id "
        "FROM clusters ORDER BY 1",
    )
    assert got == [
        (
            "HR03-WOOD",
            "Drvni klaster",
            "HR03",
            "HR",
            ["C16", "C31"],
            2012,
            41,
            False,
            result.dataset_id,
        ),
        (
            "SI03-AUTO",
            "ACS Slovenian Automotive Cluster",
            "SI03",
            "SI",
            ["C29"],
            2000,
            80,
            False,
            result.dataset_id,
        ),
    ]
    # a corrected file replaces the dataset's rows; the same file again is a no-op
    again = import_file(path)
    assert again.skipped_same_sha
    fill_xlsx(path, CLUSTER_HEADER, CLUSTERS[:1])
    assert import_file(path).rows == 1
    assert rows_of(tmp_db, "SELECT count(*) FROM clusters") == [(1,)]


def test_xlsx_problems_name_sheet_row_column_value(tmp_db: Path, tmp_path: Path) -> None:
    rows = [
        ["HR03-WOOD", "Drvni klaster", "Croatia", "HR", "C16", 2012, 41],
        ["SI03-AUTO", "", "SI03", "SI", "29", "two thousand", -3],
        ["HR03-WOOD", "again", "HR03", "HR", "C16", 2012, 1],
    ]
    with pytest.raises(ImportFailed) as info:
        import_file(fill_xlsx(tmp_path / "clusters.xlsx", CLUSTER_HEADER, rows))
    got = [(p.sheet, p.row, p.column, p.value) for p in info.value.problems]
    assert got == [
        ("clusters", 2, "region", "Croatia"),
        ("clusters", 3, "name", None),
        ("clusters", 3, "nace_codes", "29"),
        ("clusters", 3, "founded", "two thousand"),
        ("clusters", 3, "members", "-3"),
        ("clusters", 4, "cluster_id", "HR03-WOOD"),
    ]
    assert "sheet 'clusters', row 3, column 'founded'" in str(info.value)
    assert not tmp_db.exists() or rows_of(
        tmp_db, "SELECT count(*) FROM information_schema.tables WHERE table_name='clusters'"
    ) == [(0,)]


def test_old_xls_template_import(tmp_db: Path, tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("akcije")
    header = ["action_id", "country", "title", "dimension", "start_date", "budget", "status"]
    rows = [
        [
            "SI-2016-01",
            "SI",
            "Spodbujanje grozdov",
            "innovation",
            date(2016, 3, 1),
            1833903.80,
            "completed",
        ],
        [
            "SI-2017-02",
            "SI",
            "Mednarodno povezovanje",
            "international",
            date(2017, 1, 15),
            250000,
            "ongoing",
        ],
    ]
    for c, h in enumerate(header):
        sheet.write(0, c, h)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            sheet.write(r, c, v, date_style if isinstance(v, date) else xlwt.Style.default_style)
    path = tmp_path / "akcije.xls"
    book.save(str(path))
    result = import_file(path)
    assert result.rows == 2
    got = rows_of(
        tmp_db,
        "SELECT action_id, title, dimension, start_date, budget, status FROM policy_actions ORDER BY 1",
    )
    assert got == [(r[0], r[2], r[3], r[4], float(r[5]), r[6]) for r in rows]


def test_real_old_xls_is_read(tmp_db: Path) -> None:
    path = require_real_data("cohesion_policy", "seznam-projektov-28-6-2016.xls")
    table = read_xls_table(path)
    assert table.sheet == "List1" and len(table.header) == 18 and len(table.rows) == 193
    assert any("Beneficiary name" in h for h in table.header)


def greek_titles() -> list[str]:
    """Operation names from the real Greek list (cp1253), used as Greek template text."""
    path = require_real_data("cohesion_policy", "ListOfOperations_20160513.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp1253")), delimiter=";"))
    titles = [r[4].strip() for r in rows[1:40] if len(r) > 4 and r[4].strip()]
    assert any(any("\u0391" <= ch <= "\u03c9" for ch in t) for t in titles)
    return titles[:5]


def test_cp1253_csv_is_detected(tmp_db: Path, tmp_path: Path) -> None:
    titles = greek_titles()
    path = tmp_path / "el_actions.csv"
    lines = ["action_id;region;country;title;dimension"]
    lines += [
        f'EL-{i};EL30;EL;"{t.replace(chr(34), chr(34) * 2)}";skills' for i, t in enumerate(titles)
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1253"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_file(path)
    assert result.rows == len(titles)
    got = rows_of(tmp_db, "SELECT title FROM policy_actions ORDER BY action_id")
    assert [g[0] for g in got] == titles
    assert rows_of(tmp_db, "SELECT notes FROM datasets")[0][0] == "encoding cp1253"


def test_explicit_encoding(tmp_db: Path, tmp_path: Path) -> None:
    titles = greek_titles()
    path = tmp_path / "el.csv"
    path.write_bytes(
        ("action_id,title\nEL-1," + titles[0].replace(",", " ") + "\n").encode("cp1253")
    )
    with pytest.raises(ImportFailed) as info:
        import_file(path, encoding="utf-8")
    assert info.value.problems[0].line == 2 and "utf-8" in info.value.problems[0].rule
    with pytest.raises(ImportFailed, match="unknown text encoding"):
        import_file(path, encoding="klingon")
    import_file(path, encoding="cp1253")
    assert rows_of(tmp_db, "SELECT title FROM policy_actions") == [(titles[0].replace(",", " "),)]


def test_csv_problems_name_line(tmp_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "actions.csv"
    path.write_text(
        "action_id,title,dimension,start_date,end_date,budget\n"
        "A1,Vouchers,innovation,2019-01-01,2020-12-31,1000\n"
        "A2,Networks,networking,2019-01-01,2018-12-31,abc\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    got = [(p.line, p.column, p.value) for p in info.value.problems]
    assert got == [
        (3, "dimension", "networking"),
        (3, "budget", "abc"),
        (3, "end_date", "2018-12-31"),
    ]


def test_unknown_header_is_not_guessed(tmp_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    fill_xlsx(path, ["cluster_id", "colour"], [["a", "red"]])
    with pytest.raises(ImportFailed, match="file kind not recognised"):
        import_file(path)
    with pytest.raises(ImportFailed, match="matches no template"):
        import_file(path, kind="template")
