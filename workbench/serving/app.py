"""The Voila process of ``workbench serve``: Voila with roles, a Host check, a safe request-info
socket, and a life bound to its parent.  Started as ``python -m workbench.serving.app ...`` by
:func:`workbench.serving.voila_app.serve`; everything else is plain Voila 0.5.

* **Roles** (:mod:`workbench.serving.roles`): :class:`RoleIdentityProvider` turns a role's token (URL
  ``?token=``, ``Authorization: token ...`` or the login form) into a user named after the role and
  keeps it in Voila's signed login cookie.  Every request handler is wrapped by :class:`GuardMixin`,
  which decides before any handler code runs:

  - dashboard pages (``/voila/render/<notebook>``): the role must be listed for that notebook;
  - everything that touches a kernel (``/api/kernels/<id>``, ``/api/kernels/<id>/channels``,
    ``/voila/api/shutdown/<id>``, ``/voila/query/<id>``): the kernel belongs to a page (pooled
    kernels: Voila's pool; others: recorded at start by :class:`PageKernelManager`), and the role
    must be allowed on that page, so a participant can neither open nor drive a facilitator page;
  - the landing page: the facilitator sees Voila's list, a participant goes straight to the
    participant page, a working-group member gets the list of the pages they may open.

* **Host check** (DNS rebinding): every request, static files included, must name this server in its
  ``Host`` header (:meth:`RoleConfig.host_allowed`), otherwise 403.
* **Request-info socket** ``/voila/query/<kernel id>`` (used by kernels through
  ``voila.utils.wait_for_request``): answers only clients on the loopback interface or signed-in roles
  allowed on that kernel, and never sends the ``token`` parameter of the page's query string.
* **Legacy kernel websockets are refused** (:mod:`workbench.serving.websocket`).
* **No tokens in the log**: requests are logged by Jupyter Server's ``log_request``, which scrubs
  ``token`` from the URLs it logs (Voila's default, tornado's, logs them in full).
* **Dies with its parent**: ``PR_SET_PDEATHSIG`` (Linux) sends SIGTERM when ``workbench serve`` dies,
  even by ``kill -9``; a watchdog checks the parent every second on any platform.  Voila's own
  SIGTERM handling then shuts its kernels down, so nothing keeps the port.
* **No CDN, widget-only pages**: the ``workbench`` template (``workbench/serving/jupyter``) extends
  Voila's ``lab`` template; :func:`page_config_hook` drops front-end extensions the participant page
  never needs.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import ctypes.util
import gzip
import hmac
import html
import inspect
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

from jupyter_server.auth.identity import IdentityProvider, User
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ApiPath
from tornado import web
from traitlets import Dict
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler

from workbench.serving.roles import (
    FACILITATOR,
    PARENT_ENV,
    ROLES,
    ROLES_ENV,
    WIDGET_ONLY_SKIP,
    RoleConfig,
    may_open,
    notebook_key,
    roles_for_page,
    scrub_query,
)
from workbench.serving.voila_app import TEMPLATE_NAME
from workbench.serving.websocket import PageActivity

_CONFIG: RoleConfig | None = None
# webpack chunks and remote entries of Voila and the lab extensions: the name changes with the content
_HASHED_ASSET = re.compile(r"[./][0-9a-f]{16,}\.(?:js|css|woff2?|ttf|svg|png)$")
log = logging.getLogger("workbench.serving")


def role_config() -> RoleConfig:
    """The role file named by ``WORKBENCH_SERVE_ROLES`` (read once per process)."""
    global _CONFIG
    if _CONFIG is None:
        path = os.environ.get(ROLES_ENV)
        if not path:
            raise RuntimeError(f"{ROLES_ENV} is not set: start Voila through `workbench serve`")
        _CONFIG = RoleConfig.load(path)
    return _CONFIG


def role_of(user: Any) -> str | None:
    """The role of a signed-in user (None: nobody)."""
    name = getattr(user, "username", None)
    return name if name in ROLES else None


class RoleIdentityProvider(IdentityProvider):
    """Users are roles: the token of a role signs in as that role (cookie kept by Voila)."""

    def _user(self, role: str) -> User:
        return User(username=role, name=role, display_name=role, initials=role[:2].upper())

    async def get_user_token(self, handler: web.RequestHandler) -> User | None:
        """The role whose token the request carries (URL ``?token=`` or Authorization header)."""
        role = role_config().role_of_token(self.get_token(handler))
        return self._user(role) if role else None

    async def _get_user(self, handler: web.RequestHandler) -> User | None:
        user = await super()._get_user(handler)
        if user is not None and role_of(user) is None:
            return None  # a cookie of some other server or version
        anonymous = role_config().anonymous_role
        if user is None and anonymous:
            return self._user(anonymous)
        return user

    def user_from_cookie(self, cookie_value: str) -> User | None:
        """A role user from the signed cookie (anything else: not signed in)."""
        user = super().user_from_cookie(cookie_value)
        return user if role_of(user) else None

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        """The login form accepts any role's token."""
        role = role_config().role_of_token(handler.get_argument("password", default=""))
        return self._user(role) if role else None

    @property
    def auth_enabled(self) -> bool:
        """Always: pages not open to anonymous visitors need a token."""
        return True


