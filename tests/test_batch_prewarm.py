"""Pre-warmed report kernels (workbench/batch/prewarm.py): each run still gets a fresh kernel
process with its own environment, working directory and random state, forked from a zygote that
has the heavy modules imported."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from workbench.batch import prewarm
from workbench.batch.plans import load_plan
from workbench.batch.runner import run_plan

PROBE = (
    "import json, os, random, sys\n"
    "warm = {m: m in sys.modules for m in ('pandas', 'plotly.express', 'workbench.reporting')}\n"
    "import numpy as np\n"
    "x = 41\n"
    "out = {'warm': warm, 'pid': os.getpid(), 'ppid': os.getppid(), 'cwd': os.getcwd(),\n"
    "       'db': os.environ.get('WORKBENCH_DB'), 'report_dir': os.environ.get('WORKBENCH_REPORT_DIR'),\n"
    "       'random': random.random(), 'np_random': float(np.random.random()), 'tag': tag}\n"
    "open(os.path.join(os.environ['WORKBENCH_REPORT_DIR'], 'probe.json'), 'w').write(json.dumps(out))"
)


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('tag: str = "a"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(PROBE)]
    nb.metadata["kernelspec"] = {"name": "workbench", "display_name": "w", "language": "python"}
    nbformat.write(nb, str(path))


def test_kernel_prefix_accepts_only_plain_ipykernel_commands() -> None:
    py = sys.executable
    assert prewarm.kernel_prefix([py, "-m", "ipykernel_launcher", "-f", "c.json"]) == [py]
    assert prewarm.kernel_prefix(
        [py, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c"]
    )
    assert prewarm.kernel_prefix([py, "-m", "other_kernel", "-f", "c.json"]) is None
    assert prewarm.kernel_prefix([py, "-u", "-m", "ipykernel_launcher", "-f", "c.json"]) is None


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd and fork: Linux")
def test_runs_get_fresh_forked_kernels_with_their_own_environment(
    tmp_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "probe.ipynb")
    plan = tmp_path / "probe.yml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "probe",
                "runs": [
                    {
                        "notebook": str(folder / "probe.ipynb"),
                        "parameter_sets": [{"tag": t} for t in "abc"],
                    }
                ],
            }
        )
    )
    tmp_db.touch()
    result = run_plan(load_plan(plan), out=tmp_path / "out", workers=1, progress=False)
    assert result.manifest["summary"]["ok"] == 3, result.manifest["runs"]
    probes = [
        json.loads((result.folder / r["run_id"] / "probe.json").read_text())
        for r in result.manifest["runs"]
    ]
    assert [p["tag"] for p in probes] == list("abc")
    for p, run in zip(probes, result.manifest["runs"], strict=True):
        assert all(p["warm"].values()), p["warm"]  # imported before the notebook asked
        assert p["cwd"] == str(folder)
        assert p["db"] == str(tmp_db)
        assert p["report_dir"] == str(result.folder / run["run_id"])
    # one zygote per batch: every kernel is a different process forked from the same parent
    assert len({p["pid"] for p in probes}) == 3
    assert len({p["ppid"] for p in probes}) == 1
    assert probes[0]["ppid"] != os.getpid()
    # and none inherits the zygote's random state
    assert len({p["random"] for p in probes}) == 3
    assert len({p["np_random"] for p in probes}) == 3


@pytest.mark.slow
def test_switched_off_kernels_are_launched_normally(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(prewarm.ENV_SWITCH, "0")
    _notebook(tmp_path / "probe.ipynb")
    plan = tmp_path / "probe.yml"
    plan.write_text(
        yaml.safe_dump({"name": "p", "runs": [{"notebook": str(tmp_path / "probe.ipynb")}]})
    )
    tmp_db.touch()
    result = run_plan(load_plan(plan), out=tmp_path / "out", workers=1, progress=False)
    run = result.manifest["runs"][0]
    assert run["status"] == "ok", run["error"]
    probe = json.loads((result.folder / run["run_id"] / "probe.json").read_text())
    assert not probe["warm"]["plotly.express"]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd and fork: Linux")
def test_forked_kernels_print_no_connection_banner(
    tmp_db: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """`make demo` printed ipykernel's "To connect another client to this kernel" once per report
    (a forked kernel had no parent, so ipykernel took it for a terminal `ipython kernel`); the fix
    gives it its parent, nothing is redirected, so a kernel's real errors still reach stderr."""
    _notebook(tmp_path / "probe.ipynb")
    plan = tmp_path / "probe.yml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "p",
                "runs": [
                    {
                        "notebook": str(tmp_path / "probe.ipynb"),
                        "parameter_sets": [{"tag": t} for t in "ab"],
                    }
                ],
            }
        )
    )
    tmp_db.touch()
    capfd.readouterr()
    result = run_plan(load_plan(plan), out=tmp_path / "out", workers=1, progress=False)
    assert result.manifest["summary"]["ok"] == 2, result.manifest["runs"]
    probes = [
        json.loads((result.folder / r["run_id"] / "probe.json").read_text())
        for r in result.manifest["runs"]
    ]
    assert all(all(p["warm"].values()) for p in probes)  # the kernels were forked
    out, err = capfd.readouterr()
    assert "To connect another client" not in out + err
    assert "--existing" not in out + err


def test_every_prewarm_module_exists() -> None:
    """The zygote skips a module that fails to import without a word: a misspelt or removed name
    would silently make every kernel import it again."""
    import importlib.util

    missing = [m for m in prewarm.PREWARM_MODULES if importlib.util.find_spec(m) is None]
    assert missing == []
