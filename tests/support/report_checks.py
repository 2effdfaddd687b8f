"""Checks of a generated HTML report that a policy reader would notice (used by browser tests).

The JavaScript snippets run in the page (Playwright ``page.evaluate``); the same rules as the
package's table formatting (workbench.reporting.tables)."""

from __future__ import annotations

#: a table cell that shows raw Python/pandas output or scientific notation
BAD_CELL_JS = (
    r"/^(nan|NaN|None|NaT|True|False|<NA>|null|undefined)$|^[-+−]?\d+(\.\d+)?[eE][+-]?\d+$/"
)

#: JavaScript: every table cell (th/td) in the report whose text is a raw value; returns a list
BAD_CELLS = (
    "() => { const bad = " + BAD_CELL_JS + ";"
    " return [...document.querySelectorAll('table td, table th')]"
    ".map(c => c.textContent.trim()).filter(t => bad.test(t)); }"
)

#: JavaScript: plotly charts that are not inside a <figure> with a non-empty <figcaption>
UNCAPTIONED_CHARTS = (
    "() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => {"
    " const f = d.closest('figure'); const c = f && f.querySelector('figcaption');"
    " return !(c && c.textContent.trim().length > 20); }).map(d => d.id)"
)

#: JavaScript: number of sentences in the key-findings block (0 when there is none)
KEY_FINDING_SENTENCES = (
    "() => { const k = document.querySelector('section.key-findings');"
    " if (!k) return 0;"
    " const items = k.querySelectorAll('li');"
    " if (items.length) return items.length;"
    " return (k.textContent.match(/[.!?](\\s|$)/g) || []).length; }"
)

#: JavaScript: tables without a caption or without column header cells
TABLES_WITHOUT_HEADERS = (
    "() => [...document.querySelectorAll('table.wb-table')].filter(t =>"
    " !t.querySelector('thead th[scope=col]')).length"
)

SERIOUS = {"serious", "critical"}


def serious_violations(axe_results: dict) -> list[str]:
    """``id (impact): n nodes - help`` for each serious or critical axe-core violation."""
    out = []
    for v in axe_results.get("violations", []):
        if v.get("impact") in SERIOUS:
            targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:3]
            out.append(
                f"{v['id']} ({v['impact']}): {len(v.get('nodes', []))} nodes {targets} - {v.get('help')}"
            )
    return out
