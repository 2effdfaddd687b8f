"""Static map (SVG / PNG) with matplotlib: same classes, colours, legend and notes as the
interactive map, for the PDF / Word export.  Pure Python (Agg / SVG backends), no browser.

SVG text is kept as ``<text>`` (``svg.fonttype = "none"``), so the legend labels can be read from the
file (tests compare them with the CSV), and the legend entries also go into the SVG's metadata
(``dc:description``, JSON).
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

from workbench.config import load_defaults
from workbench.maps.interactive import map_meta
from workbench.maps.model import RegionMap


def to_matplotlib(m: RegionMap, *, width_in: float = 8.0) -> Any:
    """A matplotlib Figure of the map (not shown; save it with :func:`save_static`)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MPath

    cfg = load_defaults("maps")
    g = m.geometry
    note = textwrap.wrap(m.note(), 110) if m.note() else []
    fig = Figure(figsize=(width_in, width_in * 0.78 + 0.16 * len(note)))
    ax = fig.add_axes((0.01, 0.06 + 0.02 * len(note), 0.66, 0.86))
    ax.set_aspect("equal")
    ax.set_axis_off()
    focus = set(m.focus)
    for rec in m.rows.to_dict("records"):
        verts, codes = [], []
        for poly in g.projected(rec["region"]):
            for ring in poly:
                verts.extend(ring.tolist())
                codes.extend([MPath.MOVETO] + [MPath.LINETO] * (len(ring) - 2) + [MPath.CLOSEPOLY])
        patch = PathPatch(
            MPath(verts, codes),
            facecolor=rec["colour"],
            edgecolor="#000000" if rec["region"] in focus else cfg["border_colour"],
            linewidth=1.6 if rec["region"] in focus else 0.4,
            hatch=(rec["hatch"] * 3) if rec["hatch"] else None,
            zorder=3 if rec["region"] in focus else 1,
        )
        ax.add_patch(patch)
    for c in sorted(g.countries):
        for poly in g.projected(f"country:{c}"):
            for ring in poly:
                ax.plot(
                    ring[:, 0], ring[:, 1], color=cfg["country_border_colour"], lw=0.6, zorder=2
                )
    ax.autoscale_view()
    for code, (dx, dy) in m.small_regions().items():
        x, y = g.label_xy(code)
        ax.annotate(
            m.small_region_text(code),
            xy=(x, y),
            xytext=(dx * 0.75, -dy * 0.75),  # plotly pixels (y down) -> points (y up)
            textcoords="offset points",
            fontsize=6.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#999999", "lw": 0.5},
            arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.6},
            zorder=5,
        )
    handles = [
        Patch(
            facecolor=e.colour,
            edgecolor="#969696",
            hatch=(e.hatch * 3) if e.hatch else None,
            linestyle=":" if e.kind == "no NUTS" else "-",
            label="\n".join(textwrap.wrap(e.label, 30)) if e.kind == "no NUTS" else e.label,
        )
        for e in m.legend
    ]
    title = m.value_label + (f" ({m.unit})" if m.unit else "")
    if m.classes is not None:
        title += f"\n{m.classes.describe()}"
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.68, 0.9),
        fontsize=7.5,
        title=title,
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )
    fig.suptitle("\n".join(textwrap.wrap(m.title, 80)), fontsize=10.5, x=0.02, ha="left")
    fig.text(
        0.01, 0.01, "\n".join([*note, m.attribution]), fontsize=6.5, color="#444444", va="bottom"
    )
    return fig


def legend_labels(fig: Any) -> list[str]:
    """The legend texts of a figure made by :func:`to_matplotlib`."""
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def save_static(m: RegionMap, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write the map as SVG or PNG (by suffix); the legend goes into the metadata as JSON."""
    import matplotlib

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ValueError(f"static map format must be .svg or .png, not {path.suffix!r}")
    fig = to_matplotlib(m)
    meta = json.dumps(map_meta(m), ensure_ascii=False, default=float)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "workbench"}):
        if fmt == "svg":
            fig.savefig(
                path, format="svg", metadata={"Title": m.title, "Description": meta, "Date": None}
            )
        else:
            fig.savefig(
                path, format="png", dpi=dpi, metadata={"Title": m.title, "Description": meta}
            )
    return path
