"""NUTS region geometry for maps: loading, projection, ring orientation, simplification.

Sources, in this order (maps never download anything; ``workbench fetch gisco`` does):

1. the GISCO cache (:func:`workbench.maps.gisco.cache_dir`, filled by ``workbench fetch gisco``):
   ``NUTS_RG_<scale>_<year>_4326_LEVL_<level>.geojson`` and ``NUTS_LB_<year>_4326_LEVL_<level>.geojson``;
2. the extract shipped with the package, ``workbench/maps/data/see_nuts2_2021.json``: the NUTS 2021
   level 2 regions (and level 0 country outlines) of the SEE countries at 1:60 million, built from
   the GISCO file by :mod:`workbench.maps.build_extract` (see ``workbench/maps/data/README.md``).

Rings follow the GISCO / D3 / plotly convention: exterior rings clockwise, holes anticlockwise, in
(longitude, latitude).  :func:`orientation_problems` checks it (after every simplification).

Projection: Lambert azimuthal equal-area on the sphere, centre 52 N 10 E (the centre of ETRS89-LAEA,
EPSG:3035, which Eurostat uses for its maps; the spherical formula differs from the ellipsoidal one
by well under a pixel at these scales), in km.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from workbench.config import load_defaults
from workbench.errors import ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"
EXTRACT = DATA_DIR / "see_nuts2_2021.json"
EARTH_RADIUS_KM = 6371.0
CENTRE = (10.0, 52.0)  # lon, lat of the ETRS89-LAEA centre

Ring = np.ndarray  # (n, 2) lon/lat, closed (first == last)
Polygon = list[Ring]  # exterior ring, then holes


@dataclass
class Region:
    """One NUTS region: code, Latin-script name, country, polygons and label point (lon, lat)."""

    code: str
    name: str
    country: str
    polygons: list[Polygon]
    label: tuple[float, float]


@dataclass
class Geometry:
    """The regions of one NUTS level that a map can draw, plus country outlines and all codes."""

    level: int
    year: str
    scale: str
    source: str
    regions: dict[str, Region]
    countries: dict[str, list[Polygon]] = field(default_factory=dict)
    all_codes: frozenset[str] = frozenset()  # every NUTS code of this level and year (Europe)
    _projected: dict[str, list[list[np.ndarray]]] = field(default_factory=dict, repr=False)

    def codes(self) -> list[str]:
        """Region codes on the map, sorted."""
        return sorted(self.regions)

    def projected(self, code: str) -> list[list[np.ndarray]]:
        """Rings of a region (or ``"country:XX"``) projected to km, cached."""
        if code not in self._projected:
            polys = (
                self.countries[code.split(":", 1)[1]]
                if code.startswith("country:")
                else self.regions[code].polygons
            )
            self._projected[code] = [
                [np.column_stack(project(r[:, 0], r[:, 1])) for r in poly] for poly in polys
            ]
        return self._projected[code]

    def label_xy(self, code: str) -> tuple[float, float]:
        """The region's label point, projected (km)."""
        lon, lat = self.regions[code].label
        x, y = project(np.array([lon]), np.array([lat]))
        return float(x[0]), float(y[0])

    def to_geojson(self) -> dict[str, Any]:
        """The regions as a GeoJSON FeatureCollection (``properties.NUTS_ID``), lon/lat."""
        return {
            "type": "FeatureCollection",
            "features": [
                _feature(r.code, r.name, r.country, self.level, r.polygons, r.label)
                for r in self.regions.values()
            ],
        }


# ------------------------------------------------------------------------------ projection
def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lambert azimuthal equal-area (sphere, centre 52 N 10 E): degrees -> km (x east, y north)."""
    lam = np.radians(np.asarray(lon, dtype=float) - CENTRE[0])
    phi = np.radians(np.asarray(lat, dtype=float))
    phi0 = np.radians(CENTRE[1])
    cosc = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(lam)
    k = np.sqrt(2.0 / (1.0 + cosc))
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
    y = (
        EARTH_RADIUS_KM
        * k
        * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(lam))
    )
    return x, y


# ------------------------------------------------------------------------------ orientation
def signed_area(ring: np.ndarray) -> float:
    """Shoelace signed area of a ring in its own plane: > 0 anticlockwise, < 0 clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def orientation_problems(features: list[dict[str, Any]]) -> list[str]:
    """Rings that break the convention (exterior clockwise, holes anticlockwise), as messages.

    ``features``: GeoJSON features with Polygon / MultiPolygon geometry.  Empty list = all good.
    """
    problems = []
    for f in features:
        code = (f.get("properties") or {}).get("NUTS_ID", f.get("id", "?"))
        for pi, poly in enumerate(_polygons_of(f.get("geometry") or {})):
            for ri, ring in enumerate(poly):
                a = signed_area(np.asarray(ring, dtype=float))
                want_cw = ri == 0
                if a == 0 or (a < 0) != want_cw:
                    kind = "exterior" if want_cw else "hole"
                    problems.append(
                        f"{code}: polygon {pi} ring {ri} ({kind}) is "
                        f"{'degenerate' if a == 0 else ('anticlockwise' if a > 0 else 'clockwise')}"
                    )
    return problems


