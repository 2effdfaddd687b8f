"""The RIS3 Assessment Wheel: six RIS3-guide steps x three factors, each scored 0-5.

Steps and factors are data (``learning.yml`` ``wheel``; source: the JRC S3 Platform's RIS3
self-assessment wheel and the RIS3 Guide, Foray et al. 2012).  An *assessment* is a long table
``assessment, step, factor, score`` (one row per factor; ``assessment`` names a region or a region
at a date, e.g. ``HR03 2025-03``).  The functions here are pure: tables in, tables out.

* :func:`check_scores` validates an assessment table (every factor once, integers 0-5).
* :func:`step_means` gives the mean of each step's three factors (the radar's six spokes) and the
  overall mean of the 18 factors.
* :func:`compare` sets two assessments side by side: ``difference = score(b) - score(a)`` per factor
  and step; steps whose means differ by at least ``notable_change`` are named in words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import load_defaults
from workbench.errors import ValidationError

COLUMNS = ["assessment", "step", "factor", "score"]


def wheel_spec() -> pd.DataFrame:
    """The wheel's 18 factors in order: step, step_name, factor, factor_name."""
    spec = load_defaults("learning")["wheel"]
    return pd.DataFrame(
        [
            {"step": s["id"], "step_name": s["name"], "factor": f, "factor_name": name}
            for s in spec["steps"]
            for f, name in s["factors"].items()
        ]
    )


def blank_assessment(assessment: str) -> pd.DataFrame:
    """An assessment table with every factor and an empty score (to fill in or export as form)."""
    spec = wheel_spec()
    return pd.DataFrame(
        {
            "assessment": assessment,
            "step": spec["step"],
            "factor": spec["factor"],
            "score": pd.array([None] * len(spec), dtype="Int64"),
        }
    )


