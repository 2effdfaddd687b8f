"""Small-n guard: the six demo pilots are flagged not credible; a large design is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.config import load_defaults
from workbench.demo.pilots import write_standalone
from workbench.evaluation import data, guard
from workbench.evaluation.did import describe_design
from workbench.kb import query


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("pilots") / "kb.duckdb"
    write_standalone(db, seed=6)
    return db


def test_guard_triggers_on_the_six_demo_pilots(demo_db: Path) -> None:
    limits = load_defaults("evaluation")["small_n_guard"]
    counts = query(
        "SELECT pilot_id, count(*) FILTER (WHERE role = 'pilot') AS treated,"
        " count(*) FILTER (WHERE role = 'comparison') AS controls"
        " FROM pilot_regions GROUP BY pilot_id ORDER BY pilot_id",
        db=demo_db,
    )
    assert counts["pilot_id"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    for row in counts.itertuples():
        effect = guard.guarded_effect(data.did_panel(data.load_pilot(row.pilot_id, db=demo_db)))
        did_row = effect[effect["approach"] == "difference-in-differences"].iloc[0]
        fallback = effect[effect["approach"] == "before/after vs matched peers"].iloc[0]
        # the rule, applied independently to the KB's region counts
        should_trip = (
            row.treated < limits["min_treated_units"] or row.controls < limits["min_control_units"]
        )
        assert should_trip  # six small pilots: every one must be flagged
        assert not did_row["credible"] and not did_row["headline"]
        assert f"only {row.treated} treated regions" in did_row["reason"]
        checks = guard.small_n_checks(
            describe_design(data.did_panel(data.load_pilot(row.pilot_id, db=demo_db)))
        )
        treated = checks.set_index("check").loc["number of treated regions"]  # the rule in words
        assert treated["value"] == row.treated and treated["minimum"] == limits["min_treated_units"]
        assert fallback["headline"] and "not a causal estimate" in fallback["reason"]
        assert (
            np.isfinite(fallback["estimate"])
            and fallback["ci_low"] <= fallback["estimate"] <= fallback["ci_high"]
        )


def large_panel(*, trend_gap: float = 0.0, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2024-01-01", periods=12, freq="MS")
    rows = []
    for i in range(30):
        treated = i < 15
        level = rng.normal(20, 4)
        for t, p in enumerate(periods):
            on = treated and t >= 6
            rows.append(
                {
                    "region": f"R{i:02d}",
                    "period": p,
                    "treated": treated,
                    "start": periods[6] if treated else pd.NaT,
                    "value": level
                    + 0.2 * t
                    + (trend_gap * t if treated else 0)
                    + (1.5 if on else 0)
                    + rng.normal(0, 0.8),
                }
            )
    return pd.DataFrame(rows)


def test_guard_passes_a_large_design_and_headlines_did() -> None:
    effect = guard.guarded_effect(large_panel())
    did_row = effect.iloc[0]
    assert did_row["approach"] == "difference-in-differences"
    assert did_row["credible"] and did_row["headline"]
    assert did_row["ci_low"] < 1.5 < did_row["ci_high"]
    assert not effect.iloc[1]["headline"]


def test_guard_distrusts_large_design_with_diverging_pre_trends() -> None:
    effect = guard.guarded_effect(large_panel(trend_gap=0.4))
    assert not effect.iloc[0]["credible"]
    assert "pre-trends differ" in effect.iloc[0]["reason"]
    assert effect.iloc[1]["headline"]


def test_each_rule_reports_its_reason() -> None:
    design = {
        "n_treated_units": 2,
        "n_control_units": 30,
        "n_clusters": 32,
        "n_pre_periods": 6,
        "n_post_periods": 2,
    }
    limits = {
        "min_treated_units": 5,
        "min_control_units": 5,
        "min_clusters": 20,
        "min_pre_periods": 4,
        "min_post_periods": 4,
    }
    credible, reasons = guard.credibility(design, limits)
    assert not credible
    assert reasons == [
        "only 2 treated regions (at least 5 needed)",
        "only 2 periods since the start (at least 4 needed)",
    ]
    assert guard.credibility(design | {"n_treated_units": 5, "n_post_periods": 4}, limits) == (
        True,
        [],
    )
