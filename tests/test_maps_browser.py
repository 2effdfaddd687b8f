"""Maps in real reports, in headless Chromium with the network blocked: a demo S3 profile and a
peer report (real papermill runs on the demo knowledge base, with no real-data folder and no GISCO
cache: the maps come from the extract shipped in the package).  Each map draws one path per
region, the no-data regions are drawn (hatched) and in the legend, the economies without NUTS
regions and the attribution are shown, the legend's classes are the CSV's, and the page asks no
other host for anything (no base map from plotly's CDN)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support.browser import offline_page
from support.maps_page import read_maps
from support.testing import record_foreign_requests

from workbench.batch.plans import load_plan
from workbench.batch.runner import run_plan
from workbench.demo import build_demo

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo knowledge base; no real-data folder and no GISCO cache in the environment."""
    tmp = tmp_path_factory.mktemp("maps")
    db = tmp / "demo.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_DB", str(db))
        mp.setenv("WORKBENCH_REAL_DATA", str(tmp / "no-shared-data"))  # no ../shared
        mp.setenv("WORKBENCH_GISCO_DIR", str(tmp / "no-gisco-cache"))  # shipped extract only
        build_demo(db)
        yield db, tmp


@pytest.fixture(scope="module")
def reports(demo: tuple[Path, Path]) -> Iterator[dict[str, Path]]:
    db, tmp = demo
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_DB", str(db))
        mp.setenv("WORKBENCH_REAL_DATA", str(tmp / "no-shared-data"))
        mp.setenv("WORKBENCH_GISCO_DIR", str(tmp / "no-gisco-cache"))
        plan = tmp / "maps.yml"
        plan.write_text(
            yaml.safe_dump(
                {
                    "name": "maps",
                    "runs": [
                        {
                            "notebook": str(ROOT / "notebooks" / "s3_profile.ipynb"),
                            "parameters": {"region": "HR03"},
                        },
                        {
                            "notebook": str(ROOT / "notebooks" / "parallel_contexts.ipynb"),
                            "parameters": {"region": "HR03", "exclude_country": True},
                        },
                    ],
                }
            )
        )
        result = run_plan(load_plan(plan), out=tmp / "reports", progress=False, workers=2)
        runs = result.manifest["runs"]
        assert [r["status"] for r in runs] == ["ok", "ok"], [r.get("error") for r in runs]
        yield {Path(r["notebook"]).stem: (result.folder / r["outputs"]["html"]) for r in runs}


def _open(page_of: object, html: Path) -> tuple[list[dict], list[str], list[str]]:
    outside: list[str] = []
    errors: list[str] = []
    page = offline_page(page_of, outside, errors)  # only the report's own files load
    page.goto(html.as_uri())  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "Array.from(document.querySelectorAll('.plotly-graph-div'))"
        ".filter(g => g.layout && g.layout.meta && g.layout.meta.workbench_map"
        " && g.querySelector('g.legend')).length >= 1",
        timeout=60_000,
    )
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    maps = read_maps(page)
    page.close()  # type: ignore[attr-defined]
    return maps, outside, errors


def _check_map(m: dict, csv: pd.DataFrame) -> None:
    meta = m["meta"]
    regions = {r["region"]: r for r in m["regions"]}
    # one drawn path per region: every region with data, and the no-data regions too
    assert len(m["regions"]) == len(regions) == 84
    assert set(meta["regions_with_data"]) <= set(regions)
    assert set(meta["regions_without_data"]) <= set(regions)
    assert all(r["path"] for r in m["regions"]), [r for r in m["regions"] if not r["path"]]
    grey = {regions[c]["fill"] for c in meta["regions_without_data"]}
    assert grey <= {"rgb(217, 217, 217)"}  # maps.yml no_data colour
    legend = " | ".join(m["legend"])
    if meta["regions_without_data"]:
        assert any(e.startswith(("no data", "not compared")) for e in m["legend"])
    assert all(f"({c})" in legend for c in ("BA", "XK", "MD", "UA")) and "no NUTS regions" in legend
    assert any("© EuroGeographics for the administrative boundaries" in a for a in m["annotations"])
    # the CSV beside the map: same regions with data, same class labels as the legend
    drawn = csv[csv["status"] == "data"]
    assert sorted(drawn["region"]) == sorted(meta["regions_with_data"])
    assert set(csv.loc[csv["status"] == "no NUTS regions", "region"]) == {"BA", "XK", "MD", "UA"}
    if meta["breaks"]:
        labels = drawn.sort_values("class_lower")["class"].drop_duplicates().tolist()
        assert [e for e in m["legend"] if e in labels] == labels
        assert sorted(drawn["class_upper"].unique()) == pytest.approx(meta["breaks"])
        # a region's drawn colour is its class colour: regions of one class share one fill
        for label in labels:
            codes = drawn.loc[drawn["class"] == label, "region"]
            assert len({regions[c]["fill"] for c in codes}) == 1


