"""Static charts: kaleido's tab is kept loaded between figures, and a failed figure still gets a
fresh tab (``workbench.export.charts._keep_tabs_loaded``)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from support.testing import require_browser

from workbench.export.charts import ChartRenderer, _keep_tabs_loaded, figure_key


def _bar(i: int) -> dict:
    fig = go.Figure(go.Bar(x=[f"R{j}" for j in range(12)], y=[(j * 7 + i) % 13 for j in range(12)]))
    fig.update_layout(title=f"Chart {i}")
    return fig.to_plotly_json()


def _without_ids(svg: str) -> str:
    """plotly gives every drawing a random id (``defs-<uid>``, ``clip<uid>xy`` ...): the rest
    must be equal."""
    uid = re.search(r'id="defs-([0-9a-f]+)"', svg)
    assert uid, "no plotly defs id in the SVG"
    return svg.replace(uid.group(1), "UID")


@pytest.mark.browser
def test_figures_drawn_in_one_tab_equal_figures_drawn_alone(tmp_path: Path) -> None:
    require_browser()
    import kaleido

    figures = [_bar(i) for i in range(5)]
    renderer = ChartRenderer()
    try:
        drawn = renderer.prefetch([(f, tmp_path / "batch") for f in figures], "svg")
        assert drawn == 5
        assert getattr(kaleido.Kaleido._return_kaleido_tab, "_workbench_no_reload", False)
        # each figure alone, in a fresh tab of its own (kaleido's one-figure call, reload kept)
        for fig in figures:
            batch = tmp_path / "batch" / f"{figure_key(fig)}.svg"
            alone = renderer.render(fig, "svg", None).decode()
            assert _without_ids(batch.read_text()) == _without_ids(alone)
    finally:
        renderer.close()


def test_a_failed_figure_still_gets_a_fresh_tab() -> None:
    """The tab is returned without reload after a good figure and with kaleido's own reload after
    a failed one (kaleido returns the tab in a ``finally``; a stand-in class records the calls)."""

    class StandIn:
        reloads = 0

        def __init__(self) -> None:
            self.tabs_ready: asyncio.Queue[str] = asyncio.Queue()

        async def _return_kaleido_tab(self, tab: str) -> None:
            StandIn.reloads += 1
            await self.tabs_ready.put(tab)

        async def draw(self, fail: bool) -> None:
            try:
                if fail:
                    raise TimeoutError("figure took too long")
            finally:
                await self._return_kaleido_tab("tab")

    _keep_tabs_loaded(SimpleNamespace(Kaleido=StandIn))
    _keep_tabs_loaded(SimpleNamespace(Kaleido=StandIn))  # applied once, not wrapped twice

    async def scenario() -> tuple[int, int, int]:
        k = StandIn()
        await k.draw(fail=False)
        after_good = StandIn.reloads
        with pytest.raises(TimeoutError):
            await k.draw(fail=True)
        return after_good, StandIn.reloads, k.tabs_ready.qsize()

    after_good, after_failed, tabs = asyncio.run(scenario())
    assert (after_good, after_failed, tabs) == (0, 1, 2)
