"""Set up a scoring round without code: mechanisms, criteria (weight, benefit/cost), evaluators.

``workbench template scoring_round`` writes the documented template (spec
``workbench/defaults/setup/scoring_round.yml``, written and read by the shared machinery of
:mod:`workbench.importers.foresight_setup`); ``workbench scoring new FILE`` checks every value and the
rules between sheets (:func:`validate_round`) and only then stores the round in one knowledge-base
transaction (:func:`create_round`).  Every problem names the file, sheet, row, column and value; when
there is any, nothing is written.  The round's criteria and weights replace the defaults of
``evaluation.yml`` for the round's scores (:mod:`workbench.evaluation.rounds`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workbench.errors import MAX_LISTED_PROBLEMS, ImportFailed, Problem, ValidationError
from workbench.importers.foresight_setup import (
    insert_setup_records,
    load_spec,
    read_and_convert_rows,
    record_setup_dataset,
)

IMPORTER = "workbench.importers.scoring_setup"
IMPORTER_VERSION = "1.0"
SPEC = "scoring_round"


@dataclass
class RoundPlan:
    """A validated scoring round, ready to be written (plain records per table)."""

    round: dict[str, Any]
    mechanisms: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    evaluators: list[dict[str, Any]]
    file: str
    round_row: int = 2

    @property
    def round_id(self) -> str:
        return str(self.round["round_id"])


def validate_round(path: str | os.PathLike[str]) -> RoundPlan:
    """Read and check a scoring-round file; raise :class:`ImportFailed` listing every problem
    (sheet, row, column, value, rule), else return the plan."""
    file = str(path)
    raw, rows, problems = read_and_convert_rows(path, load_spec(SPEC))

    round_rows = rows["round"]
    if not raw["round"]:
        problems.append(Problem(file=file, sheet="round", row=2, rule="the round row is missing"))
    elif len(raw["round"]) > 1:
        problems.append(raw["round"][1].problem(file, None, None, "only one round per file"))
    rnd = dict(round_rows[0][1]) if round_rows else None
    if rnd and rnd.get("opens_on") and rnd.get("closes_on") and rnd["closes_on"] < rnd["opens_on"]:
        problems.append(
            round_rows[0][0].problem(
                file, "closes_on", rnd["closes_on"].isoformat(), "closes before it opens"
            )
        )
    for name, what in (("mechanisms", "mechanism"), ("criteria", "criterion")):
        if not raw[name]:
            problems.append(
                Problem(
                    file=file, sheet=name, row=2, rule=f"no {what}: the round needs at least one"
                )
            )
    if len(raw["criteria"]) == 1:
        problems.append(
            Problem(
                file=file, sheet="criteria", row=3, rule="a ranking needs at least two criteria"
            )
        )
    mechanisms = [{**r, "sort_order": i} for i, (_row, r) in enumerate(rows["mechanisms"], start=1)]
    criteria = []
    for i, (_row, r) in enumerate(rows["criteria"], start=1):
        low, high = (int(x) for x in str(r.get("scale") or "1-5").split("-"))
        criteria.append(
            {
                **r,
                "direction": r.get("direction") or "benefit",
                "scale_min": low,
                "scale_max": high,
                "sort_order": i,
            }
        )
    evaluators = [r for _row, r in rows["evaluators"]]
    if problems or rnd is None:
        raise ImportFailed(problems[:MAX_LISTED_PROBLEMS], len(problems), file=file)
    return RoundPlan(rnd, mechanisms, criteria, evaluators, file, round_rows[0][0].row)


ROUND_TABLES = (
    "scoring_rounds",
    "scoring_round_mechanisms",
    "scoring_round_criteria",
    "scoring_round_evaluators",
)


def create_round(
    plan: RoundPlan, db: str | os.PathLike[str] | None = None, *, replace: bool = False
) -> dict[str, int]:
    """Write a validated round in one transaction (all of it or nothing).  A round id that exists
    is refused, unless ``replace`` and nobody has scored in it yet.  Mechanism ids the catalogue
    does not know are added to ``mechanisms`` (type ``other``).  Returns rows per table."""
    from workbench import capture
    from workbench.evaluation.capture_kinds import KIND
    from workbench.kb import writer

    rid = plan.round_id
    dataset_id = f"scoring_round:{rid}"
    now = datetime.now(UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    with writer(db, purpose=f"create scoring round {rid}") as con:
        exists = con.execute(
            "SELECT count(*) FROM scoring_rounds WHERE round_id = ?", [rid]
        ).fetchone()[0]
        if exists:
            if not replace:
                raise ValidationError(
                    f"{plan.file}: sheet 'round', row {plan.round_row}, column 'round_id', value "
                    f"{rid!r}: a scoring round with this id exists already; choose another id "
                    "(or --replace while nobody has scored)"
                )
            scored = {
                r[0]
                for r in con.execute(
                    "SELECT score_id FROM criteria_scores WHERE round_id = ?", [rid]
                ).fetchall()
            } | {
                r.idempotency_key
                for r in capture.read(KIND, db=db)
                if r.payload.get("round_id") == rid
            }
            if scored:
                raise ValidationError(
                    f"scoring round {rid!r} already has {len(scored)} score(s): it is not "
                    "replaced (create a new round with another id)"
                )
            for table in ROUND_TABLES:
                con.execute(f"DELETE FROM {table} WHERE round_id = ?", [rid])
        r = plan.round
        con.execute(
            "INSERT INTO scoring_rounds (round_id, title, description, opens_on, closes_on,"
            " created_at, dataset_id, synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)",
            [rid, r["title"], r.get("description"), r.get("opens_on"), r.get("closes_on"), now,
             dataset_id],
        )  # fmt: skip
        counts["scoring_rounds"] = 1

        def insert(table: str, cols: list[str], records: list[dict[str, Any]]) -> None:
            counts[table] = insert_setup_records(
                con, table, ("round_id", rid), cols, records, dataset_id
            )

        insert(
            "scoring_round_mechanisms",
            ["mechanism_id", "name", "description", "sort_order"],
            plan.mechanisms,
        )
        insert(
            "scoring_round_criteria",
            ["criterion", "label", "weight", "direction", "scale_min", "scale_max", "description",
             "sort_order"],
            plan.criteria,
        )  # fmt: skip
        insert("scoring_round_evaluators", ["evaluator", "organisation"], plan.evaluators)
        known = {x[0] for x in con.execute("SELECT mechanism_id FROM mechanisms").fetchall()}
        new = [m for m in plan.mechanisms if m["mechanism_id"] not in known]
        if new:
            con.executemany(
                "INSERT INTO mechanisms (mechanism_id, name, type, description, dataset_id,"
                " synthetic) VALUES (?, ?, 'other', ?, ?, FALSE)",
                [[m["mechanism_id"], m["name"], m.get("description"), dataset_id] for m in new],
            )
        counts["mechanisms"] = len(new)
        record_setup_dataset(
            con,
            dataset_id,
            plan.file,
            kind="scoring_round",
            rows=sum(counts.values()),
            title=f"Scoring round {r['title']}",
            importer=IMPORTER,
            importer_version=IMPORTER_VERSION,
        )
    return counts


def new_round(
    path: str | os.PathLike[str], db: str | os.PathLike[str] | None = None, *, replace: bool = False
) -> tuple[RoundPlan, dict[str, int]]:
    """Validate a scoring-round file, then store it (nothing is written when it is invalid)."""
    plan = validate_round(path)
    return plan, create_round(plan, db=db, replace=replace)
