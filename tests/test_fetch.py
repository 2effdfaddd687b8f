"""`workbench fetch eurostat CODE` against a local HTTP server on 127.0.0.1 serving a real file."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from support.testing import free_port, require_real_data

from workbench.fetch import FetchError, eurostat_url, fetch_eurostat
from workbench.importers import import_file

CODE = "nama_10r_2gvagr"


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves /data/<code>?format=TSV&compressed=true like Eurostat's dissemination API."""

    files: dict[str, Path] = {}
    requests: list[str] = []
    cut: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.requests.append(self.path)
        code = self.path.split("?")[0].rsplit("/", 1)[-1]
        if code not in self.files:
            self.send_error(404, "Dataset not found")
            return
        data = self.files[code].read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if code in self.cut else data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.files = {
        CODE: require_real_data("eurostat_tsv", f"{CODE}.tsv.gz"),
        "lfst_r_lfe2en2": require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz"),
        "broken": require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz"),
    }
    Handler.cut = {"broken"}
    Handler.requests = []
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/eurostat/api/dissemination/sdmx/2.1/data/{{code}}?format=TSV&compressed=true"
    finally:
        httpd.shutdown()
        httpd.server_close()


def observations(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT * EXCLUDE (dataset_id) FROM observations ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_default_url_is_eurostat_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_EUROSTAT_URL", raising=False)
    assert eurostat_url("lfst_r_lfe2en2") == (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/lfst_r_lfe2en2"
        "?format=TSV&compressed=true"
    )
    monkeypatch.setenv("WORKBENCH_EUROSTAT_URL", "http://127.0.0.1:9/{code}.tsv")
    assert eurostat_url("x_y") == "http://127.0.0.1:9/x_y.tsv"
    with pytest.raises(FetchError):
        eurostat_url("../etc/passwd")


def test_fetch_downloads_with_progress_and_imports(
    server: str, tmp_db: Path, tmp_path: Path
) -> None:
    seen: list[tuple[int, int | None]] = []
    result = fetch_eurostat(
        "lfst_r_lfe2en2",
        dest=tmp_path / "dl",
        url=server,
        progress=lambda d, t: seen.append((d, t)),
    )
    real = require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    size = real.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 1  # progress reported in several steps
    assert Handler.requests == [
        "/eurostat/api/dissemination/sdmx/2.1/data/lfst_r_lfe2en2?format=TSV&compressed=true"
    ]
    assert (tmp_path / "dl" / "lfst_r_lfe2en2.tsv.gz").read_bytes() == real.read_bytes()
    assert result.dataset_id == "eurostat:lfst_r_lfe2en2" and result.rows == 224520
    # same observations as importing the real file directly
    ref_db = tmp_path / "ref.duckdb"
    import_file(real, db=ref_db)
    assert observations(tmp_db) == observations(ref_db)
    # fetching again downloads again but the import is a no-op (same sha256)
    assert fetch_eurostat("lfst_r_lfe2en2", dest=tmp_path / "dl", url=server).skipped_same_sha


def test_http_error_and_truncated_download_write_nothing(
    server: str, tmp_db: Path, tmp_path: Path
) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_eurostat("no_such_dataset", dest=tmp_path, url=server)
    with pytest.raises(FetchError, match="ended after"):
        fetch_eurostat("broken", dest=tmp_path, url=server)
    assert list(tmp_path.iterdir()) == []  # no half file left behind
    assert not tmp_db.exists()


def test_cli_fetch_with_env_url(server: str, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    env = {
        **os.environ,
        "WORKBENCH_EUROSTAT_URL": server,
        "WORKBENCH_DB": str(db),
        "COLUMNS": "200",
    }
    exe = Path(sys.executable).with_name("workbench")
    out = subprocess.run(
        [str(exe), "fetch", "eurostat", CODE, "--dest", str(tmp_path / "dl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert f"eurostat:{CODE}" in out.stdout and "imported" in out.stdout
    assert "127.0.0.1" in out.stderr  # the URL it downloads from
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 4230
    con.close()
    bad = subprocess.run(
        [str(exe), "fetch", "eurostat", "no_such_dataset", "--dest", str(tmp_path / "dl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode != 0 and "HTTP 404" in bad.stderr and "Traceback" not in bad.stderr
