"""The key-findings block at the top of every report.

The sentences come from the pure ``findings`` functions of each domain
(:mod:`workbench.evidence.findings`, :mod:`workbench.policy.findings`, ...); this module only
renders them::

    key_findings(s3_profile_findings(profile))

as ``<section class="key-findings" aria-label="Key findings"><h2>Key findings</h2><ul><li>...``
(escaped text; a plain-text list outside a notebook).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from workbench.errors import ValidationError


def key_findings_html(sentences: Sequence[str]) -> str:
    """The HTML block for ``sentences`` (each escaped, one list item per sentence)."""
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise ValidationError("key findings must be a list of sentences (str)")
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences if s.strip())
    return (
        '<section class="key-findings" aria-label="Key findings"><h2>Key findings</h2>'
        f"<ul>{items}</ul></section>"
    )


def key_findings(sentences: Sequence[str]) -> None:
    """Display the key-findings block (HTML in a notebook/report, text elsewhere)."""
    block = key_findings_html(sentences)
    text = "Key findings\n" + "\n".join(f"- {s}" for s in sentences if s.strip())
    from IPython import get_ipython

    if get_ipython() is None:
        print(text)
        return
    from IPython.display import display

    display({"text/html": block, "text/plain": text}, raw=True)
