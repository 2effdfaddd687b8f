"""The participant page's load path (issue 16 item 6, navigation -> interactive): the scripts Voila
loads in waves are named up-front in the page's head, static files are sent gzip-compressed from
memory, and widget-only pages get the MathJax stand-in instead of MathJax 3.  Against a real
`workbench serve` (module fixture, one preheated kernel)."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.testing import free_port

from workbench.demo import foresight as demo
from workbench.serving import ServerProcess
from workbench.serving.app import COMPILE_HINT, NO_MATHJAX, eager_scripts, gzipped_file
from workbench.serving.preload import PRELOAD_TEMPLATE, hints, installed_file

pytestmark = pytest.mark.slow
PAGE = "voila/render/foresight_participant.ipynb"


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_every_hinted_script_is_installed_and_voila_js_comes_first() -> None:
    listed = hints()
    missing = [h.path for h in listed if installed_file(h.path) is None]
    assert not missing, (
        f"{PRELOAD_TEMPLATE.name} names files that are not installed (voila or ipywidgets "
        f"upgraded?): run `.venv/bin/python -m workbench.serving.preload`; missing: {missing[:5]}"
    )
    assert listed[0].path == "voila/static/voila.js" and listed[0].rel == "preload"
    assert {h.rel for h in listed} == {"preload", "prefetch"}
    assert len({h.path for h in listed}) == len(listed)
    # the widget managers are asked for after the load event: prefetched, not holding it back
    assert all(h.rel == "prefetch" for h in listed if "labextensions/" in h.path)


def test_gzipped_file_is_the_file_compressed_once(tmp_path: Path) -> None:
    script = tmp_path / "big.js"
    script.write_text("var answer = 42;\n" * 500)
    packed = gzipped_file(str(script))
    assert packed is not None and gzip.decompress(packed) == script.read_bytes()
    assert gzipped_file(str(script)) is packed  # from memory
    script.write_text("var answer = 43;\n" * 600)  # changed on disk: compressed again
    assert gzip.decompress(gzipped_file(str(script)) or b"") == script.read_bytes()
    small = tmp_path / "small.js"
    small.write_text("x")
    font = tmp_path / "font.woff2"
    font.write_bytes(b"\0" * 5000)
    assert gzipped_file(str(small)) is None and gzipped_file(str(font)) is None


def test_scripts_run_at_start_carry_the_compile_hint() -> None:
    """The scripts a page runs as it starts (the preload list) are sent with V8's compile hint
    in front of the file; any other script (``big.js`` above) as it is."""
    voila_js = installed_file("voila/static/voila.js")
    assert voila_js is not None and str(voila_js.resolve()) in eager_scripts()
    assert len(eager_scripts()) == len({installed_file(h.path) for h in hints()})
    sent = gzip.decompress(gzipped_file(str(voila_js)) or b"")
    assert sent == COMPILE_HINT + voila_js.read_bytes()
    assert COMPILE_HINT.startswith(b"//") and COMPILE_HINT.endswith(b"\n")  # a comment line


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("preload")
    db = tmp / "kb.duckdb"
    demo.build_foresight_only(db)
    extra = ["--participant-pool", "1", "--participant-standby", "1"]
    with ServerProcess(db, free_port(), log_path=tmp / "serve.log", extra=extra) as base:
        yield base


def test_static_scripts_are_sent_compressed_with_their_etag(url: str) -> None:
    path = "voila/static/voila.js"
    status, headers, body = _get(f"{url}/{path}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body)  # one write, not chunked
    installed = (installed_file(path) or Path("/")).read_bytes()
    assert gzip.decompress(body) == COMPILE_HINT + installed  # run at start: compile hint first
    assert headers["Etag"]
    status, _, _ = _get(
        f"{url}/{path}", **{"Accept-Encoding": "gzip", "If-None-Match": headers["Etag"]}
    )
    assert status == 304
    status, plain_headers, plain = _get(f"{url}/{path}")  # no gzip asked: the file as it is
    assert status == 200 and "Content-Encoding" not in plain_headers
    assert plain == installed
    status, range_headers, part = _get(f"{url}/{path}", Range="bytes=0-9")
    assert status == 206 and "Content-Encoding" not in range_headers and part == plain[:10]


def test_participant_page_names_its_scripts_and_skips_mathjax(url: str) -> None:
    status, _, body = _get(f"{url}/{PAGE}")
    page = body.decode()
    assert status == 200
    head = page.split("</head>", 1)[0]
    for hint in hints():
        assert f'rel="{hint.rel}"' in head and f'href="/{hint.path}"' in head, hint
    config = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    assert config["fullMathjaxUrl"] == "/" + NO_MATHJAX
    status, _, stand_in = _get(f"{url}/{NO_MATHJAX}")
    assert status == 200 and b"window.MathJax" in stand_in
