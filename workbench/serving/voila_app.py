"""Build and run the Voila command of ``workbench serve`` (see the package docstring)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import db_path, project_root
from workbench.errors import ValidationError

log = logging.getLogger(__name__)

TEMPLATE_NAME = "workbench"
# kernel websockets with TCP_NODELAY: "Saved" is not held back by delayed ACKs (see the module)
WEBSOCKET_CONNECTION = "workbench.serving.websocket.NoDelayChannelsConnection"
PARTICIPANT_NOTEBOOK = "foresight_participant.ipynb"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# front-end extensions a page of core ipywidgets never needs: anywidget (~360 KiB of JavaScript, loaded
# and run before the page connects to its kernel) and the syntax-highlighting CSS of code cells
WIDGET_ONLY_SKIP = ("anywidget", "jupyterlab_pygments")


@dataclass
class ServeOptions:
    """Options of ``workbench serve``."""

    host: str = "127.0.0.1"
    port: int = 8866
    token: str | None = None
    pool_size: int = 1  # preheated kernels per dashboard notebook
    participant_pool: int = 6  # preheated kernels for the participant notebook
    cull_idle_s: int = 60
    cull_interval_s: int = 20
    merge_every_s: float = 5.0
    notebooks_dir: Path = field(default_factory=lambda: project_root() / "notebooks" / "dashboards")
    preheat: bool = True
    # the CDN-free template (False: Voila's default 'lab', for comparison)
    lean_template: bool = True
    # front-end extensions NOT loaded by the pages: the 4.7 MB jupyterlab-plotly mime renderer
    # (dashboards use FigureWidget through anywidget, never fig.show()) and JupyterLab's preview button
    skip_extensions: tuple[str, ...] = ("jupyterlab-plotly", "@voila-dashboards/jupyterlab-preview")
    # pages built from core ipywidgets only (no plotly/anywidget, no code shown): their browsers skip
    # the front-end extensions in WIDGET_ONLY_SKIP as well (the facilitator page still loads them)
    widget_only_pages: tuple[str, ...] = (PARTICIPANT_NOTEBOOK,)

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
        if self.token is not None and len(self.token) < 16:
            raise ValidationError("--token must have at least 16 characters")
        if not 0 < self.port < 65536:
            raise ValidationError(f"--port out of range: {self.port}")
        if self.cull_idle_s + self.cull_interval_s > 120:
            log.warning("closed pages' kernels will take more than 2 minutes to be reclaimed")


def prepare_template(dest_root: Path, widget_only_pages: tuple[str, ...] = ()) -> Path:
    """Write a copy of Voila's ``lab`` template without CDN links under ``dest_root/voila/templates``;
    return ``dest_root`` (to prepend to ``JUPYTER_PATH``).  Pages of the notebooks named in
    ``widget_only_pages`` do not load the front-end extensions :data:`WIDGET_ONLY_SKIP`."""
    from jupyter_core.paths import jupyter_path

    candidates = [Path(p) for p in jupyter_path("voila", "templates", "lab")]
    lab = next((p for p in candidates if (p / "index.html.j2").exists()), None)
    if lab is None:
        raise ValidationError("Voila's 'lab' template was not found (is voila installed?)")
    base = lab.parent / "base"
    dest = dest_root / "voila" / "templates" / TEMPLATE_NAME
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(lab, dest)

    def strip(text: str) -> str:
        return (
            "\n".join(
                line
                for line in text.splitlines()
                if "cdn.jsdelivr" not in line and "cdnjs" not in line
            )
            + "\n"
        )

    (dest / "base_page.html").write_text(
        strip((base / "page.html").read_text(encoding="utf-8")), encoding="utf-8"
    )
    for name in (
        "index.html.j2",
        "page.html",
        "tree.html",
        "tree-lab.html",
        "error.html",
        "browser-open.html",
    ):
        path = dest / name
        if path.exists():
            text = strip(path.read_text(encoding="utf-8"))
            text = text.replace(
                "voila/templates/base/page.html", f"voila/templates/{TEMPLATE_NAME}/base_page.html"
            )
            if (
                name == "index.html.j2"
            ):  # mermaid.js would come from cdnjs; dashboards never need it
                text += (
                    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
                )
                text = _skip_extensions_on(text, widget_only_pages)
            path.write_text(text, encoding="utf-8")
    # the static files (CSS) of a template are looked up under nbconvert/templates/<name>/static
    nbconvert_lab = next(
        (
            Path(p)
            for p in jupyter_path("nbconvert", "templates", "lab")
            if (Path(p) / "static").is_dir()
        ),
        None,
    )
    if nbconvert_lab is not None:
        nb_dest = dest_root / "nbconvert" / "templates" / TEMPLATE_NAME
        if nb_dest.exists():
            shutil.rmtree(nb_dest)
        shutil.copytree(nbconvert_lab, nb_dest)
    return dest_root


def _skip_extensions_on(index_template: str, pages: tuple[str, ...]) -> str:
    """Make the page template drop :data:`WIDGET_ONLY_SKIP` from the page config of ``pages``."""
    anchor = "{% set page_config_full = page_config.copy() %}"
    if not pages or anchor not in index_template:
        return index_template
    names = [Path(p).stem for p in pages]
    lean = (
        f"{{% if resources.metadata.name in {names!r} %}}"
        "{% set _ = page_config_full.update(federated_extensions=page_config_full"
        f"['federated_extensions'] | rejectattr('name', 'in', {list(WIDGET_ONLY_SKIP)!r}) | list) %}}"
        "{% endif %}"
    )
    return index_template.replace(anchor, anchor + lean, 1)


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
        "voila",
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
        f"--Voila.kernel_websocket_connection_class={WEBSOCKET_CONNECTION}",
    ]
    if opts.lean_template:
        cmd.append(f"--template={TEMPLATE_NAME}")
    if opts.skip_extensions:
        cmd.append(f"--VoilaConfiguration.extension_denylist={_json(list(opts.skip_extensions))}")
    if opts.preheat:
        pools = {"default": {"pool_size": opts.pool_size}}
        participant = nb_dir / PARTICIPANT_NOTEBOOK
        if participant.exists():
            pools[PARTICIPANT_NOTEBOOK] = {"pool_size": opts.participant_pool}
        cmd += [
            "--preheat_kernel=True",
            f"--pool_size={opts.pool_size}",
            f"--VoilaKernelManager.kernel_pools_config={_json(pools)}",
        ]
    cmd.append(f"--Voila.token={opts.token or ''}")
    return cmd


def _json(obj: object) -> str:
    import json

    return json.dumps(obj)


def voila_env(opts: ServeOptions) -> dict[str, str]:
    """Environment of the Voila process: CDN-free template on JUPYTER_PATH, the knowledge base."""
    env = dict(os.environ)
    env["WORKBENCH_DB"] = str(db_path())
    env.setdefault("PYTHONWARNINGS", "ignore")
    # kernels need not echo every value change back to the page that made it (one page per kernel):
    # fewer messages when 40 people press Save at once
    env.setdefault("JUPYTER_WIDGETS_ECHO", "0")
    if opts.lean_template:
        root = prepare_template(runtime_dir() / "jupyter", opts.widget_only_pages)
        env["JUPYTER_PATH"] = os.pathsep.join([str(root), *filter(None, [env.get("JUPYTER_PATH")])])
    return env


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
    stop = threading.Event()
    merger = threading.Thread(target=merge_loop, args=(stop, opts.merge_every_s), daemon=True)
    merger.start()
    proc = subprocess.Popen(voila_command(opts), env=voila_env(opts))

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


class ServerProcess:
    """``workbench serve`` in a child process (tests, benchmarks): ``with ServerProcess(...) as url:``.

    Waits until the landing page answers and the participant pool is filled; stops the server (and
    with it Voila and its kernels) by its own PID on exit.
    """

    def __init__(
        self,
        db: Path,
        port: int,
        *,
        log_path: Path,
        extra: list[str] | None = None,
        wait_pool: bool = True,
        timeout: float = 180.0,
    ) -> None:
        self.db, self.port, self.log_path = db, port, log_path
        self.extra = extra or []
        self.wait_pool, self.timeout = wait_pool, timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> str:
        import time
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
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                    ready = response.status == 200
            except OSError:
                ready = False
            text = self.log_path.read_text(errors="replace")
            if ready and (
                not self.wait_pool or f"Kernel pool of {PARTICIPANT_NOTEBOOK} is filled" in text
            ):
                return self.url
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise TimeoutError(f"workbench serve not ready after {self.timeout} s")
            time.sleep(0.5)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
