"""Benchmark: `workbench run` (parallel runner) vs a sequential loop of `papermill` + `nbconvert` CLIs.

The notebook is a realistic regional profile over the demo knowledge base (`workbench demo`): four
knowledge-base queries, five plotly charts with their data as CSV, a table and the provenance block;
the runner also converts each run to HTML (no code cells, plotly.js once per batch folder).  The
obvious alternative runs, per report, `papermill NB OUT -p region X` then
`jupyter nbconvert --to html --no-input OUT`.

Reported: wall time and speed-up, the share of the available worker time that is not spent inside
notebook cells (process/kernel start-up, imports, shutdown, conversion), peak memory of the whole
process tree, how the runner's time grows from 12 to 24 to 48 runs, and HTML report sizes.
Target (issue 10): >= 8x the CLI loop; the runner forks each kernel from a pre-warmed zygote
(``workbench/batch/prewarm.py``), so first cells find pandas, plotly and workbench imported.

    .venv/bin/python benchmarks/bench_batch.py            # 24 runs each + runner scaling 12/24/48
    .venv/bin/python benchmarks/bench_batch.py --quick    # 4 runs each, smoke test
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

BIN = Path(sys.executable).parent

CELLS = [
    ("code", 'region: str = "HR03"  # NUTS 2 code of the region\n', ["parameters"]),
    (
        "code",
        "import pandas as pd\n"
        "import plotly.express as px\n\n"
        "from workbench.kb import query\n"
        "from workbench.reporting import start_report\n\n"
        'report = start_report(f"Regional profile {region}", {"region": region},\n'
        '                      datasets=["demo:employment", "demo:gdp", "demo:population"])',
        [],
    ),
    (
        "code",
        "emp = query(\n"
        "    \"SELECT region, period, nace_r2, value FROM observations WHERE dataset_id = 'demo:employment'\"\n"
        '    " AND substr(region, 1, 2) = substr(?, 1, 2) AND length(region) = 4", [region])\n'
        'latest = emp["period"].max()\n'
        'now = emp[emp["period"] == latest]\n'
        'own = now[now["region"] == region].set_index("nace_r2")["value"]\n'
        'country = now.groupby("nace_r2")["value"].sum()\n'
        'lq = ((own / own.sum()) / (country / country.sum())).dropna().rename("lq").reset_index()\n'
        'top = own.sort_values(ascending=False).head(15).rename("employment").reset_index()',
        [],
    ),
    (
        "code",
        'report.show(px.bar(top, x="nace_r2", y="employment", title=f"Employment by sector, {region} {latest}"),\n'
        '            data=top, name="employment_top")\n'
        'lq_top = lq.sort_values("lq", ascending=False).head(20)\n'
        'report.show(px.bar(lq_top, x="nace_r2", y="lq", title="Location quotient vs country"),\n'
        '            data=lq_top, name="location_quotient")',
        [],
    ),
    (
        "code",
        'trend = emp[(emp["region"] == region) & emp["nace_r2"].isin(top["nace_r2"].head(5))]\n'
        'report.show(px.line(trend, x="period", y="value", color="nace_r2", title="Top five sectors over time"),\n'
        '            data=trend, name="top_sector_trend")\n'
        'first = emp[(emp["region"] == region) & (emp["period"] == emp["period"].min())]\n'
        'growth = (own / first.set_index("nace_r2")["value"] - 1).rename("growth").reset_index()\n'
        'bubble = lq.merge(growth, on="nace_r2").merge(own.rename("employment").reset_index(), on="nace_r2")\n'
        'report.show(px.scatter(bubble, x="lq", y="growth", size="employment", hover_name="nace_r2",\n'
        '                       title="Specialisation and growth"), data=bubble, name="lq_growth")',
        [],
    ),
    (
        "code",
        "macro = query(\n"
        '    "SELECT o.region, o.period, o.value / p.value AS gdp_per_head FROM observations o"\n'
        "    \" JOIN observations p ON p.region = o.region AND p.period = o.period AND p.dataset_id = 'demo:population'\"\n"
        "    \" WHERE o.dataset_id = 'demo:gdp' AND substr(o.region, 1, 2) = substr(?, 1, 2) AND length(o.region) = 4\",\n"
        "    [region])\n"
        'macro["series"] = macro["region"].where(macro["region"] == region, "other regions")\n'
        'avg = macro.groupby(["series", "period"], as_index=False)["gdp_per_head"].mean()\n'
        'report.show(px.line(avg, x="period", y="gdp_per_head", color="series", title="GDP per head"),\n'
        '            data=avg, name="gdp_per_head")\n'
        'report.table(bubble.sort_values("employment", ascending=False).head(20), name="sector_table")',
        [],
    ),
    ("code", "report.provenance()", []),
]


def write_notebook(path: Path) -> None:
    cells = []
    for i, (kind, source, tags) in enumerate(CELLS):
        cells.append(
            {
                "cell_type": kind,
                "id": f"c{i}",
                "metadata": {"tags": tags} if tags else {},
                "source": source,
                "outputs": [],
                "execution_count": None,
            }
        )
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "name": "workbench",
                "display_name": "Python (workbench)",
                "language": "python",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))


class PeakMemory:
    """Peak summed PSS of a process and all its descendants, sampled every 0.2 s.

    PSS (proportional set size) splits pages shared between processes (forked workers, shared
    libraries) among them, so the sum is not inflated the way summed RSS is.
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._roots: list[psutil.Process] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, pid: int) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            self._roots.append(psutil.Process(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for root in list(self._roots):
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for p in procs:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        total += p.memory_full_info().pss
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_watched(
    cmd: list[str], mem: PeakMemory, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    mem.watch(proc.pid)
    out, err = proc.communicate()
    mem._roots = [r for r in mem._roots if r.pid != proc.pid]
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def cell_seconds(nb_path: Path) -> tuple[float, float]:
    """Total and first-code-cell (imports) execution time recorded by papermill."""
    nb = json.loads(nb_path.read_text())
    skip = {"parameters", "injected-parameters"}
    durations = [
        c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        for c in nb["cells"]
        if c["cell_type"] == "code" and not skip & set(c.get("metadata", {}).get("tags", []))
    ]
    return sum(durations), (durations[0] if durations else 0.0)


def bench_runner(
    work: Path, notebook: Path, regions: list[str], env: dict[str, str], workers: int
) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    plan = work / f"bench_{len(regions)}.yml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": f"bench_{len(regions)}",
                "runs": [
                    {"notebook": str(notebook), "parameter_sets": [{"region": r} for r in regions]}
                ],
            }
        )
    )
    out = work / "runner"
    cmd = [
        str(BIN / "workbench"),
        "run",
        str(plan),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--quiet",
    ]
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        run_watched(cmd, mem, env)
        wall = time.perf_counter() - t0
    batch = (out / f"bench_{len(regions)}" / "latest").resolve()
    manifest = json.loads((batch / "manifest.json").read_text())
    assert manifest["summary"]["ok"] == len(regions), manifest["summary"]
    cells = [cell_seconds(batch / r["outputs"]["notebook"]) for r in manifest["runs"]]
    sizes = [r["html_bytes"] for r in manifest["runs"]]
    return {
        "wall": wall,
        "peak_mb": mem.peak / 2**20,
        "cells": sum(c[0] for c in cells),
        "imports": sum(c[1] for c in cells),
        "slots": wall * workers,
        "html_kb": statistics.median(sizes) / 1024,
        "shared_js_kb": (batch / "plotly.min.js").stat().st_size / 1024,
        "kernel_start": statistics.median(
            r["phases"].get("kernel_start", 0) for r in manifest["runs"]
        ),
    }


