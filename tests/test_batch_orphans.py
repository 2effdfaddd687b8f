"""kill -9 of `workbench run` leaves no process behind (issue 10, item 5): pool workers, the
pre-warmed kernel zygotes and the kernels all die with the batch (workbench/batch/lifeline.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml

pytestmark = pytest.mark.slow  # batches / processes: not in make test-fast

WORKBENCH = str(Path(sys.executable).parent / "workbench")


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('marker: str = ""\nseconds: float = 120.0')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        "import os, time\n"
        "from pathlib import Path\n"
        "Path(marker).write_text(str(os.getpid()))\n"
        "time.sleep(seconds)"
    )
    nb.cells = [params, body]
    nb.metadata["kernelspec"] = {"name": "workbench", "display_name": "w", "language": "python"}
    nbformat.write(nb, str(path))


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux")
def test_kill_9_of_workbench_run_leaves_no_process(tmp_db: Path, tmp_path: Path) -> None:
    notebook = tmp_path / "sleeper.ipynb"
    _notebook(notebook)
    markers = [tmp_path / f"kernel_{i}.pid" for i in range(2)]
    plan = tmp_path / "sleepers.yml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "sleepers",
                "runs": [
                    {
                        "notebook": str(notebook),
                        "parameter_sets": [{"marker": str(m)} for m in markers],
                    }
                ],
            }
        )
    )
    tmp_db.touch()  # the runs never open it; `workbench run` only needs a path
    main = subprocess.Popen(
        [WORKBENCH, "run", str(plan), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "WORKBENCH_DB": str(tmp_db)},
    )
    try:
        deadline = time.monotonic() + 120
        while not all(m.exists() and m.read_text() for m in markers):
            assert main.poll() is None, "workbench run ended before its kernels started"
            assert time.monotonic() < deadline, "kernels did not start within 120 s"
            time.sleep(0.2)
        tree = psutil.Process(main.pid).children(recursive=True)
        kernels = [int(m.read_text()) for m in markers]
        pids = {p.pid for p in tree} | set(kernels)
        # forkserver, 2 workers, 2 kernels at least (plus the zygotes when pre-warming is on)
        assert len(pids) >= 5, [p.cmdline() for p in tree]
        os.kill(main.pid, signal.SIGKILL)
        main.wait(timeout=10)
        deadline = time.monotonic() + 15
        while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        alive = [pid for pid in pids if not _gone(pid)]
        assert not alive, [psutil.Process(pid).cmdline() for pid in alive]
    finally:
        if main.poll() is None:
            main.kill()
