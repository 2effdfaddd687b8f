"""Serving the workshop dashboards with Voila (``workbench serve``).

* Voila (not JupyterLab) serves ``notebooks/dashboards/``, started through
  :mod:`workbench.serving.app` (Voila plus the guards below).  Voila refuses code execution from the
  browser (only widget comm messages, voila >= 0.5.6) and answers 403 on ``/api/kernels``,
  ``/api/sessions``, ``/api/contents``.
* **Roles** (:mod:`workbench.serving.roles`, rules in ``workbench/defaults/serving.yml``): participant,
  working-group member (``group``) and facilitator, each with its own token; a role can neither open
  nor drive (kernel websocket, kernel API, shutdown, request info) a page that is not for it.  The
  links are printed at start; the tokens are kept in ``<db folder>/.serve/tokens.json`` (mode 0600).
* Bound to 127.0.0.1 by default (participant pages open without a token there); any other address
  requires the participants' ``--token``.  Every request's ``Host`` must name this server (DNS
  rebinding), or it gets 403.
* No single client can freeze the server: kernel websockets of the legacy protocol are refused
  (:mod:`workbench.serving.websocket`).
* Voila dies with ``workbench serve``, even on ``kill -9`` (parent-death signal and watchdog).
* Preheated kernels (``--preheat_kernel=True``, a larger pool for the participant notebook), so a
  page is ready fast; pooled kernels have already executed the notebook.
* Kernel culling: kernels of closed pages (no connection) idle for ``cull_idle_s`` are shut down,
  checked every ``cull_interval_s`` (default 60 s + 20 s, i.e. reclaimed within 2 minutes).  A kernel
  just taken from the pool is not culled before its page could connect (its last activity was when
  it ran the notebook, maybe long before).
* Workshop scale (:mod:`workbench.serving.app`): ``--participant-pool N`` preheats a kernel for each
  of N people arriving (~70 MiB each), ``--participant-standby`` is what is refilled once those are
  handed out; pool kernels start at most one per core at first, then one per two cores (refills
  never take the CPU from people joining), and once filled a refill waits until no page is still
  loading its scripts and then for a quiet moment: 2 s without a page's message while one or two
  pages are active (one person's page has loaded), 5 s while a crowd (3+ pages) is active, at most
  one start every 20 s while pages keep sending (a refill keeps a core busy for seconds; people
  pressing Save come first), and at once when the pool has no ready kernel left; kernels talk to the server over
  IPC sockets (no TCP port race when dozens start at once); the server's zmq socket and open-file
  limits are raised for 100+ kernels.  Once every pool kernel has run its notebook the console says
  "All kernel pools are filled" (from then on the server is idle until people arrive); a page that
  closes its kernel websocket before it is connected costs no traceback and no HTTP 500.
* Lean pages: the 4.7 MB jupyterlab-plotly front-end extension (a renderer for ``fig.show()``
  outputs, which dashboards never use; FigureWidget works through anywidget) is not loaded, and the
  participant page (core ipywidgets only) does not load anywidget either (``widget_only_pages``),
  nor MathJax (a do-nothing stand-in, ``static/no-mathjax.js``: its texts are shown as written).
* Fast first paint (issue 16 item 6): the scripts Voila's front end loads in waves are named in
  the page's head (``<link rel="preload">``/``"prefetch"``, :mod:`workbench.serving.preload`), and
  static files are sent gzip-compressed from memory (compressed once, not on every request); the
  scripts run as the page starts carry V8's compile hint (``//# allFunctionsCalledOnLoad``:
  compiled while they stream in, off the page's main thread).
* No CDN: the ``workbench`` Voila template (``workbench/serving/jupyter``, shipped with the package)
  inherits from Voila's ``lab`` template and replaces only the blocks that link a CDN.
* Kernel websockets with ``TCP_NODELAY``: the "Saved" message is not held back waiting for the
  browser's delayed ACK of the kernel's previous small message.
* The server's one thread reads every IOPub message twice (forwarded to the page, and for the
  culler's activity watch): the activity watch reads only the header, the parent header and a
  status's content (signature checked; Jupyter Server parses every message's dates with dateutil).
* Next to Voila, the serve process publishes each foresight exercise's state and merges the capture
  inbox into the knowledge base every few seconds (:mod:`workbench.capture`).
"""

from workbench.serving.voila_app import (
    ServeOptions,
    ServerProcess,
    serve,
    template_root,
    voila_command,
)

__all__ = ["ServeOptions", "ServerProcess", "serve", "template_root", "voila_command"]
