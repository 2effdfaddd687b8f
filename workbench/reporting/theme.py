"""The project's plotly house style and the text alternative of every chart.

* :data:`TEMPLATE_NAME` (``workbench``): one look for every report and dashboard chart - white
  background, readable font sizes, left-aligned titles with room above the plot, and the Okabe-Ito
  palette (Okabe & Ito 2008, "Color Universal Design"), which stays distinguishable for the common
  colour-vision deficiencies.  Sequential scales are ``cividis`` (perceptually uniform and readable
  with deuteranopia), diverging scales blue-orange (no red/green).  Registered and made the default
  by :func:`use_house_style` (called by ``start_report`` and dashboards).
* :func:`describe_figure`: a one-paragraph text alternative of a figure (chart type, axes, number of
  points, highest and lowest values) used as the ``<figcaption>`` of a report chart.
* :func:`wrap_title`: long titles broken into lines so that they are not cut at the plot's edge.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

TEMPLATE_NAME = "workbench"
#: Okabe-Ito colour-blind-safe palette (blue first; black last)
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
#: sequential scale for counts and magnitudes (starts light at zero)
SEQUENTIAL = "cividis"
#: diverging scale (negative blue, positive orange: no red/green)
DIVERGING = [[0.0, "#0072B2"], [0.5, "#f7f7f7"], [1.0, "#D55E00"]]
#: meaning colours that do not rely on red/green: good / neutral / bad
GOOD, NEUTRAL, BAD = "#0072B2", "#999999", "#D55E00"
TITLE_WIDTH = 70  # characters per title line before it is wrapped


def house_template() -> Any:
    """The ``workbench`` plotly template (a ``plotly.graph_objects.layout.Template``)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    base = pio.templates["plotly_white"]
    template = go.layout.Template(base)
    template.layout.update(
        colorway=list(PALETTE),
        font={"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#222222"},
        title={"x": 0.0, "xanchor": "left", "font": {"size": 16}},
        margin={"t": 80, "l": 60, "r": 30, "b": 60},
        colorscale={
            "sequential": SEQUENTIAL,
            "sequentialminus": SEQUENTIAL,
            "diverging": DIVERGING,
        },
        legend={"title": {"font": {"size": 12}}, "font": {"size": 12}},
        hoverlabel={"font": {"size": 12}},
        xaxis={"automargin": True, "title": {"standoff": 8}},
        yaxis={"automargin": True, "title": {"standoff": 8}},
    )
    template.data.heatmap = [go.Heatmap(colorscale=SEQUENTIAL)]
    template.data.histogram2d = [go.Histogram2d(colorscale=SEQUENTIAL)]
    template.data.contour = [go.Contour(colorscale=SEQUENTIAL)]
    return template


def use_house_style() -> str:
    """Register the ``workbench`` template and make it plotly's default; returns the template name."""
    import plotly.io as pio

    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = house_template()
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME


def wrap_title(text: str, width: int = TITLE_WIDTH) -> str:
    """Break a long chart title into ``<br>``-separated lines (plotly does not wrap titles)."""
    if not text or "<br" in text or len(text) <= width:
        return text
    return "<br>".join(textwrap.wrap(text, width=width, break_long_words=False))


# ----------------------------------------------------------------------------- description
_TYPE_NAMES = {
    "bar": "Bar chart",
    "scatter": "Chart",
    "scattergl": "Chart",
    "heatmap": "Heat map",
    "box": "Box plot",
    "histogram": "Histogram",
    "pie": "Pie chart",
    "choropleth": "Map",
    "choroplethmap": "Map",
    "choroplethmapbox": "Map",
    "scattergeo": "Map",
    "waterfall": "Waterfall chart",
    "funnel": "Funnel chart",
    "table": "Table",
}


def _plain(text: Any) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", str(text or "")).replace("  ", " ").strip()


def _title(layout: dict[str, Any]) -> str:
    title = layout.get("title")
    if isinstance(title, dict):
        return _plain(title.get("text"))
    return _plain(title)


def _axis_title(layout: dict[str, Any], key: str) -> str:
    axis = layout.get(key) or {}
    title = axis.get("title") if isinstance(axis, dict) else None
    if isinstance(title, dict):
        return _plain(title.get("text"))
    return _plain(title)


def _values(seq: Any) -> list[Any]:
    if seq is None:
        return []
    if isinstance(seq, dict) and "bdata" in seq:  # plotly's base64 typed arrays
        import base64

        import numpy as np

        arr = np.frombuffer(base64.b64decode(seq["bdata"]), dtype=seq.get("dtype", "f8"))
        if "shape" in seq:
            shape = [int(s) for s in str(seq["shape"]).split(",")]
            arr = arr.reshape(shape)
        return arr.tolist()
    if isinstance(seq, str | bytes):
        return [seq]
    try:
        return list(seq)
    except TypeError:
        return [seq]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fmt(value: float) -> str:
    from workbench.reporting.tables import decimals_for, format_number

    return format_number(value, decimals_for([value]))


