"""Where things live: the knowledge-base file, the real reference data, the shipped defaults.

Resolution order for the knowledge base: explicit ``--db`` > env ``WORKBENCH_DB`` >
``<project root>/data/workbench.duckdb``.  Real public test data: env ``WORKBENCH_REAL_DATA`` >
``<project root>/../shared/data/real``.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import MissingSystemPackage

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULTS_DIR = PACKAGE_DIR / "defaults"


def project_root() -> Path:
    """The checkout that holds ``pyproject.toml`` (editable install), else the current directory."""
    env = os.environ.get("WORKBENCH_HOME")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The knowledge-base file: explicit > $WORKBENCH_DB > <project root>/data/workbench.duckdb."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("WORKBENCH_DB")
    if env:
        return Path(env).expanduser().resolve()
    return project_root() / "data" / "workbench.duckdb"


def real_data_dir() -> Path:
    """Folder of real public files (Eurostat TSV, code lists, cohesion data) used by tests/benchmarks."""
    env = os.environ.get("WORKBENCH_REAL_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return (project_root().parent / "shared" / "data" / "real").resolve()


def reports_dir() -> Path:
    """Root of generated reports (``reports/`` in the project)."""
    env = os.environ.get("WORKBENCH_REPORTS")
    return Path(env).resolve() if env else project_root() / "reports"


@cache
def _load_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@cache
def _checked_yaml(path: str, name: str) -> dict[str, Any]:
    from workbench.settings import validate_defaults  # pydantic: only where defaults are read

    data = _load_yaml(path)
    validate_defaults(name, data, path)
    return data


def load_defaults(name: str) -> dict[str, Any]:
    """The one accessor of ``workbench/defaults/<name>.yml`` (thresholds, vocabularies; editable data).

    The file is checked against its model in :mod:`workbench.settings` when first read (unknown keys
    and wrong types raise :class:`workbench.settings.SettingsError` naming file and key).
    """
    path = DEFAULTS_DIR / f"{name}.yml"
    if not path.exists():
        raise FileNotFoundError(f"no defaults file {path}")
    return dict(_checked_yaml(str(path), name))


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    """The Chromium to drive (static charts, recording preload hints): ``BROWSER_PATH`` if it
    exists, else the first of :data:`BROWSERS` on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).exists():
        return env
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise MissingSystemPackage(
        "this needs Chromium: install it with `apt-get install -y chromium` (Debian/Ubuntu) "
        "or set BROWSER_PATH to a Chrome/Chromium executable"
    )
