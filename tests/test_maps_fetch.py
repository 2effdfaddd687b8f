"""`workbench fetch gisco` against a local HTTP server on 127.0.0.1 serving the real GISCO files."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from support.testing import free_port, require_real_data

from workbench.errors import ValidationError
from workbench.fetch import FetchError
from workbench.maps import load_geometry, value_map
from workbench.maps.gisco import base_url, fetch_gisco, files_for

pytestmark = pytest.mark.realdata
PREFIX = "/distribution/v2/nuts/geojson/"


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves <PREFIX><GISCO file name> from the real-data geo folder, like GISCO's API."""

    folder: Path = Path()
    requests: list[str] = []
    cut: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.requests.append(self.path)
        name = self.path.removeprefix(PREFIX)
        path = self.folder / name
        if not self.path.startswith(PREFIX) or "/" in name or not path.is_file():
            self.send_error(404, "File not found")
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/geo+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if name in self.cut else data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.folder = require_real_data("geo")
    Handler.requests = []
    Handler.cut = set()
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{PREFIX}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_default_base_url_and_file_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_GISCO_URL", raising=False)
    assert base_url() == "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
    monkeypatch.setenv("WORKBENCH_GISCO_URL", "http://127.0.0.1:9/x")
    assert base_url() == "http://127.0.0.1:9/x/"
    assert [n for n, _ in files_for("2021", "60M")] == [
        "NUTS_RG_60M_2021_4326_LEVL_0.geojson",
        "NUTS_RG_60M_2021_4326_LEVL_1.geojson",
        "NUTS_RG_60M_2021_4326_LEVL_2.geojson",
        "NUTS_RG_60M_2021_4326_LEVL_3.geojson",
        "NUTS_LB_2021_4326_LEVL_2.geojson",
    ]
    with pytest.raises(ValidationError, match="scale must be one of"):
        files_for("2021", "5M")
    with pytest.raises(ValidationError, match="year"):
        files_for("21", "60M")


def test_fetch_gisco_downloads_checks_and_maps_use_the_cache(server: str, tmp_path: Path) -> None:
    dest = tmp_path / "gisco"
    seen: dict[str, list[tuple[int, int | None]]] = {}
    entries = fetch_gisco(
        "2021",
        "60M",
        dest=dest,
        url=server,
        progress=lambda n, d, t: seen.setdefault(n, []).append((d, t)),
    )
    geo = require_real_data("geo")
    names = sorted(p.name for p in geo.glob("*.geojson"))
    assert sorted(e["file"] for e in entries) == names
    assert sorted(Handler.requests) == sorted(PREFIX + n for n in names)
    for e in entries:  # byte-identical copies, recorded with sha256 and attribution
        real = (geo / e["file"]).read_bytes()
        assert (dest / e["file"]).read_bytes() == real
        assert e["sha256"] == hashlib.sha256(real).hexdigest()
        assert seen[e["file"]][-1] == (len(real), len(real))
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert {f["file"] for f in manifest["files"]} == set(names)
    assert all("EuroGeographics" in f["attribution"] for f in manifest["files"])
    assert not list(dest.glob("*.download*")) and not list(dest.glob("*.part"))
    # the cache holds the whole of Europe: a map of German regions now works, without network
    g = load_geometry(countries=["DE", "AT"], cache=dest)
    assert "GISCO" in g.source and str(dest) in g.source
    assert {c[:2] for c in g.regions} == {"DE", "AT"} and len(g.regions) == 47
    m = value_map(
        pd.DataFrame({"region": ["DE11", "AT13", "HR03"], "value": [1.0, 2.0, 3.0]}),
        title="t",
        value_label="v",
        geometry=g,
    )
    assert m.regions_with_data() == ["AT13", "DE11"]
    assert list(m.joined.outside["code"]) == ["HR03"]  # valid NUTS 2021, not on this map


def test_http_error_and_truncated_file_leave_nothing(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_gisco("2021", "20M", levels=[2], dest=tmp_path, url=server)  # not on the server
    Handler.cut = {"NUTS_RG_60M_2021_4326_LEVL_0.geojson"}
    with pytest.raises(FetchError, match="ended after"):
        fetch_gisco("2021", "60M", levels=[0], dest=tmp_path, url=server)
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_file_of_the_wrong_level_is_refused(server: str, tmp_path: Path) -> None:
    # serve level 2 under the level 0 name: the check after download refuses it
    Handler.folder = tmp_path / "srv"
    Handler.folder.mkdir()
    geo = require_real_data("geo")
    (Handler.folder / "NUTS_RG_60M_2021_4326_LEVL_0.geojson").write_bytes(
        (geo / "NUTS_RG_60M_2021_4326_LEVL_2.geojson").read_bytes()
    )
    with pytest.raises(FetchError, match="NUTS level 2, expected 0"):
        fetch_gisco("2021", "60M", levels=[0], dest=tmp_path / "out", url=server)
    assert not (tmp_path / "out" / "NUTS_RG_60M_2021_4326_LEVL_0.geojson").exists()


def test_cli_fetch_gisco(server: str, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("workbench")
    env = {
        **os.environ,
        "WORKBENCH_GISCO_URL": server,
        "WORKBENCH_DB": str(tmp_path / "kb" / "workbench.duckdb"),
        "COLUMNS": "200",
    }
    env.pop("WORKBENCH_GISCO_DIR", None)
    out = subprocess.run(
        [str(exe), "fetch", "gisco", "--year", "2021", "--scale", "60M", "--levels", "0,2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    cache = tmp_path / "kb" / "gisco"  # documented default: gisco/ next to the knowledge base
    assert sorted(p.name for p in cache.glob("*.geojson")) == [
        "NUTS_LB_2021_4326_LEVL_2.geojson",
        "NUTS_RG_60M_2021_4326_LEVL_0.geojson",
        "NUTS_RG_60M_2021_4326_LEVL_2.geojson",
    ]
    assert "127.0.0.1" in out.stderr and "EuroGeographics" in out.stdout
    bad = subprocess.run(
        [str(exe), "fetch", "gisco", "--scale", "20M", "--levels", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode != 0 and "HTTP 404" in bad.stderr and "Traceback" not in bad.stderr
