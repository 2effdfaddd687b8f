"""Benchmark: `workbench kb info` on a knowledge base of 10 million observations (target < 1 s).

Builds the knowledge base with DuckDB's ``range()`` (50 datasets, unit/nace_r2 dimension columns,
flags, NULLs), then times, side by side in one process:

* ``kb_info()``  - the shipped function: datasets.rows + unfiltered count(*) per table (metadata);
* ``naive``      - the obvious alternative: COUNT(*) GROUP BY dataset over observations, plus
                   count(*) per table;
* ``CLI``        - ``workbench --db FILE kb info --json`` as a subprocess (Python start and imports
                   included), and the same with the naive computation for comparison.

Usage: .venv/bin/python benchmarks/bench_kb_info.py [--quick] [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from workbench.kb import writer
from workbench.kb.datasets import ensure_dimension_columns
from workbench.kb.info import kb_info, table_row_counts

DATASETS = 50


def build(db: Path, rows: int) -> float:
    """Create a knowledge base with ``rows`` observations; return seconds taken."""
    started = time.perf_counter()
    with writer(db, purpose="benchmark build") as con:
        ensure_dimension_columns(con, ["unit", "nace_r2"])
        con.execute(
            f"""
            INSERT INTO observation_rows (dataset_id, region, period, value, flag, unit, nace_r2)
            SELECT 'bench:ds' || lpad(CAST(i % {DATASETS} AS VARCHAR), 2, '0'),
                   'R' || CAST((i // {DATASETS}) % 300 AS VARCHAR),
                   CAST(2000 + (i // 15000) % 24 AS VARCHAR),
                   CASE WHEN i % 37 = 0 THEN NULL ELSE (i % 1000) / 10.0 END,
                   CASE WHEN i % 11 = 0 THEN 'p' WHEN i % 37 = 0 THEN 'c' ELSE NULL END,
                   'THS',
                   'C' || CAST(10 + (i // 7) % 23 AS VARCHAR)
            FROM range({rows}) r(i)
            """
        )
        con.execute(
            """
            INSERT INTO datasets (dataset_id, source, kind, file_name, sha256, imported_at, rows,
                                  importer, importer_version, synthetic, title)
            SELECT dataset_id, 'benchmark', 'eurostat_tsv', dataset_id || '.tsv.gz', md5(dataset_id),
                   now()::TIMESTAMP, count(*), 'bench', '0', FALSE, 'benchmark dataset'
            FROM observations WHERE dataset_id LIKE 'bench:%' GROUP BY dataset_id
            """
        )
    return time.perf_counter() - started


def naive_info(db: Path) -> dict[str, object]:
    """The obvious approach: group the observations by dataset and count every table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_dataset = dict(
            con.execute(
                "SELECT dataset_id, COUNT(*) FROM observations GROUP BY dataset_id"
            ).fetchall()
        )
        tables = table_row_counts(con)
        provenance = con.execute("SELECT * FROM datasets").fetchall()
    finally:
        con.close()
    return {"per_dataset": per_dataset, "tables": tables, "datasets": provenance}


def timed(fn, repeat: int) -> tuple[float, float, float]:  # noqa: ANN001
    """Median wall time, max wall time and median CPU time (this process + finished children)."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0 = time.process_time() + _children_cpu()
        started = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() + _children_cpu() - cpu0)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def metadata_queries(con: duckdb.DuckDBPyConnection) -> None:
    """kb_info's queries alone, on an open connection."""
    table_row_counts(con)
    con.execute("SELECT * FROM datasets").fetchall()
    con.execute("SELECT id FROM schema_migrations").fetchall()


def naive_queries(con: duckdb.DuckDBPyConnection) -> None:
    """The naive queries alone, on an open connection."""
    con.execute("SELECT dataset_id, COUNT(*) FROM observations GROUP BY dataset_id").fetchall()
    table_row_counts(con)
    con.execute("SELECT * FROM datasets").fetchall()


def run_cli(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small smoke run (200,000 observations)"
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    rows = 200_000 if opts.quick else opts.rows
    repeat = 2 if opts.quick else opts.repeat

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build_s = build(db, rows)
        size_mb = db.stat().st_size / 1e6
        info = kb_info(db)
        naive = naive_info(db)
        # both approaches agree on the numbers
        assert info["tables"]["observation_rows"] == rows
        assert {d["dataset_id"]: d["rows"] for d in info["datasets"]} == naive["per_dataset"]

        cli = [sys.executable, "-c", "from workbench.cli import main; main()"]
        cli += ["--db", str(db), "kb", "info", "--json"]
        naive_cli = [
            sys.executable,
            "-c",
            "import sys, json, duckdb; con = duckdb.connect(sys.argv[1], read_only=True);"
            " print(json.dumps(dict(con.execute('SELECT dataset_id, COUNT(*) FROM observations"
            " GROUP BY dataset_id').fetchall())))",
            str(db),
        ]
        con = duckdb.connect(str(db), read_only=True)
        results = [
            (
                "queries only, open connection: kb_info",
                *timed(lambda: metadata_queries(con), repeat),
            ),
            ("queries only, open connection: naive", *timed(lambda: naive_queries(con), repeat)),
        ]
        con.close()
        results += [
            ("kb_info() in-process (open, query, close)", *timed(lambda: kb_info(db), repeat)),
            ("naive in-process (open, query, close)", *timed(lambda: naive_info(db), repeat)),
            ("`workbench kb info --json` subprocess", *timed(lambda: run_cli(cli), repeat)),
            ("naive GROUP BY subprocess (duckdb only)", *timed(lambda: run_cli(naive_cli), repeat)),
            (
                "start-up: python -c 'import workbench.cli'",
                *timed(lambda: run_cli([sys.executable, "-c", "import workbench.cli"]), repeat),
            ),
            (
                "start-up: python -c 'import pandas'",
                *timed(lambda: run_cli([sys.executable, "-c", "import pandas"]), repeat),
            ),
        ]

    print(
        f"\nkb info benchmark: {rows:,} observations in {DATASETS} datasets, file {size_mb:.0f} MB, "
        f"built in {build_s:.1f} s; median of {repeat} runs\n"
    )
    width = max(len(r[0]) for r in results)
    print(f"{'approach':<{width}}  {'median s':>9}  {'max s':>7}  {'CPU s':>7}")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 7}  {'-' * 7}")
    for name, med, worst, cpu in results:
        print(f"{name:<{width}}  {med:>9.4f}  {worst:>7.4f}  {cpu:>7.3f}")
    meta, naive_q, cli_s = results[0][1], results[1][1], results[4][1]
    print(
        f"\nqueries: metadata {meta * 1000:.1f} ms vs naive {naive_q * 1000:.1f} ms "
        f"({naive_q / meta:.1f}x); target `workbench kb info` < 1 s wall: "
        f"{'met' if cli_s < 1.0 else 'NOT met'} ({cli_s:.2f} s; wall time includes waiting for "
        "the shared CPUs, see the CPU column)"
    )


if __name__ == "__main__":
    main()