# sockets the server may hold on its one zmq context and files it may open: each pooled kernel
# holds several zmq sockets here (activity, control, the notebook's executor; measured 7.6 open
# files per pooled kernel in the Voila process), a connected page four more (its channels), so
# 110 preheated kernels and 40 open pages come close to libzmq's default of 1023 sockets and far
# beyond a laptop's usual soft limit of 1024 open files
MAX_ZMQ_SOCKETS = 16384
MIN_OPEN_FILES = 16384


class PageKernelManager(AsyncMappingKernelManager):
    """Remembers which page started each non-pooled kernel (pooled ones are known to Voila), and
    never culls a kernel the moment it leaves the pool.

    Culling checks ``last_activity``; a preheated kernel's last activity is when it ran the notebook,
    possibly many minutes before a participant takes it, and between the page being sent and its
    websocket connecting (seconds when dozens join at once) the kernel has no connection: the culler
    then shut the new page's kernel down ("KeyboardInterrupt caught in kernel" in the log, a 403 on
    the page's websocket).  The culler's first sight of a kernel outside the pool now counts as
    activity, so a page has the full ``cull_idle_timeout`` to connect.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_pages: dict[str, str] = {}
        self._seen_in_use: set[str] = set()
        with contextlib.suppress(Exception):  # before any socket exists (libzmq reads it once)
            import zmq

            self.context.set(zmq.MAX_SOCKETS, MAX_ZMQ_SOCKETS)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Jupyter Server's rule, with a kernel's first check outside the pool counted as activity
        (Voila's pool manager handles pooled kernels before this is reached)."""
        if kernel_id not in self._seen_in_use:
            self._seen_in_use.add(kernel_id)
            kernel = self._kernels.get(kernel_id)
            if kernel is not None and hasattr(kernel, "last_activity"):
                from jupyter_server._tz import utcnow

                kernel.last_activity = utcnow()
                return
        await super().cull_kernel_if_idle(kernel_id)

    # jupyter_client declares MultiKernelManager.start_kernel synchronous; the async managers
    # (jupyter_server's own AsyncMappingKernelManager included) override it with a coroutine
    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: ApiPath | None = None, **kw: Any
    ) -> str:
        """Start as usual; record the page (``SCRIPT_NAME`` of the request) of the kernel."""
        env = kw.get("env") or {}
        kid = await super().start_kernel(kernel_id=kernel_id, path=path, **kw)
        if env.get("SCRIPT_NAME"):
            self.kernel_pages[kid] = str(env["SCRIPT_NAME"])
        return kid

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Shut down and forget the kernel's page."""
        self.kernel_pages.pop(kernel_id, None)
        self._seen_in_use.discard(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def start_watching_activity(self, kernel_id: str) -> None:
        """Jupyter Server's activity watch (``last_activity`` on every IOPub message, the execution
        state from status messages, for culling) at a fraction of its cost on the server's one
        thread: the signature is checked, then only the header, the parent header and a status's
        content are read as JSON.  Jupyter Server deserialises every message with its dates parsed
        (dateutil) and a status message twice, about 0.1 ms each; a participant's Save makes about
        ten IOPub messages, all read here besides being forwarded to the page."""
        from jupyter_client.session import Session
        from jupyter_server._tz import utcnow

        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()
        session = Session(config=kernel.session.config, key=kernel.session.key)
        track = self.track_message_type

        def record_activity(msg_list: list[bytes]) -> None:
            _idents, frames = session.feed_identities(msg_list)
            parts = cast("list[bytes]", frames)  # copy=True (the default): bytes, not zmq Frames
            if session.auth is not None and not hmac.compare_digest(
                parts[0], session.sign(parts[1:5])
            ):
                log.warning("IOPub message with a wrong signature from kernel %s", kernel_id)
                return
            msg_type = json.loads(parts[1])["msg_type"]
            parent_type = json.loads(parts[2]).get("msg_type")
            if track(msg_type) or track(parent_type) or kernel.execution_state == "busy":
                self.last_kernel_activity = kernel.last_activity = utcnow()
            if msg_type == "status":
                state = json.loads(parts[4])["execution_state"]
                if track(parent_type):
                    kernel.execution_state = state
                elif kernel.execution_state == "starting" and state != "starting":
                    kernel.execution_state = "idle"  # as Jupyter Server normalises it

        kernel._activity_stream.on_recv(record_activity)


# logged once, when every notebook's pool (the participant pool and each dashboard's) has been
# filled for the first time and each kernel has run its notebook: serving starts quiet from then on
ALL_POOLS_FILLED = "All kernel pools are filled"


class FillSlots:
    """How many pool kernels may start (and run the notebook) at once: all cores while the pools
    fill for the first time (before anyone is served), then half of them, so refilling the pool
    while people join never takes the CPU the joining participants' kernels need.  A kernel a page
    is already waiting for (taken from the pool before it started) is not held back: it is one of
    the people joining (Voila's own behaviour when the pool runs dry).

    Voila refills one kernel per page taken, a second after (``fill_delay``); each costs a few
    CPU-seconds (Python, ipykernel, the notebook's imports and cells).  Unthrottled, 100 people
    arriving within a minute start 100 kernels in that minute, which a 2-core machine cannot run,
    and every joining page waits behind them.

    Once the pools have been filled, a refill also waits for a quiet moment: no page is loading
    (``loading(loading_s)``: pages that took a kernel within ``loading_s`` and have not sent it a
    message yet; they are fetching their scripts), and no page has sent its kernel a message
    (``activity()``: the time of the last one) for ``quiet_s`` while a crowd is active (at least
    ``crowd_pages`` pages sent messages within ``quiet_s``), else for ``settle_s`` (one person's
    page has loaded its widgets).  While pages keep sending, at most one kernel starts every
    ``busy_every_s``.  A refill keeps a core busy for seconds: in the
    benchmark, the standby refills after 40 people joined ran through their whole submitting phase
    and took half the machine from them; a refill started while one person's page is loading
    slows that page.  The standby kernels are for people arriving later, so a refill does not wait
    when its pool has no ready kernel left (``urgent``), and a kernel a page is waiting for
    starts at once (``demanded``).
    """

    poll_s = 0.1
    quiet_s = 5.0
    settle_s = 2.0
    crowd_pages = 3
    loading_s = 20.0
    busy_every_s = 20.0

    def __init__(
        self,
        startup: int,
        serving: int,
        activity: Callable[[], float] = lambda: 0.0,
        active_pages: Callable[[float], int] = lambda _within_s: 0,
        loading: Callable[[float], int] = lambda _within_s: 0,
    ) -> None:
        self.startup, self.serving = max(1, startup), max(1, serving)
        self.activity, self.active_pages, self.loading = activity, active_pages, loading
        self.filled_once = False
        self.busy = 0
        self.last_start = -float("inf")

    def _quiet(self) -> bool:
        """Whether a refill may start now, as to the pages' activity."""
        if not self.filled_once:  # the first fill: nobody is served yet
            return True
        if self.loading(self.loading_s):
            return False
        now = time.monotonic()
        crowd = self.active_pages(self.quiet_s) >= self.crowd_pages
        wait_s = self.quiet_s if crowd else self.settle_s
        return now - self.activity() >= wait_s or now - self.last_start >= self.busy_every_s

    @property
    def limit(self) -> int:
        """Kernels allowed to start at once now (for the pool)."""
        return self.serving if self.filled_once else self.startup

    @contextlib.asynccontextmanager
    async def slot(
        self,
        demanded: Callable[[], bool] = lambda: False,
        urgent: Callable[[], bool] = lambda: False,
    ) -> AsyncIterator[None]:
        """Hold one slot for the block; ``demanded()``: a page waits for this kernel;
        ``urgent()``: its pool has no ready kernel (no quiet moment awaited)."""
        while not ((self.busy < self.limit and (urgent() or self._quiet())) or demanded()):
            await asyncio.sleep(self.poll_s)
        self.last_start = time.monotonic()
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1


def throttled_pool(base: Any) -> type:
    """Voila's pool manager class ``base`` with kernel starts limited by :class:`FillSlots`: a
    pooled kernel holds its slot until it has run the notebook (or a page took it, at most
    ``fill_timeout_s``)."""

    class ThrottledPoolKernelManager(base):
        """Voila's pool manager; pool kernels start through :class:`FillSlots`, and once a pool has
        been handed out it is refilled only up to its standby size."""

        fill_timeout_s = 120.0
        standby_sizes = Dict(
            config=True,
            help="Notebook -> kernels kept ready once the first pool_size kernels (sized for "
            "everyone arriving at the start) have been handed out; a pool is refilled only below "
            "this, and only up to it.",
        )

        def fill_if_needed(
            self, delay: float | None = None, notebook_name: str | None = None, **kwargs: Any
        ) -> None:
            """Voila's refill (``delay`` None: a page took a kernel), capped at the standby size."""
            name = notebook_name or ""
            standby = self.standby_sizes.get(name)
            if delay is not None or standby is None:
                return super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)
            if len(self._pools.get(name, ())) >= int(standby):
                return None
            config: dict[str, Any] = dict(getattr(self, "kernel_pools_config", {}))
            entry: dict[str, Any] = dict(config.get(name) or config.get("default") or {})
            entry["pool_size"] = standby
            self.kernel_pools_config = {**config, name: entry}
            try:
                return super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)
            finally:
                self.kernel_pools_config = config

        async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
            """Voila's hand-out of a preheated kernel; the page taking it counts as active (it
            loads its scripts before it sends its kernel a first message), for refills and for
            the culler: the kernel's last activity was when it ran the notebook, maybe long ago,
            and the culler may have seen it outside the pool already while it was starting (so
            :class:`PageKernelManager`'s first-sight grace is used up): culled in the seconds
            before its page connected, the page got a 403 for its kernel and never showed."""
            from jupyter_server._tz import utcnow

            result = await super().get_rendered_notebook(*args, **kwargs)
            kernel_id = str(result[2])
            PageActivity.took(kernel_id)
            kernel = getattr(self, "_kernels", {}).get(kernel_id)
            if kernel is not None:
                kernel.last_activity = utcnow()
            return result

        @property
        def fill_slots(self) -> FillSlots:
            slots = self.__dict__.get("_wb_fill_slots")
            if slots is None:
                cores = os.cpu_count() or 2
                slots = self.__dict__["_wb_fill_slots"] = FillSlots(
                    cores,
                    cores // 2,
                    activity=lambda: PageActivity.last,
                    active_pages=PageActivity.active,
                    loading=PageActivity.loading,
                )
            return slots

        async def _initialize(
            self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any
        ) -> Any:
            if kernel_id is not None:  # a restart: no new kernel
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            task = asyncio.current_task()  # the pool's entry (Voila's fill_if_needed task)

            def demanded() -> bool:  # a page took it from the pool and waits for it
                return all(task not in pool for pool in self._pools.values())

            def urgent() -> bool:  # the next person to arrive would wait for a cold kernel
                return not any(
                    other.done() for pool in self._pools.values() if task in pool for other in pool
                )

            async with self.fill_slots.slot(demanded, urgent):
                result = await super()._initialize(notebook_path, kernel_id, **kwargs)
                # the render task ends when the notebook has run, or after the cell running when
                # a page takes the kernel
                await asyncio.wait([result["task"]], timeout=self.fill_timeout_s)
            if not self.fill_slots.filled_once and all(  # every other pool entry is ready
                other.done() for pool in self._pools.values() for other in pool if other is not task
            ):
                self.fill_slots.filled_once = True
                self.log.info(
                    "%s: %d preheated kernel(s) have run their notebooks",
                    ALL_POOLS_FILLED,
                    sum(len(pool) for pool in self._pools.values()),
                )
            return result

    return ThrottledPoolKernelManager


