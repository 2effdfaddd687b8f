"""Maps (workbench.maps): geometry extract, classification against mapclassify, joining without
losing regions, and the same class breaks in the interactive map, the static image and the CSV."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.testing import require_real_data

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.maps import category_map, classify, join_values, load_geometry, value_map
from workbench.maps.build_extract import build_extract
from workbench.maps.geometry import EXTRACT, orientation_problems, project, signed_area
from workbench.maps.interactive import to_plotly
from workbench.maps.static import legend_labels, save_static, to_matplotlib

SEE = ["AL", "AT", "BG", "EL", "HR", "HU", "IT", "ME", "MK", "RO", "RS", "SI", "SK"]


@pytest.fixture(autouse=True)
def no_gisco_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Maps must draw from the shipped extract: an empty cache folder."""
    monkeypatch.setenv("WORKBENCH_GISCO_DIR", str(tmp_path / "empty-gisco-cache"))


# ------------------------------------------------------------------------------ geometry
def test_shipped_extract_is_small_oriented_and_complete() -> None:
    assert EXTRACT.stat().st_size <= 150_000
    data = json.loads(EXTRACT.read_text(encoding="utf-8"))
    assert orientation_problems(data["features"]) == []
    meta = data["metadata"]
    assert meta["attribution"] == "© EuroGeographics for the administrative boundaries"
    assert "GISCO" in meta["source"] and "EuroGeographics" in meta["licence"]
    g = load_geometry()
    assert sorted({r.country for r in g.regions.values()}) == SEE
    assert len(g.regions) == 84 and set(g.countries) == set(SEE)
    assert {"HR02", "HR03", "HR05", "HR06"} <= set(g.regions) and "HR04" not in g.regions
    assert len(g.all_codes) == 334  # every NUTS 2021 level 2 region of Europe (outside vs unknown)
    # Vienna is a hole of Niederoesterreich: exterior clockwise, hole anticlockwise
    (at12,) = g.regions["AT12"].polygons
    assert len(at12) == 2 and signed_area(at12[0]) < 0 < signed_area(at12[1])


@pytest.mark.realdata
def test_extract_rebuilds_from_the_real_gisco_files(tmp_path: Path) -> None:
    geo = require_real_data("geo")
    out = tmp_path / "extract.json"
    meta = build_extract(geo, out)
    assert out.read_bytes() == EXTRACT.read_bytes()  # the shipped file is what the script makes
    assert meta["bytes"] <= 150_000
    full = json.loads((geo / "NUTS_RG_60M_2021_4326_LEVL_2.geojson").read_text(encoding="utf-8"))
    see_codes = {
        f["properties"]["NUTS_ID"] for f in full["features"] if f["properties"]["CNTR_CODE"] in SEE
    }
    assert set(load_geometry().regions) == see_codes
    assert orientation_problems(full["features"]) == []  # GISCO's own convention


def test_orientation_check_finds_wrongly_wound_rings() -> None:
    ring_cw = [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]
    good = {
        "properties": {"NUTS_ID": "XX01"},
        "geometry": {"type": "Polygon", "coordinates": [ring_cw]},
    }
    bad = {
        "properties": {"NUTS_ID": "XX02"},
        "geometry": {"type": "Polygon", "coordinates": [ring_cw[::-1]]},
    }
    assert orientation_problems([good]) == []
    (msg,) = orientation_problems([bad])
    assert "XX02" in msg and "exterior" in msg and "anticlockwise" in msg


def test_projection_is_equal_area() -> None:
    # two 1x1 degree cells at the same latitude have the same projected area
    def area(lon0: float, lat0: float) -> float:
        lon = np.array([lon0, lon0 + 1, lon0 + 1, lon0, lon0])
        lat = np.array([lat0, lat0, lat0 + 1, lat0 + 1, lat0])
        x, y = project(lon, lat)
        return abs(signed_area(np.column_stack([x, y])))

    assert area(10, 45) == pytest.approx(area(25, 45), rel=1e-6)  # chords, not arcs
    # and match the spherical area of the cell (R^2 * dlon * (sin lat1 - sin lat0))
    r = 6371.0
    sphere = r * r * np.radians(1) * (np.sin(np.radians(46)) - np.sin(np.radians(45)))
    assert area(20, 45) == pytest.approx(sphere, rel=2e-3)  # straight edges vs curved ones
    assert project(np.array([10.0]), np.array([52.0]))[0][0] == pytest.approx(0.0)


