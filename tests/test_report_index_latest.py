"""The batch index groups reports by type with their titles, question and synthetic flag;
``reports/<plan>/latest`` and ``reports/latest`` point at the last complete batch: an ``--only``
subset or a one-notebook run never hides it.  The glossary is up to date and linked."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from batch_kb import build_kb

from workbench.batch.index_page import render_index
from workbench.batch.plans import load_plan, single_run_plan
from workbench.batch.runner import run_plan
from workbench.reporting.guides import glossary, glossary_markdown, guides, question

NOTEBOOKS = Path(__file__).parent / "notebooks"
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_latest_is_the_last_complete_batch(tmp_db: Path, tmp_path: Path) -> None:
    build_kb(tmp_db, synthetic=True)
    plan_file = tmp_path / "two.yml"
    plan_file.write_text(
        yaml.safe_dump(
            {
                "name": "two",
                "runs": [
                    {
                        "notebook": str(NOTEBOOKS / "region_charts.ipynb"),
                        "parameter_sets": [
                            {"region": "HR03", "n_charts": 1},
                            {"region": "SI03", "n_charts": 1},
                        ],
                    }
                ],
            }
        )
    )
    out = tmp_path / "reports"
    full = run_plan(load_plan(plan_file), out=out, progress=False, workers=2)
    assert (out / "latest").resolve() == full.folder.resolve()
    assert (out / "two" / "latest").resolve() == full.folder.resolve()

    subset = run_plan(load_plan(plan_file).only("*SI03*"), out=out, progress=False)
    assert subset.folder != full.folder
    assert (out / "two" / "latest").resolve() == full.folder.resolve()  # --only: not moved
    assert (out / "latest").resolve() == full.folder.resolve()

    one = run_plan(
        single_run_plan(NOTEBOOKS / "region_charts.ipynb", {"n_charts": "1"}),
        out=out,
        progress=False,
    )
    assert (out / "region_charts" / "latest").resolve() == one.folder.resolve()
    assert (out / "latest").resolve() == full.folder.resolve()  # a one-notebook run: not moved

    # the index: grouped by report type, titles from each report, synthetic flag
    page = (full.folder / "index.html").read_text()
    assert page.count('class="report-type"') == 1
    assert "Region charts HR03" in page and "Region charts SI03" in page
    assert page.count("synthetic demo data") == 2

    manifest = json.loads((full.folder / "manifest.json").read_text())
    other = copy.deepcopy(manifest)
    for run in other["runs"]:
        run["notebook"] = "notebooks/s3_profile.ipynb"
    mixed = {**manifest, "runs": manifest["runs"] + other["runs"]}
    html = render_index(mixed, full.folder)
    assert html.count('class="report-type"') == 2
    assert html.index('id="type-region_charts"') < html.index('id="type-s3_profile"')
    assert "S3 profiles of regions" in html
    assert question("s3_profile") in html


def test_glossary_document_is_generated_from_the_data_and_covers_every_guide_term() -> None:
    assert (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").strip() == (
        glossary_markdown().strip()
    ), "docs/glossary.md is stale: python -m workbench.reporting.guides > docs/glossary.md"
    terms = glossary()
    for key in (
        "location_quotient",
        "cluster_stars",
        "shift_share",
        "relatedness_density",
        "eci_pci",
        "peer_distance",
        "topsis",
        "ahp_consistency_ratio",
        "kendalls_w",
        "micmac",
    ):
        assert {"label", "plain", "formula", "source"} <= set(terms[key])
    for report_type, guide in guides().items():
        assert guide["question"].endswith("?"), report_type
        assert set(guide.get("terms", [])) <= set(terms), report_type
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks <= set(guides())  # every report type has a reader guide
    for stem in notebooks:
        text = (ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8")
        assert f'report.guide(\\"{stem}\\")' in text, stem
