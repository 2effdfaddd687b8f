"""Support for the test suite (moved here from workbench/testing.py: test support is not shipped
in the package): requirements that skip locally but fail under ``CI=true``.

A missing real-data folder or browser must never turn a CI run green by skipping tests.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from workbench.config import real_data_dir

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_ci() -> bool:
    """True when running under CI (env CI=true/1)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def require_real_data(*parts: str) -> Path:
    """Path to a file/folder under the real-data folder; skip (fail under CI) when it is missing."""
    path = real_data_dir().joinpath(*parts)
    if not path.exists():
        _missing(f"real data {path} is missing (set WORKBENCH_REAL_DATA)")
    return path


def require_browser() -> str:
    """Path of Debian's chromium and an importable playwright; skip (fail under CI) otherwise."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"browser {CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("python package playwright is missing")
    return CHROMIUM


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def record_foreign_requests(page: object, into: list[str]) -> None:
    """Append to ``into`` every URL a Playwright page requests from a host other than 127.0.0.1."""
    from urllib.parse import urlparse

    def _check(request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname not in {"127.0.0.1", None} and not url.startswith("data:"):
            into.append(url)

    page.on("request", _check)  # type: ignore[attr-defined]
