"""Roles of ``workbench serve``: who may open which dashboard, tokens, allowed Host names.

Pure logic (no tornado), used by the Voila launcher (:mod:`workbench.serving.app`) and by the
``serve`` command:

* Three roles: ``participant``, ``group`` (working-group member) and ``facilitator``.  Each has its own
  token; the page rules are data (``workbench/defaults/serving.yml``: dashboard -> roles, deny by
  default, the facilitator may open everything).
* Tokens are random (``secrets.token_urlsafe``), kept in ``<db folder>/.serve/tokens.json`` (mode
  0600) so that the facilitator's link survives a restart; the Voila process only receives their
  sha256 hashes, in a file, never on its command line (which every local user can read with ``ps``).
* On 127.0.0.1 without ``--token`` the participant pages are open without a token (as before); the
  facilitator and working-group pages always need their token.
* Host check (DNS rebinding): a request whose ``Host`` is not a loopback name, the bound address or
  a name given with ``--allowed-host`` is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from workbench.config import load_defaults
from workbench.errors import ValidationError

PARTICIPANT, GROUP, FACILITATOR = "participant", "group", "facilitator"
ROLES = (PARTICIPANT, GROUP, FACILITATOR)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
MIN_TOKEN_LENGTH = 16
# front-end extensions a page of core ipywidgets never needs: anywidget (~360 KiB of JavaScript, loaded
# and run before the page connects to its kernel) and the syntax-highlighting CSS of code cells
WIDGET_ONLY_SKIP = ("anywidget", "jupyterlab_pygments")
ROLES_ENV = "WORKBENCH_SERVE_ROLES"  # path of the JSON role file given to the Voila process
PARENT_ENV = "WORKBENCH_SERVE_PARENT"  # pid of `workbench serve` (the Voila process dies with it)


def token_hash(token: str) -> str:
    """sha256 of a token (the Voila process compares hashes, it never sees the tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


def notebook_key(path: str) -> str:
    """``foresight_participant`` for ``/voila/render/foresight_participant.ipynb`` or a kernel's path."""
    name = str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name[: -len(".ipynb")] if name.endswith(".ipynb") else name


def roles_for_page(notebook: str, pages: dict[str, list[str]] | None = None) -> frozenset[str]:
    """Roles that may open (and drive the kernel of) a dashboard; unknown pages: facilitator only."""
    table = pages if pages is not None else load_defaults("serving").get("pages", {})
    allowed = set(table.get(notebook_key(notebook), []))
    allowed.add(FACILITATOR)
    return frozenset(allowed)


def may_open(role: str | None, notebook: str, pages: dict[str, list[str]] | None = None) -> bool:
    """Whether ``role`` may open ``notebook`` (None: not signed in: never)."""
    return role is not None and role in roles_for_page(notebook, pages)


@dataclass
class RoleConfig:
    """What the Voila process needs to decide: token hashes, page rules, allowed Host names."""

    token_hashes: dict[str, str] = field(default_factory=dict)  # role -> sha256(token)
    anonymous_role: str | None = None  # role of a request without a token (None: must sign in)
    allowed_hosts: list[str] = field(default_factory=list)
    any_ip_host: bool = False  # bound to 0.0.0.0/:: : any IP literal is a valid Host
    pages: dict[str, list[str]] = field(default_factory=dict)
    landing: dict[str, str] = field(default_factory=dict)
    widget_only_pages: list[str] = field(default_factory=list)  # pages of core ipywidgets only
    # dashboards in the served folder -> {title, audience, purpose} for the landing page
    dashboards: dict[str, dict[str, str]] = field(default_factory=dict)
    participant_url: str = ""  # shown on the facilitator's landing page (no token in it)

    def role_of_token(self, token: str | None) -> str | None:
        """The role whose token this is (constant-time comparison of hashes), or None."""
        if not token:
            return None
        digest = token_hash(token)
        found = None
        for role, expected in self.token_hashes.items():
            if hmac.compare_digest(digest, expected):
                found = role
        return found

    def host_allowed(self, host_header: str) -> bool:
        """Whether a request's ``Host`` header names this server (DNS-rebinding guard)."""
        host = host_name(host_header)
        if host is None:
            return False
        if host in LOOPBACK_NAMES or host in self.allowed_hosts:
            return True
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return addr.is_loopback or self.any_ip_host

    def save(self, path: Path) -> Path:
        """Write as JSON readable by the owner only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.__dict__, fh, indent=1)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RoleConfig:
        """Read a file written by :meth:`save`."""
        with open(path, encoding="utf-8") as fh:
            return cls(**json.load(fh))


_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+)(:\d{1,5})?$")


def host_name(host_header: str) -> str | None:
    """The host part of a ``Host`` header, lower-case, IPv6 without brackets (None if malformed)."""
    match = _HOST.match((host_header or "").strip())
    if not match:
        return None
    host = match.group(1).lower().rstrip(".")
    return host[1:-1] if host.startswith("[") else host


def scrub_query(query: str) -> str:
    """A query string without its ``token`` parameter (request info handed to kernels/clients)."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "token"]
    return urlencode(pairs)


def load_or_create_tokens(path: Path, given: dict[str, str | None]) -> dict[str, str]:
    """Tokens per role: given ones win, others come from ``path`` or are generated (and saved,
    mode 0600).  Every token must have at least :data:`MIN_TOKEN_LENGTH` characters and differ from
    the others."""
    stored: dict[str, str] = {}
    if path.exists():
        try:
            stored = {k: v for k, v in json.loads(path.read_text()).items() if k in ROLES}
        except (ValueError, AttributeError):
            stored = {}
    tokens: dict[str, str] = {}
    for role in ROLES:
        value = given.get(role) or stored.get(role) or secrets.token_urlsafe(24)
        if len(value) < MIN_TOKEN_LENGTH:
            raise ValidationError(
                f"the {role} token must have at least {MIN_TOKEN_LENGTH} characters"
            )
        tokens[role] = value
    if len(set(tokens.values())) != len(tokens):
        raise ValidationError("participant, group and facilitator tokens must all be different")
    if tokens != stored:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(tokens, fh, indent=1)
    return tokens
