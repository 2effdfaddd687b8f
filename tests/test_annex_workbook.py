"""The data annex's XLSX (written cell by cell with xlsxwriter) holds what pandas reads from
each CSV: the same columns, values and types, text kept as text, and the same bytes each time."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from workbench.export.annex import workbook_bytes


def _csvs(tmp_path: Path) -> list[Path]:
    files = {
        "mixed.csv": (
            "region,year,value,share,flag,note\n"
            "RO11,2021,12.5,0.25,True,=SUM(A1:A2)\n"
            "BG31,2022,,inf,False,https://example.org/x\n"
            "RS12,2023,-3,-inf,True,\n"
        ),
        "ints.csv": "code,count\n1,10\n2,20\n3,9007199254740993\n",
        "only_header.csv": "a,b\n",
        "empty.csv": "",
        "a_very_long_file_name_that_needs_cutting_down.csv": "x\n1\n",
    }
    out = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        out.append(path)
    return out


def test_workbook_reads_back_as_the_csvs(tmp_path: Path) -> None:
    csvs = _csvs(tmp_path)
    data = workbook_bytes(csvs)
    assert data == workbook_bytes(csvs)  # deterministic bytes
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}

    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == [
        "mixed",
        "ints",
        "only_header",
        "empty",
        "a_very_long_file_name_that_needs_cutting_down"[:31],  # Excel's limit
    ]
    for csv, (name, got) in zip(csvs, sheets.items(), strict=True):
        if csv.name == "empty.csv":
            assert got["note"].tolist() == ["empty.csv could not be read as a table"]
            continue
        expected = pd.read_csv(csv)
        # infinities are written as the text inf/-inf (as DataFrame.to_excel does; checked
        # cell by cell below), which read_excel may read back as a number: compare as text
        for col in expected.columns:
            if expected[col].dtype.kind == "f" and expected[col].map(math.isinf).any():
                expected[col], got[col] = expected[col].astype(str), got[col].astype(str)
        assert list(got.columns) == list(expected.columns), name
        if csv.name == "ints.csv":  # beyond 2**53 Excel keeps a double, like any writer
            assert got["count"].tolist()[:2] == [10, 20]
            continue
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=name)

    cells = openpyxl.load_workbook(io.BytesIO(data))["mixed"]
    formula, url = cells["F2"], cells["F3"]
    assert (formula.value, formula.data_type) == ("=SUM(A1:A2)", "s")  # text, not a formula
    assert url.value == "https://example.org/x" and url.hyperlink is None
    assert cells["E2"].data_type == "b" and cells["C3"].value is None
    assert (cells["D3"].value, cells["D4"].value, cells["D3"].data_type) == ("inf", "-inf", "s")
