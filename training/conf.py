"""Sphinx configuration of the training site (built offline by ``workbench training site``).

The lessons are executed beforehand (papermill, on the demo knowledge base) and rendered here with
their outputs (``nb_execution_mode = "off"``); plotly.js is served from ``_static`` so the charts
draw without internet.
"""

project = "SEE Cluster Policy Lab: smart specialisation training"
author = "SEE Cluster Policy Lab"
extensions = ["myst_nb"]
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "data", "quizzes/*.yml"]
html_theme = "alabaster"
html_static_path = ["_static"]
html_js_files = ["plotly.min.js"]
html_title = "S3 training"
html_show_sourcelink = False
nb_mime_priority_overrides = [("html", "application/vnd.plotly.v1+json", None)]
suppress_warnings = ["mystnb.unknown_mime_type"]
