"""Voila dashboard classes (one module per dashboard notebook in ``notebooks/dashboards/``)."""
