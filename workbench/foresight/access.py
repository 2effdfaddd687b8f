"""Participant codes that resist guessing, join attempts with a lockout, per-participant quotas.

Light on purpose (participant kernels import it): sqlite3, secrets and time only.  Rules are data in
``workbench/defaults/foresight.yml`` (``codes``, ``join``, ``quotas``).

* **Codes**: :func:`new_codes` draws from an alphabet without look-alike characters (no 0/O, 1/I/L),
  10 characters in two groups (``K7QM4-ZT9XH``): 31^10 = 8.2e14 codes, so with 60 valid codes one
  guess succeeds with probability 7e-14.  Codes are case-insensitive (:func:`~workbench.foresight.state.normalise_code`).
  :func:`weak_codes` lists codes shorter than ``min_length`` letters/digits; publishing an exercise
  refuses them (:func:`workbench.foresight.state.build_state`).
* **Join attempts** (:class:`JoinGuard`): after ``max_failures`` wrong codes in a row a page pauses
  for ``lockout_s`` (doubling up to ``max_lockout_s``); and across the whole server at most
  ``global_failures_per_minute`` wrong codes are checked per minute (a failure is recorded in
  ``<knowledge base>.joins.sqlite`` beside the capture inbox), so opening new pages does not help an
  attacker: at 60 per minute, finding one of 60 codes would take about 2 * 10^4 years on average.
* **Quotas** (:func:`check_quota`, called by the capture validators): at most
  ``drivers_per_participant`` driver proposals per participant and exercise, and at most
  ``submissions_per_minute`` submissions of one kind per participant and minute.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.config import db_path, load_defaults
from workbench.errors import ValidationError


def settings() -> dict[str, Any]:
    """The ``codes``, ``join`` and ``quotas`` sections of ``foresight.yml``."""
    cfg = load_defaults("foresight")
    return {k: dict(cfg.get(k, {})) for k in ("codes", "join", "quotas")}


def new_codes(n: int, rng: Any = None) -> list[str]:
    """``n`` distinct codes (sorted) from the unambiguous alphabet, e.g. ``K7QM4-ZT9XH``.

    ``rng``: a ``numpy.random.Generator`` for reproducible (demo) codes; default: the operating
    system's random source (:mod:`secrets`), which is what real workshops must use."""
    rules = settings()["codes"]
    alphabet, length, group = str(rules["alphabet"]), int(rules["length"]), int(rules["group"])
    codes: set[str] = set()
    while len(codes) < n:
        if rng is None:
            chars = "".join(secrets.choice(alphabet) for _ in range(length))
        else:
            chars = "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), length))
        codes.add("-".join(chars[i : i + group] for i in range(0, length, group)))
    return sorted(codes)


def code_strength(code: str) -> int:
    """Letters and digits in a code (separators do not count)."""
    return len(re.sub(r"[^0-9A-Za-z]", "", str(code)))


def weak_codes(codes: list[str]) -> list[str]:
    """Codes with fewer than ``codes.min_length`` letters/digits."""
    minimum = int(settings()["codes"]["min_length"])
    return [c for c in codes if code_strength(c) < minimum]


# -- join attempts ---------------------------------------------------------------------------------


def _joins_path(db: str | os.PathLike[str] | None) -> Path:
    path = db_path(db)
    return path.with_name(path.name + ".joins.sqlite")


@contextlib.contextmanager
def _joins(db: str | os.PathLike[str] | None) -> Iterator[sqlite3.Connection]:
    """A short-lived connection to the join-failure log (autocommit; closed on exit)."""
    path = _joins_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    try:
        con.execute("PRAGMA busy_timeout=10000")
        with contextlib.suppress(sqlite3.OperationalError):  # another process is switching it
            con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS join_failures (exercise_id TEXT, at REAL NOT NULL)")
        con.execute("CREATE INDEX IF NOT EXISTS join_failures_at ON join_failures(at)")
        yield con
    finally:
        con.close()


class JoinGuard:
    """Rate limit of one participant page's join attempts (plus the server-wide limit)."""

    def __init__(
        self,
        exercise_id: str,
        db: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.exercise_id, self.db, self.clock = exercise_id, db, clock
        self.rules = settings()["join"]
        self.failures = 0  # wrong codes in a row on this page
        self.pauses = 0
        self.locked_until = 0.0

    def refusal(self) -> str | None:
        """A message when this page may not try a code now (None: go ahead)."""
        now = self.clock()
        if now < self.locked_until:
            wait = int(self.locked_until - now) + 1
            return (
                f"Too many wrong codes. Please wait {wait} seconds, then try again "
                "(or ask the facilitator)."
            )
        limit = int(self.rules["global_failures_per_minute"])
        with _joins(self.db) as con:
            recent = con.execute(
                "SELECT count(*), min(at) FROM join_failures WHERE at > ?", [now - 60]
            ).fetchone()
        if recent[0] >= limit:
            wait = int(60 - (now - float(recent[1]))) + 1
            return (
                "Too many wrong codes were tried on this server in the last minute. "
                f"Please wait {wait} seconds and try again."
            )
        return None

    def failed(self) -> str:
        """Record a wrong code; return the message for the participant."""
        now = self.clock()
        with _joins(self.db) as con:
            con.execute("INSERT INTO join_failures VALUES (?, ?)", [self.exercise_id, now])
            con.execute("DELETE FROM join_failures WHERE at < ?", [now - 3600])
        self.failures += 1
        allowed = int(self.rules["max_failures"])
        if self.failures >= allowed:
            pause = min(
                float(self.rules["lockout_s"]) * 2**self.pauses, float(self.rules["max_lockout_s"])
            )
            self.pauses += 1
            self.failures = 0
            self.locked_until = now + pause
            return (
                f"Unknown code. After {allowed} wrong codes this page pauses for {int(pause)} "
                "seconds; please check the code on your card."
            )
        left = allowed - self.failures
        return (
            f"Unknown code. Please check the code on your card ({left} tries left before a pause)."
        )

    def succeeded(self) -> None:
        """A right code: the page's count starts again."""
        self.failures = 0


# -- quotas ----------------------------------------------------------------------------------------


def check_quota(kind: str, exercise_id: str, code: str, db: str | os.PathLike[str] | None) -> None:
    """Refuse (ValidationError with a message for the participant) a submission beyond the quotas."""
    from workbench import capture

    rules = settings()["quotas"]
    rows = capture.read(kind, where={"exercise_id": exercise_id, "participant_code": code}, db=db)
    if kind == "foresight.driver" and len(rows) >= int(rules["drivers_per_participant"]):
        raise ValidationError(
            f"you have proposed {len(rows)} drivers, the most one participant may propose in this "
            "workshop; please discuss further ones with the facilitator"
        )
    cutoff = (datetime.now(UTC) - timedelta(seconds=60)).isoformat(timespec="microseconds")
    per_minute = int(rules["submissions_per_minute"])
    if sum(r.received_at >= cutoff for r in rows) >= per_minute:
        raise ValidationError(
            f"more than {per_minute} submissions in one minute; please wait a moment and press "
            "the button again"
        )
