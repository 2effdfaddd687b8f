"""The editable mapping of cohesion-policy codes to dimensions (``defaults/policy_dimension_mapping.csv``).

Documented in ``defaults/policy_dimension_mapping.md``.  A lookup returns a :class:`Mapped` with the
dimension (or None) and the outcome: ``mapped``, ``no_dimension`` (deliberately empty) or ``unmapped``
(code not in the table).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.config import DEFAULTS_DIR
from workbench.errors import ImportFailed, Problem
from workbench.policy.settings import DIMENSIONS

DEFAULT_MAPPING = DEFAULTS_DIR / "policy_dimension_mapping.csv"
COLUMNS = ("scheme", "code", "label", "dimension", "rationale")


@dataclass(frozen=True)
class Mapped:
    """Result of looking a row's codes up."""

    dimension: str | None
    outcome: str  # mapped | no_dimension | unmapped
    rule: str | None  # 'scheme:code' that decided, None when unmapped
    rationale: str = ""


class DimensionMapping:
    """Lookup table ``(scheme, code) -> (dimension, rationale)``."""

    def __init__(self, rows: dict[tuple[str, str], tuple[str | None, str]], path: str) -> None:
        self.rows = rows
        self.path = path

    def lookup(self, candidates: Sequence[tuple[str, str | None]]) -> Mapped:
        """First ``(scheme, code)`` of ``candidates`` found in the table decides (precedence order)."""
        for scheme, code in candidates:
            if code is None or code == "":
                continue
            hit = self.rows.get((scheme, code))
            if hit is not None:
                dim, why = hit
                rule = f"{scheme}:{code}"
                return Mapped(dim, "mapped" if dim else "no_dimension", rule, why)
        return Mapped(None, "unmapped", None)


def load_mapping(path: str | os.PathLike[str] | None = None) -> DimensionMapping:
    """Read a mapping CSV (lines starting with ``#`` are comments); bad rows raise ImportFailed."""
    path = Path(path) if path else DEFAULT_MAPPING
    problems: list[Problem] = []
    rows: dict[tuple[str, str], tuple[str | None, str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [(n, line) for n, line in enumerate(fh, start=1) if not line.startswith("#")]
    reader = csv.reader([line for _, line in lines])
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise ImportFailed(
            [
                Problem(
                    str(path),
                    f"header must be {','.join(COLUMNS)}",
                    line=lines[0][0] if lines else 1,
                    value=",".join(header or []),
                )
            ]
        )
    for (lineno, _), rec in zip(lines[1:], reader, strict=False):
        if not rec or all(not c.strip() for c in rec):
            continue
        if len(rec) != len(COLUMNS):
            problems.append(
                Problem(
                    str(path),
                    f"expected {len(COLUMNS)} fields, got {len(rec)}",
                    line=lineno,
                    value=",".join(rec),
                )
            )
            continue
        scheme, code, _label, dim, why = (c.strip() for c in rec)
        if dim and dim not in DIMENSIONS:
            problems.append(
                Problem(
                    str(path),
                    f"dimension must be empty or one of {', '.join(DIMENSIONS)}",
                    line=lineno,
                    column="dimension",
                    value=dim,
                )
            )
            continue
        if (scheme, code) in rows:
            problems.append(
                Problem(
                    str(path),
                    "duplicate scheme/code",
                    line=lineno,
                    column="code",
                    value=f"{scheme}:{code}",
                )
            )
            continue
        rows[(scheme, code)] = (dim or None, why)
    if problems:
        raise ImportFailed(problems)
    return DimensionMapping(rows, str(path))