def kernel_page(kernel_manager: Any, kernel_id: str) -> str | None:
    """The notebook a kernel serves, or None when unknown."""
    with contextlib.suppress(Exception):
        found = kernel_manager._get_notebook_from_kernel(kernel_id)  # pooled (Voila's own record)
        if found:
            return str(found)
    pages = getattr(kernel_manager, "kernel_pages", {})
    return pages.get(kernel_id)


def _is_loopback(ip: str | None) -> bool:
    try:
        return ipaddress.ip_address(ip or "").is_loopback
    except ValueError:
        return False


def _from_this_machine(handler: Any) -> bool:
    """The request comes from the address it was sent to (a kernel of a server bound to a LAN
    address asks for its request info there, ``VOILA_APP_IP``): the same machine."""
    with contextlib.suppress(Exception):
        local = handler.request.connection.stream.socket.getsockname()[0]
        return bool(local) and local == handler.request.remote_ip
    return False


def _kernel_id(handler: Any) -> str:
    """The kernel id in a handler's URL (a named group in Jupyter Server's patterns)."""
    return str(handler.path_kwargs.get("kernel_id") or (handler.path_args or [""])[0])


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;max-width:40em;"
        f"margin:2em auto;padding:0 1em}}</style></head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>"
    )


class GuardMixin:
    """Host check and role rules before any handler code (see the module docstring)."""

    wb_rule = "static"

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A short page with the reason (Jupyter Server's error templates are not installed for
        Voila, so its own write_error fails with a traceback in the log)."""
        handler: Any = self
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        reason = getattr(exc, "log_message", None) or handler._reason
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        handler.finish(_page(f"{status_code}", f"<p>{html.escape(str(reason))}</p>"))

    def set_headers(self) -> None:
        """Static files: those whose name carries a content hash are cached for good (a device's
        re-open then asks only for the page); the others are revalidated (304 when unchanged)."""
        super().set_headers()  # type: ignore[misc]
        handler: Any = self
        if _HASHED_ASSET.search(handler.request.path):
            handler.set_header("Cache-Control", "public, max-age=31536000, immutable")
        elif not handler._headers.get("Cache-Control"):
            handler.set_header("Cache-Control", "no-cache")

    def _request_summary(self) -> str:
        """What tornado logs for a refused request: the URL without its token."""
        request = self.request  # type: ignore[attr-defined]
        path, _, query = request.uri.partition("?")
        uri = f"{path}?{scrub_query(query)}" if query else path
        return f"{request.method} {uri} ({request.remote_ip})"

    async def prepare(self, *args: Any, **kwargs: Any) -> None:  # noqa: C901 - one decision table
        handler: Any = self
        config = role_config()
        if not config.host_allowed(handler.request.host):
            log.warning("refused Host %r from %s", handler.request.host, handler.request.remote_ip)
            raise web.HTTPError(403, "this server does not answer to that Host name")
        result = super().prepare(*args, **kwargs)  # type: ignore[misc]
        if inspect.isawaitable(result):
            await result
        if getattr(handler, "_finished", False) or self.wb_rule == "static":
            return
        role = role_of(getattr(handler, "current_user", None))
        if self.wb_rule == "query":
            await self._guard_query(handler, role)
        elif self.wb_rule == "kernel":
            kid = _kernel_id(handler)
            page = kernel_page(handler.kernel_manager, kid)
            if role is None or not may_open(role, page or "", config.pages):
                log.warning("refused %s access to kernel %s (%s)", role, kid, page)
                raise web.HTTPError(403, "this kernel belongs to a page you may not open")
        elif self.wb_rule == "page":
            notebook = (handler.path_args or [""])[0]
            if role is None:
                raise web.HTTPError(403)
            if not may_open(role, notebook, config.pages):
                self._refuse(handler, notebook)
                return
            # the page's front end sends `_xsrf` from this cookie when it is closed
            # (POST voila/api/shutdown/<kernel>); without it the kernel lives on until culled
            handler.xsrf_token  # noqa: B018 - reading it sets the cookie
        elif self.wb_rule == "tree":
            if role is None:
                raise web.HTTPError(403)
            if role != FACILITATOR or _is_root(handler):
                self._landing(handler, role)
        elif self.wb_rule == "facilitator" and role != FACILITATOR:
            raise web.HTTPError(403, "facilitator only")

    async def _guard_query(self, handler: Any, role: str | None) -> None:
        kid = _kernel_id(handler)
        page = kernel_page(handler.settings["kernel_manager"], kid)
        if page is not None and (
            _is_loopback(handler.request.remote_ip) or _from_this_machine(handler)
        ):
            return  # a kernel of this server asking for its request info (no cookie)
        if role is None:  # a plain tornado socket: ask the identity provider
            user = handler.settings["identity_provider"].get_user(handler)
            if inspect.isawaitable(user):
                user = await user
            role = role_of(user)
        if role is None or not may_open(role, page or "", role_config().pages):
            raise web.HTTPError(403, "this kernel belongs to a page you may not open")

    @staticmethod
    def _refuse(handler: Any, notebook: str) -> None:
        allowed = " or ".join(
            r for r in ROLES if may_open(r, notebook, role_config().pages) and r != "participant"
        )
        handler.set_status(403)
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        handler.finish(
            _page(
                "Not for your role",
                f"<p>The page <b>{html.escape(notebook_key(notebook))}</b> is for the "
                f"{html.escape(allowed)} only: open it with that role's link, or go back to "
                "<a href='/'>your start page</a>.</p>",
            )
        )

    @staticmethod
    def _landing(handler: Any, role: str) -> None:
        config = role_config()
        base = handler.settings.get("base_url", "/")
        target = config.landing.get(role)
        if target:
            handler.redirect(f"{base}voila/render/{target}.ipynb")
            return
        handler.set_header("Content-Type", "text/html; charset=utf-8")
        handler.finish(landing_page(config, role, base))


def _is_root(handler: Any) -> bool:
    """The server's start page (``/`` or ``/voila/tree``), not a sub-folder listing."""
    base = handler.settings.get("base_url", "/")
    return handler.request.path.rstrip("/") in (base.rstrip("/"), f"{base}voila/tree".rstrip("/"))


