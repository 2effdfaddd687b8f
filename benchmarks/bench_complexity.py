"""Benchmark: complexity chain RCA -> proximity -> density -> ECI/PCI -> COI/COG for every year.

Side by side in one process, on the same long input table (period, region, sector, value):
- ``ecomplexity``: py-ecomplexity 0.5 (``ecomplexity(...)``, a loop over years; its optional
  log-supermodularity check is switched off because we do not compute it);
- ``workbench``:   ``workbench.evidence.complexity_panel`` (all years batched in numpy).
Results are asserted equal (max |diff| <= 1e-9 on RCA, M, density, ECI, PCI, COI, COG).

Run:  .venv/bin/python benchmarks/bench_complexity.py            (300 regions; 88/272/615 sectors; 1/5/15 years)
      .venv/bin/python benchmarks/bench_complexity.py --quick    (small smoke run)
      .venv/bin/python benchmarks/bench_complexity.py --threads 1  (BLAS on one thread for both;
      on a busy shared machine multi-threaded OpenBLAS spin-waits and both timings get noisy)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

if "--threads" in sys.argv:  # must be set before numpy loads OpenBLAS
    _n = sys.argv[sys.argv.index("--threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _n

import numpy as np
import pandas as pd
from ecomplexity import ecomplexity

from workbench.demo.panels import synthetic_employment_panel
from workbench.evidence import complexity_panel

COLS = {"time": "period", "loc": "region", "prod": "sector", "val": "value"}
CHECKED = ("rca", "density", "eci", "pci", "coi", "cog")


def run_theirs(df: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(df, COLS, check_logsupermodularity=False, verbose=False)


def run_ours(df: pd.DataFrame):
    return complexity_panel(df, "all")


def max_difference(ours, theirs: pd.DataFrame) -> float:
    cells = ours.cells.astype({"region": str, "sector": str})
    m = theirs.merge(cells, on=["period", "region", "sector"], suffixes=("_ecx", ""))
    m = m.merge(
        ours.regions.astype({"region": str}), on=["period", "region"], suffixes=("_ecx", "")
    )
    m = m.merge(
        ours.sectors.astype({"sector": str}), on=["period", "sector"], suffixes=("_ecx", "")
    )
    if len(m) != len(cells):
        raise AssertionError(f"row mismatch: {len(m)} merged vs {len(cells)} cells")
    diffs = [np.abs(m[f"{k}_ecx"].to_numpy(float) - m[k].to_numpy(float)).max() for k in CHECKED]
    if (m["mcp"].to_numpy() != m["m"].to_numpy()).any():
        raise AssertionError("presence matrices differ")
    return float(max(diffs))


def timed(fn, df: pd.DataFrame, repeat: int):
    """Best wall time and best CPU time (all threads) of ``repeat`` runs, and the last result."""
    best_wall, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn(df)
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small smoke run (30 regions, 20/40 sectors, 1/2 years)",
    )
    ap.add_argument("--regions", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs for each implementation")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads for both (default: OpenBLAS default)",
    )
    args = ap.parse_args()
    if args.quick:
        regions, grid = 30, [(20, 1), (40, 2)]
    else:
        regions = args.regions
        grid = [(88, 15), (272, 15), (615, 1), (615, 5), (615, 15)]
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"complexity chain, {regions} regions, BLAS threads {blas}; seconds, best of {args.repeat}"
        " (wall clock | CPU of all threads)"
    )
    print(
        f"{'sectors':>7} {'years':>5} {'ecomplexity':>12} {'workbench':>10} {'speed-up':>9}"
        f" {'ecx CPU':>8} {'wb CPU':>7} {'CPU ratio':>9} {'max|diff|':>10}"
    )
    for sectors, years in grid:
        df = synthetic_employment_panel(regions, sectors, years)
        t_ours, c_ours, ours = timed(run_ours, df, args.repeat)
        t_theirs, c_theirs, theirs = timed(run_theirs, df, args.repeat)
        diff = max_difference(ours, theirs)
        if diff > 1e-9:
            raise AssertionError(f"results differ by {diff} for {sectors} sectors x {years} years")
        print(
            f"{sectors:>7} {years:>5} {t_theirs:>12.3f} {t_ours:>10.3f} {t_theirs / t_ours:>8.1f}x"
            f" {c_theirs:>8.2f} {c_ours:>7.2f} {c_theirs / c_ours:>8.1f}x {diff:>10.1e}"
        )


if __name__ == "__main__":
    main()
