"""How numbers, names and lists are written inside the key findings of a report.

One rounding rule for every sentence, so that a reader (and a test) can find each number of a
finding in the CSV it comes from after the same rounding: ``f"{value:,.{decimals}f}"`` (Python's
round-half-even on the binary value), shares as per cent (``x 100``), no scientific notation.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any


def num(value: float, decimals: int = 0) -> str:
    """``1234.5 -> '1,234'`` (``decimals`` 0), ``0.6842 -> '0.68'`` (2); ``-0`` is written ``0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    text = f"{float(value):,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def pct(share: float, decimals: int = 0) -> str:
    """A share in [0, 1] as per cent: ``0.3627 -> '36 %'``."""
    return f"{num(100 * float(share), decimals)} %"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``count(1, 'region') -> '1 region'``, ``count(3, 'region') -> '3 regions'``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def join(items: Iterable[str], last: str = "and") -> str:
    """``['a', 'b', 'c'] -> 'a, b and c'``."""
    items = [str(i) for i in items if str(i)]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


AXIS_LABEL_WIDTH = 48  # characters of a category on a chart axis (a longer one squeezes the plot)


def axis_label(text: Any, width: int = AXIS_LABEL_WIDTH) -> str:
    """A category label short enough for a chart axis, cut between words with " …" ("C16
    Manufacture of wood and of products of wood and cork, …"); the full text stays in the table
    and the hover."""
    return textwrap.shorten(str(text), width=width, placeholder=" …")
