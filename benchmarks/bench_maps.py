"""Benchmark: a map of the SEE NUTS 2 regions in headless Chromium, network blocked.

Side by side in one run, the same data (a value for each of the 84 SEE NUTS 2 regions):

* ``workbench``  - :func:`workbench.maps.interactive.to_plotly`: one choropleth trace over the
                   simplified SEE extract shipped with the package (84 regions), base map hidden
                   and a lon/lat scattergeo trace first, so plotly.js fetches no topojson;
* ``default``    - plotly's default route: ``px.choropleth(geojson=<full GISCO NUTS 2 file>,
                   featureidkey="properties.NUTS_ID")`` with ``fitbounds="locations"`` and the base
                   map hidden (``visible=False``), as plotly's documentation shows it.  plotly.js
                   still fetches its world topojson from cdn.plot.ly (plotly.js#6767), so it is
                   drawn three ways: the CDN request refused at once (a machine without network),
                   left unanswered (a network that drops packets; cut off after ``--hang`` s), and
                   answered locally with an empty topojson (what drawing costs when the CDN works).

Measured: bytes of figure JSON sent to the page (geometry included), the time of
``Plotly.newPlot`` until its promise settles (median of ``--repeat`` draws, fresh div each), the
number of SVG paths drawn, and requests to other hosts.

Usage: .venv/bin/python benchmarks/bench_maps.py [--quick] [--repeat R] [--hang S]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.config import real_data_dir
from workbench.maps import load_geometry, value_map
from workbench.maps.geometry import EXTRACT
from workbench.maps.interactive import to_plotly
from workbench.reporting.html_export import write_plotly_js

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # test support
from support.testing import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="plotly.min.js"></script></head><body><div id="host"></div></body></html>"""

START_JS = """
([fig, config]) => {
  const div = document.createElement('div');
  div.style.width = '1000px'; div.style.height = '640px';
  document.getElementById('host').replaceChildren(div);
  window.drawResult = null;
  const t0 = performance.now();
  Plotly.newPlot(div, fig.data, fig.layout, config).then(
    () => { window.drawResult = {ms: performance.now() - t0, outcome: 'drawn'}; },
    e => { window.drawResult = {ms: performance.now() - t0,
                                outcome: 'error: ' + String(e && e.message || e).slice(0, 60)}; });
}
"""
PATHS_JS = "document.querySelectorAll('#host path.js-fill, #host path.choroplethlocation').length"


def draw(page, fig: dict, limit_s: float) -> dict:
    """Start Plotly.newPlot, then poll (so that Playwright can answer the page's requests)."""
    page.evaluate(START_JS, [fig, {"responsive": False}])
    waited = 0.0
    while waited < limit_s:
        res = page.evaluate("window.drawResult")
        if res:
            return {**res, "paths": page.evaluate(PATHS_JS)}
        page.wait_for_timeout(20)
        waited += 0.02
    return {"ms": limit_s * 1000, "outcome": f"not drawn after {limit_s:g} s", "paths": 0}


EMPTY_TOPOJSON = json.dumps(
    {
        "type": "Topology",
        "objects": {
            k: {"type": "GeometryCollection", "geometries": []}
            for k in ("land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits")
        },
        "arcs": [],
    }
)


def make_route(network: str, foreign: list[str]):  # noqa: ANN201
    """A Playwright route handler: local files load; other hosts refused / unanswered / empty."""

    def route(rt) -> None:  # noqa: ANN001 - Playwright passes the route only
        url = rt.request.url
        if url.startswith("file:"):
            rt.continue_()
            return
        foreign.append(url)
        if network == "refuse":
            rt.abort()
        elif network == "empty":
            rt.fulfill(
                status=200,
                content_type="application/json",
                body=EMPTY_TOPOJSON,
                headers={"access-control-allow-origin": "*"},
            )
        # "hang": never answered

    return route


def figures(full_geojson: Path) -> dict[str, dict]:
    import plotly.express as px

    g = load_geometry()
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"region": g.codes(), "value": rng.lognormal(size=len(g.codes()))})
    ours = to_plotly(
        value_map(data, title="Benchmark", value_label="value", method="quantiles"), as_dict=True
    )
    gj = json.loads(full_geojson.read_text(encoding="utf-8"))
    default = px.choropleth(
        data,
        geojson=gj,
        locations="region",
        featureidkey="properties.NUTS_ID",
        color="value",
    )
    default.update_geos(fitbounds="locations", visible=False)
    return {"workbench": ours, "default": json.loads(default.to_json())}


def run(repeat: int, hang_s: float) -> list[dict]:
    from playwright.sync_api import sync_playwright

    full = real_data_dir() / "geo" / "NUTS_RG_60M_2021_4326_LEVL_2.geojson"
    figs = figures(full)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        write_plotly_js(folder)
        (folder / "index.html").write_text(PAGE, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cases = [
            ("workbench", "workbench", "refuse"),
            ("default, CDN refused", "default", "refuse"),
            ("workbench (again)", "workbench", "refuse"),
            ("default, CDN unanswered", "default", "hang"),
            ("default, CDN answered locally", "default", "empty"),
        ]
        for label, key, network in cases:
            page = browser.new_page()
            foreign: list[str] = []

            route = make_route(network, foreign)
            page.route("**/*", route)
            page.goto((folder / "index.html").as_uri())
            fig = figs[key]
            n = 1 if network == "hang" else repeat
            results = [draw(page, fig, hang_s) for _ in range(n)]
            page.close()
            rows.append(
                {
                    "route": label,
                    "figure_json_kb": len(json.dumps(fig, separators=(",", ":"))) / 1024,
                    "draw_ms_median": statistics.median(r["ms"] for r in results),
                    "outcome": results[-1]["outcome"],
                    "paths": results[-1]["paths"],
                    "foreign_requests": len(set(foreign)),
                    "first_foreign": sorted(set(foreign))[0] if foreign else "",
                }
            )
        browser.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 draws per route, 5 s hang limit")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument(
        "--hang", type=float, default=15.0, help="seconds to wait for an unanswered CDN"
    )
    args = ap.parse_args()
    repeat, hang = (3, 5.0) if args.quick else (args.repeat, args.hang)
    full = real_data_dir() / "geo" / "NUTS_RG_60M_2021_4326_LEVL_2.geojson"
    print(
        f"geometry files: shipped SEE extract {EXTRACT.stat().st_size / 1024:.1f} KB "
        f"(84 NUTS 2 regions + 13 country outlines); full GISCO NUTS 2 file "
        f"{full.stat().st_size / 1024:.1f} KB (334 regions)"
    )
    import os

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = run(repeat, hang)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    ours = table[table["route"].str.startswith("workbench")].iloc[[0, 1]].mean(numeric_only=True)
    local = table[table["route"] == "default, CDN answered locally"].iloc[0]
    print(
        f"\nfigure sent to the page: {ours['figure_json_kb']:.1f} KB vs "
        f"{local['figure_json_kb']:.1f} KB ({local['figure_json_kb'] / ours['figure_json_kb']:.1f}x); "
        f"draw: {ours['draw_ms_median']:.0f} ms vs {local['draw_ms_median']:.0f} ms with a working "
        f"CDN ({local['draw_ms_median'] / ours['draw_ms_median']:.2f}x); offline the default route "
        f"ends '{table.iloc[1]['outcome']}' ({table.iloc[1]['paths']} paths) / "
        f"'{table.iloc[3]['outcome']}' ({table.iloc[3]['paths']} paths)."
    )


if __name__ == "__main__":
    main()