AUDIENCE_ORDER = {"participant": 0, "group": 1, "facilitator": 2}
LANDING_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
    "line-height:1.45;color:#1b1b1b}h1{font-size:1.5em}.dash{border:1px solid #ccc;border-radius:8px;"
    "padding:.8em 1em;margin:.8em 0}.dash h2{font-size:1.15em;margin:0 0 .3em 0}.who{color:#444;"
    "margin:.2em 0}.who b{color:#1b1b1b}.links{background:#f4f6f8;border-radius:8px;padding:.6em 1em}"
    "code{background:#eef;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}"
)


def landing_page(config: RoleConfig, role: str, base: str) -> str:
    """The start page: every dashboard this role may open, with whom it is for and what it does
    (texts from ``serving.yml``: ``dashboards``); the facilitator also sees how to hand out links."""
    esc = html.escape
    names = [n for n in config.dashboards if may_open(role, n, config.pages)]
    # the pages of the widest audience first (participant page, working group, facilitator only)
    names.sort(key=lambda n: (-len(roles_for_page(n, config.pages)), n))
    cards = []
    for name in names:
        info = config.dashboards[name]
        roles = sorted(roles_for_page(name, config.pages), key=lambda r: AUDIENCE_ORDER.get(r, 9))
        cards.append(
            f"<section class='dash' data-dashboard='{esc(name)}'>"
            f"<h2><a href='{esc(base)}voila/render/{esc(name)}.ipynb'>{esc(info['title'])}</a></h2>"
            + (
                f"<p class='who'><b>For:</b> {esc(info['audience'])}</p>"
                if info["audience"]
                else ""
            )
            + (
                f"<p class='does'><b>What it does:</b> {esc(info['purpose'])}</p>"
                if info["purpose"]
                else ""
            )
            + f"<p class='who'>Roles that may open it: {esc(', '.join(roles))}</p></section>"
        )
    intro = {
        FACILITATOR: "You are signed in as the <b>facilitator</b>: you may open every dashboard.",
        "group": "You are signed in as a <b>working-group member</b>.",
    }.get(role, "")
    links = ""
    if role == FACILITATOR:
        participant = esc(config.participant_url or base)
        links = (
            "<div class='links'><h2>Handing out links</h2><p>Participants open "
            f"<code>{participant}</code> (the participant link printed by <code>workbench serve</code>), "
            "or better their personal invitation link, which signs them in: print the sheet of "
            "links with QR codes with <code>workbench foresight invitations EXERCISE --base-url "
            f"{participant} --out invitations.html</code>. The working-group and facilitator "
            "links are printed in the terminal too. Runbook: <code>docs/facilitator_runbook.md</code>."
            "</p></div>"
        )
    body = (
        f"<p>{intro}</p>" + ("".join(cards) or "<p>No dashboard is open to your role.</p>") + links
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Workshop dashboards</title><style>{LANDING_CSS}</style></head><body>"
        f"<h1>SEE Cluster Policy Lab: workshop dashboards</h1>{body}</body></html>"
    )


