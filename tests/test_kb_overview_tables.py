"""The knowledge-base overview names what each table holds (workbench/defaults/kb_tables.yml)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from workbench.config import load_defaults
from workbench.kb.info import list_tables
from workbench.kb.migrate import apply
from workbench.overview.reports import table_counts


def test_every_table_of_a_new_knowledge_base_is_named_or_internal(tmp_path: Path) -> None:
    """A migration that adds a table must name it for readers (or declare it internal)."""
    db = tmp_path / "kb.duckdb"
    con = duckdb.connect(str(db))
    try:
        apply(con)
        tables = set(list_tables(con))
    finally:
        con.close()
    names = load_defaults("kb_tables")
    unnamed = tables - set(names["tables"]) - set(names["internal"])
    assert not unnamed, f"name these tables in workbench/defaults/kb_tables.yml: {sorted(unnamed)}"
    assert not set(names["tables"]) - tables - {"observations"}, "names of tables that do not exist"


def test_overview_counts_observations_once_and_hides_storage_tables(demo_kb: Path) -> None:
    frame = table_counts(demo_kb)
    internal = set(load_defaults("kb_tables")["internal"])
    assert not internal & set(frame["table"])
    con = duckdb.connect(str(demo_kb), read_only=True)
    try:
        observations = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        shown = set(list_tables(con)) - internal
        expected = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in shown}
    finally:
        con.close()
    got = dict(zip(frame["table"], frame["rows"], strict=True))
    assert observations > 0 and got.pop("observations") == observations
    assert got == expected  # every other table, with its own count
    assert frame["content"].str.len().gt(3).all() and frame["area"].ne("Other").all()
    areas = list(load_defaults("kb_tables")["areas"].values())
    order = [areas.index(a) for a in frame["area"]]
    assert order == sorted(order), "areas in the file's order"
