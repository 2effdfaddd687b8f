"""Benchmark: PDF and Word export of finished reports against headless Chromium's print-to-pdf.

Side by side in one run, for each sampled report of a finished batch folder:

* ``pdf``       - ``workbench.export.export(run, ["pdf"])``: WeasyPrint + static SVG charts
                  (kaleido driving the system Chromium; one browser for the whole benchmark, its
                  start-up reported separately; chart images drawn fresh, cache emptied first);
* ``pdf cached``- the same again with the chart images cached (a re-export, or Word after PDF);
* ``docx``      - ``export(run, ["docx"])`` (charts as PNG, drawn fresh);
* ``chromium``  - ``chromium --headless --print-to-pdf`` of the run's ``report.html`` (the obvious
                  alternative; a fresh browser per report as a user would run it).

Then one pack of (up to) 36 reports as PDF, side by side in the same run:

* ``parts, charts drawn`` - the default: every report (and the appendix) laid out once, alone, by
  worker processes (``WORKBENCH_EXPORT_WORKERS``, default the CPU count, at most 4), merged with
  pikepdf, "Page x of y" stamped on from one footer-only document; the missing chart images drawn
  a few reports at a time (``CHART_STEP``, one browser tab) while the workers lay out the reports
  before; cache emptied first;
* ``parts, cached``       - the same with the chart images cached (the batch's own per-report
  export drew them: ``workbench run --formats pdf`` before ``workbench pack``);
* ``one pass, cached``    - the obvious alternative: the whole pack in one WeasyPrint pass;
* ``chromium`` (``--chromium-pack``) - headless Chromium printing each report's HTML, merged
  with pypdf (no common contents list or page numbers; slow, so off by default).

Every pack row times the whole ``workbench pack`` call: loading the runs (their notebooks read as
plain JSON), the PDF, and the data annex (written by a niced forked process beside the layout).

Reported: wall and CPU seconds (this process + children; the machine is shared, so CPU is the
steadier figure), load average before/after, MB and pages; targets: report PDF <= 3 s and <= 2 MB,
36-report pack <= 60 s.  Copies the batch to a scratch folder first (the export writes a cache
there).

Usage: .venv/bin/python benchmarks/bench_export.py BATCH_DIR [--sample N] [--pack N]
           [--scratch DIR] [--chromium-pack]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from workbench.export import pack
from workbench.export.charts import CACHE_DIR, TABS, ChartRenderer, find_browser
from workbench.export.docx import render_docx
from workbench.export.model import load_report
from workbench.export.pdf import render_pdf, workers_for_pack
from workbench.reporting.sharing import run_folders

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
]


def _pages(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def _sample(folders: list[Path], n: int) -> list[Path]:
    """One run per notebook type first, then more until ``n``."""
    seen: dict[str, Path] = {}
    for f in folders:
        seen.setdefault(f.name.split("__")[0], f)
    chosen = list(seen.values())
    chosen += [f for f in folders if f not in chosen]
    return chosen[:n]


def _chromium_pdf(browser: str, run: Path, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [browser, *CHROMIUM_ARGS, f"--print-to-pdf={out}", (run / "report.html").as_uri()],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("batch", type=Path)
    ap.add_argument("--sample", type=int, default=8, help="reports measured one by one")
    ap.add_argument("--pack", type=int, default=36, help="reports in the pack")
    ap.add_argument("--scratch", type=Path, default=None)
    ap.add_argument(
        "--chromium-pack",
        action="store_true",
        help="also print every packed report with headless Chromium and merge (slow)",
    )
    args = ap.parse_args()
    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench_export_"))
    batch = scratch / "batch"
    if not batch.exists():
        shutil.copytree(args.batch, batch, ignore=shutil.ignore_patterns("export", "share"))
    folders = run_folders(batch)
    browser = find_browser()
    out = scratch / "out"
    out.mkdir(exist_ok=True)
    charts = ChartRenderer()
    t = time.perf_counter()
    charts._start()
    startup = time.perf_counter() - t
    print(f"kaleido + Chromium start (once per export command): {startup:.2f} s")
    head = (
        f"{'report':55} {'pdf s':>6} {'cached':>6} {'MB':>5} {'pp':>3} | {'docx s':>6} {'MB':>5}"
        f" | {'chromium s':>10} {'MB':>5} {'pp':>3}"
    )
    print(head)
    rows = []
    for run in _sample(folders, args.sample):
        shutil.rmtree(run / CACHE_DIR, ignore_errors=True)
        t = time.perf_counter()
        report = load_report(run)
        pdf = render_pdf([report], out / f"{run.name}.pdf", charts)
        t_pdf = time.perf_counter() - t
        t = time.perf_counter()
        render_pdf([load_report(run)], out / f"{run.name}-2.pdf", charts)
        t_cached = time.perf_counter() - t
        shutil.rmtree(run / CACHE_DIR, ignore_errors=True)
        t = time.perf_counter()
        docx = render_docx([load_report(run)], out / f"{run.name}.docx", charts)
        t_docx = time.perf_counter() - t
        cpdf = out / f"{run.name}-chromium.pdf"
        t_chr = _chromium_pdf(browser, run, cpdf)
        row = (
            run.name[:55],
            t_pdf,
            t_cached,
            pdf.stat().st_size / 1e6,
            _pages(pdf),
            t_docx,
            docx.stat().st_size / 1e6,
            t_chr,
            cpdf.stat().st_size / 1e6,
            _pages(cpdf),
        )
        rows.append(row)
        print(
            f"{row[0]:55} {row[1]:6.2f} {row[2]:6.2f} {row[3]:5.2f} {row[4]:3d} | {row[5]:6.2f}"
            f" {row[6]:5.2f} | {row[7]:10.2f} {row[8]:5.2f} {row[9]:3d}",
            flush=True,
        )
    med = [statistics.median(r[i] for r in rows) for i in (1, 2, 3, 5, 6, 7, 8)]
    print(
        f"median: pdf {med[0]:.2f} s (cached charts {med[1]:.2f} s), {med[2]:.2f} MB; docx "
        f"{med[3]:.2f} s, {med[4]:.2f} MB; chromium print-to-pdf {med[5]:.2f} s, {med[6]:.2f} MB; "
        f"ratio pdf/chromium {med[0] / med[5]:.2f}"
    )
    charts.close()
    _bench_pack(batch, folders[: args.pack], out, browser, args.chromium_pack)
    print(f"outputs in {out}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (pack workers, Chromium)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(label: str, fn) -> tuple[float, float]:  # noqa: ANN001
    load = os.getloadavg()[0]
    t, c = time.perf_counter(), _cpu()
    path = fn()
    wall, cpu = time.perf_counter() - t, _cpu() - c
    print(
        f"  {label:58} {wall:6.1f} s wall {cpu:6.1f} s CPU  {path.stat().st_size / 1e6:5.1f} MB "
        f"{_pages(path):4d} pp  (load {load:.1f} -> {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return wall, cpu


def _bench_pack(batch: Path, picked: list[Path], out: Path, browser: str, chromium: bool) -> None:
    """The pack of ``picked`` reports: laid out in parts by worker processes (the default)
    against one WeasyPrint pass, with chart images drawn fresh and cached; optionally against
    headless Chromium printing each report's HTML, merged with pypdf."""
    select = ",".join(f.name for f in picked)
    workers = workers_for_pack()
    print(f"pack of {len(picked)} reports (target <= 60 s; {os.cpu_count()} CPUs):")

    def run(tag: str, n: int) -> Path:
        os.environ["WORKBENCH_EXPORT_WORKERS"] = str(n)
        files = pack(batch, title="All reports", formats=["pdf"], out_dir=out / tag, select=select)
        return files[0].path

    for run_dir in picked:
        shutil.rmtree(run_dir / CACHE_DIR, ignore_errors=True)
    rows = {
        "parts, charts drawn": _timed(
            f"{workers} worker processes, charts drawn ({TABS} browser tab(s))",
            lambda: run("parts-cold", workers),
        ),
        "parts, cached": _timed(
            f"{workers} worker processes, chart images cached", lambda: run("parts", workers)
        ),
        "one pass, cached": _timed(
            "one WeasyPrint pass, chart images cached", lambda: run("one-pass", 1)
        ),
    }
    os.environ.pop("WORKBENCH_EXPORT_WORKERS", None)
    if chromium:

        def chromium_pack() -> Path:
            from pypdf import PdfWriter

            writer = PdfWriter()
            for run_dir in picked:
                target = out / "chromium-pack" / f"{run_dir.name}.pdf"
                target.parent.mkdir(parents=True, exist_ok=True)
                _chromium_pdf(browser, run_dir, target)
                writer.append(str(target))
            path = out / "chromium-pack.pdf"
            with open(path, "wb") as fh:
                writer.write(fh)
            return path

        rows["chromium"] = _timed("chromium --print-to-pdf per report + pypdf merge", chromium_pack)
    base = rows["one pass, cached"]
    for name, (wall, cpu) in rows.items():
        print(
            f"  ratio {name} / one pass cached: wall {wall / base[0]:.2f}, CPU {cpu / base[1]:.2f}"
        )


if __name__ == "__main__":
    main()