class ScrubbedRequestInfoSocketHandler(RequestInfoSocketHandler):
    """Voila's request-info socket without the ``token`` query parameter in what it sends."""

    def write_message(self, message: Any, binary: bool = False) -> Any:
        """Send the request info with the token removed from ``QUERY_STRING``."""
        if isinstance(message, dict) and "QUERY_STRING" in message:
            message = {**message, "QUERY_STRING": scrub_query(str(message["QUERY_STRING"]))}
        return super().write_message(message, binary)


def _rule(cls: type) -> str:
    """Which rule of :class:`GuardMixin` applies to a Voila handler class."""
    name = cls.__name__
    if issubclass(cls, RequestInfoSocketHandler):
        return "query"
    if name in {
        "KernelHandler",
        "VoilaKernelWebsocketHandler",
        "VoilaShutdownKernelHandler",
        "ExecutionRequestHandler",
    }:
        return "kernel"
    if name == "TornadoVoilaHandler":
        return "page"
    if name == "TornadoVoilaTreeHandler":
        return "tree"
    if name == "VoilaContentsHandler":
        return "facilitator"
    return "static"


class _ClientGone(Exception):
    """The client closed its kernel websocket before the upgrade."""


class KernelWebsocketLeaveQuietly:
    """Jupyter Server's kernel websocket handler for a client that leaves while its kernel
    connection is prepared (``connection.prepare()`` waits for the kernel, seconds when dozens of
    people join at once): tornado then calls ``on_close``, which clears the connection, and the
    upgrade that follows failed in ``select_subprotocol`` (``'NoneType' object has no attribute
    'kernel_ws_protocol'``: a traceback and an HTTP 500 per such client).  Now the request simply
    ends: nobody is there to answer."""

    async def pre_get(self) -> None:
        """Prepare the kernel connection; stop if the client left meanwhile."""
        await super().pre_get()  # type: ignore[misc]
        if getattr(self, "connection", None) is None:
            raise _ClientGone

    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Jupyter Server's upgrade, or nothing when the client is gone."""
        try:
            await super().get(*args, **kwargs)  # type: ignore[misc]
        except _ClientGone:
            log.info("a page closed its kernel websocket before it was connected")

    def on_close(self) -> None:
        """Disconnect the kernel connection, if there is one yet."""
        if getattr(self, "connection", None) is not None:
            super().on_close()  # type: ignore[misc]


