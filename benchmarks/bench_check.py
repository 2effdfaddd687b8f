"""Benchmark: `workbench check --kb` (the data doctor) on the demo knowledge base plus the real files.

Side by side in one process, on the same knowledge base (demo + 3 Eurostat files + 4 cohesion files):
- ``doctor``: :func:`workbench.quality.check_kb` - every check of every dataset; the observation checks
  (flags, coverage, year-on-year outliers) run as DuckDB SQL next to the data;
- ``pandas``: the obvious alternative for the observation checks - each dataset's observations
  loaded into pandas (``SELECT *``) and the same flags / coverage / year-on-year modified z-scores
  computed there (policy-action checks are not repeated: they are pandas in both).
The target of issue 12 is < 10 s for the doctor.  Building the knowledge base is not timed.

    .venv/bin/python benchmarks/bench_check.py          # 3 repeats
    .venv/bin/python benchmarks/bench_check.py --quick  # 1 repeat
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.config import real_data_dir
from workbench.demo import build_demo
from workbench.importers import import_file
from workbench.kb import reader
from workbench.quality import check_kb

FILES = [
    "eurostat_tsv/lfst_r_lfe2en2.tsv.gz",
    "eurostat_tsv/nama_10r_2gdp.tsv.gz",
    "eurostat_tsv/estat_nama_10r_3gdp.tsv",
    "cohesion_policy/ESIF_Croatia_2007-2020.csv",
    "cohesion_policy/seznam-projektov-28-6-2016.xls",
    "cohesion_policy/ListOfOperations_20160513.csv",
    "cohesion_policy/ESIF_2014-2020_FINANCES_PLANNED_DETAILS_190411.csv",
]


def _pandas_observation_checks(db: Path) -> int:
    """Flags, coverage and year-on-year outliers of every observation dataset, in pandas."""
    found = 0
    with reader(db) as con:
        ids = [r[0] for r in con.execute("SELECT DISTINCT dataset_id FROM observations").fetchall()]
        for dataset_id in ids:
            df = con.execute("SELECT * FROM observations WHERE dataset_id = ?", [dataset_id]).df()
            dims = [c for c in df.columns if c not in {"dataset_id", "region", "period", "value", "flag"}
                    and df[c].notna().any()]  # fmt: skip
            found += int(df["flag"].fillna("").str.strip().ne("").sum() > 0)
            cells = df[df["value"].notna() & (df["region"].str.len() == 4)]
            have = cells.groupby("region")["period"].nunique()
            found += int((have < cells["period"].nunique()).any())
            pos = df[(df["value"] > 0) & ~df["region"].str.endswith("Z")].sort_values("period")
            keys = ["region", *dims]
            prev = pos.groupby(keys, dropna=False)["value"].shift()
            d = np.log(pos["value"] / prev).dropna()
            if len(d):
                mad = (d - d.median()).abs().median()
                found += (
                    int(((0.6745 * (d - d.median()) / mad).abs() > 3.5).sum() > 0) if mad else 0
                )
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 repeat")
    args = ap.parse_args()
    repeats = 1 if args.quick else 3
    folder = real_data_dir()
    missing = [f for f in FILES if not (folder / f).exists()]
    if missing:
        print(f"missing real files: {missing}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.duckdb"
        t0 = time.perf_counter()
        build_demo(db)
        for f in FILES:
            import_file(folder / f, db=db)
        print(
            f"knowledge base built in {time.perf_counter() - t0:.1f} s (not part of the comparison)"
        )
        doctor, alternative = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            report = check_kb(db)
            doctor.append(time.perf_counter() - t)
            t = time.perf_counter()
            _pandas_observation_checks(db)
            alternative.append(time.perf_counter() - t)
        d, a = statistics.median(doctor), statistics.median(alternative)
        print(
            f"{'datasets':>8} {'findings':>8} {'doctor s':>9} {'pandas obs. checks s':>21} {'ratio':>6}"
        )
        print(
            f"{len(report.summary):>8} {len(report.findings):>8} {d:>9.2f} {a:>21.2f} {a / d:>6.1f}"
        )
        print(f"target: doctor < 10 s -> {'met' if d < 10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
