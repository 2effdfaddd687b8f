"""`workbench data catalogue` and the S3 profile's use of NACE-division employment when it is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workbench.config import DEFAULTS_DIR
from workbench.errors import ValidationError
from workbench.evidence import data as kbdata
from workbench.importers import import_file

# Eurostat's old bulk TSV layout (descending years with a trailing space, 'value flag' cells)
SBS_ROWS = [
    ("indic_sb,nace_r2,geo\\time", "2016", "2015", "2014"),
    ("V11110,C10,SI03", "2100", "2050", "2000"),
    ("V16110,B-N_S95_X_K,SI03", "250000", "245000", "240000"),
    ("V16110,B-N_S95_X_K,SI04", "300000", "296000", "290000"),
    ("V16110,C,SI03", "90000", "88000", "87000"),
    ("V16110,C,SI04", "70000", "69000", "68000"),
    ("V16110,C10,SI03", "12000", "11800", "11500"),
    ("V16110,C10,SI04", "8000", "7900", "7700"),
    ("V16110,C25,SI03", "15000", "14500", "14000"),
    ("V16110,C25,SI04", "6000", "5900", "5800"),
    ("V16110,J62,SI03", "3000", "2900", "2800"),
    ("V16110,J62,SI04", "11000", "10500", "10000"),
    ("V16110,G47,SI03", "20000", "19800", "19500"),
    ("V16110,G47,SI04", ": c", "25000", "24500"),
]
SBS_TSV = "".join("\t".join([key, *(f"{c} " if not c.endswith("c") else c for c in cells)]) + "\n"
                  for key, *cells in SBS_ROWS)  # fmt: skip


def test_catalogue_lists_every_dataset_with_its_fetch_line(tmp_db: Path) -> None:
    conf = yaml.safe_load((DEFAULTS_DIR / "catalogue.yml").read_text(encoding="utf-8"))
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(tmp_db), "data", "catalogue", "--format", "commands"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert sorted(filter(None, lines)) == sorted(
        f"workbench fetch eurostat {d['code']}" for d in conf["datasets"]
    )
    for needed in ("sbs_r_nuts06_r2", "lfst_r_lfe2en2", "nama_10r_2gdp", "demo_r_pjanaggr3", "rd_e_gerdreg",
                   "pat_ep_rtot"):  # fmt: skip
        assert f"workbench fetch eurostat {needed}" in lines
    md = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(tmp_db), "data", "catalogue", "--format", "markdown",
         "--analysis", "s3_profile"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert md.returncode == 0, md.stderr
    rows = [r for r in md.stdout.split("\n") if r.startswith("| `")]
    expected = [d for d in conf["datasets"] if "s3_profile" in d["analyses"]]
    assert len(rows) == len(expected) and all("| s3_profile |" in r for r in rows)


def test_s3_profile_prefers_nace_division_employment_when_imported(
    tmp_db: Path, tmp_path: Path
) -> None:
    tsv = tmp_path / "sbs_r_nuts06_r2.tsv"
    tsv.write_text(SBS_TSV, encoding="utf-8")
    result = import_file(tsv)
    assert result.dataset_id == "eurostat:sbs_r_nuts06_r2"
    panel = kbdata.employment_panel("eurostat")
    assert panel.attrs["dataset_id"] == "eurostat:sbs_r_nuts06_r2"
    # divisions only (no section C, no business-economy total), persons employed only (not V11110)
    assert sorted(panel["sector"].unique()) == ["C10", "C25", "G47", "J62"]
    got = panel.set_index(["period", "region", "sector"])["value"]
    assert got[("2015", "SI03", "C25")] == 14500 and got[("2016", "SI04", "J62")] == 11000
    key = (
        "2016",
        "SI04",
        "G47",
    )  # ':' confidential: missing (left out by the NUTS 2016 -> 2021 step)
    assert key not in got.index or pd_isna(got[key])
    assert panel.attrs["nuts_from"] == "2016"
    # without the SBS dataset the source's LFS employment is asked for (and named when absent)
    from workbench.kb import writer

    empty = tmp_path / "empty.duckdb"
    with writer(empty):
        pass
    with pytest.raises(ValidationError, match="lfst_r_lfe2en2"):
        kbdata.employment_panel("eurostat", db=str(empty))


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
