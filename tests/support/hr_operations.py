"""Independent reading of the real Croatian ESIF list (csv + Decimal): operations and regional shares.

One operation = same title, contract date and amounts: the file repeats an operation once per county
it covers, each time with the full amount.  Used to check the importer and the HR03 report.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

CURRENCY = {"kn": "HRK", "€": "EUR"}


def hr_operations(path: Path) -> tuple[int, dict[tuple, dict]]:
    """(records, operation key -> total, grant, currency, NUTS II names, counties, first_row)."""
    ops: dict[tuple, dict] = {}
    n = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            n += 1
            amounts = {}
            for field in ("Ukupno prihvatljivi troškovi", "Bespovratna sredstva"):
                m = re.fullmatch(r"([\d.]+),(\d\d) (kn|€)", rec[field])
                assert m, rec[field]
                amounts[field] = (Decimal(m[1].replace(".", "") + "." + m[2]), m[3])
            key = (
                " ".join(rec["Naziv projekta"].split()),
                rec["Datum ugovaranja"],
                *amounts.values(),
            )
            op = ops.setdefault(key, {
                "total": amounts["Ukupno prihvatljivi troškovi"][0],
                "grant": amounts["Bespovratna sredstva"][0],
                "currency": CURRENCY[amounts["Bespovratna sredstva"][1]],
                "nuts": [], "counties": [], "first_row": n,
            })  # fmt: skip
            op["nuts"].append(rec["NUTSII"])
            op["counties"].append(rec["Županija"])
    return n, ops


def region_totals(
    ops: dict[tuple, dict], nuts_name: str, relabel: dict[str, str] | None = None
) -> tuple[int, dict[str, Decimal]]:
    """Operations with a location in ``nuts_name`` and their totals per currency, equal shares per
    location (share = rows of the region / rows of the operation); ``relabel`` maps currencies."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    count = 0
    for op in ops.values():
        k = op["nuts"].count(nuts_name)
        if not k:
            continue
        count += 1
        cur = (relabel or {}).get(op["currency"], op["currency"])
        totals[cur] += op["total"] * k / len(op["nuts"])
    return count, dict(totals)