def test_s3_profile_and_peer_report_maps_draw_offline(
    reports: dict[str, Path], chromium_browser
) -> None:
    s3_maps, s3_out, s3_err = _open(chromium_browser, reports["s3_profile"])
    pc_maps, pc_out, pc_err = _open(chromium_browser, reports["parallel_contexts"])
    assert s3_out == [] and pc_out == []  # no request to another host
    assert s3_err == [] and pc_err == []
    assert len(s3_maps) == 3 and len(pc_maps) == 1
    for name, maps in (("s3_profile", s3_maps), ("parallel_contexts", pc_maps)):
        folder = reports[name].parent
        record = json.loads((folder / "report.json").read_text())
        map_outputs = [o for o in record["outputs"] if o["name"].startswith("map_")]
        assert len(map_outputs) == len(maps)  # in the order they are shown
        for out, m in zip(map_outputs, maps, strict=True):
            _check_map(m, pd.read_csv(folder / out["csv"]))
            svg = folder / out["image"]  # static SVG for print, same title and classes
            assert svg.stat().st_size > 10_000
            assert html.escape(m["meta"]["title"], quote=False) in svg.read_text(encoding="utf-8")
    # the S3 profile's LQ map has regions whose employment is not published: drawn as no data
    lq = next(m for m in s3_maps if m["meta"]["title"].startswith("Location quotient"))
    assert lq["meta"]["regions_without_data"] and "HR03" in lq["meta"]["regions_with_data"]
    # the peer map: HR03 and its peers highlighted, its own country not compared (no data)
    (peer,) = pc_maps
    assert {"HR02", "HR05", "HR06"} <= set(peer["meta"]["regions_without_data"])
    assert peer["legend"][:2] == ["Jadranska Hrvatska (HR03)", "peer regions"]


def test_barrier_dashboard_map_click_filters_the_list(
    demo: tuple[Path, Path], voila, chromium_browser
) -> None:
    """Voila: clicking a region on the dashboard's map lists only that region's barriers."""
    from playwright.sync_api import expect

    from workbench.dashboards.barriers import PAGE_SIZE
    from workbench.policy import data

    db, tmp = demo
    bars = data.load_barriers(db=str(db))
    target = sorted(bars["region"].unique())[0]
    n_target = int((bars["region"] == target).sum())
    url = voila(
        ROOT / "notebooks" / "dashboards" / "barriers.ipynb",
        db=db,
        env={
            "WORKBENCH_REAL_DATA": str(tmp / "no-shared-data"),
            "WORKBENCH_GISCO_DIR": str(tmp / "no-gisco-cache"),
        },
        cwd=tmp,
    )
    foreign: list[str] = []
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    record_foreign_requests(page, foreign)
    page.goto(url, timeout=120_000)
    page.wait_for_selector(".bd-map-box path.choroplethlocation", timeout=120_000)
    info = page.locator(".bd-list-paged .wb-page-info")  # the paged list: every barrier first
    expect(info).to_contain_text(f"of {len(bars)},", timeout=30_000)
    path = page.locator(".bd-map-box path.choroplethlocation").nth(_index_of(page, target))
    path.click(force=True)
    # the filter shows the region's name with its code, e.g. "Veri (AL01)"
    expect(page.locator(".bd-filter-region select")).to_have_value(
        re.compile(rf"\({re.escape(target)}\)$"), timeout=30_000
    )
    expect(info).to_contain_text(f"of {n_target},", timeout=30_000)
    page.wait_for_function(  # the list redraws after the kernel's refresh
        "t => { const c = Array.from(document.querySelectorAll("
        "'.bd-list-box table tr td:nth-child(2)')).map(e => e.textContent);"
        " return c.length > 0 && c.every(x => x === t); }",
        arg=target,
        timeout=30_000,
    )
    cells = page.locator(".bd-list-box table tr td:nth-child(2)")
    assert cells.count() == min(n_target, PAGE_SIZE)  # one page of the region's barriers
    # plotly asked no CDN for a base map (Voila's own template may ask for fonts: not ours)
    assert not [u for u in foreign if "plot.ly" in u or "topojson" in u], foreign


def _index_of(page: object, region: str) -> int:
    codes = page.evaluate(  # type: ignore[attr-defined]
        "Array.from(document.querySelectorAll('.bd-map-box path.choroplethlocation'))"
        ".map(p => p.__data__ && p.__data__.loc)"
    )
    return codes.index(region)
