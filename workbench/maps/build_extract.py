"""Build the SEE extract that ships with the package from the GISCO NUTS 2021 files.

    python -m workbench.maps.build_extract [--src FOLDER] [--out FILE]

``--src`` (default ``<real data>/geo``, i.e. ``../shared/data/real/geo``; a ``workbench fetch gisco``
cache works too) must hold ``NUTS_RG_60M_2021_4326_LEVL_{0,2}.geojson`` and
``NUTS_LB_2021_4326_LEVL_2.geojson``.  The extract keeps the level 2 regions and level 0 outlines of
the countries in ``maps.yml`` ``extract_countries``, simplified (``simplify_tolerance`` degrees,
Douglas-Peucker, topology-preserving per region), coordinates rounded to ``decimals``, rings
re-oriented and checked (exterior clockwise), the GISCO label point of each region as
``properties.LABEL``, and the list of every NUTS 2021 level 2 code of Europe (to tell "outside this
map" from "not a NUTS 2021 code").  Source, licence, attribution and the sha256 of each input go
into the file's ``metadata``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from workbench.config import load_defaults
from workbench.maps.geometry import EXTRACT, orientation_problems, simplify_features
from workbench.maps.gisco import label_file, region_file
from workbench.maps.settings import attribution

YEAR, SCALE = "2021", "60M"


def build_extract(src: Path, out: Path = EXTRACT) -> dict[str, Any]:
    """Write the extract to ``out``; return its metadata (with the size in bytes)."""
    cfg = load_defaults("maps")
    countries = set(cfg["extract_countries"])
    files = {
        "regions": src / region_file(YEAR, SCALE, 2),
        "countries": src / region_file(YEAR, SCALE, 0),
        "labels": src / label_file(YEAR, 2),
    }
    raw = {}
    for key, path in files.items():
        if not path.exists():
            raise SystemExit(f"missing GISCO file {path} (run `workbench fetch gisco`)")
        raw[key] = json.loads(path.read_bytes())
    src_problems = orientation_problems(raw["regions"]["features"])
    labels = {
        f["properties"]["NUTS_ID"]: f["geometry"]["coordinates"] for f in raw["labels"]["features"]
    }
    keep_props = ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN")
    feats = []
    for key in ("regions", "countries"):
        for f in raw[key]["features"]:
            p = f["properties"]
            if p["CNTR_CODE"] not in countries:
                continue
            props = {k: p[k] for k in keep_props}
            if key == "regions":
                props["LABEL"] = labels[p["NUTS_ID"]]
            feats.append(
                {
                    "type": "Feature",
                    "id": p["NUTS_ID"],
                    "properties": props,
                    "geometry": f["geometry"],
                }
            )
    simple = simplify_features(feats, float(cfg["simplify_tolerance"]), int(cfg["decimals"]))
    all_codes = sorted(f["properties"]["NUTS_ID"] for f in raw["regions"]["features"])
    metadata = {
        "source": "Eurostat GISCO, NUTS 2021, 1:60 million, EPSG:4326 "
        "(https://ec.europa.eu/eurostat/web/gisco/geodata/statistical-units/territorial-units-statistics)",
        "licence": "Eurostat GISCO: reuse follows the Eurostat copyright notice; the administrative "
        "boundaries must be credited to EuroGeographics",
        "attribution": attribution(),
        "year": YEAR,
        "scale": SCALE,
        "countries": sorted(countries),
        "simplify_tolerance_degrees": cfg["simplify_tolerance"],
        "decimals": cfg["decimals"],
        "orientation": "exterior rings clockwise, holes anticlockwise (GISCO / D3 / plotly)",
        "orientation_problems_in_source": len(src_problems),
        "built_by": "python -m workbench.maps.build_extract",
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files.values()},
        "nuts_level2_codes": all_codes,
    }
    body = {"type": "FeatureCollection", "metadata": metadata, "features": simple}
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return {**metadata, "bytes": len(text.encode("utf-8")), "features": len(simple)}


def main(argv: list[str] | None = None) -> None:
    from workbench.config import real_data_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=real_data_dir() / "geo")
    ap.add_argument("--out", type=Path, default=EXTRACT)
    args = ap.parse_args(argv)
    meta = build_extract(args.src, args.out)
    print(
        f"wrote {args.out}: {meta['features']} features, {meta['bytes']:,} bytes "
        f"(tolerance {meta['simplify_tolerance_degrees']} deg, {meta['decimals']} decimals)"
    )


if __name__ == "__main__":
    main()
