"""Compare the CSV tables of two report batches (e.g. before and after a refactoring).

A batch folder is what ``workbench run PLAN --out OUT`` writes: ``OUT/<plan>/<time>/`` with one
sub-folder per run holding the CSV behind every table and chart.  Runs are matched by folder name,
tables by file name; values are compared with pandas (numbers to a relative tolerance, text exactly).
Columns that legitimately differ between two runs on two knowledge bases (import timestamps) are
ignored by default.

Command line (exit status 1 when the batches differ)::

    python tests/support/compare_batches.py BEFORE_BATCH AFTER_BATCH [--rtol 1e-9] [--ignore COL]...
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Columns that record when or by which process something happened, not what a report shows.
DEFAULT_IGNORED = ("imported_at", "created_at", "generated_at", "run_at", "merged_at")


@dataclass
class Comparison:
    """Differences between two batches; empty lists mean the tables are the same."""

    runs: int = 0
    tables: int = 0
    missing_runs: list[str] = field(default_factory=list)
    extra_runs: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    extra_tables: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (
            self.missing_runs
            or self.extra_runs
            or self.missing_tables
            or self.extra_tables
            or self.differences
        )

    def report(self) -> str:
        """The differences in words (one line each), or a line saying the batches agree."""
        lines = [f"{self.runs} runs, {self.tables} tables compared"]
        lines += [f"run only in the first batch: {r}" for r in self.missing_runs]
        lines += [f"run only in the second batch: {r}" for r in self.extra_runs]
        lines += [f"table only in the first batch: {t}" for t in self.missing_tables]
        lines += [f"table only in the second batch: {t}" for t in self.extra_tables]
        lines += self.differences
        if self.same:
            lines.append("the batches give the same tables")
        return "\n".join(lines)


def _runs(batch: Path) -> dict[str, Path]:
    if not batch.is_dir():
        raise FileNotFoundError(f"{batch}: not a batch folder")
    return {p.name: p for p in sorted(batch.iterdir()) if p.is_dir() and any(p.glob("*.csv"))}


def read_table(path: Path) -> pd.DataFrame:
    """A report CSV as written by the batch; an empty file (a table without columns) is empty."""
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def compare_tables(
    before: pd.DataFrame, after: pd.DataFrame, *, rtol: float = 1e-9, where: str = ""
) -> list[str]:
    """Differences between two tables read from CSV (columns, rows, then the first unequal cells)."""
    if list(before.columns) != list(after.columns):
        return [f"{where}: columns {list(before.columns)} != {list(after.columns)}"]
    if len(before) != len(after):
        return [f"{where}: {len(before)} rows != {len(after)} rows"]
    try:
        pd.testing.assert_frame_equal(
            before, after, check_dtype=False, check_exact=False, rtol=rtol, atol=0.0
        )
    except AssertionError as exc:
        detail = " ".join(str(exc).split())
        return [f"{where}: {detail[:400]}"]
    return []


def compare_batches(
    before: Path | str,
    after: Path | str,
    *,
    rtol: float = 1e-9,
    ignore: tuple[str, ...] | list[str] = DEFAULT_IGNORED,
) -> Comparison:
    """Compare every CSV of every run of two batch folders."""
    a, b = _runs(Path(before)), _runs(Path(after))
    out = Comparison()
    out.missing_runs = sorted(set(a) - set(b))
    out.extra_runs = sorted(set(b) - set(a))
    for name in sorted(set(a) & set(b)):
        out.runs += 1
        ta = {p.name: p for p in a[name].glob("*.csv")}
        tb = {p.name: p for p in b[name].glob("*.csv")}
        out.missing_tables += [f"{name}/{t}" for t in sorted(set(ta) - set(tb))]
        out.extra_tables += [f"{name}/{t}" for t in sorted(set(tb) - set(ta))]
        for table in sorted(set(ta) & set(tb)):
            out.tables += 1
            fa, fb = read_table(ta[table]), read_table(tb[table])
            drop = [c for c in ignore if c in fa.columns and c in fb.columns]
            out.differences += compare_tables(
                fa.drop(columns=drop), fb.drop(columns=drop), rtol=rtol, where=f"{name}/{table}"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="first batch folder (OUT/<plan>/<time>)")
    parser.add_argument("after", type=Path, help="second batch folder")
    parser.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for numbers")
    parser.add_argument(
        "--ignore",
        action="append",
        default=None,
        help=f"column to leave out (repeatable; default {', '.join(DEFAULT_IGNORED)})",
    )
    args = parser.parse_args(argv)
    result = compare_batches(
        args.before,
        args.after,
        rtol=args.rtol,
        ignore=tuple(args.ignore) if args.ignore else DEFAULT_IGNORED,
    )
    print(result.report())
    return 0 if result.same else 1


if __name__ == "__main__":
    sys.exit(main())
