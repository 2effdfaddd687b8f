"""Read the maps of a report page in Playwright: per map, its meta, region paths and legend as drawn."""

from __future__ import annotations

from typing import Any

# For every plotly div that is a map (layout.meta.workbench_map): the figure's own record, one
# entry per drawn region path (its location code from the bound data, whether it has a path, its
# fill), the legend texts, the annotation texts and the scattergeo text labels.
MAPS_JS = """
() => Array.from(document.querySelectorAll('.plotly-graph-div'))
  .filter(gd => gd.layout && gd.layout.meta && gd.layout.meta.workbench_map)
  .map(gd => ({
    meta: gd.layout.meta.workbench_map,
    regions: Array.from(gd.querySelectorAll('path.choroplethlocation')).map(el => {
      const d = el.getAttribute('d') || '';
      return {
        region: el.__data__ ? el.__data__.loc : null,
        path: d.length > 10 && d.includes('Z'),
        fill: el.style.fill || el.getAttribute('fill') || '',
      };
    }),
    legend: Array.from(gd.querySelectorAll('g.legend g.traces text.legendtext'))
      .map(e => e.textContent),
    annotations: Array.from(gd.querySelectorAll('g.annotation-text-g text'))
      .map(e => e.textContent),
    labels: Array.from(gd.querySelectorAll('g.geo g.textpoint text')).map(e => e.textContent),
  }))
"""


def read_maps(page: Any) -> list[dict[str, Any]]:
    """The maps on a Playwright page (see ``MAPS_JS``)."""
    return page.evaluate(MAPS_JS)