# static files sent gzip-compressed from memory (compressed once, level 9): tornado's
# `compress_response` gzips every response again (~20 ms per 250 KB script on one thread, ~0.4 s
# for the ~3 MB of scripts a page loads, all on the page's critical path)
GZIP_SUFFIXES = (".js", ".css", ".json", ".svg", ".html", ".map", ".txt", ".ttf", ".eot")
GZIP_MIN_BYTES = 1024
_GZIPPED: dict[tuple[str, int, int], bytes] = {}  # (path, mtime ns, size) -> gzip bytes

# V8's explicit compile hint (Chromium >= 136; other browsers read a comment): every function of
# the script is compiled while the script streams in, on a background thread.  Without it V8
# compiles each function lazily when first called, on the page's main thread: in a CPU profile of
# the participant page ~0.45 s of the ~1.5 s of its JavaScript was webpack's `require` compiling
# module factories.  Only for the scripts a dashboard page runs as it starts (the preload list of
# :mod:`workbench.serving.preload`, and Voila's CSS-injecting voila-style.js); a big library
# loaded for one chart (plotly) keeps lazy compilation.  Measured by thread CPU time in Chrome
# traces (3 navigations each, same minute): the page's main thread 823 -> 556 ms, the renderer's
# threads in all 1235 -> 1453 ms (unused functions get compiled too, on another core).
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
_EAGER: list[frozenset[str]] = []