def bench_cli_loop(work: Path, notebook: Path, regions: list[str], env: dict[str, str]) -> dict:
    out = work / "cli_loop"
    out.mkdir(parents=True, exist_ok=True)
    cells, sizes = [], []
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        for i, region in enumerate(regions):
            run_dir = out / f"{i:03d}_{region}"
            run_dir.mkdir()
            executed = run_dir / "notebook.ipynb"
            run_env = {**env, "WORKBENCH_REPORT_DIR": str(run_dir)}
            run_watched(
                [
                    str(BIN / "papermill"),
                    str(notebook),
                    str(executed),
                    "-p",
                    "region",
                    region,
                    "-k",
                    "workbench",
                    "--no-progress-bar",
                ],
                mem,
                run_env,
            )
            run_watched(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                mem,
                run_env,
            )
        wall = time.perf_counter() - t0
    for run_dir in sorted(out.iterdir()):
        cells.append(cell_seconds(run_dir / "notebook.ipynb"))
        sizes.append((run_dir / "notebook.html").stat().st_size)
    return {
        "wall": wall,
        "peak_mb": mem.peak / 2**20,
        "cells": sum(c[0] for c in cells),
        "imports": sum(c[1] for c in cells),
        "slots": wall,
        "html_kb": statistics.median(sizes) / 1024,
    }