def _polygons_of(geom: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geom.get("type") == "Polygon":
        return [geom["coordinates"]]
    if geom.get("type") == "MultiPolygon":
        return list(geom["coordinates"])
    return []


# ------------------------------------------------------------------------------ simplification
def simplify_features(
    features: list[dict[str, Any]], tolerance: float, decimals: int
) -> list[dict[str, Any]]:
    """Douglas-Peucker simplification (shapely, topology-preserving per region), rings re-oriented
    to the GISCO/plotly convention, coordinates rounded to ``decimals``.  Raises if a ring ends up
    with the wrong orientation or a region vanishes."""
    import shapely
    from shapely.geometry import mapping, shape

    out = []
    for f in features:
        geom = shape(f["geometry"])
        simple = shapely.simplify(geom, tolerance, preserve_topology=True) if tolerance else geom
        simple = shapely.set_precision(simple, 10.0**-decimals)
        # GISCO / plotly: exterior clockwise (shapely's exterior_cw=True)
        simple = shapely.orient_polygons(simple, exterior_cw=True)
        if simple.is_empty:
            raise ValidationError(
                f"simplification (tolerance {tolerance}) removed region {f['properties']['NUTS_ID']}"
            )
        g = json.loads(json.dumps(mapping(simple)))
        if g["type"] not in ("Polygon", "MultiPolygon"):
            polys = [p for p in getattr(simple, "geoms", []) if p.geom_type == "Polygon"]
            g = json.loads(json.dumps(mapping(shapely.MultiPolygon(polys))))
        g["coordinates"] = _round(g["coordinates"], decimals)
        out.append({**f, "geometry": g})
    problems = orientation_problems(out)
    if problems:
        raise ValidationError("ring orientation after simplification: " + "; ".join(problems[:10]))
    return out


def _round(coords: Any, decimals: int) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), decimals) for c in coords]
    return [_round(c, decimals) for c in coords]


# ------------------------------------------------------------------------------ loading
def _feature(
    code: str,
    name: str,
    country: str,
    level: int,
    polygons: list[Polygon],
    label: tuple[float, float] | None,
) -> dict[str, Any]:
    coords = [[ring.tolist() for ring in poly] for poly in polygons]
    props: dict[str, Any] = {
        "NUTS_ID": code,
        "LEVL_CODE": level,
        "CNTR_CODE": country,
        "NAME_LATN": name,
    }
    if label is not None:
        props["LABEL"] = list(label)
    return {
        "type": "Feature",
        "id": code,
        "properties": props,
        "geometry": {"type": "MultiPolygon", "coordinates": coords},
    }


def _as_polygons(geom: dict[str, Any], where: str) -> list[Polygon]:
    polys = _polygons_of(geom)
    if not polys:
        raise ValidationError(f"{where}: geometry type {geom.get('type')!r} is not a polygon")
    return [[np.asarray(r, dtype=float) for r in poly] for poly in polys]


