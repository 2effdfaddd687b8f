"""Downloading public data files (Eurostat bulk TSV) before importing them."""

from workbench.fetch.eurostat import DEFAULT_URL, FetchError, download, eurostat_url, fetch_eurostat

__all__ = ["DEFAULT_URL", "FetchError", "download", "eurostat_url", "fetch_eurostat"]
