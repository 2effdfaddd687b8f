"""The participant page's load path (issue 16 item 6, navigation -> interactive): the scripts Voila
loads in waves are named up-front in the page's head, its first-wave chunks come in one bundle, its
styles as a stylesheet (not injected by voila-style.js), static files are sent gzip-compressed from
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
from typing import Any

import pytest
from support.testing import free_port

from workbench.demo import foresight as demo
from workbench.serving import ServerProcess, styles
from workbench.serving.app import COMPILE_HINT, NO_MATHJAX, eager_scripts, gzipped_file
from workbench.serving.preload import (
    BUNDLE_PARTS,
    BUNDLED,
    BUNDLES,
    PRELOAD_TEMPLATE,
    Hint,
    bundle_body,
    bundle_parts,
    hints,
    installed_file,
    write,
)

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
    assert {h.rel for h in listed} == {"preload", "prefetch", "bundle"}
    assert len({h.path for h in listed}) == len(listed)
    # Voila's own chunks of the first wave come in the bundle, nothing else does
    assert all(BUNDLED.fullmatch(h.path) for h in listed if h.rel == "bundle")
    assert not [h for h in listed if h.rel == "preload" and BUNDLED.fullmatch(h.path)]
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


def test_write_bundles_the_first_wave_chunks_and_reads_back(tmp_path: Path) -> None:
    recorded = [
        Hint("voila/static/voila.js", "preload"),
        Hint("voila/static/5764.voila.js", "preload"),
        Hint("voila/static/8135.voila.js", "preload"),
        Hint("voila/labextensions/x/static/remoteEntry.abc.js", "prefetch"),
        Hint("voila/static/9212.voila.js", "prefetch"),  # asked for after load: not bundled
    ]
    template = write(recorded, tmp_path / "preload.html.j2")
    text = template.read_text()
    assert text.count("<link ") == 3 + BUNDLE_PARTS  # voila.js, the bundles, two prefetches
    assert text.index("voila.js") < text.index(BUNDLES[-1]) < text.index("5764")
    back = hints(template)
    assert [h.path for h in back] == [h.path for h in recorded]
    assert [h.rel for h in back] == ["preload", "bundle", "bundle", "prefetch", "prefetch"]
    assert write(back, tmp_path / "again.j2").read_text() == text  # stable when rewritten


def test_bundle_is_the_installed_chunks_in_order() -> None:
    bundled = [h for h in hints() if h.rel == "bundle"]
    files = [installed_file(h.path) for h in bundled]
    body = bundle_body()
    assert body == b"\n;\n".join(f.read_bytes() for f in files if f is not None) + b"\n"
    # each chunk hands its modules to webpack's list (voila.js takes them over as it starts)
    assert body.count(b"self.webpackChunk_JUPYTERLAB_CORE_OUTPUT") >= len(bundled)
    gone = [Hint("voila/static/1.voila.js", "bundle"), bundled[0]]  # no longer installed: left out
    assert bundle_body(gone) == (files[0] or Path("/")).read_bytes() + b"\n"
    # the parts: the same chunks in the same order, cut between chunks, of about equal size
    parts = bundle_parts()
    assert len(parts) == BUNDLE_PARTS and b"".join(p.removesuffix(b"\n") for p in parts)
    joined = b"\n;\n".join(p.removesuffix(b"\n") for p in parts) + b"\n"
    assert joined == body
    assert max(len(p) for p in parts) < 2 * len(body) / BUNDLE_PARTS


def test_stylesheet_was_captured_from_the_installed_voila_style_js() -> None:
    assert styles.recorded_sha256() == styles.bundle_sha256(), (
        "static/voila-style.css was captured from another voila-style.js (voila upgraded?): "
        "run `.venv/bin/python -m workbench.serving.styles`"
    )
    css = styles.STYLESHEET.read_text()
    assert "file://" not in css  # URLs relative to the folder it is served from
    for font in re.findall(r"url\(([0-9a-f]{20}\.(?:woff2?|ttf|eot|svg))", css):
        assert installed_file(f"voila/static/{font}") is not None, font


@pytest.mark.browser
def test_stylesheet_is_what_voila_style_js_injects() -> None:
    """Run the installed voila-style.js in chromium now: its CSS is the stylesheet's, to the
    character (after the header)."""
    from support.testing import require_browser

    captured = styles.capture(require_browser())
    assert styles.STYLESHEET.read_text().split(" */\n", 1)[1] == captured + "\n"


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
        if hint.rel == "bundle":  # in the bundle, not fetched on its own
            assert f'href="/{hint.path}"' not in page, hint
        else:
            assert f'rel="{hint.rel}"' in head and f'href="/{hint.path}"' in head, hint
    # the bundles run before voila.js (which takes their chunks over), in the body
    voila_at = page.index('/voila.js"></script>')
    for part in BUNDLES:
        assert f'<link rel="preload" as="script" href="/{part}">' in head
        assert len(head) < page.index(f'<script src="/{part}"></script>') < voila_at
    assert page.count('<script src="/voila/static/workbench-first-wave-') == BUNDLE_PARTS
    # styles from the stylesheet, not injected by voila-style.js
    assert "voila-style.js" not in page
    assert re.search(r'<link rel="stylesheet"[^>]*/static/voila-style\.css\?v=[0-9a-f]+"', head)
    config = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    assert config["fullMathjaxUrl"] == "/" + NO_MATHJAX
    status, _, stand_in = _get(f"{url}/{NO_MATHJAX}")
    assert status == 200 and b"window.MathJax" in stand_in


def test_bundle_and_stylesheet_are_sent_compressed_and_revalidated(url: str) -> None:
    for part, expected in zip(BUNDLES, bundle_parts(), strict=True):
        status, headers, body = _get(f"{url}/{part}", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == COMPILE_HINT + expected  # run at start: compile hint
        assert headers["Cache-Control"] == "no-cache" and headers["Etag"]
        again = {"Accept-Encoding": "gzip", "If-None-Match": headers["Etag"]}
        assert _get(f"{url}/{part}", **again)[0] == 304  # a re-open: a few hundred bytes
    css = "voila/templates/workbench/static/voila-style.css"
    status, headers, body = _get(f"{url}/{css}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/css")
    assert gzip.decompress(body) == styles.STYLESHEET.read_bytes()
    assert len(body) < len(styles.STYLESHEET.read_bytes()) / 4
    again = {"Accept-Encoding": "gzip", "If-None-Match": headers["Etag"]}
    assert _get(f"{url}/{css}", **again)[0] == 304


@pytest.mark.browser
def test_page_styles_apply_from_the_stylesheet(url: str, chromium_browser: Any) -> None:
    """In chromium: the page has no style element from voila-style.js, the stylesheet's rules
    apply (JupyterLab's variables, the widgets' layout, Font Awesome's font, which loads), and
    every file the page asks for is there; no voila chunk is fetched on its own."""
    tab = chromium_browser.new_page(viewport={"width": 390, "height": 844})
    failed: list[str] = []
    asked: list[str] = []
    tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    tab.on("request", lambda r: asked.append(r.url))
    tab.goto(f"{url}/{PAGE}", wait_until="commit")
    tab.get_by_placeholder("your code").wait_for(state="visible", timeout=60_000)
    found = tab.evaluate(
        """async () => {
        const sheet = [...document.styleSheets].find(s => (s.href || '').includes('voila-style.css'));
        const root = getComputedStyle(document.documentElement);
        const box = document.querySelector('.widget-text input, .jupyter-widgets input');
        await document.fonts.load('900 16px "Font Awesome 5 Free"');
        return {
            rules: sheet ? sheet.cssRules.length : 0,
            brand: root.getPropertyValue('--jp-brand-color1').trim(),
            inputBorder: box ? getComputedStyle(box).borderTopStyle : null,
            fa: document.fonts.check('900 16px "Font Awesome 5 Free"'),
            styleElements: document.querySelectorAll('style').length,
        };
    }"""
    )
    tab.close()
    assert found["rules"] > 1000 and found["brand"]  # JupyterLab's theme variables are set
    assert found["inputBorder"] == "solid" and found["fa"]
    assert not failed, failed
    assert not [a for a in asked if BUNDLED.search(a.split("?")[0])], "a chunk fetched alone"
