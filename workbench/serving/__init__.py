"""Serving the workshop dashboards with Voila (``workbench serve``).

* Voila (not JupyterLab) serves ``notebooks/dashboards/``: its tree page is the landing page listing
  the dashboards; Voila refuses code execution from the browser (only widget comm messages, voila
  >= 0.5.6) and answers 403 on ``/api/kernels``, ``/api/sessions``, ``/api/contents``.
* Preheated kernels (``--preheat_kernel=True``, a larger pool for the participant notebook), so a
  page is ready fast; pooled kernels have already executed the notebook.
* Bound to 127.0.0.1 by default; any other address requires a token (participants receive the URL
  with ``?token=...``).
* Kernel culling: kernels of closed pages (no connection) idle for ``cull_idle_s`` are shut down,
  checked every ``cull_interval_s`` (default 60 s + 20 s, i.e. reclaimed within 2 minutes).
* Lean pages: the 4.7 MB jupyterlab-plotly front-end extension (a renderer for ``fig.show()``
  outputs, which dashboards never use; FigureWidget works through anywidget) is not loaded, and the
  participant page (core ipywidgets only) does not load anywidget either (``widget_only_pages``).
* No CDN: a copy of Voila's ``lab`` template without the Font Awesome CDN links (Font Awesome is
  already bundled in Voila's static files) is generated beside the knowledge base and used.
* Kernel websockets with ``TCP_NODELAY`` (:mod:`workbench.serving.websocket`): the "Saved" message
  is not held back waiting for the browser's delayed ACK of the kernel's previous small message.
* Next to Voila, the serve process publishes each foresight exercise's state and merges the capture
  inbox into the knowledge base every few seconds (:mod:`workbench.capture`).
"""

from workbench.serving.voila_app import (
    ServeOptions,
    ServerProcess,
    prepare_template,
    serve,
    voila_command,
)

__all__ = ["ServeOptions", "ServerProcess", "prepare_template", "serve", "voila_command"]
