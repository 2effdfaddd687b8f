"""Eurostat GISCO NUTS boundary files: names, the local cache, and ``workbench fetch gisco``.

Cache (documented in ``workbench/maps/data/README.md``): env ``WORKBENCH_GISCO_DIR``, else the folder
``gisco/`` next to the knowledge-base file (``data/gisco/`` for ``data/workbench.duckdb``).  It holds
the GISCO files under their own names plus ``manifest.json`` (URL, size, sha256, time, attribution
of every file).  Maps read the cache when it has the file they need and otherwise the extract that
ships with the package; they never download.

Download: base URL option ``--url`` > env ``WORKBENCH_GISCO_URL`` > ``maps.yml`` ``gisco.base_url``
(GISCO's distribution API); each file goes to ``<name>.part`` first, is checked to be a GeoJSON
FeatureCollection of the expected NUTS level, and only then renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.fetch.eurostat import FetchError, download

Progress = Callable[[str, int, int | None], None]
MANIFEST = "manifest.json"


def region_file(year: str | int, scale: str, level: int) -> str:
    """GISCO name of the region polygons, e.g. ``NUTS_RG_60M_2021_4326_LEVL_2.geojson``."""
    return f"NUTS_RG_{scale}_{year}_4326_LEVL_{level}.geojson"


def label_file(year: str | int, level: int) -> str:
    """GISCO name of the label points, e.g. ``NUTS_LB_2021_4326_LEVL_2.geojson``."""
    return f"NUTS_LB_{year}_4326_LEVL_{level}.geojson"


def cache_dir() -> Path:
    """``$WORKBENCH_GISCO_DIR`` or ``gisco/`` beside the knowledge-base file."""
    env = os.environ.get("WORKBENCH_GISCO_DIR")
    if env:
        return Path(env).expanduser().resolve()
    from workbench.config import db_path

    return db_path().parent / "gisco"


def base_url(url: str | None = None) -> str:
    """The GISCO base URL: argument > env ``WORKBENCH_GISCO_URL`` > ``maps.yml``."""

    u = url or os.environ.get("WORKBENCH_GISCO_URL") or load_defaults("maps")["gisco"]["base_url"]
    return u if u.endswith("/") else u + "/"


def files_for(year: str, scale: str, levels: list[int] | None = None) -> list[tuple[str, int]]:
    """(file name, level) of every file ``fetch gisco`` downloads for a year and scale."""

    cfg = load_defaults("maps")["gisco"]
    if scale not in cfg["scales"]:
        raise ValidationError(f"scale must be one of {cfg['scales']}, not {scale!r}")
    if not str(year).isdigit() or len(str(year)) != 4:
        raise ValidationError(f"year must be a NUTS version year such as 2021, not {year!r}")
    lv = [int(x) for x in (levels if levels is not None else cfg["levels"])]
    bad = [x for x in lv if x not in (0, 1, 2, 3)]
    if bad:
        raise ValidationError(f"NUTS levels are 0-3, not {bad}")
    out = [(region_file(year, scale, x), x) for x in lv]
    out += [(label_file(year, x), x) for x in cfg["label_levels"] if x in lv]
    return out


def _check(path: Path, level: int, url: str) -> int:
    """Raise unless ``path`` is a GeoJSON FeatureCollection of NUTS level ``level``; feature count."""
    try:
        data: dict[str, Any] = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: not a JSON file ({exc})") from exc
    feats = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(feats, list) or not feats:
        raise FetchError(f"{url}: not a GeoJSON FeatureCollection with features")
    for i, f in enumerate(feats):
        p = f.get("properties") or {}
        if "NUTS_ID" not in p:
            raise FetchError(f"{url}: feature {i} has no properties.NUTS_ID")
        if int(p.get("LEVL_CODE", level)) != level:
            raise FetchError(
                f"{url}: feature {i} ({p['NUTS_ID']}) is NUTS level {p.get('LEVL_CODE')}, "
                f"expected {level}"
            )
    return len(feats)


def fetch_gisco(
    year: str = "2021",
    scale: str = "60M",
    *,
    levels: list[int] | None = None,
    dest: str | Path | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> list[dict[str, Any]]:
    """Download the GISCO NUTS files of ``year`` and ``scale`` into the cache (see module doc).

    Returns one manifest entry per file (file, url, bytes, sha256, features, fetched_at).  A file
    that fails (HTTP error, cut short, not NUTS GeoJSON) raises :class:`FetchError` and leaves no
    file behind; files fetched before it stay.
    """
    from workbench.maps.settings import attribution

    folder = Path(dest) if dest else cache_dir()
    root = base_url(url)
    entries = []
    for name, level in files_for(str(year), scale, levels):
        file_url = root + name
        tmp = folder / (name + ".download")

        def report(done: int, total: int | None, _name: str = name) -> None:
            if progress:
                progress(_name, done, total)

        download(file_url, tmp, report, timeout=timeout)
        try:
            n = _check(tmp, level, file_url)
        except FetchError:
            tmp.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
        os.replace(tmp, folder / name)
        entries.append(
            {
                "file": name,
                "url": file_url,
                "bytes": (folder / name).stat().st_size,
                "sha256": digest,
                "features": n,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "attribution": attribution(),
            }
        )
    _update_manifest(folder, entries)
    return entries


def _update_manifest(folder: Path, entries: list[dict[str, Any]]) -> None:
    path = folder / MANIFEST
    old: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
    files = {e["file"]: e for e in old.get("files", [])}
    files.update({e["file"]: e for e in entries})
    body = {
        "source": "Eurostat GISCO NUTS boundaries",
        "licence": "Eurostat copyright notice; credit EuroGeographics for the administrative boundaries",
        "files": sorted(files.values(), key=lambda e: e["file"]),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=2), encoding="utf-8")
    tmp.replace(path)
