"""Foresight workshop performance: `workbench serve` vs Voila's default, measured in one run.

Targets (issue 7): one participant navigation -> interactive <= 1.5 s (preheated); 40 participants
opening within a minute: p95 until the page is delivered and the kernel has sent the widgets <= 10 s
(light clients: a websocket client per participant, since browsers run on the participants' devices);
submit-to-"Saved" p95 <= 300 ms while 40 submit; memory per participant kernel <= 150 MiB; kernels of
closed pages reclaimed within 2 minutes; no CDN assets.

    .venv/bin/python benchmarks/bench_foresight.py           # full run (~10 minutes)
    .venv/bin/python benchmarks/bench_foresight.py --quick   # smoke run (4 participants, short culling)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the probe client lives in tests/support

from support.probe import VoilaPage, join_participant, submit_answer  # noqa: E402
from support.testing import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    record_foreign_requests,
)

from workbench.demo import foresight as demo  # noqa: E402
from workbench.serving import ServerProcess  # noqa: E402

NOTEBOOK = "foresight_participant.ipynb"


class DefaultVoila:
    """Voila as installed, with its defaults (no preheating, default template, no culling)."""

    def __init__(self, nb_dir: Path, db: Path, port: int, log: Path) -> None:
        self.nb_dir, self.db, self.port, self.log_path = nb_dir, db, port, log
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> str:
        env = dict(os.environ, WORKBENCH_DB=str(self.db))
        self.log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(self.nb_dir),
                "--no-browser",
                f"--port={self.port}",
                "--Voila.ip=127.0.0.1",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        for _ in range(240):
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5):
                    return self.url
            except OSError:
                time.sleep(0.5)
        raise TimeoutError("voila did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


def kernels(pid: int) -> list[psutil.Process]:
    """ipykernel processes under a server process."""
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.Error:
            pass
    return out


def browser_open(url: str, runs: int) -> tuple[float, float, list[str]]:
    """Median seconds navigation -> code box usable, KiB transferred, foreign (non-local) requests."""
    from playwright.sync_api import sync_playwright

    times, sizes, foreign = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 390, "height": 844})
                record_foreign_requests(page, foreign)
                t0 = time.perf_counter()
                page.goto(f"{url}/voila/render/{NOTEBOOK}", wait_until="commit")
                box = page.get_by_placeholder("your code")
                box.wait_for(state="visible", timeout=120_000)
                box.fill("X")  # interactive: typing works
                times.append(time.perf_counter() - t0)
                page.wait_for_load_state("load")
                sizes.append(
                    page.evaluate(
                        "() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        ".reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0)"
                    )
                    / 1024
                )
                page.close()
                time.sleep(6)  # let the pool refill before the next participant
        finally:
            browser.close()
    return statistics.median(times), statistics.median(sizes), sorted(set(foreign))


async def crowd(
    url: str, codes: list[str], window_s: float, submissions: int, bursts: int
) -> dict[str, list[float]]:
    """Participants arrive evenly over ``window_s``; each opens the page, joins and submits (a person
    reads 0-2 s before each Save); then ``bursts`` times all press Save at the same instant."""
    opened: list[float] = []
    saved: list[float] = []
    burst: list[float] = []
    errors: list[str] = []
    pages: list[VoilaPage] = []
    joined: list[tuple[VoilaPage, dict[str, dict[str, str]]]] = []
    gate = asyncio.Event()
    ready = 0

    async def one(i: int, code: str) -> None:
        nonlocal ready
        await asyncio.sleep(window_s * i / max(len(codes), 1))
        page = VoilaPage(url, NOTEBOOK)
        timing = await page.open(timeout=600)
        opened.append(timing.widgets_s)
        pages.append(page)
        cards = await join_participant(page, code, timeout=600)
        joined.append((page, cards))
        ready += 1
        if ready == len(codes):
            gate.set()
        await gate.wait()  # everyone starts submitting at the same moment
        rng = np.random.default_rng(i)
        for k in range(submissions):
            # all 40 keep submitting together: choose a value, read ~0-2 s, press Save
            status, seconds = await submit_answer(
                page,
                cards[f"S{k % 5 + 1}"],
                int(rng.integers(1, 6)),
                "",
                timeout=600,
                think_s=float(rng.uniform(0, 2)),
            )
            saved.append(seconds)
            if "fs-ok" not in status:
                errors.append(status)

    await asyncio.gather(*(one(i, c) for i, c in enumerate(codes)))

    async def press(page: VoilaPage, cards: dict[str, dict[str, str]], k: int, value: int) -> None:
        status, seconds = await submit_answer(page, cards[f"S{k % 5 + 1}"], value, "", timeout=600)
        burst.append(seconds)
        if "fs-ok" not in status:
            errors.append(status)

    for k in range(bursts):  # the worst case: every participant clicks Save at the same instant
        await asyncio.sleep(2)
        await asyncio.gather(
            *(press(page, cards, k, (i + k) % 5 + 1) for i, (page, cards) in enumerate(joined))
        )
    for page in pages:
        await page.close()
    return {"opened": opened, "saved": saved, "burst": burst, "errors": errors}


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def wait_reclaimed(pid: int, keep: int, limit_s: float) -> float | None:
    """Seconds until at most ``keep`` kernels remain under ``pid`` (None if not within ``limit_s``)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit_s:
        if len(kernels(pid)) <= keep:
            return time.perf_counter() - t0
        time.sleep(2)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="4 participants, short culling (smoke run)"
    )
    args = parser.parse_args()
    n = 4 if args.quick else 40
    window = 4.0 if args.quick else 60.0
    submissions = 3 if args.quick else 5
    bursts = 2 if args.quick else 3
    cull = ["--cull-idle", "10"] if args.quick else []
    reclaim_limit = 60.0 if args.quick else 180.0
    tmp = Path(tempfile.mkdtemp(prefix="bench_foresight_"))
    db = tmp / "kb.duckdb"
    codes = demo.build_foresight_only(db)
    os.environ["WORKBENCH_DB"] = str(db)
    nb_dir = tmp / "dashboards"
    nb_dir.mkdir()
    shutil.copy(ROOT / "notebooks" / "dashboards" / NOTEBOOK, nb_dir / NOTEBOOK)
    rows: list[tuple[str, str, str, str]] = []
    results: dict[str, dict[str, object]] = {}

    for label in ("workbench serve", "voila default"):
        print(f"-- {label}", flush=True)
        port = free_port()
        if label == "workbench serve":
            pool = "4" if args.quick else "8"
            server = ServerProcess(
                db,
                port,
                log_path=tmp / "serve.log",
                extra=["--notebooks", str(nb_dir), "--participant-pool", pool, *cull],
            )
        else:
            server = DefaultVoila(nb_dir, db, port, tmp / "voila.log")
        with server as url:
            pid = server.proc.pid
            nav_s, kib, foreign = browser_open(url, 3)
            people = codes[60 - n :] if label == "workbench serve" else codes[20 : 20 + n]
            out = asyncio.run(crowd(url, people, window, submissions, bursts))
            rss = [k.memory_info().rss / 2**20 for k in kernels(pid)]
            count = len(rss)
            # pages closed (websockets closed by crowd); idle pooled kernels stay
            keep = int(pool) if label == "workbench serve" else 0
            reclaimed = wait_reclaimed(
                pid,
                keep,
                reclaim_limit if label == "workbench serve" else 130.0 if not args.quick else 20.0,
            )
            results[label] = {
                "nav": nav_s,
                "kib": kib,
                "foreign": foreign,
                "open_p95": p95(out["opened"]),
                "saved_p95": p95(out["saved"]),
                "burst_p95": p95(out["burst"]),
                "bursts": len(out["burst"]),
                "errors": len(out["errors"]),
                "rss": statistics.median(rss),
                "kernels": count,
                "reclaimed": reclaimed,
                "saves": len(out["saved"]),
            }
            print(results[label], flush=True)

    s, d = results["workbench serve"], results["voila default"]

    def rec(r: dict[str, object]) -> str:
        return "never (within test window)" if r["reclaimed"] is None else f"{r['reclaimed']:.0f} s"

    rows = [
        (
            "navigation -> interactive, 1 participant (median of 3)",
            f"{s['nav']:.2f} s",
            f"{d['nav']:.2f} s",
            "<= 1.5 s",
        ),
        (
            "data transferred per participant page",
            f"{s['kib']:.0f} KiB",
            f"{d['kib']:.0f} KiB",
            "lean",
        ),
        (
            f"{n} participants opening within {window:.0f} s: p95 page + widgets",
            f"{s['open_p95']:.2f} s",
            f"{d['open_p95']:.2f} s",
            "<= 10 s",
        ),
        (
            f"submit -> Saved p95 ({n} submitting, 0-2 s reading, {s['saves']} saves)",
            f"{s['saved_p95'] * 1000:.0f} ms",
            f"{d['saved_p95'] * 1000:.0f} ms",
            "<= 300 ms",
        ),
        (
            f"submit -> Saved p95, all {n} click at the same instant ({s['bursts']} saves)",
            f"{s['burst_p95'] * 1000:.0f} ms",
            f"{d['burst_p95'] * 1000:.0f} ms",
            "(worst case)",
        ),
        ("errors shown to participants", str(s["errors"]), str(d["errors"]), "0"),
        (
            "memory per participant kernel (median RSS)",
            f"{s['rss']:.0f} MiB",
            f"{d['rss']:.0f} MiB",
            "<= 150 MiB",
        ),
        ("kernels of closed pages reclaimed", rec(s), rec(d), "<= 120 s"),
        ("requests to other hosts (CDN)", str(len(s["foreign"])), str(len(d["foreign"])), "0"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}} | workbench serve | voila default | target")
    print("-" * (width + 50))
    for name, a, b, target in rows:
        print(f"{name:<{width}} | {a:>15} | {b:>13} | {target}")
    if d["foreign"]:
        print("voila default requested:", ", ".join(d["foreign"])[:300])
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
