"""One-file sharing: ``workbench run --self-contained`` / ``workbench share`` write each report as one
HTML file that, copied alone into an empty folder, draws every chart in headless Chromium with the
network blocked; its CSV links work from the file alone and the zip holds every CSV unchanged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from batch_kb import build_kb
from support.browser import offline_page

NOTEBOOKS = Path(__file__).parent / "notebooks"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser


def _workbench(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def test_self_contained_report_draws_alone_and_offline(
    tmp_db: Path, tmp_path: Path, chromium_browser
) -> None:
    build_kb(tmp_db, synthetic=True)
    plan = tmp_path / "share.yml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "share",
                "runs": [
                    {
                        "notebook": str(NOTEBOOKS / "region_charts.ipynb"),
                        "parameters": {"region": "SI03", "n_charts": 3},
                    }
                ],
            }
        )
    )
    out = tmp_path / "reports"
    done = _workbench("run", str(plan), "--out", str(out), "-q", "--self-contained", db=tmp_db)
    assert done.returncode == 0, done.stderr
    assert "One-file reports:" in done.stdout
    batch = (out / "share" / "latest").resolve()
    (run,) = json.loads((batch / "manifest.json").read_text())["runs"]
    shared = batch / "share" / f"{run['run_id']}.html"
    data_zip = batch / "share" / f"{run['run_id']}-data.zip"
    assert shared.exists() and data_zip.exists()

    # the command for an existing run folder gives the same file
    again = _workbench(
        "share", str(batch / run["run_id"]), "--out", str(tmp_path / "s2"), db=tmp_db
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "s2" / shared.name).exists()

    text = shared.read_text(encoding="utf-8")
    assert text.count('class="plotly-graph-div"') == 3
    assert 'src="plotly.min.js"' not in text and "../plotly.min.js" not in text
    size = shared.stat().st_size
    assert 1_500_000 < size < 3_000_000  # plotly.js inlined once, packed (4.8 MB -> ~2 MB)

    csvs = sorted(p.name for p in (batch / run["run_id"]).glob("*.csv"))
    with zipfile.ZipFile(data_zip) as zf:
        assert sorted(n for n in zf.namelist() if n.endswith(".csv")) == csvs
        for name in csvs:
            assert zf.read(name) == (batch / run["run_id"] / name).read_bytes()
        assert "SYNTHETIC" in zf.read("README.txt").decode()

    alone = tmp_path / "empty"
    alone.mkdir()
    copy = alone / shared.name
    shutil.copy(shared, copy)
    assert sorted(p.name for p in alone.iterdir()) == [shared.name]

    outside: list[str] = []
    errors: list[str] = []
    page = offline_page(chromium_browser, outside, errors, accept_downloads=True)
    page.goto(copy.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= 3",
        timeout=30_000,
    )
    charts = page.locator(".plotly-graph-div")
    assert charts.count() == 3
    for i in range(3):
        assert charts.nth(i).locator("g.scatterlayer path.js-line").count() >= 1
    assert "Chart not drawn" not in page.inner_text("body")
    # a CSV link downloads the data from the file alone
    link = page.locator("p.wb-data-link a").first
    assert link.get_attribute("href").startswith("data:text/csv")
    with page.expect_download() as dl:
        link.click()
    downloaded = Path(dl.value.path()).read_bytes()
    assert downloaded == (batch / run["run_id"] / dl.value.suggested_filename).read_bytes()
    assert outside == []
    assert errors == []
