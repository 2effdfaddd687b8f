"""Every benchmark script loads: its imports name things that exist.

Benchmarks are not run by the suite (they need a quiet machine), so a renamed function they import
would otherwise only show up when someone runs them; ``bench_export.py`` once imported
``run_folders`` from a module it had left.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("bench_*.py"))


def test_benchmarks_are_found() -> None:
    assert len(BENCHMARKS) >= 5


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.stem)
def test_benchmark_module_loads(script: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"benchmark_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # runs imports and definitions, not main()
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"