# ------------------------------------------------------------------------------ classification
@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize("k", [3, 5, 7])
def test_classes_match_mapclassify(k: int) -> None:
    import mapclassify as mc  # dev dependency: the reference implementation

    rng = np.random.default_rng(k)
    for _ in range(5):
        y = rng.lognormal(size=int(rng.integers(12, 90))) * 10
        for method, ref in (
            ("quantiles", mc.Quantiles(y, k=k)),
            ("equal_interval", mc.EqualInterval(y, k=k)),
            ("fisher_jenks", mc.FisherJenks(y, k=k)),
        ):
            c = classify(y, method, k)
            np.testing.assert_allclose(c.breaks, ref.bins, rtol=1e-12, err_msg=method)
            np.testing.assert_array_equal(c.assign(y), ref.yb, err_msg=method)
        manual = [5.0, 10.0, 20.0]
        ref = mc.UserDefined(y, bins=manual)
        c = classify(y, breaks=manual)
        np.testing.assert_allclose(c.breaks, ref.bins)
        np.testing.assert_array_equal(c.assign(y), ref.yb)


def test_classification_errors_and_missing_values() -> None:
    c = classify([1.0, np.nan, 3.0, 2.0], "equal_interval", 2)
    assert list(c.assign([1.0, np.nan, 3.0])) == [0, -1, 1]
    with pytest.raises(ValidationError, match="classification must be one of"):
        classify([1, 2], "natural")
    with pytest.raises(ValidationError, match="needs breaks"):
        classify([1, 2], "manual")
    with pytest.raises(ValidationError, match="no values"):
        classify([np.nan])


# ------------------------------------------------------------------------------ joining
def _values(codes: list[str], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"region": codes, "value": rng.uniform(0.2, 4.0, len(codes))})


def test_nuts_2016_code_is_reported_as_unmatched_never_dropped_silently(tmp_path: Path) -> None:
    g = load_geometry()
    codes = [c for c in g.codes() if not c.startswith("HR")] + ["HR03", "HR04", "DE11", "XX99"]
    data = _values(codes)
    m = value_map(data, title="GDP per head", value_label="GDP per head", unit="EUR")
    joined = m.joined
    assert joined is not None
    unmatched = joined.unmatched.set_index("code")
    assert set(unmatched.index) == {"HR04", "XX99"}  # NUTS 2016-only code and a typo
    assert unmatched.loc["HR04", "value"] == data.set_index("region").loc["HR04", "value"]
    assert list(joined.outside["code"]) == ["DE11"]  # valid NUTS 2021, not on this map
    # the 2021 regions HR04 became (HR02, HR05, HR06) are drawn as "no data", not left out
    assert {"HR02", "HR05", "HR06"} <= set(m.regions_without_data())
    assert "no data" in [e.label for e in m.legend]
    # ... and every input code is accounted for in the CSV and the note
    csv = m.table().set_index("region")
    assert csv.loc["HR04", "status"].startswith("unmatched")
    assert csv.loc["XX99", "status"].startswith("unmatched")
    assert csv.loc["DE11", "status"] == "outside map"
    assert set(data["region"]) <= set(csv.index)
    assert "HR04" in m.note() and "XX99" in m.note()
    fig = to_plotly(m, as_dict=True)
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "HR04" in notes and "EuroGeographics" in notes
    svg = save_static(m, tmp_path / "m.svg").read_text(encoding="utf-8")
    assert "HR04" in svg and "EuroGeographics" in svg


