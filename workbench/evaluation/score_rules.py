"""Rules for one criteria-score record (light: no pandas, imported by dashboard kernels).

Used by :func:`workbench.evaluation.scoring.validate_scores` for tables and by the capture validator
for dashboard submissions, so a score is judged the same way wherever it comes from.
"""

from __future__ import annotations

import math
from typing import Any

from workbench.config import load_defaults
from workbench.errors import Problem

REQUIRED = ("evaluator", "mechanism_id", "criterion", "score", "confidence")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return not str(value).strip()


def check_record(
    record: dict[str, Any],
    *,
    source: str = "scores",
    row: int | None = None,
    mechanisms: list[str] | None = None,
    criteria: list[str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """(normalised record, problems).  Problems name the row, column, value and the rule broken.
    ``criteria``: the allowed criterion codes (a scoring round's); default those of evaluation.yml."""
    cfg = load_defaults("evaluation")
    scoring = cfg["scoring"]
    codes = list(criteria) if criteria is not None else [c["code"] for c in cfg["criteria"]]
    levels = list(scoring["confidence_weights"])
    low, high = int(scoring["min_score"]), int(scoring["max_score"])
    problems: list[Problem] = []
    out = dict(record)

    def bad(column: str, value: Any, rule: str) -> None:
        problems.append(Problem(file=source, row=row, column=column, value=str(value), rule=rule))

    for col in ("evaluator", "mechanism_id"):
        if _blank(record.get(col)):
            bad(col, record.get(col), "must not be empty")
        else:
            out[col] = str(record[col]).strip()
    mech = out.get("mechanism_id")
    if mechanisms is not None and not _blank(mech) and mech not in mechanisms:
        bad("mechanism_id", mech, "unknown mechanism")
    if record.get("criterion") not in codes:
        bad("criterion", record.get("criterion"), f"must be one of {', '.join(codes)}")
    score = record.get("score")
    try:
        number = float(score)  # type: ignore[arg-type]
        ok = math.isfinite(number) and number == int(number) and low <= int(number) <= high
    except (TypeError, ValueError):
        ok = False
    if ok:
        out["score"] = int(number)
    else:
        bad("score", score, f"must be a whole number from {low} to {high}")
    conf = "" if _blank(record.get("confidence")) else str(record["confidence"]).strip().lower()
    if conf in levels:
        out["confidence"] = conf
    else:
        bad("confidence", record.get("confidence"), f"must be one of {', '.join(levels)}")
    comment = record.get("comment")
    if _blank(comment):
        out["comment"] = None
    elif len(str(comment)) > int(scoring["max_comment_chars"]):
        bad("comment", str(comment)[:40], f"longer than {scoring['max_comment_chars']} characters")
    return out, problems
