"""The knowledge base (DuckDB).  Access goes through :mod:`workbench.kb.access` — read its docstring."""

from workbench.kb.access import KBMissingError, query, reader, writer

__all__ = ["KBMissingError", "query", "reader", "writer"]
