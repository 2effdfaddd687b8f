"""Validated configuration: every workbench/defaults/*.yml has a pydantic model in
workbench/settings.py, and a typo or a wrong type fails at once naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench import config
from workbench.settings import MODELS, SettingsError

DEFAULTS = Path(config.DEFAULTS_DIR)
FILES = sorted(DEFAULTS.glob("*.yml"))


def test_every_defaults_file_has_a_model() -> None:
    missing = [p.name for p in FILES if p.stem not in MODELS]
    assert not missing, f"add a model to workbench/settings.py for {missing}"
    stale = sorted(set(MODELS) - {p.stem for p in FILES})
    assert not stale, f"models without a defaults file: {stale}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_defaults_validate_and_read_unchanged(path: Path) -> None:
    data = config.load_defaults(path.stem)
    assert data == yaml.safe_load(path.read_text(encoding="utf-8"))  # the accessor adds nothing


@pytest.fixture
def defaults_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped defaults folder that load_defaults reads instead."""
    for p in FILES:
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(config, "DEFAULTS_DIR", tmp_path)
    config._checked_yaml.cache_clear()
    yield tmp_path
    config._checked_yaml.cache_clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_typo_in_a_key_names_file_and_key(defaults_copy: Path) -> None:
    _edit(defaults_copy / "evidence.yml", "  specialisation_lq: 2.0", "  specialisation_lg: 2.0")
    with pytest.raises(SettingsError) as err:
        config.load_defaults("evidence")
    message = str(err.value)
    assert "evidence.yml" in message
    assert "unknown key 'stars.specialisation_lg'" in message
    assert "missing key 'stars.specialisation_lq'" in message


def test_a_wrong_type_names_key_and_value(defaults_copy: Path) -> None:
    _edit(defaults_copy / "evaluation.yml", "  min_clusters: 20", "  min_clusters: twenty")
    with pytest.raises(
        SettingsError, match=r"evaluation\.yml: small_n_guard\.min_clusters: .*'twenty'"
    ):
        config.load_defaults("evaluation")


def test_an_out_of_range_threshold_is_refused(defaults_copy: Path) -> None:
    _edit(defaults_copy / "foresight.yml", "  alpha: 0.05", "  alpha: 5")
    with pytest.raises(SettingsError, match=r"foresight\.yml: stability\.alpha"):
        config.load_defaults("foresight")


def test_a_counting_rule_without_words_is_refused(defaults_copy: Path) -> None:
    _edit(
        defaults_copy / "projects.yml",
        '  training_completions: "participant lists: trainings completed"\n',
        "",
    )
    with pytest.raises(
        SettingsError, match=r"projects\.yml.*no words for \['training_completions'\]"
    ):
        config.load_defaults("projects")


def test_reference_and_unit_are_allowed_on_threshold_sections(defaults_copy: Path) -> None:
    _edit(
        defaults_copy / "evidence.yml",
        "stars:\n",
        "stars:\n  reference: European Cluster Panorama 2014\n  unit: share of regions\n",
    )
    assert config.load_defaults("evidence")["stars"]["reference"].startswith("European")


def test_dimension_vocabulary_has_one_source_and_the_kb_agrees(tmp_path: Path) -> None:
    """policy.yml `dimensions` is the one copy in code; the KB's table and CHECK lists match it."""
    import re

    from workbench.kb import query, writer
    from workbench.policy.settings import DIMENSION_LABELS, DIMENSIONS, HORIZONTAL

    db = tmp_path / "kb.duckdb"
    with writer(db, purpose="test"):
        pass  # creates the file and applies every migration
    kb = query("SELECT code, label, horizontal FROM dimensions ORDER BY sort_order", db=db)
    assert list(kb["code"]) == list(DIMENSIONS)
    assert dict(zip(kb["code"], kb["label"], strict=True)) == DIMENSION_LABELS
    assert [c for c, h in zip(kb["code"], kb["horizontal"], strict=True) if h] == list(HORIZONTAL)
    migrations = Path(config.PACKAGE_DIR) / "kb" / "migrations"
    checks = 0
    for sql in sorted(migrations.glob("*.sql")):
        for listed in re.findall(
            r"[\[(]\s*('innovation'(?:\s*,\s*'\w+')*)\s*[\])]", sql.read_text(encoding="utf-8")
        ):
            assert re.findall(r"'(\w+)'", listed) == list(DIMENSIONS), sql.name
            checks += 1
    assert (
        checks >= 3
    )  # policy_actions.dimension, barriers.dimensions, policy_instruments.dimensions
