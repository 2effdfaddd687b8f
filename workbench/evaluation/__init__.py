"""Pilot evaluation: achievement, before/after, difference-in-differences with a small-n guard,
surveys, Better Regulation criteria scoring and mechanism ranking (weighted sum, TOPSIS, AHP).

Every analysis function is pure (DataFrames in, DataFrames out); thresholds and vocabularies live in
``workbench/defaults/evaluation.yml``.  KB loaders are in :mod:`workbench.evaluation.data`.
"""
