"""Malformed Eurostat files (built in tmp from the real ones) fail precisely and write nothing."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from support.kb_state import kb_content
from support.testing import require_real_data

from workbench.errors import ImportFailed
from workbench.importers import import_file

NAME = "lfst_r_lfe2en2.tsv"  # same dataset id as the real file: a failed new version


@pytest.fixture(scope="module")
def real_lines() -> list[str]:
    path = require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().split("\n")  # keeps the final empty string after the last newline


@pytest.fixture
def loaded_kb(tmp_db: Path) -> Path:
    """A KB holding two real datasets, one with the id the malformed files try to replace."""
    import_file(require_real_data("eurostat_tsv", "lfst_r_lfe2en2.tsv.gz"))
    import_file(require_real_data("eurostat_tsv", "nama_10r_2gvagr.tsv.gz"))
    return tmp_db


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def header_periods(lines: list[str]) -> list[str]:
    return [h.strip() for h in lines[0].split("\t")[1:]]


def set_cell(lines: list[str], line_no: int, field: int, value: str) -> list[str]:
    out = list(lines)
    fields = out[line_no - 1].split("\t")
    fields[field] = value
    out[line_no - 1] = "\t".join(fields)
    return out


def case_truncated_gz(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    data = gzip.compress("\n".join(lines).encode())
    path = tmp / (NAME + ".gz")
    path.write_bytes(data[: len(data) * 6 // 10])
    # where the recoverable text stops: everything zlib can inflate from the cut stream
    got = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
    assert got and len(got) < len("\n".join(lines))
    line = got.count(b"\n") + 1
    return path, line, "truncated"


def case_ragged_short(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    bad = list(lines)
    bad[999] = "\t".join(bad[999].split("\t")[:-2])  # line 1000 loses two cells
    return write(tmp / NAME, bad), 1000, "fields"


def case_ragged_long(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    bad = list(lines)
    bad[20000] += "\t1.0 "
    return write(tmp / NAME, bad), 20001, "fields"


def case_non_numeric(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    return write(tmp / NAME, set_cell(lines, 12345, 3, "12,5 b")), 12345, "number"


def case_unknown_period(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    bad = list(lines)
    bad[0] = bad[0].replace("\t2013 ", "\t2013A ")
    return write(tmp / NAME, bad), 1, "period"


def case_empty(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    return write(tmp / NAME, []), 1, "empty"


def case_header_only(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    return write(tmp / NAME, [lines[0], ""]), 2, "header only"


def case_wrong_delimiter(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    return write(tmp / NAME, [line.replace("\t", ";") for line in lines]), 1, "delimiter"


def case_duplicate_key(lines: list[str], tmp: Path) -> tuple[Path, int, str]:
    bad = list(lines)
    key = bad[499].split("\t")[0]
    fields = bad[7000].split("\t")
    fields[0] = key
    bad[7000] = "\t".join(fields)  # line 7001 repeats the key of line 500
    return write(tmp / NAME, bad), 7001, "duplicate key (first on line 500)"


CASES: dict[str, Callable[[list[str], Path], tuple[Path, int, str]]] = {
    "truncated_gz": case_truncated_gz,
    "ragged_short": case_ragged_short,
    "ragged_long": case_ragged_long,
    "non_numeric": case_non_numeric,
    "unknown_period": case_unknown_period,
    "empty_file": case_empty,
    "header_only": case_header_only,
    "wrong_delimiter": case_wrong_delimiter,
    "duplicate_key": case_duplicate_key,
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_file_fails_naming_line_and_column(
    case: str, loaded_kb: Path, real_lines: list[str], tmp_path: Path
) -> None:
    before = kb_content(loaded_kb)
    path, line, rule_word = CASES[case](real_lines, tmp_path)
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    message = str(info.value)
    assert str(path) in message
    assert f"line {line}," in message, message
    assert "column " in message, message
    assert rule_word in message, message
    assert "nothing was written" in message
    assert info.value.problems[0].line == line
    assert kb_content(loaded_kb) == before  # the old version of the dataset is untouched


def test_non_numeric_names_period_and_value(
    real_lines: list[str], tmp_db: Path, tmp_path: Path
) -> None:
    path, line, _ = case_non_numeric(real_lines, tmp_path)
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column, problem.value) == (
        line,
        header_periods(real_lines)[2],
        "12,5 b",
    )
    assert info.value.total == 1


def test_many_problems_list_20_and_total(
    real_lines: list[str], tmp_db: Path, tmp_path: Path
) -> None:
    bad = real_lines
    lines_changed = list(range(100, 135))
    for n in lines_changed:
        bad = set_cell(bad, n, 1, "n/a")
    path = write(tmp_path / NAME, bad)
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    assert info.value.total == len(lines_changed)
    assert [p.line for p in info.value.problems] == lines_changed[:20]
    message = str(info.value)
    assert len(re.findall(r"^  - ", message, flags=re.M)) == 20
    assert f"and {len(lines_changed) - 20} more" in message
    # fresh KB: even the schema creation was rolled back with the failed import
    assert not Path(tmp_db).exists() or kb_content(tmp_db).get("observations", ((), 0))[1] == 0


def test_flag_with_unknown_letters_is_refused(
    real_lines: list[str], tmp_db: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / NAME, set_cell(real_lines, 3, 4, "5.2 u?"))
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    assert (info.value.problems[0].line, info.value.problems[0].value) == (3, "5.2 u?")


def test_infinite_value_is_refused(real_lines: list[str], tmp_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / NAME, set_cell(real_lines, 9, 2, "1e400 "))
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    assert info.value.problems[0].line == 9
