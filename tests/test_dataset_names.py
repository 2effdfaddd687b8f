"""Datasets are named for readers: the title with the id (issue 13: names with codes), also for
Eurostat files, which carry no title (the data catalogue's is used)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml
from support.testing import require_real_data

from workbench.importers import import_file
from workbench.kb.names import dataset_label
from workbench.overview.findings import overview_findings

CATALOGUE = Path(__file__).resolve().parents[1] / "workbench" / "defaults" / "catalogue.yml"


def _catalogue_title(code: str) -> str:
    entries = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["datasets"]
    return next(d["title"] for d in entries if d["code"] == code)


def test_label_uses_stored_title_then_catalogue_then_id() -> None:
    gdp = _catalogue_title("nama_10r_2gdp")
    assert dataset_label("eurostat:nama_10r_2gdp", "nama_10r_2gdp") == (
        f"{gdp} (eurostat:nama_10r_2gdp)"
    )
    assert dataset_label("eurostat:nama_10r_2gdp", None) == f"{gdp} (eurostat:nama_10r_2gdp)"
    assert dataset_label("demo:actions", "Demo policy actions") == (
        "Demo policy actions (demo:actions)"
    )
    assert dataset_label("eurostat:not_in_catalogue", "not_in_catalogue") == (
        "eurostat:not_in_catalogue"
    )


def test_imported_eurostat_file_gets_the_catalogue_title(tmp_db: Path) -> None:
    result = import_file(require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz"), db=tmp_db)
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        (title,) = con.execute(
            "SELECT title FROM datasets WHERE dataset_id = ?", [result.dataset_id]
        ).fetchone()
    finally:
        con.close()
    assert title == _catalogue_title("lfst_r_lfe2en2")


def test_overview_findings_name_datasets_with_title_and_id() -> None:
    datasets = pd.DataFrame(
        {"dataset_id": ["eurostat:lfst_r_lfe2en2", "eurostat:nama_10r_2gdp"],
         "title": ["lfst_r_lfe2en2", "nama_10r_2gdp"], "synthetic": [False, False]}
    )  # fmt: skip
    coverage = pd.DataFrame(
        {"dataset_id": ["eurostat:lfst_r_lfe2en2", "eurostat:nama_10r_2gdp"],
         "regions": [9, 15], "observations": [5720, 300], "first_period": ["2008", "2000"],
         "last_period": ["2023", "2014"], "missing_pct": [26.59, 0.0]}
    )  # fmt: skip
    flags = pd.DataFrame(
        {"dataset_id": ["eurostat:lfst_r_lfe2en2"], "flag": ["u"], "meaning": ["low reliability"],
         "observations": [12]}
    )  # fmt: skip
    text = " ".join(
        overview_findings("AT", datasets, coverage, pd.DataFrame(), flags, names={"AT": "Austria"})
    )
    lfs = f"{_catalogue_title('lfst_r_lfe2en2')} (eurostat:lfst_r_lfe2en2)"
    assert (
        f"The widest coverage is {_catalogue_title('nama_10r_2gdp')} (eurostat:nama_10r_2gdp)"
        in text
    )
    assert f"The most gaps are in {lfs} (26.59 % of 5,720 cells missing)" in text
    assert f"cells of {lfs}" in text
