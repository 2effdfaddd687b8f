"""MICMAC structural analysis (Godet, *Creating Futures*, 2nd ed. 2006, ch. 5; Arcade et al. 1999).

Direct influence of variable i = row sum of the direct influence matrix M (0..3), direct dependence =
column sum.  Indirect influence/dependence = row/column sums of M^k, raising k until the rankings of
influence and dependence stay the same for ``stable_repeats`` successive powers (``foresight.yml``).
Quadrants split at the mean influence and mean dependence: influential (high influence, low
dependence), relay (both high), dependent (low influence, high dependence), autonomous (both low).

An acyclic influence graph (no feedback loop) has a nilpotent matrix: M^k = 0 beyond the longest
path length L.  The powers then stop at L (the last non-zero power), and M^L only counts the longest
chains, so the indirect ranking says nothing beyond the direct one: :func:`micmac` records that in
``table.attrs["indirect_note"]`` (also when the rankings never settle within ``max_power``);
an empty note means the indirect ranking is informative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError


def influence_matrix(influences: pd.DataFrame, variables: list[str] | None = None) -> pd.DataFrame:
    """Square matrix (source rows x target columns) of the group's direct influences: the median of
    the participants' latest strengths per pair, rounded half up; missing pairs are 0, diagonal 0.

    ``influences``: source_driver, target_driver, strength, participant_code (+ submitted_at).
    """
    needed = ["source_driver", "target_driver", "strength", "participant_code"]
    missing = [c for c in needed if c not in influences.columns]
    if missing:
        raise ValidationError(f"influences: missing column(s) {missing}")
    df = influences
    if "submitted_at" in df.columns:
        df = df.sort_values("submitted_at", kind="stable")
    df = df.drop_duplicates(["source_driver", "target_driver", "participant_code"], keep="last")
    names = (
        sorted(set(df["source_driver"]) | set(df["target_driver"]))
        if variables is None
        else list(variables)
    )
    agg = df.groupby(["source_driver", "target_driver"])["strength"].median()
    agg = np.floor(agg + 0.5).astype(int)
    matrix = pd.DataFrame(0, index=names, columns=names, dtype=int)
    for (src, dst), value in agg.items():
        if src in matrix.index and dst in matrix.columns and src != dst:
            matrix.loc[src, dst] = int(value)
    matrix.index.name, matrix.columns.name = "source", "target"
    return matrix


def _ranks(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank(ascending=False, method="min").to_numpy(dtype=int)


def micmac(matrix: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Direct and indirect influence/dependence, ranks, quadrants and rank moves of each variable.

    Returns (table, power) where ``power`` is the matrix power at which the rankings became stable,
    or the last non-zero power of an acyclic (nilpotent) matrix.  ``table.attrs["indirect_note"]``
    says in words when the indirect ranking is not informative ("" when it is).
    Table columns: variable, influence_direct, dependence_direct, influence_indirect,
    dependence_indirect (sums of M^k scaled to the direct totals), rank_* (1 = highest), quadrant_direct,
    quadrant_indirect, rank_move_influence / rank_move_dependence (direct rank - indirect rank).
    """
    if matrix.shape[0] != matrix.shape[1] or list(matrix.index) != list(matrix.columns):
        raise ValidationError(
            "MICMAC needs a square matrix with the same variables as rows and columns"
        )
    if matrix.shape[0] < 2:
        raise ValidationError("MICMAC needs at least 2 variables")
    m = matrix.to_numpy(dtype=float)
    if (m < 0).any() or (m > float(load_defaults("foresight")["ratings"]["influence_max"])).any():
        raise ValidationError("influence strengths must be between 0 and 3")
    if m.sum() == 0:
        raise ValidationError("the influence matrix is empty (no influences entered)")
    cfg = load_defaults("foresight")["micmac"]
    max_power, repeats = int(cfg["max_power"]), int(cfg["stable_repeats"])
    infl_d, dep_d = m.sum(axis=1), m.sum(axis=0)
    power = m.copy()
    previous: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    same = 0
    k = 1
    infl_k, dep_k = infl_d, dep_d
    nilpotent = stable = False
    while k < max_power:
        following = power @ m
        scale = following.max()
        if scale == 0:  # nilpotent (acyclic): M^k was the last non-zero power
            nilpotent = True
            break
        k += 1
        power = following / scale  # keep numbers finite; rankings are scale-free
        infl_k, dep_k = power.sum(axis=1), power.sum(axis=0)
        current = (tuple(_ranks(infl_k)), tuple(_ranks(dep_k)))
        same = same + 1 if current == previous else 0
        previous = current
        if same >= repeats:
            stable = True
            break
    total = m.sum()
    infl_i = infl_k / infl_k.sum() * total if infl_k.sum() > 0 else infl_d.astype(float)
    dep_i = dep_k / dep_k.sum() * total if dep_k.sum() > 0 else dep_d.astype(float)
    table = pd.DataFrame(
        {
            "variable": list(matrix.index),
            "influence_direct": infl_d,
            "dependence_direct": dep_d,
            "influence_indirect": infl_i,
            "dependence_indirect": dep_i,
        }
    )
    for kind in ("direct", "indirect"):
        table[f"rank_influence_{kind}"] = _ranks(table[f"influence_{kind}"].to_numpy())
        table[f"rank_dependence_{kind}"] = _ranks(table[f"dependence_{kind}"].to_numpy())
        table[f"quadrant_{kind}"] = quadrants(
            table[f"influence_{kind}"], table[f"dependence_{kind}"]
        )
    table["rank_move_influence"] = table["rank_influence_direct"] - table["rank_influence_indirect"]
    table["rank_move_dependence"] = (
        table["rank_dependence_direct"] - table["rank_dependence_indirect"]
    )
    table.attrs["indirect_note"] = _indirect_note(nilpotent, stable, k, max_power)
    return table, k


def _indirect_note(nilpotent: bool, stable: bool, k: int, max_power: int) -> str:
    """Why the indirect ranking is not informative, in words ("" when it is)."""
    if nilpotent:
        return (
            "The influences form no feedback loop (the matrix is acyclic): indirect effects stop "
            f"after chains of {k} step{'s' if k != 1 else ''}, so the indirect ranking only "
            "reflects the longest chains and adds nothing to the direct ranking."
        )
    if not stable:
        return (
            f"The indirect rankings did not settle within {max_power} matrix powers (the "
            "influences form separate or periodic loops): read the indirect ranking with care."
        )
    return ""


def quadrants(influence: pd.Series, dependence: pd.Series) -> pd.Series:
    """Quadrant of each variable, split at the mean influence and the mean dependence."""
    hi_i = influence.to_numpy() >= influence.mean()
    hi_d = dependence.to_numpy() >= dependence.mean()
    labels = np.where(
        hi_i & ~hi_d,
        "influential",
        np.where(hi_i & hi_d, "relay", np.where(hi_d, "dependent", "autonomous")),
    )
    return pd.Series(labels, index=influence.index)


def moved_variables(table: pd.DataFrame, min_move: int | None = None) -> pd.DataFrame:
    """Variables whose influence or dependence rank moves by >= ``min_move`` places (foresight.yml)
    between the direct and the indirect classification, largest move first."""
    if min_move is None:
        min_move = int(load_defaults("foresight")["micmac"]["rank_move_min"])
    moves = table[["rank_move_influence", "rank_move_dependence"]].abs().max(axis=1)
    out = table.loc[moves >= min_move].copy()
    out["largest_move"] = moves[moves >= min_move]
    return out.sort_values("largest_move", ascending=False).reset_index(drop=True)
