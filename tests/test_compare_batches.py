"""tests/support/compare_batches.py: the script that shows a refactoring left the report tables alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.compare_batches import compare_batches, main


def _batch(root: Path, tables: dict[str, dict[str, pd.DataFrame]]) -> Path:
    for run, frames in tables.items():
        (root / run).mkdir(parents=True)
        for name, frame in frames.items():
            frame.to_csv(root / run / f"{name}.csv", index=False)
    (root / "index.html").write_text("<html></html>", encoding="utf-8")
    return root


def _frame(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "region": ["HR03", "SI03", "RO11"],
            "lq": rng.random(3),
            "note": ["a", "", "c"],
            "imported_at": ["2026-01-01T00:00:00", "x", "y"],
        }
    )


def test_same_tables_from_two_runs_agree(tmp_path: Path) -> None:
    a = _batch(tmp_path / "a", {"run1": {"t": _frame()}, "run2": {"u": _frame(2)}})
    later = _frame().assign(imported_at="2027-05-05T10:00:00")  # a timestamp column: ignored
    b = _batch(tmp_path / "b", {"run1": {"t": later}, "run2": {"u": _frame(2)}})
    result = compare_batches(a, b)
    assert result.same, result.report()
    assert (result.runs, result.tables) == (2, 2)


def test_a_changed_value_a_lost_table_and_a_lost_run_are_reported(tmp_path: Path) -> None:
    changed = _frame()
    changed.loc[1, "lq"] += 1e-6
    a = _batch(tmp_path / "a", {"run1": {"t": _frame(), "v": _frame()}, "run2": {"u": _frame()}})
    b = _batch(tmp_path / "b", {"run1": {"t": changed}})
    result = compare_batches(a, b)
    assert not result.same
    assert result.missing_runs == ["run2"]
    assert result.missing_tables == ["run1/v.csv"]
    assert len(result.differences) == 1 and "run1/t.csv" in result.differences[0]
    assert "lq" in result.differences[0]


def test_command_line_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _batch(tmp_path / "a", {"run1": {"t": _frame()}})
    b = _batch(tmp_path / "b", {"run1": {"t": _frame().rename(columns={"lq": "LQ"})}})
    assert main([str(a), str(a)]) == 0
    assert "the batches give the same tables" in capsys.readouterr().out
    assert main([str(a), str(b)]) == 1
    assert "columns" in capsys.readouterr().out
