"""The good-practice record: its fields and the checks of one record (light: no pandas, no DuckDB).

Used by the template import (:mod:`workbench.learning.practices`) and by the dashboard form's
capture kind (:mod:`workbench.learning.capture_kinds`), so both apply the same rules.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.config import load_defaults
from workbench.errors import Problem
from workbench.geography.codes import NUTS2_CODE, country_of

#: Template columns: (column, required, meaning).  List columns take values separated by ';'.
FIELDS: list[tuple[str, bool, str]] = [
    ("practice_id", True, "your identifier, e.g. GP-HR03-001"),
    ("title", True, "short title"),
    ("summary", True, "two or three sentences"),
    ("description", False, "what was done, by whom, how"),
    ("resources", False, "resources needed (staff, budget)"),
    ("timescale", False, "e.g. 2016-2020"),
    ("evidence_of_success", False, "measurable results; required before validation"),
    ("difficulties", False, "difficulties met"),
    ("potential_for_transfer", False, "why and how others could use it"),
    ("institution", True, "main institution"),
    ("region", True, "NUTS 2 code of the location, e.g. HR03"),
    ("stakeholders", False, "who took part, who benefited"),
    ("dimensions", True, "policy dimensions, ';'-separated (policy.yml)"),
    ("nace_sectors", False, "NACE Rev. 2 codes, ';'-separated, e.g. C27;J62"),
    ("instrument_type", True, "learning.yml practices.instrument_types"),
    ("governance_level", True, "local, regional, national or transnational"),
    ("evidence_links", False, "links to evidence, ';'-separated"),
    ("outcome", False, "successful (default) or unsuccessful"),
    ("validation_state", False, "draft (default), validated_partner, validated_expert"),
    ("validated_by", False, "who validated (required for a validated state)"),
]
FIELD_NAMES = [f for f, _, _ in FIELDS]
LIST_COLUMNS = ("dimensions", "nace_sectors", "evidence_links")
NACE_CODE = re.compile(r"^[A-U]([0-9]{2}(\.[0-9]{1,2})?)?$")
LINK = re.compile(r"^(https?://|doi:|file:)")
OUTCOMES = ("successful", "unsuccessful")


def text(value: object) -> str:
    """A cell as stripped text ('' for empty, None or NaN)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def split(value: object) -> list[str]:
    """A list cell: a list, or text separated by ';' or new lines."""
    if isinstance(value, (list, tuple)):
        return [text(v) for v in value if text(v)]
    return [v.strip() for v in re.split(r"[;\n]", text(value)) if v.strip()]


def check_record(
    rec: dict[str, Any], *, file: str, row: int | None = None, sheet: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Normalise one record (template row or form entry) and list its problems."""
    cfg = load_defaults("learning")["practices"]
    dims = set(load_defaults("policy")["dimensions"])
    levels = cfg["transferability"]["governance_levels"]
    problems: list[Problem] = []

    def bad(column: str, value: object, rule: str) -> None:
        problems.append(
            Problem(file=file, sheet=sheet, row=row, column=column, value=text(value), rule=rule)
        )

    out: dict[str, Any] = {c: text(rec.get(c)) for c in FIELD_NAMES if c not in LIST_COLUMNS}
    for c in LIST_COLUMNS:
        out[c] = split(rec.get(c))
    for c, required, _ in FIELDS:
        if required and not out[c]:
            bad(c, rec.get(c), "required")
    region = out["region"].upper()
    out["region"] = region
    if region and not NUTS2_CODE.match(region):
        bad("region", rec.get("region"), "not a NUTS 2 code such as 'HR03'")
    out["country"] = country_of(region) if NUTS2_CODE.match(region) else ""
    for d in out["dimensions"]:
        if d not in dims:
            bad("dimensions", d, f"not a policy dimension ({', '.join(sorted(dims))})")
    out["nace_sectors"] = [s.upper() for s in out["nace_sectors"]]
    for s in out["nace_sectors"]:
        if not NACE_CODE.match(s):
            bad("nace_sectors", s, "not a NACE Rev. 2 code such as 'C27' or 'J62'")
    if out["instrument_type"] and out["instrument_type"] not in cfg["instrument_types"]:
        bad(
            "instrument_type",
            out["instrument_type"],
            f"not one of {', '.join(cfg['instrument_types'])}",
        )
    if out["governance_level"] and out["governance_level"] not in levels:
        bad("governance_level", out["governance_level"], f"not one of {', '.join(levels)}")
    out["outcome"] = out["outcome"] or "successful"
    if out["outcome"] not in OUTCOMES:
        bad("outcome", out["outcome"], "successful or unsuccessful")
    out["validation_state"] = out["validation_state"] or "draft"
    state = out["validation_state"]
    if state not in cfg["validation_states"]:
        bad("validation_state", state, f"not one of {', '.join(cfg['validation_states'])}")
    elif state in cfg["published_states"]:
        if not out["evidence_of_success"]:
            bad("evidence_of_success", "", f"required: a practice in state {state!r} is published, "
                "and no practice is published without evidence of success")  # fmt: skip
        if not out["validated_by"]:
            bad("validated_by", "", f"required for state {state!r}")
    for link in out["evidence_links"]:
        if not LINK.match(link):
            bad("evidence_links", link, "a link starts with http://, https://, doi: or file:")
    return out, problems
