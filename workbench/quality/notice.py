"""The data doctor's findings and applied corrections as shown in every report using a dataset.

:func:`dataset_quality` is called by :func:`workbench.reporting.provenance.lookup_datasets` (so the
report record holds them); :func:`notice_bundle` is the notice the report header shows.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from typing import Any


def dataset_quality(
    ids: Sequence[str], db: str | os.PathLike[str] | None = None, *, con: Any = None
) -> dict[str, dict[str, list[str]]]:
    """``dataset_id -> {"data_warnings": [...], "corrections": [...]}`` from the knowledge base
    (through ``con``, an open DuckDB connection, when given)."""
    import duckdb

    from workbench.kb import query

    def run(sql: str) -> Any:
        if con is not None:
            return con.execute(sql, [list(ids)]).df()
        return query(sql, [list(ids)], db=db)

    try:
        checks = run(
            "SELECT dataset_id, message FROM data_checks WHERE severity = 'warning'"
            " AND list_contains(?, dataset_id) ORDER BY dataset_id, check_name"
        )
        fixes = run(
            "SELECT dataset_id, correction_file, correction_id, changes, n_rows, reason"
            " FROM data_corrections WHERE list_contains(?, dataset_id) ORDER BY correction_id"
        )
    except duckdb.CatalogException:  # a knowledge base from before migration 0080
        return {}
    out: dict[str, dict[str, list[str]]] = {}
    for d, msg in zip(checks["dataset_id"], checks["message"], strict=True):
        entry = out.setdefault(str(d), {"data_warnings": [], "corrections": []})
        entry["data_warnings"].append(str(msg))
    for r in fixes.to_dict("records"):
        text = (f"correction '{r['correction_id']}' from {r['correction_file']}: {r['changes']} in "
                f"{int(r['n_rows']):,} rows ({r['reason']})")  # fmt: skip
        entry = out.setdefault(str(r["dataset_id"]), {"data_warnings": [], "corrections": []})
        entry["corrections"].append(text)
    return out


def notice_bundle(datasets: Sequence[Mapping[str, Any]]) -> dict[str, str] | None:
    """HTML + text notice listing each dataset's data-check warnings and applied corrections."""
    items = [
        (d["dataset_id"], d.get("data_warnings") or [], d.get("corrections") or [])
        for d in datasets
    ]
    items = [i for i in items if i[1] or i[2]]
    if not items:
        return None
    esc = html.escape
    parts, text = [], ["DATA CHECKS:"]
    for ds, warns, fixes in items:
        lis = "".join(f"<li><b>Correction applied</b>: {esc(c)}</li>" for c in fixes)
        lis += "".join(f"<li>{esc(w)}</li>" for w in warns)
        parts.append(f"<p><b>{esc(ds)}</b></p><ul>{lis}</ul>")
        text += [f"{ds}: correction applied: {c}" for c in fixes] + [f"{ds}: {w}" for w in warns]
    return {
        "text/html": (
            "<div class='wb-data-checks' role='note' style='border-left:4px solid #b35900;"
            "background:#fff8f0;padding:.4em 1em;margin:.5em 0'><p><b>Data checks</b> "
            "(<code>workbench check</code>, run at import) on the data this report uses:</p>"
            + "".join(parts)
            + "</div>"
        ),
        "text/plain": "\n".join(text),
    }
