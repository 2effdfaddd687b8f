"""Preloaded once by a local batch's forkserver, before it forks the workers
(:func:`workbench.batch.runner._local_outcomes`): papermill, nbclient and nbconvert imported, the
HTML exporter built and its Jinja templates compiled, so every worker starts with them instead of
paying them per process."""

from __future__ import annotations

import contextlib

import workbench.batch.execution  # noqa: F401  (papermill, jupyter_client, nbformat)
from workbench.reporting import html_export

with contextlib.suppress(Exception):  # a failure here shows again, with its message, in the run
    html_export.warm_up()
