"""Which kinds exist and how each is validated and merged (declared by the domains).

A kind is named ``<domain>.<name>`` (``foresight.answer``).  Its domain registers it in
``workbench/<domain>/capture_kinds.py``, which is imported on first use of the kind, so any process
(a participant kernel that submits, the serve process that merges) knows every kind.  Keep those
modules light: participant kernels import them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

Merger = Callable[[Any, list[Any]], None]
Validator = Callable[[dict[str, Any]], dict[str, Any]]

_MERGERS: dict[str, Merger] = {}
_VALIDATORS: dict[str, Validator] = {}
_TRIED_DOMAINS: set[str] = set()


def register_merger(kind: str, fn: Merger, *, validate: Validator | None = None) -> None:
    """Declare how rows of ``kind`` go into DuckDB: ``fn(con, rows)`` runs inside the merge
    transaction with the :class:`~workbench.capture.InboxRow` list in ``seq`` order.  ``validate``
    (optional) checks/normalises a payload before :func:`~workbench.capture.submit` stores it and
    raises :class:`~workbench.errors.ValidationError` with a message for the user."""
    _MERGERS[kind] = fn
    if validate is not None:
        _VALIDATORS[kind] = validate


def _autoload(kind: str) -> None:
    domain = kind.split(".", 1)[0]
    if domain in _TRIED_DOMAINS:
        return
    _TRIED_DOMAINS.add(domain)
    name = f"workbench.{domain}.capture_kinds"
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        importlib.import_module(name)


def merger_for(kind: str) -> Merger | None:
    """The registered merger of ``kind`` (importing its domain's ``capture_kinds`` once)."""
    if kind not in _MERGERS:
        _autoload(kind)
    return _MERGERS.get(kind)


def validator_for(kind: str) -> Validator | None:
    """The registered validator of ``kind``, if any."""
    if kind not in _MERGERS and kind not in _VALIDATORS:
        _autoload(kind)
    return _VALIDATORS.get(kind)


def registered_kinds() -> list[str]:
    """Kinds with a merger in this process."""
    return sorted(_MERGERS)
