"""A tiny knowledge base for the batch / reporting tests, written through ``workbench.kb.writer``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.kb import writer
from workbench.kb.datasets import ensure_dimension_columns, replace_dataset

REGIONS = ("HR03", "HR05", "SI03")
SECTORS = ("C10", "C25", "J62")
PERIODS = tuple(str(y) for y in range(2015, 2024))


def observations_frame(seed: int = 7, shift: float = 0.0) -> pd.DataFrame:
    """Seeded employment-like observations for 3 regions x 3 sectors x 9 years."""
    rng = np.random.default_rng(seed)
    rows = [
        {"region": r, "period": p, "nace_r2": s, "value": float(rng.integers(100, 5000)) + shift}
        for r in REGIONS
        for s in SECTORS
        for p in PERIODS
    ]
    return pd.DataFrame(rows)


def build_kb(db: Path, *, synthetic: bool = True, shift: float = 0.0) -> str:
    """Write dataset ``test_obs`` into ``db``; returns its sha256 (changes with ``shift``)."""
    frame = observations_frame(shift=shift)
    sha = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    with writer(db, purpose="test kb") as con:
        ensure_dimension_columns(con, ["nace_r2"])
        con.execute("DELETE FROM observation_rows WHERE dataset_id = 'test_obs'")
        con.register("frame", frame)
        con.execute(
            "INSERT INTO observation_rows (dataset_id, region, period, value, nace_r2) "
            "SELECT 'test_obs', region, period, value, nace_r2 FROM frame"
        )
        con.unregister("frame")
        replace_dataset(
            con,
            "test_obs",
            source="tests/batch_kb.py <seeded generator>",
            kind="observations",
            file_name="test_obs.csv",
            sha256=sha,
            rows=len(frame),
            importer="tests",
            importer_version="1",
            synthetic=synthetic,
            title="Test observations <b>escaped</b>",
            dimensions=["nace_r2"],
        )
    return sha