def eager_scripts() -> frozenset[str]:
    """Real paths of the installed scripts sent with :data:`COMPILE_HINT` (read once; the
    first-wave bundle of :func:`first_wave_folder` is sent with it too)."""
    if not _EAGER:
        from workbench.serving.preload import hints, installed_file

        found = {installed_file(hint.path) for hint in hints()}
        _EAGER.append(frozenset(os.path.realpath(f) for f in found if f is not None))
    return _EAGER[0]


def gzipped_file(path: str) -> bytes | None:
    """The file at ``path`` gzip-compressed (level 9, cached while its mtime and size stay), or
    None for a file that is not worth it (small, or not text-like).  A script a page runs as it
    starts (:func:`eager_scripts`) begins with :data:`COMPILE_HINT`."""
    if not path.endswith(GZIP_SUFFIXES):
        return None
    stat = os.stat(path)
    if stat.st_size < GZIP_MIN_BYTES:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    data = _GZIPPED.get(key)
    if data is None:
        with open(path, "rb") as handle:
            body = handle.read()
        if path.endswith(".js") and (
            path.endswith("/voila-style.js")
            or os.path.basename(path).startswith(FIRST_WAVE)
            or os.path.realpath(path) in eager_scripts()
        ):
            body = COMPILE_HINT + body
        data = gzip.compress(body, compresslevel=9, mtime=0)
        _GZIPPED[key] = data
    return data


FIRST_WAVE = "workbench-first-wave-"  # file names of preload.BUNDLES begin so