def trace_points(trace: dict[str, Any]) -> int:
    """Number of data points a trace draws (0 = nothing to see)."""
    kind = trace.get("type", "scatter")
    if kind in {"heatmap", "contour", "surface"}:
        z = _values(trace.get("z"))
        return sum(len(_values(row)) if isinstance(row, list | tuple) else 1 for row in z)
    if kind in {"pie"}:
        return len(_values(trace.get("values")))
    if kind.startswith("choropleth"):
        return len(_values(trace.get("locations")))
    if kind == "sankey":  # flows are the data (nodes alone draw nothing)
        return len(_values((trace.get("link") or {}).get("value")))
    for key in ("y", "x", "r", "lat", "values", "z"):
        values = _values(trace.get(key))
        if values:
            return len(values)
    return 0


def is_empty_figure(fig_dict: dict[str, Any]) -> bool:
    """True when no trace has a data point (the chart would be an empty frame)."""
    return sum(trace_points(t) for t in fig_dict.get("data") or []) == 0


def _extremes(trace: dict[str, Any], horizontal: bool) -> tuple[str, str] | None:
    value_key, label_key = ("x", "y") if horizontal else ("y", "x")
    values = [_num(v) for v in _values(trace.get(value_key))]
    labels = _values(trace.get(label_key))
    if trace.get("type", "scatter") != "bar" or all(_num(v) is not None for v in labels):
        # points: name them by their hover text / text label, not by a number on the other axis
        named = _values(trace.get("hovertext")) or _values(trace.get("text"))
        labels = named if any(str(v).strip() for v in named) else []
    pairs: list[tuple[float, Any]] = [
        (v, labels[i] if i < len(labels) else None) for i, v in enumerate(values) if v is not None
    ]
    if len(pairs) < 2:
        return None
    hi = max(pairs, key=lambda p: p[0])
    lo = min(pairs, key=lambda p: p[0])

    def say(p: tuple[float, Any]) -> str:
        return f"{_fmt(p[0])} ({_plain(p[1])})" if p[1] is not None else _fmt(p[0])

    return say(hi), say(lo)


def describe_figure(fig_dict: dict[str, Any], unit: str | None = None) -> str:
    """A text alternative of a plotly figure dict: what kind of chart, its axes, how many points,
    the highest and lowest value of the first series, and the unit."""
    layout = fig_dict.get("layout") or {}
    traces = [
        t
        for t in fig_dict.get("data") or []
        if trace_points(t) > 0 and t.get("hoverinfo") != "skip"  # not connector lines
    ]
    title = _title(layout) or "Chart"
    if not traces:
        return f"{title}: no data to show."
    kinds = sorted({t.get("type", "scatter") for t in traces})
    kind_name = _TYPE_NAMES.get(kinds[0], "Chart") if len(kinds) == 1 else "Chart"
    parts = [f"{kind_name}: {title}."]
    x_title, y_title = _axis_title(layout, "xaxis"), _axis_title(layout, "yaxis")
    if x_title or y_title:
        axes = []
        if x_title:
            axes.append(f"horizontal axis {x_title}")
        if y_title:
            axes.append(f"vertical axis {y_title}")
        parts.append(" and ".join(axes)[:1].upper() + " and ".join(axes)[1:] + ".")
    points = sum(trace_points(t) for t in traces)
    names = [_plain(t.get("name")) for t in traces if t.get("name")]
    series = f"{len(traces)} series" + (f" ({', '.join(names[:6])})" if names else "")
    parts.append(f"{points:,} data points in {series}.")
    first = traces[0]
    dates = any(
        (layout.get(k) or {}).get("type") == "date" for k in ("xaxis", "yaxis") if k in layout
    )
    if first.get("base") is not None or dates:
        pass  # time spans (timeline bars): the extremes of durations say nothing
    elif first.get("type", "scatter") in {"bar", "scatter", "scattergl", "waterfall"}:
        ext = _extremes(first, first.get("orientation") == "h")
        if ext:
            parts.append(f"Highest value {ext[0]}, lowest {ext[1]}.")
    elif first.get("type") == "heatmap":
        cells = [
            _num(v)
            for row in _values(first.get("z"))
            for v in (_values(row) if isinstance(row, list | tuple) else [row])
        ]
        flat = [v for v in cells if v is not None]
        if flat:
            parts.append(f"Values from {_fmt(min(flat))} to {_fmt(max(flat))}.")
    if unit:
        parts.append(f"Unit: {unit}.")
    return " ".join(parts)


def label_points(fig: Any, labels: Sequence[str] | None = None, max_labels: int = 25) -> Any:
    """Show each scatter point's label (``text``) next to it, so the chart can be read on paper."""
    for trace in fig.data:
        if getattr(trace, "type", None) != "scatter":
            continue
        text = labels if labels is not None else trace.text
        n = len(trace.x) if trace.x is not None else 0
        if text is None or n == 0 or n > max_labels:
            continue
        mode = trace.mode or "markers"
        if "text" not in mode:
            trace.update(mode=mode + "+text", text=text, textposition="top center")
    return fig
