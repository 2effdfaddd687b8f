"""Start-up cost avoided in every batch worker and report kernel.

``nbformat`` imports ``jsonschema``, whose format checker optionally imports ``rfc3987_syntax`` (present
here because ``jupyter-events`` depends on it).  That package builds a Lark grammar at import time:
0.7-0.8 s in *every* process that imports nbformat, including each kernel that touches
``plotly.io.renderers`` (measured in ``../shared/STACK-NOTES.md``).  It is only used to check the
JSON-schema formats ``iri`` / ``iri-reference``, which the notebook schema does not use.

Marking the module as absent (``sys.modules[name] = None``) makes ``import rfc3987_syntax`` raise
``ImportError``, which jsonschema suppresses by design (``with suppress(ImportError)``), so it simply
skips those two optional format checkers.  Nothing else changes.
"""

from __future__ import annotations

import sys

SKIPPED_MODULE = "rfc3987_syntax"


def skip_rfc3987_grammar() -> bool:
    """Make jsonschema skip its optional ``rfc3987_syntax`` checker; True if it took effect.

    It has no effect (returns False) when jsonschema's format module was already imported.
    """
    if "jsonschema._format" in sys.modules:
        return False
    sys.modules.setdefault(SKIPPED_MODULE, None)  # type: ignore[arg-type]
    return sys.modules[SKIPPED_MODULE] is None
