"""SDMX-CSV 1.0 and 2.0 (with and without labels), built from a real Eurostat TSV's cells.

No real SDMX-CSV data file exists in the shared data (SOURCES.md), so each test writes the cells of
``estat_nama_10r_3gdp.tsv`` in the SDMX-CSV layouts Eurostat publishes and checks that the import
equals the TSV import of the same file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from support.testing import require_real_data

from workbench.errors import ImportFailed
from workbench.importers import import_file, sniff_kind

LABELS = {
    "freq": "Time frequency",
    "unit": "Unit of measure",
    "geo": "Geopolitical entity (reporting)",
}


def tsv_cells(path: Path) -> list[tuple[str, str, str, str, str, str]]:
    """(freq, unit, geo, period, value text, flag) for every cell, by plain splitting."""
    lines = path.read_text(encoding="utf-8").splitlines()
    periods = [p.strip() for p in lines[0].split("\t")[1:]]
    out = []
    for line in lines[1:]:
        key, *cells = line.split("\t")
        freq, unit, geo = key.split(",")
        for period, cell in zip(periods, cells, strict=True):
            value, _, flag = cell.partition(" ")
            out.append((freq, unit, geo, period, "" if value == ":" else value, flag.strip()))
    return out


def write_sdmx(path: Path, layout: str, cells: list[tuple[str, ...]]) -> Path:
    flow = "ESTAT:NAMA_10R_3GDP(1.0)"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n" if layout == "1.0" else "\n")
        if layout == "1.0":
            w.writerow(
                [
                    "DATAFLOW",
                    "LAST UPDATE",
                    "freq",
                    "unit",
                    "geo",
                    "TIME_PERIOD",
                    "OBS_VALUE",
                    "OBS_FLAG",
                ]
            )
            for c in cells:
                w.writerow([flow, "15/04/24 23:00:00", *c])
        elif layout == "2.0":
            w.writerow(
                [
                    "STRUCTURE",
                    "STRUCTURE_ID",
                    "ACTION",
                    "freq",
                    "unit",
                    "geo",
                    "TIME_PERIOD",
                    "OBS_VALUE",
                    "OBS_FLAG",
                ]
            )
            for c in cells:
                w.writerow(["dataflow", flow, "I", *c])
        else:  # 2.0 with labels, as the data browser writes it
            w.writerow(
                ["STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME"]
                + [x for d in ("freq", "unit", "geo") for x in (d, LABELS[d])]
                + [
                    "TIME_PERIOD",
                    "Time",
                    "OBS_VALUE",
                    "Observation value",
                    "OBS_FLAG",
                    "Observation flag",
                ]
            )
            for freq, unit, geo, period, value, flag in cells:
                w.writerow(
                    [
                        "dataflow",
                        flow,
                        "Gross domestic product (GDP) at current market prices by NUTS 3 regions",
                    ]
                    + [freq, "Annual", unit, f"label of {unit}", geo, f"name of {geo}"]
                    + [period, "", value, "", flag, "provisional" if flag == "p" else ""]
                )
    return path


def observations(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT dataset_id, freq, unit, region, period, value, flag FROM observations ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def tsv_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple], list[tuple]]:
    path = require_real_data("eurostat_tsv", "estat_nama_10r_3gdp.tsv")
    db = tmp_path_factory.mktemp("tsvref") / "kb.duckdb"
    import_file(path, db=db)
    return observations(db), tsv_cells(path)


@pytest.mark.parametrize("layout", ["1.0", "2.0", "2.0-labels"])
def test_sdmx_csv_equals_tsv_import(
    layout: str, tsv_reference, tmp_db: Path, tmp_path: Path
) -> None:
    expected, cells = tsv_reference
    path = write_sdmx(tmp_path / f"nama_10r_3gdp_{layout}.csv", layout, cells)
    assert sniff_kind(path) == "sdmx_csv"
    result = import_file(path)
    assert result.dataset_id == "eurostat:nama_10r_3gdp"
    assert result.rows == len(cells) == len(expected)
    assert observations(tmp_db) == expected


def test_sdmx_and_tsv_of_one_dataset_replace_each_other(
    tsv_reference, tmp_db: Path, tmp_path: Path
) -> None:
    expected, cells = tsv_reference
    import_file(require_real_data("eurostat_tsv", "estat_nama_10r_3gdp.tsv"))
    # a newer SDMX-CSV release without the last 1000 observations replaces the TSV version
    result = import_file(write_sdmx(tmp_path / "nama.csv", "2.0", cells[:-1000]))
    assert result.replaced and result.rows == len(cells) - 1000
    assert len(observations(tmp_db)) == len(cells) - 1000


def test_sdmx_bad_value_names_line_and_column(tsv_reference, tmp_db: Path, tmp_path: Path) -> None:
    _, cells = tsv_reference
    bad = list(cells[:500])
    bad[199] = (*bad[199][:4], "3.000,5", "")  # data row 200 is line 201
    bad[299] = (*bad[299][:3], "2021M13", "5", "")
    bad.append(bad[10])  # duplicate observation on line 502
    with pytest.raises(ImportFailed) as info:
        import_file(write_sdmx(tmp_path / "nama.csv", "1.0", bad))
    got = [(p.line, p.column, p.value) for p in info.value.problems]
    assert got == [
        (201, "OBS_VALUE", "3.000,5"),
        (301, "TIME_PERIOD", "2021M13"),
        (502, "TIME_PERIOD", bad[10][3]),
    ]
    # nothing written: a failed first import leaves no knowledge-base file behind at all
    assert not tmp_db.exists()
