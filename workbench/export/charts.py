"""Static images of the report's plotly charts and maps, offline.

Engine (measured, see benchmarks/bench_export.py and ../shared/STACK-NOTES.md): kaleido 1.x driving
the system Chromium (Debian ``chromium``; ``BROWSER_PATH`` overrides) through one persistent
``kaleido.start_sync_server()`` per export: the first image pays the browser start (2-5 s), the
next ones 0.1-0.5 s.  Images are cached in ``<run>/export/figures/<sha>.<svg|png>`` keyed by the
figure JSON, so PDF and Word exports of one run (and re-exports) draw each chart once.
SVG (vector) goes into the PDF, cached with its styles as presentation attributes (:func:`lean_svg`),
PNG at 2x into Word (Word's SVG support is uneven).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.config import find_browser
from workbench.errors import MissingSystemPackage  # noqa: F401 - re-exported for export.pdf and export

WIDTH_PX = 860
DEFAULT_HEIGHT_PX = 450
PNG_SCALE = 2
# browser tabs drawing charts at once (prefetch). One: measured on the 127 charts of a 36-report
# pack (4 reports a batch, load 3-9), 16.8-19.5 CPU-s of the browser and 22-29 s against 24.7-25.6
# CPU-s and 38-52 s with two tabs (each tab loads plotly.js; two renderers fight for 2 cores)
TABS = 1
CACHE_DIR = Path("export") / "figures"


def figure_key(fig: dict[str, Any]) -> str:
    """Stable cache key of a plotly figure JSON."""
    return hashlib.sha256(json.dumps(fig, sort_keys=True).encode()).hexdigest()[:20]


def _keep_tabs_loaded(kaleido: Any) -> None:
    """Let kaleido draw the next figure in the same loaded tab.

    kaleido 1.x reloads its browser tab after every figure, so plotly.js (4.7 MB) is parsed again
    for each chart: measured 46.0 s for 20 bar charts against 18.2 s without the reload (2 tabs,
    same SVGs but for plotly's random clip-path ids).  plotly's ``toImage`` draws into a detached
    element it removes afterwards, so nothing of one figure stays for the next; after a figure that
    failed or timed out the tab is still reloaded (kaleido returns the tab in a ``finally``, where
    the exception is visible).  Applied only when kaleido has the method this relies on; any other
    kaleido keeps its own behaviour.
    """
    cls = getattr(kaleido, "Kaleido", None)
    original = getattr(cls, "_return_kaleido_tab", None)
    if cls is None or original is None or getattr(original, "_workbench_no_reload", False):
        return

    async def return_tab_without_reload(self: Any, tab: Any) -> None:
        if sys.exc_info()[1] is not None:  # the figure failed or timed out: a fresh tab
            await original(self, tab)
        else:
            await self.tabs_ready.put(tab)

    return_tab_without_reload._workbench_no_reload = True  # type: ignore[attr-defined]
    cls._return_kaleido_tab = return_tab_without_reload


class ChartRenderer:
    """Render plotly figure JSON to SVG/PNG with one kaleido server for many figures."""

    def __init__(self) -> None:
        self._started = False

    def start(self) -> None:
        """Launch the browser now, in the background (kaleido's server thread starts Chromium
        and loads plotly.js, ~5 CPU-s and 3-7 s wall, measured), so the first chart need not
        wait for it; without a call the browser starts with the first chart drawn."""
        self._start()

    def _start(self) -> None:
        if self._started:
            return
        os.environ["BROWSER_PATH"] = find_browser()
        import kaleido

        _keep_tabs_loaded(kaleido)
        kaleido.start_sync_server(n=TABS, silence_warnings=True)
        self._started = True

    def close(self) -> None:
        if self._started:
            import kaleido

            with contextlib.suppress(Exception):
                kaleido.stop_sync_server(silence_warnings=True)
            self._started = False

    def prefetch(self, figures: list[tuple[dict[str, Any], Path]], fmt: str) -> int:
        """Draw every ``(figure JSON, cache folder)`` not cached yet in one batch, ``TABS``
        browser tabs at a time (kaleido's ``write_fig_from_object``); returns how many were
        drawn.  Files are written to a scratch folder first and moved into the cache when
        complete, so an interrupted export never leaves a half-written image behind."""
        todo: dict[Path, dict[str, Any]] = {}
        for fig, cache in figures:
            path = cache / f"{figure_key(fig)}.{fmt}"
            if not path.exists():
                todo.setdefault(path, fig)
        if not todo:
            return 0
        if len(todo) == 1:
            ((path, fig),) = todo.items()
            self.render(fig, fmt, path.parent)
            return 1
        self._start()
        import tempfile

        import kaleido

        with tempfile.TemporaryDirectory(prefix="wb-charts-") as scratch:
            items = []
            for n, fig in enumerate(todo.values()):
                figure, height = _sized(fig)
                opts = {"format": fmt, "width": WIDTH_PX, "height": height}
                opts["scale"] = PNG_SCALE if fmt == "png" else 1
                items.append(
                    {"fig": figure, "path": str(Path(scratch) / f"{n}.{fmt}"), "opts": opts}
                )
            kaleido.write_fig_from_object_sync(items, cancel_on_error=True)
            for n, path in enumerate(todo):
                path.parent.mkdir(parents=True, exist_ok=True)
                drawn = Path(scratch) / f"{n}.{fmt}"
                if fmt == "png":
                    drawn.write_bytes(_opaque_png(drawn.read_bytes()))
                elif fmt == "svg":
                    drawn.write_bytes(lean_svg(drawn.read_bytes()))
                shutil.move(str(drawn), path)
        return len(todo)

    def render(self, fig: dict[str, Any], fmt: str, cache: Path | None = None) -> bytes:
        """The figure as ``fmt`` ("svg" or "png") bytes, from ``cache`` when drawn before."""
        path = cache / f"{figure_key(fig)}.{fmt}" if cache is not None else None
        if path is not None and path.exists():
            return path.read_bytes()
        self._start()
        import warnings

        import plotly.graph_objects as go
        import plotly.io as pio

        figure = go.Figure(fig)
        height = int(figure.layout.height or DEFAULT_HEIGHT_PX)
        figure.update_layout(width=WIDTH_PX, height=height)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = pio.to_image(
                figure,
                format=fmt,
                width=WIDTH_PX,
                height=height,
                scale=PNG_SCALE if fmt == "png" else 1,
                validate=False,
            )
        if fmt == "png":
            data = _opaque_png(data)
        elif fmt == "svg":
            data = lean_svg(data)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_bytes(data)
            tmp.replace(path)
        return data


def _opaque_png(data: bytes) -> bytes:
    """The PNG without its alpha channel (charts have an opaque white paper): WeasyPrint would
    otherwise split every image into colour and a soft mask when it writes the PDF."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        if im.mode == "RGB":
            return data
        canvas = Image.new("RGB", im.size, "white")
        rgba = im.convert("RGBA")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def lean_svg(data: bytes) -> bytes:
    """The SVG with every element's ``style="..."`` written as presentation attributes.

    WeasyPrint parses each element's style attribute with tinycss2 every time it draws the
    chart (a third of drawing a plotly chart, measured); as attributes it reads them as they
    are.  The same declarations, values serialised as WeasyPrint does (tinycss2), in the same
    order of precedence (a style declaration overrides the attribute of the same name; WeasyPrint
    drops names starting with ``-``).  Left as it is: an SVG with a ``<style>`` sheet (its rules
    rank between attributes and style declarations), a style with ``!important``, and anything
    that does not parse."""
    import tinycss2
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return data
    if any(isinstance(el.tag, str) and etree.QName(el).localname == "style" for el in root.iter()):
        return data
    parsed: dict[str, list[tuple[str, str]] | None] = {}  # a chart repeats few styles
    try:
        for el in root.iter():
            style = el.get("style") if isinstance(el.tag, str) else None
            if style is None:
                continue
            if style not in parsed:
                found = [
                    d for d in tinycss2.parse_blocks_contents(style) if d.type == "declaration"
                ]
                parsed[style] = (
                    None  # !important: left to WeasyPrint
                    if any(d.important for d in found)
                    else [
                        (d.lower_name, tinycss2.serialize(d.value).strip())
                        for d in found
                        if not d.name.startswith("-")
                    ]
                )
            decls = parsed[style]
            if decls is not None:
                del el.attrib["style"]
                for name, value in decls:
                    el.set(name, value)
    except ValueError:  # a declaration name that is no XML attribute name
        return data
    return etree.tostring(root)


def _sized(fig: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of the figure JSON at the print width, and its height in px."""
    layout = dict(fig.get("layout") or {})
    height = int(layout.get("height") or DEFAULT_HEIGHT_PX)
    layout.update(width=WIDTH_PX, height=height)
    return {**fig, "layout": layout}, height


def prefetch_reports(charts: ChartRenderer, reports: list[Any], fmt: str) -> int:
    """Draw the charts of all ``reports`` (print-model :class:`~workbench.export.model.Report`)
    missing from their run's cache in one batch before a document is assembled."""
    figures = [
        (f.plotly, r.run_dir / CACHE_DIR)
        for r in reports
        for f in r.figures
        if f.plotly is not None
    ]
    return charts.prefetch(figures, fmt)


@contextlib.contextmanager
def renderer() -> Iterator[ChartRenderer]:
    """A :class:`ChartRenderer` whose browser is stopped on exit."""
    r = ChartRenderer()
    try:
        yield r
    finally:
        r.close()
