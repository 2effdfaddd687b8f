"""Benchmark: storing the parsed cohesion files in the knowledge base.

Side by side in one process, on the same parsed rows (``workbench.importers.cohesion.parse_*``):
- ``frame``:      what the importer does - one DataFrame registered in DuckDB and ONE
                  ``INSERT INTO policy_actions BY NAME SELECT * FROM frame``;
- ``executemany``: the obvious alternative - ``con.executemany("INSERT ... VALUES (?, ...)", rows)``.
Both run inside one writer transaction on a fresh temp knowledge base; row counts and budget sums
are asserted equal.  Parsing time is reported separately (it is the same for both).

    .venv/bin/python benchmarks/bench_policy_import.py          # all four real files, 3 repeats
    .venv/bin/python benchmarks/bench_policy_import.py --quick  # Croatian file only, 1 repeat
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbench.config import real_data_dir
from workbench.importers.cohesion import ACTION_COLUMNS, PARSERS
from workbench.kb import writer

FILES = {
    "esif_planned": "ESIF_2014-2020_FINANCES_PLANNED_DETAILS_190411.csv",
    "hr_operations": "ESIF_Croatia_2007-2020.csv",
    "si_operations": "seznam-projektov-28-6-2016.xls",
    "el_operations": "ListOfOperations_20160513.csv",
}


def _store_frame(con, frame) -> None:
    con.register("_bench", frame)
    con.execute("INSERT INTO policy_actions BY NAME SELECT * FROM _bench")
    con.unregister("_bench")


def _store_executemany(con, frame) -> None:
    cols = list(ACTION_COLUMNS)
    rows = [
        [None if (v is None or v != v) else v for v in rec]
        for rec in frame[cols].astype(object).itertuples(index=False, name=None)
    ]
    con.executemany(
        f"INSERT INTO policy_actions ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        rows,
    )


def _time_store(fn, frame, repeats: int) -> tuple[float, int, float]:
    times = []
    n = total = 0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "kb.duckdb"
            with writer(db) as con:  # schema first, outside the timing
                pass
            with writer(db) as con:
                t0 = time.perf_counter()
                fn(con, frame)
                times.append(time.perf_counter() - t0)
                n, total = con.execute(
                    "SELECT count(*), coalesce(sum(budget), 0) FROM policy_actions"
                ).fetchone()
    return statistics.median(times), n, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="Croatian file only, 1 repeat")
    args = ap.parse_args()
    kinds = ["hr_operations"] if args.quick else list(FILES)
    repeats = 1 if args.quick else 3
    folder = real_data_dir() / "cohesion_policy"
    print(
        f"{'file kind':<15} {'rows':>6} {'parse s':>8} {'frame s':>8} {'executemany s':>14} {'ratio':>6}"
    )
    for kind in kinds:
        path = folder / FILES[kind]
        if not path.exists():
            print(f"{kind:<15} missing {path}", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        parsed = PARSERS[kind](path)
        parse_s = time.perf_counter() - t0
        frame = parsed.frame()
        t_frame, n1, s1 = _time_store(_store_frame, frame, repeats)
        t_many, n2, s2 = _time_store(_store_executemany, frame, repeats)
        assert n1 == n2 == len(frame) and abs(s1 - s2) <= 1e-6 * max(1.0, abs(s1)), (n1, n2, s1, s2)
        print(
            f"{kind:<15} {len(frame):>6} {parse_s:>8.3f} {t_frame:>8.3f} {t_many:>14.3f} {t_many / t_frame:>6.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
