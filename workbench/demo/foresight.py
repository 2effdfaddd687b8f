"""Synthetic demo foresight exercise (issue 7): STEEP drivers, two Delphi rounds, ratings, influences.

One exercise ``see-clusters-2035`` with 12 drivers, 8 Delphi statements (5- and 9-point scales),
60 anonymous participant codes of which 25 answered round 1 (closed, results shared) and round 2
(open; answers drift towards the round-1 median, as in a real Delphi), impact/uncertainty ratings
from the same 25 and an influence matrix entered by a small group of 6.  Every row is synthetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

DOMAIN = "foresight"
DATASET_ID = "demo:foresight"
EXERCISE_ID = "see-clusters-2035"

DRIVERS = [
    ("D01", "Ageing and shrinking workforce", "social"),
    ("D02", "Brain drain of young graduates", "social"),
    ("D03", "Digitalisation and AI adoption in SMEs", "technological"),
    ("D04", "Green hydrogen and energy storage", "technological"),
    ("D05", "Nearshoring of EU value chains", "economic"),
    ("D06", "Access to venture and growth finance", "economic"),
    ("D07", "Energy prices", "economic"),
    ("D08", "Climate risks (drought, floods)", "environmental"),
    ("D09", "EU climate and circularity regulation", "environmental"),
    ("D10", "EU enlargement in the Western Balkans", "political"),
    ("D11", "Multi-level governance capacity", "political"),
    ("D12", "Cohesion policy reform after 2027", "political"),
]
STATEMENTS = [
    ("S1", "By 2035 most SEE clusters will run joint cross-border projects every year.", 5),
    ("S2", "Cluster organisations will be financed mainly by their members' fees by 2035.", 5),
    ("S3", "Regional smart specialisation strategies will select fewer than five priorities.", 5),
    ("S4", "Green transition services will be the main offer of cluster organisations.", 5),
    ("S5", "Digital skills shortages will be the main barrier to cluster growth.", 5),
    (
        "S6",
        "Desirability: a single SEE cluster partnership platform (1 = not at all, 9 = essential).",
        9,
    ),
    ("S7", "Feasibility of harmonised cluster support instruments across SEE countries.", 9),
    ("S8", "Importance of Western Balkan clusters joining EU cluster programmes.", 9),
]
N_CODES = 60
N_ANSWERING = 25
GROUP_SIZE = 6
START = datetime(2026, 10, 6, 9, 0, 0)
COMMENTS = [
    "Depends strongly on national co-financing.",
    "We saw this already in the automotive cluster.",
    "Too optimistic for the smaller regions.",
    "Fees alone never cover the management costs.",
]


def _codes(rng: np.random.Generator) -> list[str]:
    """Participant codes as a real workshop gets them (long enough not to be guessed, issue 10)."""
    from workbench.foresight.access import new_codes

    return new_codes(N_CODES, rng)


def _insert(con: Any, table: str, df: pd.DataFrame) -> None:
    con.register("_demo_foresight_frame", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _demo_foresight_frame")
    finally:
        con.unregister("_demo_foresight_frame")


def generate(con: Any, rng: np.random.Generator, ctx: Any) -> None:
    """Write the demo exercise into the foresight tables and register ``demo:foresight``."""
    tag = {"dataset_id": DATASET_ID, "synthetic": True}
    ex = pd.DataFrame(
        [
            {
                "exercise_id": EXERCISE_ID,
                "title": "SEE cluster policy 2035 (demo foresight exercise)",
                "description": "Joint foresight of policy makers and cluster managers feeding the joint strategy.",
                "horizon_year": 2035,
                "created_at": START,
                **tag,
            }
        ]
    )
    rounds = pd.DataFrame(
        [
            {
                "exercise_id": EXERCISE_ID,
                "round_no": 1,
                "status": "closed",
                "results_shared": True,
                "opened_at": START,
                "closed_at": START + timedelta(days=7),
                **tag,
            },
            {
                "exercise_id": EXERCISE_ID,
                "round_no": 2,
                "status": "open",
                "results_shared": False,
                "opened_at": START + timedelta(days=14),
                "closed_at": None,
                **tag,
            },
        ]
    )
    codes = _codes(rng)
    answering = codes[:N_ANSWERING]
    participants = pd.DataFrame(
        {
            "exercise_id": EXERCISE_ID,
            "participant_code": codes,
            "role": "participant",
            "group_label": [
                f"G{1 + i // GROUP_SIZE}" if i < N_ANSWERING else None for i in range(N_CODES)
            ],
            "created_at": START,
            **tag,
        }
    )
    drivers = pd.DataFrame(
        [
            {
                "exercise_id": EXERCISE_ID,
                "driver_id": d,
                "label": label,
                "steep": steep,
                "status": "accepted",
                "description": None,
                "proposed_by": None,
                "proposed_at": START,
                **tag,
            }
            for d, label, steep in DRIVERS
        ]
    )
    statements = pd.DataFrame(
        [
            {
                "exercise_id": EXERCISE_ID,
                "statement_id": s,
                "text": text,
                "scale_points": pts,
                "sort_order": i,
                **tag,
            }
            for i, (s, text, pts) in enumerate(STATEMENTS)
        ]
    )
    answers, comments = [], []
    for s, _text, pts in STATEMENTS:
        centre = rng.uniform(0.3, 0.8) * (pts - 1) + 1
        spread = rng.uniform(0.5, 1.3) * (pts - 1) / 4
        first = np.clip(np.rint(rng.normal(centre, spread, N_ANSWERING)), 1, pts).astype(int)
        median = float(np.median(first))
        for i, code in enumerate(answering):
            at1 = START + timedelta(hours=int(rng.integers(1, 150)))
            answers.append((f"demo-{s}-r1-{code}", 1, s, code, int(first[i]), at1))
            # round 2: a share of participants moves towards the group median
            second = int(first[i])
            if rng.random() < 0.45 and second != median:
                second = int(np.clip(second + np.sign(median - second), 1, pts))
            at2 = START + timedelta(days=14, hours=int(rng.integers(1, 100)))
            answers.append((f"demo-{s}-r2-{code}", 2, s, code, second, at2))
            if rng.random() < 0.06:
                comments.append(
                    (
                        f"demo-{s}-r2-{code}",
                        2,
                        s,
                        code,
                        COMMENTS[int(rng.integers(len(COMMENTS)))],
                        at2,
                    )
                )
    answer_df = pd.DataFrame(
        answers,
        columns=[
            "answer_id",
            "round_no",
            "statement_id",
            "participant_code",
            "value",
            "submitted_at",
        ],
    )
    answer_df = answer_df.assign(exercise_id=EXERCISE_ID, **tag)
    comment_df = pd.DataFrame(
        comments,
        columns=[
            "comment_id",
            "round_no",
            "statement_id",
            "participant_code",
            "text",
            "submitted_at",
        ],
    )
    comment_df = comment_df.assign(exercise_id=EXERCISE_ID, **tag)
    ratings = []
    base_i = rng.uniform(1.8, 4.6, len(DRIVERS))
    base_u = rng.uniform(1.5, 4.6, len(DRIVERS))
    for code in answering:
        for k, (d, _, _) in enumerate(DRIVERS):
            imp = int(np.clip(np.rint(rng.normal(base_i[k], 0.8)), 1, 5))
            unc = int(np.clip(np.rint(rng.normal(base_u[k], 0.8)), 1, 5))
            ratings.append(
                (
                    f"demo-rate-{d}-{code}",
                    d,
                    code,
                    imp,
                    unc,
                    START + timedelta(hours=int(rng.integers(1, 48))),
                )
            )
    rating_df = pd.DataFrame(
        ratings,
        columns=[
            "rating_id",
            "driver_id",
            "participant_code",
            "impact",
            "uncertainty",
            "submitted_at",
        ],
    )
    rating_df = rating_df.assign(exercise_id=EXERCISE_ID, **tag)
    n = len(DRIVERS)
    base = rng.choice([0, 0, 1, 1, 2, 3], size=(n, n), p=[0.3, 0.15, 0.2, 0.15, 0.12, 0.08])
    influences = []
    for code in answering[:GROUP_SIZE]:
        for a in range(n):
            for b in range(n):
                if a == b:
                    continue
                value = int(np.clip(base[a, b] + rng.choice([-1, 0, 0, 0, 1]), 0, 3))
                influences.append(
                    (
                        f"demo-infl-{DRIVERS[a][0]}-{DRIVERS[b][0]}-{code}",
                        DRIVERS[a][0],
                        DRIVERS[b][0],
                        value,
                        code,
                        START + timedelta(days=1, hours=int(rng.integers(1, 8))),
                    )
                )
    infl_df = pd.DataFrame(
        influences,
        columns=[
            "influence_id",
            "source_driver",
            "target_driver",
            "strength",
            "participant_code",
            "submitted_at",
        ],
    )
    infl_df = infl_df.assign(exercise_id=EXERCISE_ID, **tag)
    tables = {
        "foresight_exercises": ex,
        "foresight_rounds": rounds,
        "foresight_participants": participants,
        "foresight_drivers": drivers,
        "foresight_statements": statements,
        "foresight_answers": answer_df,
        "foresight_comments": comment_df,
        "foresight_driver_ratings": rating_df,
        "foresight_influences": infl_df,
    }
    # Only the synthetic rows of the exercise go: answers, comments, drivers ... that workshop
    # participants submitted through the capture inbox (not synthetic) are kept (issue 10).
    con.execute(
        "DELETE FROM foresight_exercises WHERE exercise_id = ? AND synthetic", [EXERCISE_ID]
    )
    for table, df in tables.items():
        if table != "foresight_exercises":
            con.execute(f"DELETE FROM {table} WHERE exercise_id = ? AND synthetic", [EXERCISE_ID])
        if len(df):
            _insert(con, table, df)
    ctx.register(
        DATASET_ID,
        title="Demo foresight exercise: drivers, Delphi rounds, ratings, influences",
        rows=int(sum(len(df) for df in tables.values())),
        notes=f"exercise {EXERCISE_ID}; {N_ANSWERING} answering participants of {N_CODES} codes",
    )


def build_foresight_only(db: Any = None, seed: int = 20261127) -> list[str]:
    """A knowledge base with only the foresight demo (tests, benchmarks), its state published;
    returns the participant codes (the first 25 answered the demo rounds)."""
    from workbench.demo.context import DemoContext
    from workbench.foresight.state import publish_state
    from workbench.kb import query, writer

    with writer(db, purpose="foresight demo") as con:
        generate(con, np.random.default_rng(seed), DemoContext(con=con, seed=seed))
    publish_state(EXERCISE_ID, db=db)
    codes = query(
        "SELECT participant_code FROM foresight_participants WHERE exercise_id = ? ORDER BY participant_code",
        [EXERCISE_ID],
        db=db,
    )["participant_code"].tolist()
    return codes