def check_scores(scores: pd.DataFrame, source: str = "scores") -> pd.DataFrame:
    """Validate an assessment table (columns assessment, step, factor, score); return it with the
    wheel's order and integer scores.  Errors name the source, the row and the value."""
    missing = [c for c in COLUMNS if c not in scores.columns]
    if missing:
        raise ValidationError(f"{source}: missing column(s) {missing}; expected {COLUMNS}")
    spec = load_defaults("learning")["wheel"]
    lo, hi = spec["min_score"], spec["max_score"]
    known = {(r.step, r.factor) for r in wheel_spec().itertuples()}
    frame = scores[COLUMNS].copy()
    frame["assessment"] = frame["assessment"].astype(str)
    for i, rec in enumerate(frame.itertuples(index=False), start=2):
        if (rec.step, rec.factor) not in known:
            raise ValidationError(
                f"{source}, row {i}: step/factor {rec.step!r}/{rec.factor!r} is not a factor of the "
                "wheel (learning.yml wheel.steps)"
            )
        try:
            value = float(rec.score)
        except (TypeError, ValueError):
            raise ValidationError(
                f"{source}, row {i}, column 'score': {rec.score!r} is not a number {lo}-{hi}"
            ) from None
        if not value == int(value) or not lo <= value <= hi:
            raise ValidationError(
                f"{source}, row {i}, column 'score': {rec.score!r} is not a whole number {lo}-{hi}"
            )
    frame["score"] = frame["score"].astype(float).astype(int)
    for name, group in frame.groupby("assessment", sort=False):
        dupes = group[group.duplicated(["step", "factor"], keep=False)]
        if not dupes.empty:
            raise ValidationError(
                f"{source}: assessment {name!r} scores {dupes.iloc[0]['step']}/"
                f"{dupes.iloc[0]['factor']} more than once"
            )
        absent = sorted(known - set(zip(group["step"], group["factor"], strict=True)))
        if absent:
            raise ValidationError(
                f"{source}: assessment {name!r} lacks {len(absent)} factor(s), e.g. "
                f"{absent[0][0]}/{absent[0][1]}: score all 18"
            )
    order = {k: n for n, k in enumerate(wheel_spec()[["step", "factor"]].itertuples(index=False))}
    frame["_o"] = [order[(s, f)] for s, f in zip(frame["step"], frame["factor"], strict=True)]
    return (
        frame.sort_values(["assessment", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def step_means(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean score of each step per assessment: assessment, step, step_name, mean (0-5).

    ``mean = (f1 + f2 + f3) / 3`` over the step's three factors (a spoke of the radar)."""
    checked = check_scores(scores)
    spec = wheel_spec().drop_duplicates("step")[["step", "step_name"]]
    means = checked.groupby(["assessment", "step"], sort=False)["score"].mean().reset_index()
    means = means.rename(columns={"score": "mean"}).merge(spec, on="step")
    order = {s: n for n, s in enumerate(spec["step"])}
    means["_o"] = means["step"].map(order)
    out = means.sort_values(["assessment", "_o"], kind="stable").drop(columns="_o")
    return out[["assessment", "step", "step_name", "mean"]].reset_index(drop=True)


def overall(scores: pd.DataFrame) -> pd.Series:
    """Mean of all 18 factor scores per assessment (0-5)."""
    return check_scores(scores).groupby("assessment", sort=False)["score"].mean()


def compare(scores: pd.DataFrame, a: str, b: str) -> tuple[pd.DataFrame, list[str]]:
    """Steps of assessments ``a`` and ``b`` side by side with ``difference = b - a``, and sentences
    naming the steps that changed by at least ``notable_change`` points (learning.yml)."""
    if a == b:
        raise ValidationError(f"compare two different assessments, not {a!r} with itself")
    means = step_means(scores)
    names = set(means["assessment"])
    for name in (a, b):
        if name not in names:
            raise ValidationError(f"no assessment {name!r}; assessments: {sorted(names)}")
    wide = means.pivot_table(
        index=["step", "step_name"], columns="assessment", values="mean", sort=False
    )
    table = wide[[a, b]].reset_index()
    table.columns = ["step", "step_name", a, b]
    table["difference"] = table[b] - table[a]
    notable = load_defaults("learning")["wheel"]["notable_change"]
    sentences = []
    tot = overall(scores)
    sentences.append(
        f"Overall, {b} scores {tot[b]:.1f} of 5 and {a} {tot[a]:.1f} of 5 (mean of the 18 factors)."
    )
    for _step, step_name, score_a, score_b, diff in table.itertuples(index=False, name=None):
        if abs(diff) >= notable - 1e-12:
            word = "higher" if diff > 0 else "lower"
            sentences.append(
                f"Step {step_name}: {b} is {abs(diff):.1f} points {word} than {a} "
                f"({score_b:.1f} vs {score_a:.1f})."
            )
    if len(sentences) == 1:
        sentences.append(f"No step differs by {notable:g} points or more.")
    weakest = table.sort_values(b).iloc[0]
    sentences.append(f"Weakest step of {b}: {weakest['step_name']} ({weakest[b]:.1f} of 5).")
    return table, sentences


def read_scores(path: str | Path) -> pd.DataFrame:
    """An assessment table from CSV or XLSX (columns assessment, step, factor, score)."""
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file")
    frame = pd.read_excel(path) if path.suffix.lower() == ".xlsx" else pd.read_csv(path)
    return check_scores(frame, source=str(path))


def export(scores: pd.DataFrame, out: str | Path, stem: str = "ris3_wheel") -> dict[str, Path]:
    """Write the factor scores and step means as CSV and one JSON file (``out/stem.*``)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    checked = check_scores(scores)
    means = step_means(checked)
    paths = {
        "scores": out / f"{stem}_scores.csv",
        "steps": out / f"{stem}_steps.csv",
        "json": out / f"{stem}.json",
    }
    checked.to_csv(paths["scores"], index=False)
    means.to_csv(paths["steps"], index=False)
    payload: dict[str, Any] = {
        name: {
            "overall": round(float(group["score"].mean()), 4),
            "steps": {
                r.step: round(float(r.mean), 4)
                for r in means[means["assessment"] == name].itertuples()
            },
            "factors": {f"{r.step}/{r.factor}": int(r.score) for r in group.itertuples()},
        }
        for name, group in checked.groupby("assessment", sort=False)
    }
    paths["json"].write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return paths