def combine(results: list[dict]) -> dict:
    """Add up rounds: times summed, peak memory and sizes as maximum / median of medians."""
    out = {k: sum(r[k] for r in results) for k in ("wall", "cells", "imports", "slots")}
    out["peak_mb"] = max(r["peak_mb"] for r in results)
    out["html_kb"] = statistics.median(r["html_kb"] for r in results)
    for key in ("shared_js_kb", "kernel_start"):
        if key in results[0]:
            out[key] = statistics.median(r[key] for r in results)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 runs each, no scaling series")
    parser.add_argument("--runs", type=int, default=24, help="runs in the side-by-side comparison")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating rounds of the comparison"
    )
    parser.add_argument(
        "--no-scaling", action="store_true", help="skip the 12/24/48-run scaling series"
    )
    args = parser.parse_args()
    n = 4 if args.quick else args.runs
    scaling = [] if args.quick or args.no_scaling else [12, 24, 48]

    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        work = Path(tmp)
        db = work / "demo.duckdb"
        env = {**os.environ, "WORKBENCH_DB": str(db), "WORKBENCH_REPORTS": str(work / "reports")}
        subprocess.run(
            [str(BIN / "workbench"), "--db", str(db), "demo"],
            check=True,
            capture_output=True,
            env=env,
        )
        from workbench.batch.plans import expand

        os.environ["WORKBENCH_DB"] = str(db)
        regions = expand("nuts2_regions_with_data")
        need = max([n, *scaling])
        if len(regions) < need:
            regions = (regions * (need // len(regions) + 1))[:need]
        notebook = work / "regional_profile.ipynb"
        write_notebook(notebook)

        print(
            f"{n} runs of a 5-chart regional profile; {args.workers} workers; {os.cpu_count()} cores; "
            f"load average {os.getloadavg()[0]:.1f} at start",
            flush=True,
        )
        # The machine is shared and its load drifts: alternate the two methods in rounds
        # (A B, then B A, ...) over disjoint halves of the runs and add the rounds up.
        rounds = 1 if args.quick else max(1, args.rounds)
        chunks = [regions[i * n // rounds : (i + 1) * n // rounds] for i in range(rounds)]
        parts: dict[str, list[dict]] = {"runner": [], "loop": []}
        for i, chunk in enumerate(chunks):
            order = ["runner", "loop"] if i % 2 == 0 else ["loop", "runner"]
            for method in order:
                folder = work / f"cmp_{i}_{method}"
                if method == "runner":
                    parts[method].append(bench_runner(folder, notebook, chunk, env, args.workers))
                else:
                    parts[method].append(bench_cli_loop(folder, notebook, chunk, env))
                print(f"  round {i + 1}: {method} {parts[method][-1]['wall']:.1f} s", flush=True)
        runner, loop = combine(parts["runner"]), combine(parts["loop"])

        def share(r: dict) -> str:
            return f"{100 * (1 - r['cells'] / r['slots']):.0f} %"

        rows = [
            ("wall time", f"{loop['wall']:.1f} s", f"{runner['wall']:.1f} s"),
            ("per report", f"{loop['wall'] / n:.2f} s", f"{runner['wall'] / n:.2f} s"),
            ("speed-up", "1.0x", f"{loop['wall'] / runner['wall']:.1f}x"),
            (
                "time inside notebook cells (sum)",
                f"{loop['cells']:.1f} s",
                f"{runner['cells']:.1f} s",
            ),
            (
                "  of which first cell (imports)",
                f"{loop['imports']:.1f} s",
                f"{runner['imports']:.1f} s",
            ),
            ("start-up/overhead share of worker time", share(loop), share(runner)),
            (
                "peak memory (process tree PSS)",
                f"{loop['peak_mb']:.0f} MB",
                f"{runner['peak_mb']:.0f} MB",
            ),
            ("HTML report (median)", f"{loop['html_kb']:.0f} KB *", f"{runner['html_kb']:.0f} KB"),
            ("plotly.js", "not included *", f"{runner['shared_js_kb']:.0f} KB once per batch"),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"\n{'':{width}}  {'papermill+nbconvert CLI loop':>30}  {'workbench run':>24}")
        for label, a, b in rows:
            print(f"{label:{width}}  {a:>30}  {b:>24}")
        print(
            "* nbconvert keeps the figures' HTML but no plotly.js: those charts draw nothing offline\n"
            "  (inlining plotly.js would add ~4.8 MB to every report)."
        )
        print(f"runner: median kernel start {runner['kernel_start']:.2f} s")
        speed_up = loop["wall"] / runner["wall"]
        print(f"target >= 8x the CLI loop (issue 10): {'met' if speed_up >= 8 else 'NOT met'}")

        print(f"load average {os.getloadavg()[0]:.1f} after the comparison")
        if scaling:
            print(f"\nrunner scaling ({args.workers} workers)")
            print(f"{'runs':>5}  {'wall':>8}  {'per run':>8}  {'peak MB':>8}  {'overhead':>8}")
            for k in scaling:
                r = bench_runner(work / f"scale_{k}", notebook, regions[:k], env, args.workers)
                print(
                    f"{k:>5}  {r['wall']:>7.1f}s  {r['wall'] / k:>7.2f}s  {r['peak_mb']:>8.0f}  {share(r):>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
