"""Classes of a map: quantiles, equal intervals, Fisher-Jenks natural breaks, manual breaks.

The same :class:`Classes` object colours the interactive map, the static image and the CSV, so the
breaks are identical everywhere.  Conventions follow mapclassify (Rey et al., PySAL), against which
the tests check these functions: ``breaks`` are the classes' upper bounds, the last one the maximum;
a value y is in class i when ``breaks[i-1] < y <= breaks[i]`` (class 0: ``y <= breaks[0]``).

- quantiles: ``breaks = unique(percentile(y, 100 i / k))``, i = 1..k (linear interpolation);
- equal interval: ``breaks = min + (max - min) i / k``, the last one set to max;
- Fisher-Jenks: the partition of the sorted values into k groups of consecutive values with the
  least total sum of squared deviations from the group means (Fisher 1958; Jenks 1977), exact, by
  dynamic programming; breaks = each group's largest value;
- manual: the given upper bounds, plus the maximum when data lie above the last one.

mapclassify itself is not imported at run time: it imports scipy.stats and scikit-learn (~5-8 s per
report kernel on this machine) for four short formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from workbench.config import load_defaults
from workbench.errors import ValidationError

Method = Literal["quantiles", "equal_interval", "fisher_jenks", "manual"]
METHODS: tuple[str, ...] = ("quantiles", "equal_interval", "fisher_jenks", "manual")
METHOD_NAMES = {
    "quantiles": "quantiles",
    "equal_interval": "equal intervals",
    "fisher_jenks": "Fisher-Jenks natural breaks",
    "manual": "manual breaks",
}


@dataclass(frozen=True)
class Classes:
    """Classes of a value: method, lower bound (the minimum), upper bounds, legend labels."""

    method: str
    lower: float
    breaks: tuple[float, ...]
    labels: tuple[str, ...]

    @property
    def k(self) -> int:
        return len(self.breaks)

    def bounds(self) -> list[tuple[float, float]]:
        """(lower, upper) of each class; class 0 starts at the minimum."""
        lows = [self.lower, *self.breaks[:-1]]
        return list(zip(lows, self.breaks, strict=True))

    def assign(self, values: Sequence[float] | np.ndarray) -> np.ndarray:
        """Class index of each value (-1 for missing values)."""
        y = np.asarray(values, dtype=float)
        idx = np.searchsorted(np.asarray(self.breaks), y, side="left")
        idx = np.minimum(idx, self.k - 1)
        return np.where(np.isnan(y), -1, idx)

    def describe(self) -> str:
        return f"{METHOD_NAMES.get(self.method, self.method)}, {self.k} classes"


def quantile_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of k quantile classes (duplicates merged)."""
    q = np.arange(1, k + 1) * 100.0 / k
    q[-1] = 100.0
    return np.unique(np.percentile(y, q))


def equal_interval_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of k classes of equal width between min and max."""
    lo, hi = float(y.min()), float(y.max())
    if hi == lo:
        return np.array([hi])
    b = lo + (hi - lo) * np.arange(1, k + 1) / k
    b[-1] = hi
    return b


def fisher_jenks_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of the optimal k-class partition (least within-class sum of squares)."""
    x = np.sort(np.asarray(y, dtype=float))
    n = len(x)
    k = min(k, len(np.unique(x)))
    if k <= 1:
        return np.array([x[-1]])
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(i: np.ndarray, j: int) -> np.ndarray:  # x[i..j] inclusive, vectorised over i
        m = j - i + 1
        s = c1[j + 1] - c1[i]
        return (c2[j + 1] - c2[i]) - s * s / m

    cost = np.full((k, n), np.inf)
    back = np.zeros((k, n), dtype=int)
    cost[0] = [ssd(np.array([0]), j)[0] for j in range(n)]
    for c in range(1, k):
        for j in range(c, n):
            i = np.arange(c, j + 1)  # first index of the last class
            total = cost[c - 1, i - 1] + ssd(i, j)
            best = int(np.argmin(total))
            cost[c, j] = total[best]
            back[c, j] = i[best]
    ends = []
    j = n - 1
    for c in range(k - 1, 0, -1):
        i = back[c, j]
        ends.append(i - 1)
        j = i - 1
    return np.array([x[e] for e in reversed(ends)] + [x[-1]])


def format_number(v: float, decimals: int) -> str:
    """A number for a legend: thousands separators, fixed decimals, no "-0"."""
    s = f"{v:,.{decimals}f}"
    return "0" if s.strip("-0.,") == "" else s


def _decimals(values: Sequence[float]) -> int:
    """Fewest decimals (0-6) that show the smallest non-zero value with 2 significant digits and
    keep distinct values distinct."""
    vals = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    nonzero = np.abs(vals[vals != 0])
    if not len(nonzero):
        return 0
    d = max(0, min(6, 1 - int(np.floor(np.log10(float(nonzero.min()))))))
    while d < 6 and len({round(v, d) for v in vals}) < len(set(vals.tolist())):
        d += 1
    return d


def class_labels(lower: float, breaks: Sequence[float]) -> tuple[str, ...]:
    """Legend labels ``"lower – upper"`` with one number format for every class."""
    d = _decimals(list(breaks))
    lows = [lower, *breaks[:-1]]
    return tuple(
        f"{format_number(lo, d)} – {format_number(hi, d)}"
        for lo, hi in zip(lows, breaks, strict=True)
    )


def classify(
    values: Sequence[float] | np.ndarray,
    method: str | None = None,
    k: int | None = None,
    breaks: Sequence[float] | None = None,
) -> Classes:
    """Classes of ``values`` (missing values ignored) by ``method`` (default ``maps.yml``)."""

    cfg = load_defaults("maps")["classification"]
    if breaks is not None and method is None:
        method = "manual"
    method = method or str(cfg["method"])
    k = int(k if k is not None else cfg["k"])
    if method not in METHODS:
        raise ValidationError(f"classification must be one of {METHODS}, not {method!r}")
    if k < 1 or k > len(load_defaults("maps")["palette"]):
        raise ValidationError(
            f"number of classes must be 1-{len(load_defaults('maps')['palette'])}, not {k}"
        )
    y = np.asarray(values, dtype=float)
    y = y[~np.isnan(y)]
    if not len(y):
        raise ValidationError("no values to classify: every region lacks data")
    if method == "manual":
        if not breaks:
            raise ValidationError("manual classification needs breaks (the classes' upper bounds)")
        b = np.asarray(sorted(float(v) for v in breaks))
        if len(set(b.tolist())) != len(b):
            raise ValidationError(f"manual breaks repeat a value: {list(breaks)}")
        if y.max() > b[-1]:
            b = np.append(b, y.max())
        if len(b) > len(load_defaults("maps")["palette"]):
            raise ValidationError(f"too many manual classes ({len(b)}) for the palette")
    elif method == "quantiles":
        b = quantile_breaks(y, k)
    elif method == "equal_interval":
        b = equal_interval_breaks(y, k)
    else:
        b = fisher_jenks_breaks(y, k)
    lower = float(min(y.min(), b[0]))
    bt = tuple(float(v) for v in b)
    return Classes(method=method, lower=lower, breaks=bt, labels=class_labels(lower, bt))
