"""Joining region data to map geometry without losing a region silently.

Every input code ends in exactly one of these states (the map's note and CSV list all of them):

- ``data``: a region on the map with a value;
- ``converted``: a NUTS 2013/2016 code converted to NUTS 2021 with the JRC matrices
  (:func:`workbench.evidence.nuts.harmonise_to_2021`, ``nuts_from="2016"``); its 2021 regions are
  ``data`` rows;
- ``unmatched``: not a NUTS 2021 code of this level (e.g. a NUTS 2016-only code such as HR04 when
  no ``nuts_from`` was given, a typo, or a code the JRC matrices cannot convert completely); drawn
  nowhere and reported;
- ``outside map``: a valid NUTS 2021 code of a region this map does not draw (another country);
- ``no value``: the region is on the map but its value is missing; drawn as "no data".

Regions on the map without a row are ``no data`` (drawn grey and hatched, in the legend).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ValidationError
from workbench.maps.geometry import Geometry


@dataclass
class Joined:
    """Values per map region plus what could not be drawn, and why."""

    values: pd.Series  # region code (on the map) -> value (NaN = no data)
    unmatched: pd.DataFrame  # code, value, reason
    outside: pd.DataFrame  # code, value
    converted: list[str] = field(default_factory=list)  # old codes converted to NUTS 2021
    nuts_from: str | None = None

    def notes(self) -> list[str]:
        """Sentences for the map's note: unmatched and outside codes, conversions."""
        out = []
        if len(self.unmatched):
            items = "; ".join(f"{r.code} ({r.reason})" for r in self.unmatched.itertuples())
            out.append(f"Not drawn, {len(self.unmatched)} unmatched code(s): {items}.")
        if len(self.outside):
            out.append(
                f"{len(self.outside)} region(s) outside this map: "
                + ", ".join(self.outside["code"].astype(str))
                + "."
            )
        if self.converted:
            out.append(
                f"Converted from NUTS {self.nuts_from} to NUTS 2021 (JRC matrices): "
                + ", ".join(self.converted)
                + "."
            )
        return out


def _old_version_hint(codes: list[str], level: int) -> dict[str, str]:
    """For codes that are NUTS 2013/2016 codes (JRC matrices, when available): a reason."""
    from workbench.evidence.nuts import conversion_table

    hints: dict[str, str] = {}
    for version in ("2016", "2013"):
        try:
            table = conversion_table(version, level=level)
        except (ValidationError, OSError):
            continue
        known = set(table["from_code"])
        for c in codes:
            if c in known and c not in hints:
                hints[c] = (
                    f"a NUTS {version} code, not NUTS 2021; pass nuts_from='{version}' to convert it"
                )
    return hints


def join_values(
    data: pd.DataFrame,
    geometry: Geometry,
    *,
    region: str = "region",
    value: str = "value",
    nuts_from: str | None = None,
    kind: Literal["extensive", "intensive"] = "intensive",
) -> Joined:
    """Join ``data`` (one row per region) to ``geometry``; see the module docstring.

    ``nuts_from`` ("2013"/"2016"): convert older codes to NUTS 2021 first (JRC matrices in
    ``<real data>/classifications``); ``kind``: how a split/merged region's value is computed
    (``intensive``: weighted mean for rates and per-head values; ``extensive``: shares of counts).
    """
    for col in (region, value):
        if col not in data.columns:
            raise ValidationError(f"column {col!r} not found; columns are {list(data.columns)}")
    d = pd.DataFrame(
        {
            "code": data[region].astype(str).str.strip(),
            "value": pd.to_numeric(data[value], errors="coerce"),
        }
    )
    dup = d.loc[d["code"].duplicated(), "code"].unique()
    if len(dup):
        raise ValidationError(
            f"a map needs one value per region; repeated: {', '.join(map(str, dup[:10]))}"
        )
    unmatched: list[dict[str, object]] = []
    converted: list[str] = []
    is_2021 = d["code"].isin(geometry.all_codes) | d["code"].isin(geometry.regions)
    if nuts_from and not is_2021.all():
        from workbench.evidence.nuts import harmonise_to_2021

        old = d[~is_2021]
        h = harmonise_to_2021(
            old.rename(columns={"code": "region"}),
            str(nuts_from),
            region="region",
            value="value",
            keys=[],
            kind=kind,
            level=geometry.level,
            unknown="drop",
        )
        for c in h.attrs.get("unknown", []):
            unmatched.append(
                {
                    "code": c,
                    "value": float(old.loc[old["code"] == c, "value"].iloc[0]),
                    "reason": f"neither NUTS 2021 nor in the JRC NUTS {nuts_from} matrix",
                }
            )
        inc = h.attrs.get("incomplete")
        if inc is not None and len(inc):
            for r in inc.itertuples():
                unmatched.append(
                    {
                        "code": r.region,
                        "value": np.nan,
                        "reason": f"NUTS 2021 region only {r.coverage:.0%} covered by the "
                        f"NUTS {nuts_from} data",
                    }
                )
        converted = sorted(set(old["code"]) - set(h.attrs.get("unknown", [])))
        clash = set(h["region"]) & set(d.loc[is_2021, "code"])
        if clash:
            raise ValidationError(
                f"region(s) both given and converted from NUTS {nuts_from}: {sorted(clash)}"
            )
        d = pd.concat(
            [d[is_2021], h[["region", "value"]].rename(columns={"region": "code"})],
            ignore_index=True,
        )
        is_2021 = pd.Series(True, index=d.index)
    bad = d[~is_2021]
    hints = _old_version_hint(list(bad["code"]), geometry.level) if len(bad) else {}
    for r in bad.itertuples():
        unmatched.append(
            {
                "code": r.code,
                "value": r.value,
                "reason": hints.get(r.code, f"not a NUTS 2021 level {geometry.level} code"),
            }
        )
    good = d[is_2021]
    on_map = good["code"].isin(geometry.regions)
    outside = good[~on_map].reset_index(drop=True)
    values = pd.Series(np.nan, index=pd.Index(geometry.codes(), name="region"), dtype=float)
    values.loc[good.loc[on_map, "code"]] = good.loc[on_map, "value"].to_numpy()
    return Joined(
        values=values,
        unmatched=pd.DataFrame(unmatched, columns=["code", "value", "reason"]),
        outside=outside,
        converted=converted,
        nuts_from=nuts_from,
    )
