"""Build the static training site offline: execute the lessons, then Sphinx + MyST-NB.

``build_site(out)``: copies ``training/`` to ``out/src``, executes every lesson with the report batch
(``workbench run training/plan.yml``: pre-warmed kernels, ``workers`` in parallel) on the
knowledge base ``db`` (``workbench training site`` builds a demo one when none exists), writes the executed notebooks over the copies, puts plotly.js into
``_static`` (charts draw without internet) and runs ``sphinx-build -b html`` into ``out/html``.
No step needs the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from workbench.errors import ValidationError
from workbench.learning.lessons import lessons, training_dir


def build_site(
    out: str | Path,
    *,
    db: str | Path,
    workers: int = 2,
    source: str | Path | None = None,
) -> Path:
    """Build the site into ``out/html``; returns the path of ``index.html``."""
    region = "HR03"  # the exercise region of training/plan.yml
    out = Path(out).resolve()
    src_root = Path(source) if source else training_dir()
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(src_root, src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    if not Path(db).exists():
        raise ValidationError(f"no knowledge base {db}: build one first (`workbench demo`)")
    runs = out / "runs"
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "run", str(src / "plan.yml"), "--out", str(runs),
         "--workers", str(workers), "-q"],
        capture_output=True, text=True, env=os.environ | {"WORKBENCH_DB": str(db)},
    )  # fmt: skip
    if proc.returncode != 0:
        raise ValidationError(f"the lessons did not all run:\n{proc.stdout[-3000:]}")
    batch = runs / "training" / "latest"
    for item in lessons(src / "lessons"):
        executed = batch / f"{item.id}__region-{region}" / "notebook.ipynb"
        if not executed.exists():
            raise ValidationError(f"lesson {item.id} has no executed notebook {executed}")
        shutil.copyfile(executed, src / "lessons" / f"{item.id}.ipynb")
    static = src / "_static"
    static.mkdir(exist_ok=True)
    import plotly

    shutil.copyfile(
        Path(plotly.__file__).parent / "package_data" / "plotly.min.js", static / "plotly.min.js"
    )
    html = out / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(src), str(html)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise ValidationError(f"sphinx-build failed:\n{proc.stdout}\n{proc.stderr}")
    index = html / "index.html"
    if not index.exists():
        raise ValidationError(f"sphinx-build wrote no {index}")
    return index