def first_wave_folder() -> Path:
    """A new folder (removed when this process ends) holding the first-wave bundle
    parts (:func:`workbench.serving.preload.write_bundle`) built from the installed Voila, compressed
    ahead (:func:`gzipped_file`) so that the first participant does not wait for it."""
    from workbench.serving.preload import write_bundle

    folder = Path(tempfile.mkdtemp(prefix="workbench-static-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for path in write_bundle(folder):
        assert path.name.startswith(FIRST_WAVE)
        gzipped_file(str(path))
    return folder


class PrecompressedStatic:
    """Static file handlers: a client that accepts gzip (and asks no byte range) gets the file
    from :func:`gzipped_file` in one write, instead of compressed again on every request."""

    def get_content_size(self) -> int:
        handler: Any = self
        headers = handler.request.headers
        data = None
        if not headers.get("Range") and "gzip" in headers.get("Accept-Encoding", ""):
            data = gzipped_file(handler.absolute_path)
        if data is None:
            return int(super().get_content_size())  # type: ignore[misc]
        handler.set_header("Content-Encoding", "gzip")  # tornado's transform leaves it alone
        # this request's body (an instance attribute: tornado's `get_content` stays the class
        # method that `get_content_version`, hence the ETag, reads the file with)
        handler.get_content = lambda abspath, start=None, end=None: data
        return len(data)


def guarded(cls: type) -> type:
    """``cls`` with :class:`GuardMixin` in front (and the scrubbed request-info socket; kernel
    websockets that leave quietly; static files precompressed)."""
    if cls is RequestInfoSocketHandler:
        cls = ScrubbedRequestInfoSocketHandler
    bases: tuple[type, ...] = (GuardMixin, cls)
    if cls.__name__ == "VoilaKernelWebsocketHandler":
        bases = (GuardMixin, KernelWebsocketLeaveQuietly, cls)
    elif isinstance(cls, type) and issubclass(cls, web.StaticFileHandler):
        bases = (GuardMixin, PrecompressedStatic, cls)
    return type(f"Guarded{cls.__name__}", bases, {"wb_rule": _rule(cls)})


# MathJax stand-in of widget-only pages (the workbench template's static/no-mathjax.js)
NO_MATHJAX = "voila/templates/workbench/static/no-mathjax.js"


def page_config_hook(page_config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Widget-only pages (``RoleConfig.widget_only_pages``) skip :data:`WIDGET_ONLY_SKIP`, and
    typeset no formulas: with ``fullMathjaxUrl`` set, Voila's front end takes JupyterLab's MathJax 2
    typesetter, which loads that URL, here :data:`NO_MATHJAX` (a stand-in that does nothing),
    instead of its MathJax 3 (~720 KB of scripts fetched and run once the first widget is drawn)."""
    notebook = notebook_key(str(kwargs.get("notebook_path") or ""))
    if notebook in {notebook_key(p) for p in role_config().widget_only_pages}:
        page_config["federated_extensions"] = [
            e
            for e in page_config.get("federated_extensions", [])
            if e.get("name") not in WIDGET_ONLY_SKIP
        ]
        page_config["fullMathjaxUrl"] = str(page_config.get("baseUrl") or "/") + NO_MATHJAX
        page_config["mathjaxConfig"] = "none"
    return page_config


def _bind_to_parent(parent: int) -> None:
    """Ask Linux to SIGTERM this process when ``parent`` dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit("workbench serve is gone; not starting Voila")


# Console lines people running a workshop do not need (the links are printed by `workbench serve`,
# dashboards never show untrusted HTML output, kernels come and go all day).  Warnings and errors
# stay, and so do "Kernel pool of ... is filled" (the page is ready; tests wait for it).
QUIET_PREFIXES = (
    "Notebook ",  # "Notebook X.ipynb is not trusted" (once per page view)
    "Voilà is running at",
    "Voila is running at",
    "Using /tmp to store connection files",
    "Storing connection files in",
    "Serving static files from",
    "Config option `connection_dir` not recognized",
    "Kernel started:",
    "Kernel shutdown:",
    "Using pre-heated kernel",
    "Culling kernels with idle",
    "Culling '",
    "Starting buffering for",
    "Restoring connection for",
    "Discarding ",
    "Replaying ",
    "Connecting to kernel",
    "The websocket_ping_timeout",  # tornado, once: Jupyter Server's default timeout > interval
)


class QuietConsole(logging.Filter):
    """Drops the routine lines of :data:`QUIET_PREFIXES` from the Voila process's console."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a routine line (not shown)."""
        message = record.getMessage()
        if message.startswith("Notebook ") and not message.endswith("is not trusted"):
            return True
        return not message.startswith(QUIET_PREFIXES)


def quiet_console(logger: logging.Logger) -> None:
    """Put :class:`QuietConsole` on ``logger`` and on its handlers (records of child loggers too)."""
    quiet = QuietConsole()
    logger.addFilter(quiet)
    for handler in logger.handlers:
        handler.addFilter(quiet)


class WorkbenchVoila(Voila):
    """Voila with the guards above."""

    def initialize(self, argv: Any = None) -> None:
        """Voila's initialisation, then the role/identity classes and the page config hook."""
        quiet_console(self.log)
        quiet_console(logging.getLogger("tornado.general"))
        super().initialize(argv)
        quiet_console(self.log)
        self.identity_provider_class = RoleIdentityProvider
        self.voila_configuration.multi_kernel_manager_class = PageKernelManager
        self.voila_configuration.page_config_hook = page_config_hook
        role_config()  # fail now, not on the first request, when the role file is missing

    def init_settings(self) -> dict[str, Any]:
        """Voila's settings; the access log scrubs ``token`` (and other secrets) from URLs."""
        import voila.app as voila_module
        from jupyter_server.log import log_request

        original = voila_module.voila_kernel_manager_factory

        def factory(*args: Any, **kwargs: Any) -> type:
            made = original(*args, **kwargs)
            return throttled_pool(made) if hasattr(made, "_initialize") else made

        voila_module.voila_kernel_manager_factory = factory  # Voila's pool class, throttled
        try:
            settings = super().init_settings()
        finally:
            voila_module.voila_kernel_manager_factory = original
        # gzip for pages, scripts, styles and JSON (participants share a venue's Wi-Fi)
        settings["compress_response"] = True
        # ... and permessage-deflate for the kernel websockets (the widgets' state is JSON)
        settings["websocket_compression_options"] = {}
        settings["log_function"] = lambda handler: log_request(
            handler, record_prometheus_metrics=False
        )
        return settings

    def setup_template_dirs(self) -> None:
        """Voila's template and static folders; with the ``workbench`` template, ``voila/static/``
        also sends the first-wave bundle its pages run (:func:`first_wave_folder`)."""
        super().setup_template_dirs()
        if self.voila_configuration.template == TEMPLATE_NAME:
            self.static_paths.append(str(first_wave_folder()))

    def init_handlers(self) -> list[Any]:
        """Voila's handlers, each behind :class:`GuardMixin`."""
        return [(spec[0], guarded(spec[1]), *spec[2:]) for spec in super().init_handlers()]

    def listen(self) -> None:
        """Start the parent watchdog, then serve."""
        from tornado.ioloop import IOLoop, PeriodicCallback

        parent = int(os.environ.get(PARENT_ENV, "0") or 0)
        if parent:

            def check() -> None:
                if os.getppid() != parent:
                    self.log.warning("workbench serve (pid %s) is gone: stopping Voila", parent)
                    IOLoop.current().stop()

            PeriodicCallback(check, 1000).start()
        super().listen()


def _raise_open_files_limit() -> None:
    """Soft limit of open files up to :data:`MIN_OPEN_FILES` (within the hard limit): every page's
    kernel holds a dozen sockets in this process."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = MIN_OPEN_FILES if hard == resource.RLIM_INFINITY else min(MIN_OPEN_FILES, hard)
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def main() -> None:
    """Entry point of the Voila child process."""
    import warnings

    parent = int(os.environ.get(PARENT_ENV, "0") or 0)
    if parent:
        _bind_to_parent(parent)
    _raise_open_files_limit()
    # traitlets' notes on the JSON form of list/dict options: not for the workshop's console
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    WorkbenchVoila.launch_instance()


if __name__ == "__main__":
    main()
