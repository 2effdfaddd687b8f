"""Build and run the Voila command of ``workbench serve`` (see the package docstring)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import db_path, load_defaults, project_root
from workbench.errors import ValidationError
from workbench.serving.roles import (
    FACILITATOR,
    GROUP,
    MIN_TOKEN_LENGTH,
    PARENT_ENV,
    PARTICIPANT,
    ROLES_ENV,
    RoleConfig,
    load_or_create_tokens,
    token_hash,
)

log = logging.getLogger(__name__)

TEMPLATE_NAME = "workbench"
# kernel websockets with TCP_NODELAY: "Saved" is not held back by delayed ACKs (see the module)
WEBSOCKET_CONNECTION = "workbench.serving.websocket.NoDelayChannelsConnection"
PARTICIPANT_NOTEBOOK = "foresight_participant.ipynb"
# the co-drafting pages of the action plan (issue 17): core ipywidgets only; roles in serving.yml
CODRAFT_NOTEBOOKS = ("codraft.ipynb", "codraft_review.ipynb")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class ServeOptions:
    """Options of ``workbench serve``."""

    host: str = "127.0.0.1"
    port: int = 8866
    token: str | None = None  # participants' token (needed off 127.0.0.1)
    facilitator_token: str | None = None  # default: kept in .serve/tokens.json (generated once)
    group_token: str | None = None  # working-group members' token, likewise
    allowed_hosts: tuple[
        str, ...
    ] = ()  # extra names the Host header may carry (DNS-rebinding check)
    pool_size: int = 1  # preheated kernels per dashboard notebook
    # preheated kernels for the participant notebook when serving starts: one per participant
    # expected in the first minutes (each ~70 MiB; see pool_memory_mib)
    participant_pool: int = 6
    # kernels kept ready for the participant notebook once the first pool has been handed out
    # (late arrivals, reloads): refilling 100 kernels while 100 people work would double the memory
    participant_standby: int = 6
    cull_idle_s: int = 60
    cull_interval_s: int = 20
    # how long a page waits for its kernel to answer (Voila's default, 60 s, is too short when
    # dozens of participants open their links at once on a small machine: the page then ends
    # after its header, blank and without a kernel)
    kernel_start_timeout_s: int = 300
    merge_every_s: float = 5.0
    notebooks_dir: Path = field(default_factory=lambda: project_root() / "notebooks" / "dashboards")
    preheat: bool = True
    # the CDN-free template (False: Voila's default 'lab', for comparison)
    lean_template: bool = True
    # front-end extensions NOT loaded by the pages: the 4.7 MB jupyterlab-plotly mime renderer
    # (dashboards use FigureWidget through anywidget, never fig.show()) and JupyterLab's preview button
    skip_extensions: tuple[str, ...] = ("jupyterlab-plotly", "@voila-dashboards/jupyterlab-preview")
    # pages built from core ipywidgets only (no plotly/anywidget, no code shown): their browsers skip
    # the front-end extensions in roles.WIDGET_ONLY_SKIP as well (the facilitator page still loads them)
    widget_only_pages: tuple[str, ...] = (PARTICIPANT_NOTEBOOK, *CODRAFT_NOTEBOOKS)

    def check(self) -> None:
        """Refuse unsafe or impossible settings with a clear message."""
        if not self.notebooks_dir.is_dir():
            raise ValidationError(f"dashboards folder {self.notebooks_dir} does not exist")
        if self.host not in LOCAL_HOSTS and not self.token:
            raise ValidationError(
                f"serving on {self.host} (not 127.0.0.1) requires --token: participants then open the "
                "URL with ?token=..."
            )
        if self.host not in LOCAL_HOSTS:
            try:
                ipaddress.ip_address(self.host)
            except ValueError:
                if self.host != "0.0.0.0":
                    raise ValidationError(
                        f"--host must be an IP address, got {self.host!r}"
                    ) from None
        for name, value in (
            ("--token", self.token),
            ("--facilitator-token", self.facilitator_token),
            ("--group-token", self.group_token),
        ):
            if value is not None and len(value) < MIN_TOKEN_LENGTH:
                raise ValidationError(f"{name} must have at least {MIN_TOKEN_LENGTH} characters")
        if not 0 < self.port < 65536:
            raise ValidationError(f"--port out of range: {self.port}")
        if self.cull_idle_s + self.cull_interval_s > 120:
            log.warning("closed pages' kernels will take more than 2 minutes to be reclaimed")
        if self.participant_pool < 0 or self.participant_standby < 0:
            raise ValidationError("--participant-pool and --participant-standby must be >= 0")
        need, free = pool_memory_mib(self), available_memory_mib()
        if free is not None and need > 0.8 * free:
            log.warning(
                "%s preheated participant kernels and the standby ones need about %.0f MiB, "
                "this machine has %.0f MiB available: lower --participant-pool",
                self.participant_pool,
                need,
                free,
            )


# resident memory of one participant kernel, measured by bench_foresight.py (2026-12-01): 66 MiB
# median (max 67) with the notebook run and a participant's structural grid built (113 MiB while
# kernels imported Voila's server to learn their page's URL)
KERNEL_MIB = 70


def pool_memory_mib(opts: ServeOptions) -> float:
    """Memory the participant kernels may take at the busiest moment: the first pool all handed
    out (one per participant) plus the standby kernels refilled meanwhile."""
    return float(KERNEL_MIB * (opts.participant_pool + opts.participant_standby))


def available_memory_mib() -> float | None:
    """MemAvailable of this machine (Linux), None elsewhere."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return None