@pytest.mark.realdata
def test_nuts_2016_code_converted_with_the_jrc_matrix() -> None:
    require_real_data("classifications", "n2_cm_v2016_v2021.csv")
    g = load_geometry()
    data = _values([c for c in g.codes() if not c.startswith("HR")] + ["HR03", "HR04"])
    j = join_values(data, g, nuts_from="2016", kind="intensive")
    assert j.unmatched.empty and j.converted == ["HR04"]
    hr04 = data.set_index("region").loc["HR04", "value"]
    # HR02, HR05, HR06 lie (almost) wholly in the old HR04: an intensive value carries over
    for code in ("HR02", "HR05", "HR06"):
        assert j.values[code] == pytest.approx(hr04, rel=1e-6)
    m = value_map(data, title="t", value_label="v", nuts_from="2016")
    assert m.regions_without_data() == [] and "HR04" in m.note()


def test_join_rejects_repeated_regions() -> None:
    with pytest.raises(ValidationError, match="one value per region; repeated: HR03"):
        join_values(_values(["HR03", "HR03"]), load_geometry())


# ------------------------------------------------------------------------------ one classification
def _svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    texts = ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return texts + [
        d.text or "" for d in root.iter("{http://purl.org/dc/elements/1.1/}description")
    ]


@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "fisher_jenks", "manual"])
def test_same_breaks_in_interactive_legend_static_legend_and_csv(
    method: str, tmp_path: Path
) -> None:
    g = load_geometry()
    data = _values(g.codes()[:-5], seed=3)  # the last 5 regions: no data
    m = value_map(
        data,
        title="LQ",
        value_label="LQ",
        method=method,
        k=4,
        breaks=[0.5, 1.0, 2.0] if method == "manual" else None,
    )
    # CSV: class labels and numeric bounds per region
    csv_path = tmp_path / "map.csv"
    m.table().to_csv(csv_path, index=False)
    csv = pd.read_csv(csv_path)
    drawn = csv[csv["status"] == "data"]
    csv_classes = (
        drawn[["class", "class_lower", "class_upper"]]
        .drop_duplicates()
        .sort_values("class_lower")
        .reset_index(drop=True)
    )
    # independent breaks: mapclassify where it has the method
    values = data["value"].to_numpy()
    import mapclassify as mc  # dev dependency: the reference implementation

    ref = {
        "quantiles": lambda: mc.Quantiles(values, k=4).bins,
        "equal_interval": lambda: mc.EqualInterval(values, k=4).bins,
        "fisher_jenks": lambda: mc.FisherJenks(values, k=4).bins,
        "manual": lambda: mc.UserDefined(values, bins=[0.5, 1.0, 2.0]).bins,
    }[method]()
    np.testing.assert_allclose(csv_classes["class_upper"], ref, rtol=1e-12)
    assert csv_classes["class_lower"].iloc[0] == pytest.approx(values.min())
    np.testing.assert_allclose(csv_classes["class_lower"].iloc[1:], ref[:-1], rtol=1e-12)
    # interactive: legend entries (trace names) and the breaks the figure records
    fig = to_plotly(m, as_dict=True)
    interactive = [t["name"] for t in fig["data"] if (t.get("meta") or {}).get("kind") == "class"]
    assert interactive == list(csv_classes["class"])
    np.testing.assert_allclose(fig["layout"]["meta"]["workbench_map"]["breaks"], ref, rtol=1e-12)
    # static: the legend of the matplotlib figure, the <text> of the SVG and its metadata
    assert legend_labels(to_matplotlib(m))[: len(interactive)] == interactive
    svg = save_static(m, tmp_path / "map.svg")
    texts = _svg_texts(svg)
    assert [t for t in texts if t in interactive] == interactive
    meta = json.loads(next(t for t in texts if t.startswith("{") and "breaks" in t))
    np.testing.assert_allclose(meta["breaks"], ref, rtol=1e-12)
    assert "no data" in texts and any("no NUTS regions" in t for t in texts)
    # every region with data is in the class its value falls in
    for r in drawn.itertuples():
        assert r.class_lower - 1e-12 <= r.LQ <= r.class_upper + 1e-12


