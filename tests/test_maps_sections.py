"""The maps of the other reports and the barrier dashboard, on the demo knowledge base: pilot
regions, KB coverage, barrier severity, spend per head and gaps, and the dashboard map whose
click filters the barrier list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.demo import build_demo
from workbench.maps import sections
from workbench.reporting.report import Report


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("maps_sections")
    db = tmp / "demo.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_DB", str(db))
        mp.setenv("WORKBENCH_GISCO_DIR", str(tmp / "no-cache"))
        build_demo(db)
        yield db


@pytest.fixture
def report(tmp_path: Path) -> tuple[Report, list[dict]]:
    shown: list[dict] = []
    return Report("maps", {}, report_dir=tmp_path / "r", publish=shown.append), shown


def test_pilot_map_shows_treated_and_comparison_regions(demo_db: Path, report) -> None:
    from workbench.evaluation import data

    rep, _ = report
    pilot = data.load_pilot("P1")
    m = sections.show_pilot_map(rep, pilot)
    csv = pd.read_csv(rep.report_dir / "map_pilot_regions.csv").set_index("region")
    for r in pilot.regions.itertuples():
        want = "pilot regions (treated)" if r.role == "pilot" else "comparison regions"
        assert csv.loc[r.region, "role"] == want
    others = set(m.geometry.regions) - set(pilot.regions["region"])
    assert set(csv.loc[sorted(others), "role"]) == {"not in this evaluation"}
    assert (rep.report_dir / "map_pilot_regions.svg").exists()
    assert rep.outputs[-1]["image"] == "map_pilot_regions.svg"


def test_coverage_map_and_an_economy_without_nuts(demo_db: Path, report) -> None:
    from workbench.kb import query
    from workbench.overview import reports

    rep, shown = report
    m = sections.show_coverage_map(rep, reports.coverage("HR"), "HR")
    assert m is not None and set(m.geometry.regions) == {"HR02", "HR03", "HR05", "HR06"}
    obs = query(
        "SELECT region, count(*) AS n, count(value) AS v FROM observations "
        "WHERE region IN ('HR02','HR03','HR05','HR06') GROUP BY region"
    ).set_index("region")
    expected = 100 * obs["v"] / obs["n"]  # independent: straight from the knowledge base
    got = m.rows.set_index("region")["value"]
    assert got.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
    assert sections.coverage_map(reports.coverage("HR"), "BA") is None
    assert sections.show_coverage_map(rep, reports.coverage("HR"), "BA") is None
    assert "Bosnia and Herzegovina has no NUTS regions" in shown[-1]["text/plain"]


def test_barrier_and_past_action_maps(demo_db: Path, report) -> None:
    from workbench.evidence.data import observations
    from workbench.policy.actions import to_eur
    from workbench.policy.parameters import past_action_parameters
    from workbench.policy.reports import barrier_matrix_analysis, past_action_analysis

    rep, _ = report
    a = barrier_matrix_analysis(["SI03", "SI04", "HR03"], True)
    m = sections.show_barrier_map(rep, a)
    dim = m.title.split(" the ")[1].split(" dimension")[0]
    sel = a.by_dimension[a.by_dimension["dimension"] == dim].set_index("region")
    rows = m.rows.set_index("region")
    for region, sev in sel["max_severity"].items():
        want = f"severity {int(sev)}" if sev and sev > 0 else "no barrier recorded (or severity 0)"
        assert rows.loc[region, "class"] == want
    assert set(rows.drop(index=sel.index)["class"]) == {"not in this comparison"}

    pa = past_action_analysis(**past_action_parameters("", "EL", "2014-2020", True))
    maps = sections.show_past_action_maps(rep, pa)
    spend = next(x for x in maps if x.title.startswith("Spend"))
    eur = to_eur(pa.actions[pa.actions["budget"].notna()])
    pop = observations("demo:population", filters={"unit": "THS"})
    pop = pop[pop["period"].astype(str).between("2014", "2020")]
    for region in ("EL30", "EL52"):
        want = eur.loc[eur["region"] == region, "budget"].sum() / (
            pop.loc[pop["region"] == region, "value"].mean() * 1000
        )
        assert spend.rows.set_index("region").loc[region, "value"] == pytest.approx(want)
    assert spend.unit == "EUR" and "fixed rates" in spend.note()
    assert any(x.title.startswith("Gaps in the") for x in maps)


def test_dashboard_map_click_filters_the_barrier_list(demo_db: Path) -> None:
    from plotly.callbacks import InputDeviceState, Points

    from workbench.dashboards.barriers import BarrierDashboard

    d = BarrierDashboard(db=str(demo_db), merge=False)
    (fig,) = d.map_box.children
    regions = next(t for t in fig.data if t.type == "choropleth")
    bars = d.barriers()
    target = sorted(bars["region"].unique())[1]
    i = list(regions.locations).index(target)
    # what the browser sends on a click on the region's path
    regions._dispatch_on_click(
        Points(point_inds=[i], trace_name="regions", trace_index=1), InputDeviceState()
    )
    assert d.f_region.value == target
    assert set(d.view["region"]) == {target} and len(d.view) == (bars["region"] == target).sum()
    assert d.list_box.value.count("<tr>") == len(d.view) + 1
    # colours: a region's class is the highest severity of its barriers
    sev = pd.to_numeric(bars["severity"]).groupby(bars["region"]).max()
    z = dict(zip(regions.locations, regions.z, strict=True))
    same = [r for r in sev.index if sev[r] == sev[target] and r in z]
    assert len({z[r] for r in same}) == 1 and np.isfinite(z[target])
