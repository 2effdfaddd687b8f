"""Value parsers of the cohesion-policy files (numbers, amounts with currency, dates, padded text).

Each raises :class:`Bad` with the rule the value broke; the row loop turns it into an ``import_issues``
row naming file, line/row, column and value.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

_NUM_EU = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")
_HR_AMOUNT = re.compile(r"^\s*(?P<num>-?[\d.]+(?:,\d+)?)\s*(?P<cur>kn|HRK|€|EUR)\s*$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
CURRENCY_LABELS = {"kn": "HRK", "HRK": "HRK", "€": "EUR", "EUR": "EUR"}


class Bad(ValueError):
    """A value that cannot be parsed; the message is the rule broken."""


def parse_eu_number(text: str) -> float:
    """``"5.172.338,50"`` -> 5172338.5 (dot thousands separator, comma decimal)."""
    t = text.strip()
    if not _NUM_EU.match(t):
        raise Bad("expected a number like 1.234.567,89 (dot thousands, comma decimal)")
    return float(t.replace(".", "").replace(",", "."))


def parse_hr_amount(text: str) -> tuple[float, str]:
    """``"5.172.338,50 kn"`` -> (5172338.5, 'HRK'); ``"861.610,28 €"`` -> (861610.28, 'EUR')."""
    m = _HR_AMOUNT.match(text or "")
    if not m:
        raise Bad("expected an amount like '5.172.338,50 kn' or '861.610,28 €'")
    return parse_eu_number(m["num"]), CURRENCY_LABELS[m["cur"]]


def parse_plain_number(text: str) -> float:
    """``"155173299.31"`` -> float (plain decimal point, no thousands separator)."""
    t = (text or "").strip()
    if not _PLAIN.match(t):
        raise Bad("expected a plain decimal number like 155173299.31")
    return float(t)


def parse_date(text: str, fmt: str, label: str) -> date | None:
    """Parse a date in ``fmt``; empty -> None."""
    t = (text or "").strip()
    if not t:
        return None
    try:
        return datetime.strptime(t, fmt).date()
    except ValueError:
        raise Bad(f"expected a date {label}") from None


def date_parser(fmt: str, label: str):  # noqa: ANN201 - a small closure factory
    """A one-argument parser of dates in ``fmt`` (for the declarative field lists)."""
    return lambda text: parse_date(text, fmt, label)


def optional_eu_number(text: str) -> float | None:
    """Like :func:`parse_eu_number`; an empty cell gives None."""
    return parse_eu_number(text) if text.strip() else None


def clean(text: Any) -> str:
    """Collapse whitespace (padded spreadsheet strings, header newlines)."""
    return re.sub(r"\s+", " ", str(text or "")).strip()