def test_every_map_shows_attribution_no_nuts_economies_and_capital_labels(tmp_path: Path) -> None:
    g = load_geometry()
    m = category_map(
        {"treated": ["HR03", "SI04"], "comparison": ["HR02", "SI03", "AT13"]},
        colours={"treated": "#d95f02", "comparison": "#7570b3"},
        title="Pilot",
    )
    assert m.regions_without_data() == []
    fig = to_plotly(m, as_dict=True)
    names = [t["name"] for t in fig["data"] if t.get("showlegend")]
    assert names[:2] == ["treated", "comparison"]
    no_nuts = [n for n in names if n.startswith("no NUTS")]
    assert len(no_nuts) == 1 and all(c in no_nuts[0] for c in ("(BA)", "(XK)", "(MD)", "(UA)"))
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert any("© EuroGeographics for the administrative boundaries" in t for t in texts)
    small = set(load_defaults("maps")["small_regions"]) & set(g.regions)
    (labels,) = [t for t in fig["data"] if t.get("name") == "capital regions"]
    for code in small:  # capital regions labelled, with a leader line from the region
        assert any(t.startswith(code + " ") for t in labels["text"])
    leader = fig["data"][0]
    assert leader["name"] == "leader lines" and leader["lon"].count(None) == len(small)
    (regions,) = [t for t in fig["data"] if t["type"] == "choropleth"]
    assert sorted(regions["locations"]) == g.codes()
    assert [f["id"] for f in regions["geojson"]["features"]] == regions["locations"]
    # no base map: hidden layers, and the first trace on the geo subplot has no locationmode
    # (plotly.js fetches its topojson from the CDN otherwise, plotly.js#6767)
    assert fig["layout"]["geo"]["visible"] is False
    assert fig["data"][0]["type"] == "scattergeo" and "locationmode" not in fig["data"][0]
    assert all("locations" not in t for t in fig["data"] if t["type"] == "scattergeo")
    csv = m.table().set_index("region")
    assert {"BA", "XK", "MD", "UA"} <= set(csv.index)
    assert set(csv.loc[["BA", "XK", "MD", "UA"], "status"]) == {"no NUTS regions"}
    assert csv.loc["HR03", "group"] == "treated"
    text = " ".join(_svg_texts(save_static(m, tmp_path / "pilot.svg")))
    assert "EuroGeographics" in text and "HU11" in text


def test_maps_need_geometry_they_have() -> None:
    with pytest.raises(ValidationError, match="workbench fetch gisco"):
        load_geometry(level=3)
    with pytest.raises(ValidationError, match="no regions of"):
        load_geometry(countries=["DE"])
    assert set(load_geometry(countries=["HR"]).regions) == {"HR02", "HR03", "HR05", "HR06"}


@pytest.mark.slow
def test_s3_profile_density_map_agrees_with_the_profile(tmp_path: Path) -> None:
    from workbench.demo import build_demo
    from workbench.evidence.reports import s3_profile
    from workbench.maps import sections

    db = tmp_path / "demo.duckdb"
    build_demo(db)
    prof = s3_profile("HR03", db=str(db))
    maps = dict(sections.s3_profile_maps(prof, missing_regions=["AT13"]))
    lq = next(m for n, m in maps.items() if n.startswith("map_lq_"))
    assert "AT13" in lq.regions_without_data() and "HR03" in lq.focus
    sector = str(prof.specialisation.iloc[0]["sector"])
    st = prof.stars[prof.stars["category"] == sector].set_index("region")
    rows = lq.rows.set_index("region")
    assert rows.loc["HR03", "value"] == pytest.approx(st.loc["HR03", "lq"])
    dens = next(m for n, m in maps.items() if n.startswith("map_density_"))
    opt = sections.top_option(prof.options)
    # the map's value for the region is the density the profile computed for its top option
    assert dens.rows.set_index("region").loc["HR03", "value"] == pytest.approx(opt["density"])
    assert (
        opt["quadrant"] == "low risk / high gain"
        or prof.options["quadrant"].ne("low risk / high gain").all()
    )
    assert re.search(str(opt["sector"]), dens.title)
