"""Maps of NUTS regions, fully offline: geometry, joining, classes, interactive and static maps.

- :mod:`~workbench.maps.geometry`: GISCO NUTS geometry (the shipped SEE extract or the
  ``workbench fetch gisco`` cache), projection, ring orientation, simplification;
- :mod:`~workbench.maps.join`: data to regions, NUTS 2013/2016 codes converted or reported as
  unmatched, never dropped silently;
- :mod:`~workbench.maps.classify`: quantiles, equal intervals, Fisher-Jenks, manual breaks;
- :mod:`~workbench.maps.model`: :class:`RegionMap` (colours, legend, CSV) from :func:`value_map` /
  :func:`category_map`;
- :mod:`~workbench.maps.interactive` (plotly, no base map, no CDN) and :mod:`~workbench.maps.static`
  (matplotlib SVG/PNG): the same classes and legend;
- :mod:`~workbench.maps.sections`: the map cell of each report.

Every map credits "© EuroGeographics for the administrative boundaries".
"""

from workbench.maps.classify import Classes, classify
from workbench.maps.geometry import Geometry, load_geometry
from workbench.maps.join import Joined, join_values
from workbench.maps.model import LegendEntry, RegionMap, category_map, value_map

__all__ = [
    "Classes",
    "Geometry",
    "Joined",
    "LegendEntry",
    "RegionMap",
    "category_map",
    "classify",
    "join_values",
    "load_geometry",
    "value_map",
]