def _centroid(polys: list[Polygon]) -> tuple[float, float]:
    """Area-weighted centroid of the exterior rings (fallback label point)."""
    best = max((p[0] for p in polys), key=lambda r: abs(signed_area(r)))
    x, y = best[:, 0], best[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    a = cross.sum() / 2 or 1e-12
    return (
        float(((x[:-1] + x[1:]) * cross).sum() / (6 * a)),
        float(((y[:-1] + y[1:]) * cross).sum() / (6 * a)),
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{path}: not a readable GeoJSON file: {exc}") from exc
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ValidationError(f"{path}: not a GeoJSON FeatureCollection")
    return data


def geometry_from_features(
    features: list[dict[str, Any]],
    *,
    level: int,
    year: str,
    scale: str,
    source: str,
    labels: dict[str, tuple[float, float]] | None = None,
    countries: list[str] | None = None,
    all_codes: frozenset[str] | None = None,
) -> Geometry:
    """Build a :class:`Geometry` from GISCO features (level ``level`` regions, level-0 outlines)."""
    labels = labels or {}
    regions: dict[str, Region] = {}
    outlines: dict[str, list[Polygon]] = {}
    codes: set[str] = set()
    for i, f in enumerate(features):
        p = f.get("properties") or {}
        code = p.get("NUTS_ID")
        if not code:
            raise ValidationError(f"{source}: feature {i} has no properties.NUTS_ID")
        lvl = int(p.get("LEVL_CODE", len(code) - 2))
        cntr = p.get("CNTR_CODE") or code[:2]
        if lvl == level:
            codes.add(code)
        if countries is not None and cntr not in countries:
            continue
        polys = _as_polygons(f.get("geometry") or {}, f"{source}: {code}")
        if lvl == 0 and level != 0:
            outlines[cntr] = polys
        elif lvl == level:
            lab = p.get("LABEL") or labels.get(code)
            regions[code] = Region(
                code=code,
                name=str(p.get("NAME_LATN") or p.get("NUTS_NAME") or code),
                country=cntr,
                polygons=polys,
                label=tuple(lab) if lab else _centroid(polys),
            )
    if not regions:
        raise ValidationError(f"{source}: no NUTS level {level} regions (countries {countries})")
    return Geometry(
        level=level,
        year=year,
        scale=scale,
        source=source,
        regions=dict(sorted(regions.items())),
        countries=outlines,
        all_codes=frozenset(all_codes or codes),
    )


@cache
def _extract() -> Geometry:
    data = _read_json(EXTRACT)
    meta = data.get("metadata") or {}
    return geometry_from_features(
        data["features"],
        level=2,
        year=str(meta.get("year", "2021")),
        scale=str(meta.get("scale", "60M")),
        source=f"shipped extract {EXTRACT.name} ({meta.get('source', 'Eurostat GISCO')})",
        all_codes=frozenset(meta.get("nuts_level2_codes") or []),
    )


def extract_metadata() -> dict[str, Any]:
    """The ``metadata`` block of the shipped extract (source, licence, attribution, sizes)."""
    return dict(_read_json(EXTRACT).get("metadata") or {})


def load_geometry(
    level: int = 2,
    *,
    year: str = "2021",
    scale: str = "60M",
    countries: list[str] | None = None,
    cache: str | Path | None = None,
) -> Geometry:
    """Regions to draw: the GISCO cache if it holds the file, else the shipped SEE extract.

    ``countries`` (default: the extract's countries, ``maps.yml`` ``extract_countries``) limits the
    regions drawn.  Never downloads: fetch other years/scales with ``workbench fetch gisco``.
    """
    from workbench.maps import gisco

    wanted = list(countries) if countries else list(load_defaults("maps")["extract_countries"])
    folder = Path(cache) if cache else gisco.cache_dir()
    rg = folder / gisco.region_file(year, scale, level)
    if rg.exists():
        return _from_cache(str(rg), level, str(year), scale, tuple(wanted))
    if (level, str(year), scale) == (2, "2021", "60M"):
        g = _extract()
        missing = sorted(set(wanted) - {r.country for r in g.regions.values()})
        if countries and missing:
            raise ValidationError(
                f"the shipped extract has no regions of {missing}; run `workbench fetch gisco` "
                "for the whole of Europe"
            )
        if set(wanted) >= {r.country for r in g.regions.values()}:
            return g
        return Geometry(
            level=g.level,
            year=g.year,
            scale=g.scale,
            source=g.source,
            regions={c: r for c, r in g.regions.items() if r.country in wanted},
            countries={c: p for c, p in g.countries.items() if c in wanted},
            all_codes=g.all_codes,
        )
    raise ValidationError(
        f"no NUTS {year} level {level} geometry at scale {scale}: {rg} does not exist and the "
        "package ships only NUTS 2021 level 2 at 1:60 million; run "
        f"`workbench fetch gisco --year {year} --scale {scale}` first"
    )


@cache
def _from_cache(
    path: str, level: int, year: str, scale: str, countries: tuple[str, ...]
) -> Geometry:
    from workbench.maps import gisco

    p = Path(path)
    data = _read_json(p)
    labels: dict[str, tuple[float, float]] = {}
    lb = p.parent / gisco.label_file(year, level)
    if lb.exists():
        for f in _read_json(lb)["features"]:
            c = (f.get("geometry") or {}).get("coordinates")
            if c:
                labels[f["properties"]["NUTS_ID"]] = (float(c[0]), float(c[1]))
    features = data["features"]
    all_codes = frozenset(
        f["properties"]["NUTS_ID"]
        for f in features
        if int(f["properties"].get("LEVL_CODE", -1)) == level
    )
    sel = [f for f in features if f["properties"].get("CNTR_CODE") in countries]
    lv0 = p.parent / gisco.region_file(year, scale, 0)
    if level != 0 and lv0.exists():
        sel += [
            f for f in _read_json(lv0)["features"] if f["properties"].get("CNTR_CODE") in countries
        ]
    if scale not in ("60M", "20M"):  # finer scales: simplify before sending to a page
        cfg = load_defaults("maps")
        sel = simplify_features(sel, float(cfg["simplify_tolerance"]), int(cfg["decimals"]))
    problems = orientation_problems(sel)
    if problems:
        raise ValidationError(f"{p}: ring orientation: " + "; ".join(problems[:10]))
    return geometry_from_features(
        sel,
        level=level,
        year=year,
        scale=scale,
        source=f"GISCO {p.name} (cache {p.parent})",
        labels=labels,
        countries=list(countries),
        all_codes=all_codes,
    )
