"""Check the key findings of a report against its CSV files.

``key_findings_in(html)`` extracts the sentences of the ``<section class="key-findings">`` block;
``unmatched_numbers(sentences, csv_dir)`` lists every number of a sentence that cannot be found in
the report's CSV files after the same rounding (``f"{value:.{decimals}f}"``, with shares also as per
cent and amounts also in thousands or millions).  Numbers inside codes (``HR03``, ``M_N``) are not numbers.  Row counts of the CSVs and counts of
categorical values count as numbers of the table (``"9 gaps"``, ``"for 4 of the 5 peers"``).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

SECTION = re.compile(
    r'<section[^>]*class="key-findings"[^>]*>(.*?)</section>', re.DOTALL | re.IGNORECASE
)
ITEM = re.compile(r"<li[^>]*>(.*?)</li>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
# a number not glued to letters/underscores (HR03, M_N, D01 are codes, not numbers)
NUMBER = re.compile(
    r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w])"
)


def key_findings_in(page: str) -> list[str]:
    """The sentences of the key-findings block of an HTML report ([] when there is none)."""
    m = SECTION.search(page)
    if not m:
        return []
    return [html_lib.unescape(TAG.sub("", i)).strip() for i in ITEM.findall(m.group(1))]


def numbers_in(sentence: str) -> list[str]:
    """The numbers of a sentence as written (``'1,234'``, ``'1.51'``, ``'2015'``)."""
    return NUMBER.findall(sentence)


def table_numbers(csv_dir: Path) -> list[float]:
    """Every numeric cell of every CSV in ``csv_dir`` (absolute values), the row counts and the
    counts of categorical values."""
    values: list[float] = []
    for path in sorted(Path(csv_dir).glob("*.csv")):
        try:
            df = pd.read_csv(path, comment="#")
        except pd.errors.EmptyDataError:  # an empty table: nothing to match
            continue
        values.append(float(len(df)))
        for col in df.columns:
            s = df[col]
            num = pd.to_numeric(s, errors="coerce")
            if num.notna().any():
                values.extend(abs(float(v)) for v in num.dropna())
            if s.dtype == object or s.dtype == bool or str(s.dtype) in ("str", "string"):
                values.extend(float(v) for v in s.astype(str).value_counts())
                for text in s.dropna().astype(str).unique():  # '2014-2020', 'IQR <= 1'
                    values.extend(float(n.replace(",", "")) for n in numbers_in(text))
    return values


def matches(number: str, values: Iterable[float]) -> bool:
    """True when some value rounds to ``number``: as is, x 100 (a share written in %) or in
    thousands / millions (``'837 million EUR'``)."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    target = number.replace(",", "")
    for v in values:
        for scale in (1.0, 100.0, 1e-3, 1e-6):
            if f"{v * scale:.{decimals}f}" == target:
                return True
    return False


def unmatched_numbers(
    sentences: Iterable[str], csv_dir: Path, constants: Iterable[float] = ()
) -> list[tuple[str, str]]:
    """(sentence, number) pairs whose number is in none of the CSVs of ``csv_dir`` nor in
    ``constants`` (thresholds stated from the defaults files)."""
    values = [*table_numbers(csv_dir), *map(float, constants)]
    return [(s, n) for s in sentences for n in numbers_in(s) if not matches(n, values)]
