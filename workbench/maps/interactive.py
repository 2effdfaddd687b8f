"""Interactive map: one plotly ``choropleth`` trace over the shipped GeoJSON, no base map, offline.

plotly.js fetches a base-map topojson from ``cdn.plot.ly`` for a ``geo`` subplot even when every
trace brings its own GeoJSON and the base map is hidden (plotly.js#6767): ``Geo.plot`` asks for the
topojson when a base layer is shown *or when the subplot's first trace has a ``locationmode``*,
which a choropleth always has (``"geojson-id"``).  So this figure

* hides every base layer (``geo.visible = False``), and
* puts a ``scattergeo`` trace given by lon/lat first (the capital-region leader lines, or an empty
  one), which has no ``locationmode``;

then plotly.js requests nothing: the browser tests record every request and fail on any foreign
one, so a plotly.js that changes this check is caught.  The GeoJSON is the simplified SEE extract
(rings clockwise, as d3-geo and plotly expect), sent once in one choropleth trace whose ``z`` is
the class index on a stepped colour scale (classes, then "no data" grey): one SVG path per region.

Legend: legend-only square markers per class (the labels of
:class:`workbench.maps.classify.Classes`), "no data", "no NUTS regions: ..." (BA, XK, MD, UA).
Capital regions get a label with a leader line; the EuroGeographics attribution and the note
(unmatched codes) sit under the map.  ``layout.meta["workbench_map"]`` records breaks, legend
labels and regions for tests and exports.  Projection: conic equal-area, standard parallels 38 and
48 N (the static image: Lambert azimuthal equal-area, ETRS89-LAEA's centre 52 N 10 E).
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from workbench.config import load_defaults
from workbench.maps.model import RegionMap

PLOT_WIDTH_PX = 760.0  # nominal width of the map area, to turn leader offsets (px) into degrees


def map_meta(m: RegionMap) -> dict[str, Any]:
    """What the figure records about itself in ``layout.meta["workbench_map"]``."""
    return {
        "title": m.title,
        "value_label": m.value_label,
        "unit": m.unit,
        "method": m.classes.method if m.classes else "categories",
        "breaks": list(m.classes.breaks) if m.classes else [],
        "lower": m.classes.lower if m.classes else None,
        "legend": [e.label for e in m.legend],
        "regions_with_data": m.regions_with_data(),
        "regions_without_data": m.regions_without_data(),
        "attribution": m.attribution,
        "geometry": m.geometry.source,
    }


def _geojson(m: RegionMap) -> dict[str, Any]:
    feats = []
    for code in m.rows["region"]:
        r = m.geometry.regions[code]
        feats.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"NUTS_ID": code},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[ring.tolist() for ring in poly] for poly in r.polygons],
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _hover(m: RegionMap, rec: dict[str, Any]) -> str:
    head = f"<b>{rec['name']}</b> ({rec['region']})"
    if m.classes is None:
        return f"{head}<br>{rec['class']}"
    if rec["status"] != "data":
        return f"{head}<br>{m.value_label}: no data"
    unit = f" {m.unit}" if m.unit else ""
    value = m.small_region_text(rec["region"]).split(": ", 1)[1]
    return f"{head}<br>{m.value_label}: {value}{unit}<br>class {rec['class']}"


def _lonlat_lines(polys: list[list[np.ndarray]]) -> tuple[list[Any], list[Any]]:
    lon: list[Any] = []
    lat: list[Any] = []
    for poly in polys:
        for ring in poly:
            lon.extend([*ring[:, 0].tolist(), None])
            lat.extend([*ring[:, 1].tolist(), None])
    return lon, lat


def to_plotly(
    m: RegionMap, *, height: int = 640, clickable: bool = True, as_dict: bool = False
) -> Any:
    """The plotly figure of a :class:`RegionMap` (see the module docstring: no network).

    ``as_dict=True`` returns the figure dict without plotly.py's validation, which
    :meth:`workbench.reporting.Report.show` accepts as it is.  ``clickable``: the regions carry
    their code as ``customdata`` (a dashboard's click handler reads it).
    """
    cfg = load_defaults("maps")
    g = m.geometry
    recs = m.rows.to_dict("records")
    # colours: one per legend entry that regions use, in legend order; z = its index
    fills = [e for e in m.legend if e.kind != "no NUTS"]
    index = {e.label: i for i, e in enumerate(fills)}
    z = [index[r["class"]] if r["class"] in index else index.get("no data", 0) for r in recs]
    n = max(len(fills), 1)
    scale: list[list[Any]] = []
    for i, e in enumerate(fills):
        scale += [[i / n, e.colour], [(i + 1) / n, e.colour]]
    focus = set(m.focus)
    # first trace: lon/lat scattergeo (no locationmode) -> plotly.js fetches no topojson
    lon_all = np.concatenate(
        [ring[:, 0] for r in g.regions.values() for p in r.polygons for ring in p]
    )
    lat_all = np.concatenate(
        [ring[:, 1] for r in g.regions.values() for p in r.polygons for ring in p]
    )
    deg_per_px = float(lon_all.max() - lon_all.min()) / PLOT_WIDTH_PX
    lat0 = float(np.radians(lat_all.mean()))
    lines_lon: list[Any] = []
    lines_lat: list[Any] = []
    text_lon: list[float] = []
    text_lat: list[float] = []
    texts: list[str] = []
    positions: list[str] = []
    for code, (dx, dy) in m.small_regions().items():
        lon, lat = g.regions[code].label
        tlon = lon + dx * deg_per_px
        tlat = lat - dy * deg_per_px * np.cos(lat0)
        lines_lon += [lon, tlon, None]
        lines_lat += [lat, tlat, None]
        text_lon.append(tlon)
        text_lat.append(tlat)
        texts.append(m.small_region_text(code))
        positions.append(("top " if dy < 0 else "bottom ") + ("right" if dx >= 0 else "left"))
    traces: list[dict[str, Any]] = [
        {
            "type": "scattergeo",
            "lon": lines_lon or [None],
            "lat": lines_lat or [None],
            "mode": "lines",
            "line": {"color": "#444444", "width": 1},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "leader lines",
        },
        {
            "type": "choropleth",
            "geojson": _geojson(m),
            "featureidkey": "properties.NUTS_ID",
            "locations": [r["region"] for r in recs],
            "z": z,
            "zmin": -0.5,  # class j -> (j + 0.5) / n: the middle of its colour step
            "zmax": n - 0.5,
            "colorscale": scale,
            "showscale": False,
            "text": [_hover(m, r) for r in recs],
            "hovertemplate": "%{text}<extra></extra>",
            "customdata": [r["region"] for r in recs] if clickable else None,
            "marker": {
                "line": {
                    "color": [
                        "#000000" if r["region"] in focus else cfg["border_colour"] for r in recs
                    ],
                    "width": [2.5 if r["region"] in focus else 0.6 for r in recs],
                }
            },
            "showlegend": False,
            "name": "regions",
            "meta": {"regions": [r["region"] for r in recs], "status": [r["status"] for r in recs]},
        },
    ]
    # country outlines over the regions
    clon: list[Any] = []
    clat: list[Any] = []
    for c in sorted(g.countries):
        lo, la = _lonlat_lines(g.countries[c])
        clon += lo
        clat += la
    if clon:
        traces.append(
            {
                "type": "scattergeo",
                "lon": clon,
                "lat": clat,
                "mode": "lines",
                "line": {"color": cfg["country_border_colour"], "width": 0.9},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "country borders",
            }
        )
    if texts:
        traces.append(
            {
                "type": "scattergeo",
                "lon": text_lon,
                "lat": text_lat,
                "mode": "text",
                "text": texts,
                "textposition": positions,
                "textfont": {"size": 10, "color": "#222222"},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "capital regions",
            }
        )
    for e in m.legend:
        label = "<br>".join(textwrap.wrap(e.label, 34)) if e.kind == "no NUTS" else e.label
        traces.append(
            {
                "type": "scattergeo",
                "lon": [None],
                "lat": [None],
                "mode": "markers",
                "marker": {
                    "symbol": "square",
                    "size": 14,
                    "color": e.colour,
                    "line": {"color": "#969696", "width": 1},
                },
                "name": label,
                "showlegend": True,
                "hoverinfo": "skip",
                "meta": {"legend": e.label, "kind": e.kind},
            }
        )
    note_lines = textwrap.wrap(m.note(), 150) if m.note() else []
    legend_title = m.value_label + (f" ({m.unit})" if m.unit else "")
    if m.classes is not None:
        legend_title += f"<br><sup>{m.classes.describe()}</sup>"
    layout = {
        "title": {"text": m.title},
        "height": height + 14 * len(note_lines),
        "margin": {"l": 10, "r": 10, "t": 60, "b": 40 + 14 * len(note_lines)},
        "geo": {
            "visible": False,
            "fitbounds": "locations",
            # equal-area conic with standard parallels 38 and 48 N (South-East Europe); plotly's
            # fitbounds centres it.  (Azimuthal equal-area fits the regions into half the space
            # in plotly.js 3.x, and with a rotation it shrinks to a dot.)
            "projection": {"type": "conic equal area", "parallels": [38, 48]},
            "domain": {"x": [0, 0.8], "y": [0, 1]},
            "bgcolor": "#ffffff",
        },
        "paper_bgcolor": "#ffffff",
        "showlegend": True,
        "legend": {
            "title": {"text": legend_title},
            "traceorder": "normal",
            "itemsizing": "constant",
        },
        "annotations": [
            {
                "x": 0,
                "y": 0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -4,
                "showarrow": False,
                "align": "left",
                "text": "<br>".join([*note_lines, m.attribution]),
                "font": {"size": 10, "color": "#444444"},
            }
        ],
        "meta": {"workbench_map": map_meta(m)},
    }
    if as_dict:
        return {"data": traces, "layout": layout}
    import plotly.graph_objects as go

    return go.Figure({"data": traces, "layout": layout})
