"""A region map as data: which colour and legend entry each region gets, and the CSV behind it.

:class:`RegionMap` is what both renderers draw (:mod:`workbench.maps.interactive` for plotly,
:mod:`workbench.maps.static` for SVG/PNG), so classes, colours and legend are the same in both, and
:meth:`RegionMap.table` (the CSV) carries the same class bounds.

Builders:

- :func:`value_map`: a numeric value per region, classified (:mod:`workbench.maps.classify`);
- :func:`category_map`: a category per region (e.g. region / peer / other; treated / comparison).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.maps.classify import Classes, classify
from workbench.maps.geometry import Geometry, load_geometry
from workbench.maps.join import Joined, join_values
from workbench.maps.settings import attribution, no_nuts_economies, no_nuts_label

STATUS_DATA = "data"
STATUS_NO_DATA = "no data"


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry: label, fill colour, hatch ("" = none), class bounds (value maps)."""

    label: str
    colour: str
    hatch: str = ""
    lower: float | None = None
    upper: float | None = None
    kind: Literal["class", "category", "no data", "no NUTS"] = "class"


@dataclass
class RegionMap:
    """Everything needed to draw one map and write its CSV."""

    title: str
    geometry: Geometry
    rows: pd.DataFrame  # region, name, country, value, class, class_index, status, colour, hatch
    legend: list[LegendEntry]
    value_label: str = "value"
    unit: str = ""
    classes: Classes | None = None
    joined: Joined | None = None
    focus: list[str] = field(default_factory=list)  # regions drawn with a thick outline
    notes: list[str] = field(default_factory=list)
    attribution: str = field(default_factory=attribution)

    # ------------------------------------------------------------------ facts
    def regions_with_data(self) -> list[str]:
        return list(self.rows.loc[self.rows["status"] == STATUS_DATA, "region"])

    def regions_without_data(self) -> list[str]:
        return list(self.rows.loc[self.rows["status"] == STATUS_NO_DATA, "region"])

    def small_regions(self) -> dict[str, tuple[float, float]]:
        """Capital regions on this map with their label offsets in pixels (``maps.yml``)."""
        cfg = load_defaults("maps")["small_regions"] or {}
        return {c: (float(o[0]), float(o[1])) for c, o in cfg.items() if c in self.geometry.regions}

    def small_region_text(self, code: str) -> str:
        """``"CODE Name: value"`` (or class / "no data") for labels and hover texts."""
        by_code: dict[str, dict[str, Any]] | None = getattr(self, "_by_code", None)
        if by_code is None or len(by_code) != len(self.rows):
            by_code = {str(r["region"]): r for r in self.rows.to_dict("records")}
            self._by_code = by_code
        r = by_code[code]
        if r["status"] != STATUS_DATA:
            return f"{code} {r['name']}: no data"
        if self.classes is None:
            return f"{code} {r['name']}: {r['class']}"
        return f"{code} {r['name']}: {_fmt(r['value'])}"

    def note(self) -> str:
        """The sentences under the map (unmatched codes, conversions, notes)."""
        return " ".join(self.notes)

    def caption(self) -> str:
        """A one-paragraph description of the map for the report (and screen readers)."""
        n_data, n_none = len(self.regions_with_data()), len(self.regions_without_data())
        how = f" Classes: {self.classes.describe()}." if self.classes else ""
        unit = f" ({self.unit})" if self.unit else ""
        return (
            f"Map of {self.value_label}{unit} by NUTS {self.geometry.year} level "
            f"{self.geometry.level} region: {n_data} regions with data, {n_none} without (grey, "
            f"hatched).{how} Economies without NUTS regions: "
            f"{', '.join(no_nuts_economies())}. {self.note()}".strip()
        )

    # ------------------------------------------------------------------ CSV
    def table(self) -> pd.DataFrame:
        """The CSV: every map region (region, name, value, class, bounds, status), then unmatched
        and outside codes and the economies without NUTS regions, so nothing is lost silently."""
        cols = [
            "region",
            "name",
            "country",
            "value",
            "class",
            "class_lower",
            "class_upper",
            "status",
        ]
        if self.classes is None:
            cols = ["region", "name", "country", "class", "status"]
        t = self.rows[cols].copy()
        extra = []
        if self.joined is not None:
            for r in self.joined.unmatched.itertuples():
                extra.append(
                    {"region": r.code, "value": r.value, "status": f"unmatched: {r.reason}"}
                )
            for r in self.joined.outside.itertuples():
                extra.append({"region": r.code, "value": r.value, "status": "outside map"})
        for code, name in no_nuts_economies().items():
            extra.append({"region": code, "name": name, "status": "no NUTS regions"})
        if extra:
            ex = pd.DataFrame(extra).reindex(columns=t.columns).astype(object)
            ex["country"] = ex["country"].fillna(ex["region"].astype(str).str[:2])
            t = pd.concat([t.astype(object), ex.astype(object)], ignore_index=True)
        if self.classes is None:
            return t.rename(
                columns={"class": self.value_label if self.value_label not in cols else "group"}
            )
        label = re.sub(r"[^A-Za-z0-9]+", "_", self.value_label).strip("_") or "value"
        return t.rename(columns={"value": label if label not in cols else "value"})


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "no data"
    a = abs(float(v))
    d = 0 if a >= 100 else (1 if a >= 10 else (2 if a >= 0.1 else 4))
    return f"{float(v):,.{d}f}"