def template_root() -> Path:
    """The Jupyter data folder holding the ``workbench`` Voila template (shipped in the package; it
    inherits from Voila's ``lab`` template and replaces only the blocks that name a CDN)."""
    return Path(__file__).parent / "jupyter"


def runtime_dir() -> Path:
    """Where serve keeps generated files (next to the knowledge base)."""
    path = db_path().parent / ".serve"
    path.mkdir(parents=True, exist_ok=True)
    return path


def voila_command(opts: ServeOptions) -> list[str]:
    """The Voila command line for these options (no JupyterLab, no browser, no tracebacks)."""
    nb_dir = opts.notebooks_dir.resolve()
    cmd = [
        sys.executable,
        "-m",
        "workbench.serving.app",  # Voila with roles, Host check, parent watchdog
        str(nb_dir),
        "--no-browser",
        f"--Voila.ip={opts.host}",
        f"--port={opts.port}",
        "--Voila.port_retries=0",
        "--show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={opts.cull_idle_s}",
        f"--MappingKernelManager.cull_interval={opts.cull_interval_s}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        f"--VoilaExecutor.startup_timeout={opts.kernel_start_timeout_s}",
        f"--Voila.kernel_websocket_connection_class={WEBSOCKET_CONNECTION}",
        # under load a cell's outputs (the page's widgets) may trail its reply by seconds, and
        # nbclient drops outputs that come later than this (default 4 s): a page without widgets
        "--VoilaExecutor.iopub_timeout=60",
    ]
    if ipc_paths_fit():
        # kernels talk to the server over Unix sockets in Voila's private connection folder: with
        # TCP, jupyter_client picks free ports by binding and releasing them, and when dozens of
        # kernels start while participants' connections take ephemeral ports, one is taken in
        # between and the kernel dies at start (`ZMQError: Address already in use`: a page
        # without a kernel); IPC socket names are unique per kernel, there is nothing to race for
        cmd.append("--KernelManager.transport=ipc")
    if opts.lean_template:
        cmd.append(f"--template={TEMPLATE_NAME}")
    if opts.skip_extensions:
        cmd.append(f"--VoilaConfiguration.extension_denylist={_json(list(opts.skip_extensions))}")
    if opts.preheat:
        pools = {"default": {"pool_size": opts.pool_size}}
        standby = {}
        participant = nb_dir / PARTICIPANT_NOTEBOOK
        if participant.exists():
            pools[PARTICIPANT_NOTEBOOK] = {"pool_size": opts.participant_pool}
            standby[PARTICIPANT_NOTEBOOK] = min(opts.participant_standby, opts.participant_pool)
        cmd += [
            "--preheat_kernel=True",
            f"--pool_size={opts.pool_size}",
            f"--VoilaKernelManager.kernel_pools_config={_json(pools)}",
            # refill after the first pool is handed out: only up to the standby size (app.py)
            f"--ThrottledPoolKernelManager.standby_sizes={_json(standby)}",
        ]
    return cmd


# sizeof(sockaddr_un.sun_path) - 1 on Linux; macOS allows 103
IPC_PATH_MAX = 103 if sys.platform == "darwin" else 107


def ipc_paths_fit(tmp: str | None = None) -> bool:
    """Whether a kernel's Unix socket path in Voila's connection folder
    (``<tmp>/voila_XXXXXXXX/kernel-<uuid>-ipc-<n>``) fits the system's limit (a long TMPDIR, as on
    macOS, does not: serve then keeps TCP)."""
    import tempfile

    folder = Path(tmp or tempfile.gettempdir()) / "voila_xxxxxxxx"
    return os.name == "posix" and len(f"{folder}/kernel-{'0' * 36}-ipc-99") <= IPC_PATH_MAX


def _json(obj: object) -> str:
    import json

    return json.dumps(obj)


