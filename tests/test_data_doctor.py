"""The data doctor (`workbench check`) on the real files, correction files, and the HR03 report with a
correction applied: expected values come from an independent csv/Decimal reading of the source file."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from support.hr_operations import hr_operations, region_totals
from support.testing import CHROMIUM_ARGS, require_browser, require_real_data

from workbench.errors import ValidationError
from workbench.importers import import_file
from workbench.importers.cohesion import import_cohesion_file
from workbench.kb import query
from workbench.quality import check_file, check_kb
from workbench.quality.output import render_html, write_csv

HR = "ESIF_Croatia_2007-2020.csv"
FIX = (
    Path(__file__).resolve().parents[1] / "workbench/defaults/corrections/hr_euro_label_is_hrk.yml"
)
REAL_FILES = [
    ("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz"),
    ("eurostat_tsv", "nama_10r_2gdp.tsv.gz"),
    ("eurostat_tsv", "estat_nama_10r_3gdp.tsv"),
    ("cohesion_policy", HR),
    ("cohesion_policy", "seznam-projektov-28-6-2016.xls"),
    ("cohesion_policy", "ListOfOperations_20160513.csv"),
    ("cohesion_policy", "ESIF_2014-2020_FINANCES_PLANNED_DETAILS_190411.csv"),
]

pytestmark = pytest.mark.realdata


def _euro_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["Ukupno prihvatljivi troškovi"].endswith("€")]


def test_check_flags_euro_labels_and_operations_repeated_per_county(tmp_path: Path) -> None:
    path = require_real_data("cohesion_policy", HR)
    n, ops = hr_operations(path)
    report = check_file(path)
    by_check = {f.check: f for f in report.findings}
    # operations repeated per county: every row beyond an operation's first is counted
    rep = by_check["repeated_operations"]
    assert rep.severity == "warning" and rep.n_rows == n - len(ops) == 1317
    assert rep.details["operations"] == sum(1 for o in ops.values() if len(o["counties"]) > 1)
    isecss = rep.examples[rep.examples["title"].str.contains("ISECSS")]
    assert len(isecss) == 1 and int(isecss["n_locations"].iloc[0]) == 21
    # currency labels: the EUR-labelled rows, not the HRK ones, with the county waste centres
    cur = by_check["currency_labels"]
    assert cur.severity == "warning" and set(cur.examples["currency"]) == {"EUR"}
    titles = " ".join(cur.examples["title"].head(5))
    assert "Marišćina" in titles and "Kaštijun" in titles
    euro = _euro_rows(path)
    assert cur.details["file_rows"] == len(euro) == 1249  # the label is the export's: all flagged
    for group in cur.details["groups"]:  # raw medians alike, converted ones far apart
        assert group["raw_ratio"] < 3 < group["ratio_if_labels_right"]
    # nothing was written anywhere but a temporary knowledge base; the CSV lists every finding
    out = write_csv(report, tmp_path / "check.csv")
    assert len(pd.read_csv(out)) == len(report.findings)


def test_cli_check_file_writes_table_csv_and_html(tmp_path: Path) -> None:
    path = require_real_data("cohesion_policy", HR)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "check", str(path), "--csv", str(tmp_path / "c.csv"),
         "--html", str(tmp_path / "c.html"), "--strict", "--suggest-corrections",
         str(tmp_path / "fix.yml")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "160"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # --strict: warnings make the exit code 1
    assert "currency labels that do not fit the amounts" in done.stdout
    assert "operations repeated per location" in done.stdout
    table = pd.read_csv(tmp_path / "c.csv")
    assert {"currency_labels", "repeated_operations"} <= set(table["check"])
    assert (tmp_path / "c.html").read_text(encoding="utf-8").count('class="finding ') == len(table)
    # the proposed correction file relabels exactly the file's "€" rows, and only when passed
    from workbench.quality.corrections import load_corrections

    fix = load_corrections(tmp_path / "fix.yml")
    assert [(c.where, c.set) for c in fix.entries] == [({"currency": ["EUR"]}, {"currency": "HRK"})]
    assert fix.entries[0].file == HR


def test_correction_file_is_applied_only_when_passed_and_recorded(
    tmp_db: Path, tmp_path: Path
) -> None:
    path = require_real_data("cohesion_policy", HR)
    n_euro = len(_euro_rows(path))
    result = import_file(path, corrections=FIX)
    assert any("correction hr-euro-label-is-hrk" in w for w in result.warnings)
    fixes = query("SELECT * FROM data_corrections")
    assert (
        fixes["n_rows"].tolist() == [n_euro] and fixes["changes"].iloc[0] == "currency: EUR -> HRK"
    )
    assert set(query("SELECT DISTINCT currency FROM policy_actions")["currency"]) == {"HRK"}
    # the corrected data no longer look mislabelled; the provenance names the correction file
    checks = query("SELECT check_name FROM data_checks WHERE dataset_id = ?", [result.dataset_id])
    assert "currency_labels" not in set(checks["check_name"])
    notes = json.loads(query("SELECT notes FROM datasets")["notes"].iloc[0])
    assert notes["corrections_sha256"] == [fixes["correction_sha256"].iloc[0]]
    # the same file without the correction file is imported again (not skipped) and unchanged
    again = import_file(path)
    assert not again.skipped_same_sha
    assert query("SELECT count(*) AS n FROM data_corrections")["n"].iloc[0] == 0
    assert set(query("SELECT DISTINCT currency FROM policy_actions")["currency"]) == {"HRK", "EUR"}
    assert import_file(path).skipped_same_sha


def test_bad_correction_files_name_the_problem_and_write_nothing(
    tmp_db: Path, tmp_path: Path
) -> None:
    path = require_real_data("cohesion_policy", HR)
    cases = {
        "unknown key(s) when": "corrections:\n  - {id: a, when: {currency: EUR}, set: {currency: HRK}, reason: r}\n",
        "matches no row": "corrections:\n  - {id: b, where: {currency: USD}, set: {currency: HRK}, reason: r}\n",
        "cannot be changed": "corrections:\n  - {id: c, where: {currency: EUR}, set: {action_id: x}, reason: r}\n",
        "'reason' is required": "corrections:\n  - {id: d, where: {currency: EUR}, set: {currency: HRK}}\n",
    }  # fmt: skip
    for i, (message, text) in enumerate(cases.items()):
        fix = tmp_path / f"fix{i}.yml"
        fix.write_text(text, encoding="utf-8")
        with pytest.raises(ValidationError, match=re.escape(message)) as exc:
            import_cohesion_file(path, corrections=fix)
        assert fix.name in str(exc.value)
    assert not tmp_db.exists() or query("SELECT count(*) AS n FROM datasets")["n"].iloc[0] == 0
    with pytest.raises(Exception, match="correction files apply to cohesion-policy files"):
        import_file(require_real_data("eurostat_tsv", "nama_10r_2gdp.tsv.gz"), corrections=FIX)


def _run_report(tmp_path: Path, db: Path, name: str) -> tuple[Path, Path]:
    import papermill as pm

    nb = Path(__file__).resolve().parents[1] / "notebooks" / "past_action_analysis.ipynb"
    report_dir = tmp_path / name
    old = {k: os.environ.get(k) for k in ("WORKBENCH_DB", "WORKBENCH_REPORT_DIR")}
    os.environ.update({"WORKBENCH_DB": str(db), "WORKBENCH_REPORT_DIR": str(report_dir)})
    try:
        pm.execute_notebook(str(nb), str(tmp_path / f"{name}.ipynb"), progress_bar=False,
                            parameters={"region": "HR03", "period": "", "include_synthetic": False},
                            kernel_name="python3", cwd=str(tmp_path))  # fmt: skip
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return report_dir, tmp_path / f"{name}.ipynb"


def _outputs_text(notebook: Path) -> str:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            parts.append(
                "".join(data.get("text/markdown", "")) + "".join(data.get("text/html", ""))
            )
    return "\n".join(parts)


@pytest.mark.slow
def test_hr03_report_counts_operations_once_and_says_a_correction_was_applied(
    tmp_db: Path, tmp_path: Path
) -> None:
    path = require_real_data("cohesion_policy", HR)
    _, ops = hr_operations(path)
    n, plain = region_totals(ops, "Adriatic Croatia")
    n_fixed, fixed = region_totals(ops, "Adriatic Croatia", relabel={"EUR": "HRK"})
    import_file(path, corrections=FIX)
    out, notebook = _run_report(tmp_path, tmp_db, "fixed")
    spend = pd.read_csv(out / "spend_by_dimension_period.csv")
    assert spend["n_actions"].sum() == n == n_fixed  # ISECSS and the like: one operation each
    timeline = pd.read_csv(out / "timeline.csv")
    isecss = timeline[timeline["title"].str.contains("ISECSS")]
    assert len(timeline) == n and len(isecss) == 1  # listed 21 times in the file, 7 times in HR03
    (full,) = [o["total"] for k, o in ops.items() if "ISECSS" in k[0]]
    assert isecss["budget"].iloc[0] == pytest.approx(float(full) * 7 / 21)  # 7 of its 21 counties
    by_cur = spend.groupby("currency")["budget"].sum()
    assert set(by_cur.index) == {"HRK"} == set(fixed)
    assert by_cur["HRK"] == pytest.approx(float(fixed["HRK"]), rel=1e-9)
    assert by_cur["HRK"] > float(plain["HRK"])  # the former EUR amounts now count as kuna
    eur = pd.read_csv(out / "spend_eur.csv")["budget"].sum()
    uncorrected_eur = float(plain["EUR"]) + float(plain["HRK"]) / 7.5345
    assert (
        eur == pytest.approx(float(fixed["HRK"]) / 7.5345, rel=1e-9) and eur < uncorrected_eur / 3
    )
    text = _outputs_text(notebook)
    assert "A correction was applied" in text and "hr-euro-label-is-hrk" in text
    assert "Correction applied" in text  # the header notice of every report using the dataset
    record = json.loads((out / "report.json").read_text())
    assert record["datasets"][0]["corrections"]
    assert "of these" in text and "counted once" in text  # operations in several regions explained


@pytest.fixture(scope="module")
def demo_and_real_kb(tmp_path_factory: pytest.TempPathFactory, demo_kb: Path) -> Path:
    """The demo knowledge base plus every real Eurostat and cohesion file imported."""
    db = tmp_path_factory.mktemp("doctor") / "kb.duckdb"
    shutil.copyfile(demo_kb, db)
    for folder, name in REAL_FILES:
        import_file(require_real_data(folder, name), db=db)
    return db


@pytest.mark.slow
@pytest.mark.browser
def test_check_kb_html_lists_every_warning_in_a_browser(
    demo_and_real_kb: Path, tmp_path: Path
) -> None:
    chromium = require_browser()
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    report = check_kb(demo_and_real_kb)
    print(f"check --kb on the demo + real knowledge base: {time.perf_counter() - t0:.2f} s")
    warnings = report.warnings
    assert {f.dataset_id for f in warnings} >= {"cohesion:hr_operations_2007_2016",
                                                 "eurostat:lfst_r_lfe2en2"}  # fmt: skip
    assert (
        len(report.summary)
        == query("SELECT count(*) AS n FROM datasets", db=demo_and_real_kb)["n"].iloc[0]
    )
    page_file = tmp_path / "check.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def route(r):  # only the local file may load
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(page_file.as_uri())
            items = page.locator("#findings li.finding.warning")
            assert items.count() == len(warnings)
            shown = [items.nth(i).locator(".message").inner_text() for i in range(items.count())]
            assert sorted(shown) == sorted(f.message for f in warnings)
            assert page.locator("#summary tr").count() == len(report.summary) + 1
            page.locator("#findings li.finding.warning details summary").first.click()
            assert page.locator("#findings li.finding.warning details table").first.is_visible()
        finally:
            browser.close()
    assert outside == []