def _base_rows(geometry: Geometry) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": geometry.codes(),
            "name": [geometry.regions[c].name for c in geometry.codes()],
            "country": [geometry.regions[c].country for c in geometry.codes()],
        }
    )


def _no_data_entry() -> LegendEntry:
    nd = load_defaults("maps")["no_data"]
    return LegendEntry(str(nd["label"]), str(nd["colour"]), str(nd["hatch"]), kind="no data")


def _no_nuts_entry() -> LegendEntry:
    return LegendEntry(no_nuts_label(), "#ffffff", "", kind="no NUTS")


def value_map(
    data: pd.DataFrame,
    *,
    title: str,
    value_label: str,
    unit: str = "",
    region: str = "region",
    value: str = "value",
    method: str | None = None,
    k: int | None = None,
    breaks: Sequence[float] | None = None,
    nuts_from: str | None = None,
    kind: Literal["extensive", "intensive"] = "intensive",
    focus: Sequence[str] = (),
    geometry: Geometry | None = None,
    notes: Sequence[str] = (),
) -> RegionMap:
    """A classified map of one value per region (``data``: columns ``region``, ``value``).

    Codes are joined with :func:`workbench.maps.join.join_values` (unmatched and outside codes are
    reported, never dropped silently); regions without a value are "no data".
    """
    geometry = geometry or load_geometry()
    joined = join_values(data, geometry, region=region, value=value, nuts_from=nuts_from, kind=kind)
    vals = joined.values
    if vals.notna().sum() == 0:
        raise ValidationError(
            f"map {title!r}: no region of the map has a value "
            f"({len(joined.unmatched)} unmatched, {len(joined.outside)} outside the map)"
        )
    classes = classify(vals.to_numpy(), method=method, k=k, breaks=breaks)
    palette = _palette(classes.k)
    rows = _base_rows(geometry)
    rows["value"] = vals.reindex(rows["region"]).to_numpy()
    idx = classes.assign(rows["value"].to_numpy())
    has = idx >= 0
    bounds = classes.bounds()
    rows["class_index"] = idx
    rows["class"] = [classes.labels[i] if i >= 0 else STATUS_NO_DATA for i in idx]
    rows["class_lower"] = [bounds[i][0] if i >= 0 else np.nan for i in idx]
    rows["class_upper"] = [bounds[i][1] if i >= 0 else np.nan for i in idx]
    rows["status"] = np.where(has, STATUS_DATA, STATUS_NO_DATA)
    nd = _no_data_entry()
    rows["colour"] = [palette[i] if i >= 0 else nd.colour for i in idx]
    rows["hatch"] = ["" if i >= 0 else nd.hatch for i in idx]
    legend = [
        LegendEntry(lab, palette[i], "", lo, hi, "class")
        for i, (lab, (lo, hi)) in enumerate(zip(classes.labels, bounds, strict=True))
    ]
    if (~has).any():
        legend.append(nd)
    legend.append(_no_nuts_entry())
    return RegionMap(
        title=title,
        geometry=geometry,
        rows=rows,
        legend=legend,
        value_label=value_label,
        unit=unit,
        classes=classes,
        joined=joined,
        focus=[c for c in focus if c in geometry.regions],
        notes=[*notes, *joined.notes()],
    )