def role_config(opts: ServeOptions, tokens: dict[str, str]) -> RoleConfig:
    """What the Voila process needs to check roles and Host names (token hashes only)."""
    settings = load_defaults("serving")
    local = opts.host in LOCAL_HOSTS
    hosts = {*opts.allowed_hosts}
    if opts.host not in ("0.0.0.0", "::"):
        hosts.add(opts.host.lower())
    return RoleConfig(
        token_hashes={role: token_hash(tok) for role, tok in tokens.items()},
        anonymous_role=PARTICIPANT if local and not opts.token else None,
        allowed_hosts=sorted(hosts),
        any_ip_host=opts.host in ("0.0.0.0", "::"),
        pages={k: list(v) for k, v in settings.get("pages", {}).items()},
        landing=dict(settings.get("landing", {})),
        widget_only_pages=[Path(p).stem for p in opts.widget_only_pages],
        dashboards=dashboard_descriptions(opts.notebooks_dir, settings.get("dashboards", {})),
        participant_url=base_url(opts),
    )


def dashboard_descriptions(
    notebooks_dir: Path, described: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """Title, audience and purpose of every dashboard notebook in the served folder (from
    ``serving.yml``; a notebook without an entry: its file name, for the facilitator)."""
    out = {}
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        info = dict(described.get(path.stem) or {})
        out[path.stem] = {
            "title": str(info.get("title") or path.stem),
            "audience": str(info.get("audience") or ""),
            "purpose": str(info.get("purpose") or ""),
        }
    return out


def base_url(opts: ServeOptions) -> str:
    """``http://HOST:PORT/`` of the server as people type it."""
    host = "<this machine's address>" if opts.host in ("0.0.0.0", "::") else opts.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{opts.port}/"


def role_tokens(opts: ServeOptions) -> dict[str, str]:
    """Tokens per role: the given ones, else those kept in ``.serve/tokens.json`` (made once)."""
    return load_or_create_tokens(
        runtime_dir() / "tokens.json",
        {PARTICIPANT: opts.token, GROUP: opts.group_token, FACILITATOR: opts.facilitator_token},
    )


def voila_env(opts: ServeOptions, tokens: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of the Voila process: the ``workbench`` template on JUPYTER_PATH, the knowledge
    base, the role file (mode 0600) and this process's pid (Voila stops when it is gone)."""
    env = dict(os.environ)
    env["WORKBENCH_DB"] = str(db_path())
    env.setdefault("PYTHONWARNINGS", "ignore")
    # kernels need not echo every value change back to the page that made it (one page per kernel):
    # fewer messages when 40 people press Save at once
    env.setdefault("JUPYTER_WIDGETS_ECHO", "0")
    if opts.lean_template:
        env["JUPYTER_PATH"] = os.pathsep.join(
            [str(template_root()), *filter(None, [env.get("JUPYTER_PATH")])]
        )
    config = role_config(opts, tokens if tokens is not None else role_tokens(opts))
    env[ROLES_ENV] = str(config.save(runtime_dir() / f"roles-{os.getpid()}.json"))
    env[PARENT_ENV] = str(os.getpid())
    if opts.host not in LOCAL_HOSTS and opts.host not in ("0.0.0.0", "::"):
        # preheated kernels fetch their page's request info (the invitation code) from the server:
        # bound to one LAN address, it does not answer on 127.0.0.1
        env["VOILA_APP_IP"] = opts.host
    return env


def role_urls(opts: ServeOptions, tokens: dict[str, str]) -> dict[str, str]:
    """The link to hand to each role."""
    base = base_url(opts)
    urls = {role: f"{base}?token={tokens[role]}" for role in (FACILITATOR, GROUP, PARTICIPANT)}
    if opts.host in LOCAL_HOSTS and not opts.token:
        urls[PARTICIPANT] = base
    return urls


def console_banner(opts: ServeOptions, tokens: dict[str, str]) -> str:
    """What ``workbench serve`` prints at start: the link of each role and what to do with it."""
    urls = role_urls(opts, tokens)
    base = base_url(opts)
    return "\n".join(
        [
            f"Workshop dashboards at {base} (Ctrl+C stops the server)",
            f"  participant: {urls[PARTICIPANT]}",
            "               personal links that sign in, with QR codes: workbench foresight "
            f"invitations EXERCISE --base-url {base} --out invitations.html",
            f"        group: {urls[GROUP]}",
            f"  facilitator: {urls[FACILITATOR]}",
            "               (its start page says who each dashboard is for; runbook: "
            "docs/facilitator_runbook.md)",
            # not the log line itself: a script waiting for that line would find it here
            "Pages are ready when the console says that all kernel pools are filled.",
        ]
    )


def publish_all() -> list[str]:
    """Publish the state of every foresight exercise that has none yet; return their ids."""
    from workbench.foresight.model import list_exercises
    from workbench.foresight.state import current_state, publish_state

    done = []
    for exercise_id in list_exercises()["exercise_id"]:
        if current_state(exercise_id) is None:
            publish_state(exercise_id)
            done.append(exercise_id)
    return done


def merge_loop(stop: threading.Event, every: float) -> None:
    """Merge the capture inbox into the knowledge base every ``every`` seconds until ``stop``."""
    from workbench import capture

    # merging is background work: participants' kernels get the CPU first (Linux: per thread)
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    while not stop.wait(every):
        try:
            capture.merge()
        except Exception:  # keep serving; the next round retries
            log.exception("capture merge failed")


def serve(opts: ServeOptions) -> int:
    """Run Voila (foreground) with the merge loop; return Voila's exit code."""
    opts.check()
    try:
        publish_all()
    except Exception as exc:  # no knowledge base yet: serve anyway, dashboards will say so
        log.warning("could not publish foresight states: %s", exc)
    tokens = role_tokens(opts)
    env = voila_env(opts, tokens)
    print(console_banner(opts, tokens), flush=True)  # noqa: T201 - the links to hand out
    # Voila dies with this process, even on kill -9 (PR_SET_PDEATHSIG + watchdog in its launcher)
    proc = subprocess.Popen(voila_command(opts), env=env)
    stop = threading.Event()
    merger = threading.Thread(target=merge_loop, args=(stop, opts.merge_every_s), daemon=True)
    merger.start()

    def forward(signum: int, _frame: object) -> None:  # stopping serve stops Voila and its kernels
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=30)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        with contextlib.suppress(OSError):
            Path(env[ROLES_ENV]).unlink()


def pools_filled(log_text: str, every: bool = False) -> bool:
    """Whether the Voila process has logged that the participant pool (``every``: every pool) is
    filled: a log line of its own (``[WorkbenchVoila] ...``), never the banner's mention of it."""
    import re

    from workbench.serving.app import ALL_POOLS_FILLED

    line = ALL_POOLS_FILLED if every else f"Kernel pool of {PARTICIPANT_NOTEBOOK} is filled"
    return re.search(rf"^\[\w+\] {re.escape(line)}", log_text, re.MULTILINE) is not None


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 302 itself is the answer


_NO_REDIRECT = urllib.request.build_opener(_KeepRedirects)


class ServerProcess:
    """``workbench serve`` in a child process (tests, benchmarks): ``with ServerProcess(...) as url:``.

    Waits until the landing page answers and the participant pool is filled (``wait_pool="all"``:
    every notebook's pool, each kernel having run its notebook, so nothing is starting any more);
    stops the server (and
    with it Voila and its kernels) by its own PID on exit.
    """

    def __init__(
        self,
        db: Path,
        port: int,
        *,
        log_path: Path,
        extra: list[str] | None = None,
        wait_pool: bool | str = True,
        timeout: float = 300.0,  # the pools fill before serving: slow on a busy machine
    ) -> None:
        self.db, self.port, self.log_path = db, port, log_path
        self.extra = extra or []
        self.wait_pool, self.timeout = wait_pool, timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"
        self.tokens: dict[str, str] = {}

    def url_for(self, role: str, path: str = "/") -> str:
        """``path`` with the token of ``role`` (signs the browser in as that role)."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.tokens[role]}"

    def __enter__(self) -> str:
        import time
        import urllib.error
        import urllib.request

        script = Path(sys.executable).parent / "workbench"
        cmd = (
            [str(script)]
            if script.exists()
            else [sys.executable, "-c", "from workbench.cli import main; main()"]
        )
        cmd += ["--db", str(self.db), "serve", "--port", str(self.port), *self.extra]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"workbench serve exited: {self.log_path.read_text()[-2000:]}")
            try:  # the landing page; its redirect is not followed (it would take a participant's
                # preheated kernel)
                with _NO_REDIRECT.open(self.url + "/", timeout=5) as response:
                    ready = response.status in (200, 302)
            except urllib.error.HTTPError as exc:
                ready = exc.code == 302
            except OSError:
                ready = False
            text = self.log_path.read_text(errors="replace")
            if ready and (not self.wait_pool or pools_filled(text, every=self.wait_pool == "all")):
                import json

                tokens = self.db.parent / ".serve" / "tokens.json"
                self.tokens = json.loads(tokens.read_text()) if tokens.exists() else {}
                return self.url
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise TimeoutError(f"workbench serve not ready after {self.timeout} s")
            time.sleep(0.5)

    def __exit__(self, *exc: object) -> None:
        leftovers = []
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ImportError, OSError):
                import psutil  # dev dependency: only to clean up after a failed test

                leftovers = psutil.Process(self.proc.pid).children(recursive=True)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if leftovers:  # a Voila that cannot stop (e.g. stuck in a loop) is killed, not left behind
            import psutil

            _gone, alive = psutil.wait_procs(leftovers, timeout=15)
            for process in alive:
                with contextlib.suppress(psutil.Error):
                    process.kill()
        self.log.close()
