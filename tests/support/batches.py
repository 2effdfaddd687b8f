"""Session-wide report batches shared by the slow tests (registered in ``tests/conftest.py``).

Running the demo plan (~40 notebooks) or the real-data plan (imports + 3 notebooks) is the most
expensive thing the suite does; several test modules only READ the reports of such a batch, so each
batch is made once per test run (shared by pytest-xdist's workers, ``support.shared``), exactly as
a person types it (``workbench --db KB run PLAN --out DIR -q`` in a subprocess, from the
repository root).  The tests that use them form one xdist group (``tests/conftest.py``), so one
worker runs them one after the other while the other worker runs the rest:

- ``demo_batch``: the whole demo plan on a private copy of the session's demo knowledge base
  (``demo_kb``); used by the accessibility test and the key-findings test of every report type.
- ``real_plan_batch``: the real-data plan (``notebooks/plans/real.yml``) on a fresh knowledge base,
  inputs imported by the run; used by the real-plan, real-data findings and accessibility tests.

Both are READ-ONLY for the tests: a test that writes into a batch folder or its knowledge base
copies it first (see :func:`copy_kb`); the session fails at its end when a test wrote into one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.shared import assert_unchanged, once_per_run, tree_signature
from support.testing import require_real_data

ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAN = ROOT / "notebooks" / "plans" / "demo.yml"
REAL_PLAN = ROOT / "notebooks" / "plans" / "real.yml"


@dataclass(frozen=True)
class PlanBatch:
    """One finished ``workbench run`` of a plan: its knowledge base, ``--out`` folder, the batch
    folder (``<out>/<plan>/<timestamp>``) and the finished process (stdout/stderr of the run)."""

    db: Path
    out: Path
    batch: Path
    done: subprocess.CompletedProcess[str]


def copy_kb(db: Path, to: Path) -> Path:
    """Copy a DuckDB knowledge base (and its write-ahead log, if any) to the file ``to``."""
    shutil.copyfile(db, to)
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, to.with_name(to.name + ".wal"))
    return to


def run_plan(plan: Path, *, db: Path, out: Path, timeout: float) -> PlanBatch:
    """``workbench --db DB run PLAN --out OUT -q`` from the repository root; fails the requesting
    test with the end of stderr when the run fails."""
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), "run", str(plan), "--out", str(out),
         "-q"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    name = plan.stem
    batches = [p for p in (out / name).iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(batches) == 1, batches
    return PlanBatch(db=db, out=out, batch=batches[0], done=done)


def _dump(batch: PlanBatch) -> dict[str, Any]:
    done = batch.done
    return {
        "db": str(batch.db), "out": str(batch.out), "batch": str(batch.batch),
        "args": done.args, "returncode": done.returncode, "stdout": done.stdout,
        "stderr": done.stderr,
    }  # fmt: skip


def _load(data: dict[str, Any]) -> PlanBatch:
    done = subprocess.CompletedProcess(
        data["args"], data["returncode"], stdout=data["stdout"], stderr=data["stderr"]
    )
    return PlanBatch(db=Path(data["db"]), out=Path(data["out"]), batch=Path(data["batch"]),
                     done=done)  # fmt: skip


def _shared_batch(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], PlanBatch]
) -> Iterator[PlanBatch]:
    """``build`` once per test run (shared by xdist workers); fails the session at its end when a
    test wrote into the batch's folder (knowledge base or reports)."""
    batch = once_per_run(tmp_path_factory, name, build, dump=_dump, load=_load)
    before = tree_signature(batch.out.parent)
    yield batch
    assert_unchanged(batch.out.parent, before, f"the shared batch {batch.batch}")


@pytest.fixture(scope="session")
def demo_batch(demo_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanBatch]:
    """The whole demo plan run once per test run on a copy of ``demo_kb`` (read-only for tests)."""

    def build(base: Path) -> PlanBatch:
        db = copy_kb(demo_kb, base / "demo.duckdb")
        return run_plan(DEMO_PLAN, db=db, out=base / "reports", timeout=1800)

    yield from _shared_batch(tmp_path_factory, "demo_batch", build)


@pytest.fixture(scope="session")
def real_plan_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanBatch]:
    """The real-data plan run once per test run on a fresh knowledge base (read-only for tests)."""
    require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    require_real_data("eurostat_tsv", "nama_10r_2gdp.tsv.gz")
    require_real_data("cohesion_policy", "ESIF_Croatia_2007-2020.csv")

    def build(base: Path) -> PlanBatch:
        return run_plan(REAL_PLAN, db=base / "real.duckdb", out=base / "reports", timeout=1200)

    yield from _shared_batch(tmp_path_factory, "real_batch", build)