def category_map(
    categories: Mapping[str, Sequence[str]],
    *,
    title: str,
    colours: Mapping[str, str],
    other_label: str = "other regions",
    other_colour: str | None = None,
    other_hatch: str = "",
    value_label: str = "group",
    focus: Sequence[str] = (),
    geometry: Geometry | None = None,
    notes: Sequence[str] = (),
) -> RegionMap:
    """A map of groups of regions (label -> region codes, drawn in ``colours[label]``); every other
    region on the map is ``other_label``.  Codes not on the map are reported in the note and CSV."""
    geometry = geometry or load_geometry()
    rows = _base_rows(geometry)
    assigned: dict[str, str] = {}
    listed = []
    for label, codes in categories.items():
        if label not in colours:
            raise ValidationError(f"no colour for category {label!r}")
        for c in codes:
            if c in assigned:
                raise ValidationError(f"region {c} is in two groups: {assigned[c]!r}, {label!r}")
            assigned[c] = label
            listed.append({"region": c, "value": label})
    joined = join_values(
        pd.DataFrame(listed, columns=["region", "value"]).assign(value=np.nan), geometry
    )
    other = other_colour or load_defaults("maps")["highlight"]["other"]
    rows["value"] = np.nan
    rows["class"] = [assigned.get(c, other_label) for c in rows["region"]]
    rows["class_index"] = -1
    rows["class_lower"] = np.nan
    rows["class_upper"] = np.nan
    rows["status"] = [
        STATUS_DATA if (c in assigned or not other_hatch) else STATUS_NO_DATA
        for c in rows["region"]
    ]
    rows["colour"] = [colours.get(assigned.get(c, ""), other) for c in rows["region"]]
    rows["hatch"] = ["" if c in assigned else other_hatch for c in rows["region"]]
    legend = [
        LegendEntry(label, colours[label], kind="category")
        for label in categories
        if any(assigned.get(c) == label for c in rows["region"])
    ]
    if any(c not in assigned for c in rows["region"]):
        legend.append(
            LegendEntry(
                other_label, other, other_hatch, kind="no data" if other_hatch else "category"
            )
        )
    legend.append(_no_nuts_entry())
    joined.values = joined.values.iloc[0:0]
    return RegionMap(
        title=title,
        geometry=geometry,
        rows=rows,
        legend=legend,
        value_label=value_label,
        joined=joined,
        focus=[c for c in focus if c in geometry.regions],
        notes=[*notes, *joined.notes()],
    )


def _palette(k: int) -> list[str]:
    """k colours spread over the ``maps.yml`` palette (light = low)."""
    pal = list(load_defaults("maps")["palette"])
    if k > len(pal):
        raise ValidationError(f"{k} classes but only {len(pal)} colours in maps.yml palette")
    if k == 1:
        return [pal[len(pal) // 2]]
    pos = np.round(np.linspace(0, len(pal) - 1, k)).astype(int)
    return [pal[i] for i in pos]
