"""MICMAC on acyclic and cyclic influence matrices (issue 10, item 11): the reported power is the
last non-zero matrix power, and a degenerate indirect ranking is said to be so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.foresight import micmac

NAMES = ["A", "B", "C", "D", "E"]


def _frame(m: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(m, index=NAMES, columns=NAMES)


def _last_nonzero_power(m: np.ndarray) -> int:
    """Longest path length of an acyclic graph, computed independently: largest k with M^k != 0."""
    k = 1
    while np.linalg.matrix_power(m, k + 1).any():
        k += 1
    return k


def test_acyclic_matrix_stops_at_the_last_nonzero_power_and_says_so() -> None:
    m = np.zeros((5, 5), dtype=int)
    # chain A -> B -> C -> D (longest path 3), shortcuts A -> C and B -> D, E -> D
    for src, dst, w in [("A", "B", 3), ("B", "C", 2), ("C", "D", 3), ("A", "C", 1), ("B", "D", 1)]:
        m[NAMES.index(src), NAMES.index(dst)] = w
    m[NAMES.index("E"), NAMES.index("D")] = 2
    assert not np.linalg.matrix_power(m, 5).any()  # nilpotent
    table, power = micmac.micmac(_frame(m))
    assert power == _last_nonzero_power(m) == 3
    # the indirect values are those of M^3 (scaled to the direct total)
    m3 = np.linalg.matrix_power(m, 3).astype(float)
    expected = m3.sum(axis=1) / m3.sum() * m.sum()
    assert np.allclose(table["influence_indirect"], expected)
    note = table.attrs["indirect_note"]
    assert "no feedback loop" in note and "3 steps" in note and "adds nothing" in note


def test_two_step_nilpotent_matrix_reports_power_one() -> None:
    m = np.zeros((5, 5), dtype=int)
    m[0, 1:] = 2  # A influences everyone, nobody influences further: M^2 = 0
    table, power = micmac.micmac(_frame(m))
    assert power == _last_nonzero_power(m) == 1
    assert "1 step," in table.attrs["indirect_note"]
    assert table["rank_influence_indirect"].tolist() == table["rank_influence_direct"].tolist()


def test_cyclic_matrix_has_an_informative_indirect_ranking() -> None:
    rng = np.random.default_rng(11)
    m = rng.integers(1, 4, size=(5, 5))  # every pair influences: primitive, rankings settle fast
    np.fill_diagonal(m, 0)
    table, power = micmac.micmac(_frame(m))
    assert power >= 2
    assert table.attrs["indirect_note"] == ""


def test_rankings_that_never_settle_are_flagged() -> None:
    # two-cycle A <-> B plus a three-cycle C -> D -> E -> C: periodic, rankings keep moving
    m = np.zeros((5, 5), dtype=int)
    for src, dst, w in [("A", "B", 3), ("B", "A", 1), ("C", "D", 2), ("D", "E", 3), ("E", "C", 1)]:
        m[NAMES.index(src), NAMES.index(dst)] = w
    table, power = micmac.micmac(_frame(m))
    assert "did not settle" in table.attrs["indirect_note"]
