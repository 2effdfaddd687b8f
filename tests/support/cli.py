"""Run the real ``workbench`` command line in a subprocess (the entry point's error handling
included) against a given knowledge base."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def run_workbench(
    *args: str,
    db: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``workbench [--db DB] ARGS...`` as a person types it; WORKBENCH_DB is not inherited."""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("WORKBENCH_DB", None)
    head = ["--db", str(db)] if db is not None else []
    return subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", *head, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def assert_clean_failure(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Non-zero exit, an ``error:`` message holding every needle, and no traceback."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)


def invoke_workbench(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The same as :func:`run_workbench` but in this process (no interpreter start: fast for
    many cases); ``--db`` set by the command does not leak into the environment afterwards."""
    import contextlib
    import io

    from workbench.cli import main

    head = ["--db", str(db)] if db is not None else []
    argv = ["workbench", *head, *args]
    out, err = io.StringIO(), io.StringIO()
    saved_env = os.environ.get("WORKBENCH_DB")
    saved_argv = sys.argv
    code: int | str | None = 0
    try:
        os.environ.pop("WORKBENCH_DB", None)
        sys.argv = argv
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
            except Exception:  # a bug: keep its traceback in stderr, as the real CLI would
                import traceback

                traceback.print_exc()
                code = 1
    finally:
        sys.argv = saved_argv
        if saved_env is None:
            os.environ.pop("WORKBENCH_DB", None)
        else:
            os.environ["WORKBENCH_DB"] = saved_env
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(argv, returncode, out.getvalue(), err.getvalue())
