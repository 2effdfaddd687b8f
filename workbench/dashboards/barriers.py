"""Barrier dashboard for working-group meetings (Voila): add or edit a barrier (the form comes first,
its confirmation next to the Save button), filter by dimension and region, see the dimensions x
phases matrix as a heatmap with a colour legend, page through the list, download the data behind
every view.

Input is validated in the kernel (:func:`workbench.policy.barrier_input.validate_barrier`, clear
messages) and appended to the capture inbox (:func:`workbench.capture.submit`, kind
``policy.barrier``), which is durable before "Saved" is shown: a knowledge-base lock never loses an
entry.  The dashboard then tries a short merge into DuckDB; entries still waiting (lock busy) are
shown from the inbox, marked "pending".  The matrix is an HTML table heatmap (no JavaScript needed,
works offline) and every table can be downloaded as CSV (``data:`` links, no server round trip).
Escaping, status messages, the paged list and the stylesheet come from the shared dashboard kit
(:mod:`workbench.dashboards.kit`): all text typed by people is HTML-escaped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from typing import Any

import ipywidgets as w
import pandas as pd

from workbench import capture
from workbench.config import load_defaults
from workbench.dashboards import kit
from workbench.errors import KBBusyError, ValidationError, WorkbenchError
from workbench.kb.access import KBMissingError
from workbench.kb.names import region_label, region_names
from workbench.kb.spreadsheet import neutralise_frame
from workbench.policy import barriers as B
from workbench.policy import data
from workbench.policy.capture_kinds import BARRIER_DATASET, BARRIER_KIND
from workbench.policy.settings import DIMENSION_LABELS, DIMENSIONS, phases

log = logging.getLogger(__name__)

ALL = "(all)"


def _full() -> w.Layout:
    """A fresh full-width layout (layouts are shared objects: never reuse one across widgets)."""
    return w.Layout(width="100%", max_width="760px")


PAGE_SIZE = 20  # barriers a page of the list
SEVERITY_COLOURS = ["#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f"]  # ColorBrewer OrRd, severity 0-3
EMPTY_COLOUR = "#ffffff"
LIST_COLUMNS = [
    ("barrier_id", "barrier_id"),
    ("region", "region"),
    ("barrier", "barrier"),
    ("dimensions", "dimensions"),
    ("phase", "phase"),
    ("severity", "severity"),
    ("evidence", "evidence"),
    ("source", "source"),
    ("pending", "pending"),
]
_h = kit.h


def csv_link(df: pd.DataFrame, name: str, label: str) -> str:
    """An ``<a download>`` link carrying ``df`` as CSV in a data URI."""
    text = neutralise_frame(df).to_csv(index=False)  # no live formulas in Excel (issue 10)
    return kit.download_link(
        text, f"{name}.csv", f"{label} (CSV, {len(df)} rows)", css_class="bd-download"
    )


def severity_legend() -> str:
    """The matrix's colour legend: mean severity (rounded) of a cell's barriers, and empty cells."""
    labels = load_defaults("policy")["severity"]
    items = [(c, f"{k} {labels[k]}") for k, c in zip(sorted(labels), SEVERITY_COLOURS, strict=True)]
    return kit.legend_html(
        [*items, (EMPTY_COLOUR, "no barrier recorded")],
        title="Colour = mean severity of the cell's barriers (rounded):",
        css_class="bd-legend",
    )


def matrix_html(matrix: pd.DataFrame, dims: list[str]) -> str:
    """The dimensions x phases matrix as an HTML heatmap table (colour = mean severity)."""
    ph = list(phases())
    m = matrix.set_index(["dimension", "phase"])
    head = "".join(f'<th scope="col">{_h(phases()[p])}</th>' for p in ph)
    rows = []
    for d in dims:
        cells = []
        for p in ph:
            c = m.loc[(d, p)]
            n = int(c["n_barriers"])
            sev = c["mean_severity"]
            level = min(3, round(float(sev))) if n and pd.notna(sev) else -1
            colour = SEVERITY_COLOURS[level] if level >= 0 else EMPTY_COLOUR
            ink = ' class="wb-on-dark"' if level == 3 else ""
            sev_txt = f"severity {float(sev):.1f}" if level >= 0 else ""
            cells.append(
                f'<td class="bd-cell" data-dimension="{_h(d)}" data-phase="{_h(p)}" data-count="{n}"'
                f' style="background:{colour}"><span{ink}><b>{n}</b><br>{_h(sev_txt)}<br>'
                f"{_h(c['evidence_status'])}</span></td>"
            )
        rows.append(
            f'<tr><th scope="row" class="bd-dim">{_h(DIMENSION_LABELS[d])}</th>{"".join(cells)}</tr>'
        )
    return (
        '<table class="wb-heatmap bd-matrix"><tr><th scope="col">dimension \\ phase</th>'
        f"{head}</tr>{''.join(rows)}</table>"
    )


class BarrierDashboard:
    """The barrier dashboard; ``.container`` is the widget to display."""

    def __init__(
        self, region: str = "", db: str | os.PathLike[str] | None = None, merge: bool = True
    ) -> None:
        self.db = db
        self.merge_on_save = merge
        self.session = uuid.uuid4().hex[:12]
        self.editing: str | None = None
        sev_labels = load_defaults("policy")["severity"]
        # filters
        self.f_region = w.Dropdown(description="Region", options=[(ALL, ALL)], value=ALL)
        self.f_dimension = w.Dropdown(
            description="Dimension",
            options=[(ALL, ALL)] + [(DIMENSION_LABELS[d], d) for d in DIMENSIONS],
            value=ALL,
        )
        self.f_region.add_class("bd-filter-region")
        self.f_dimension.add_class("bd-filter-dimension")
        refresh = w.Button(description="Refresh", icon="refresh")
        refresh.add_class("bd-refresh")
        refresh.on_click(lambda _b: self.refresh())
        self.f_region.observe(lambda _c: self.refresh(), names="value")
        self.f_dimension.observe(lambda _c: self.refresh(), names="value")
        self.matrix_box = w.HTML()
        self.matrix_box.add_class("bd-matrix-box")
        # the list: filtered by the dropdowns above and a text filter, paged
        self.list = kit.PagedTable(
            LIST_COLUMNS, page_size=PAGE_SIZE, css_class="bd-list",
            empty="No barrier recorded for this selection.",
            filter_placeholder="word, code or id in any column",
        )  # fmt: skip
        self.list.add_class("bd-list-paged")
        self.list_box = self.list.table  # the HTML of the page shown
        self.list_box.add_class("bd-list-box")
        self.downloads = w.HTML()
        self.downloads.add_class("bd-downloads")
        # region map (workbench.maps): clicking a region filters the list to it
        self.map_box = w.Box(layout=_full())
        self.map_box.add_class("bd-map-box")
        self._map_key: tuple[Any, ...] | None = None
        # form
        self.edit_choice = w.Dropdown(description="Edit", options=[("(new barrier)", "")], value="")
        self.edit_choice.add_class("bd-edit")
        self.edit_choice.observe(lambda c: self.load_for_edit(c["new"]), names="value")
        self.i_region = w.Text(
            description="Region", placeholder="NUTS code, e.g. HR03", value=region
        )
        self.i_barrier = w.Textarea(
            description="Barrier", placeholder="what holds cluster policy back", layout=_full()
        )
        self.i_dims = {
            d: w.Checkbox(
                description=DIMENSION_LABELS[d],
                value=False,
                indent=False,
                layout=w.Layout(width="auto"),
            )  # fmt: skip
            for d in DIMENSIONS
        }
        self.i_phase = w.Dropdown(
            description="Phase",
            options=[(v, k) for k, v in phases().items()],
            layout=w.Layout(width="480px", max_width="100%"),
        )
        self.i_severity = w.Dropdown(
            description="Severity",
            layout=w.Layout(width="480px", max_width="100%"),
            options=[(f"{k} - {v}", int(k)) for k, v in sev_labels.items()],
            value=2,
        )
        self.i_evidence = w.Textarea(
            description="Evidence",
            placeholder="study, indicator, interview ... (empty = none yet)",
            layout=_full(),
        )
        self.i_source = w.Text(description="Source", placeholder="who / which document")
        self.i_author = w.Text(description="Author", placeholder="your name (optional)")
        for name in ("region", "barrier", "phase", "severity", "evidence", "source", "author"):
            getattr(self, f"i_{name}").add_class(f"bd-input-{name}")
        for d, cb in self.i_dims.items():
            cb.add_class(f"bd-dim-{d}")
        self.save_button = w.Button(description="Save barrier", button_style="primary")
        self.save_button.add_class("bd-save")
        self.save_button.on_click(lambda _b: self.save())
        self.status = kit.Status("bd-status")  # next to the button: seen where one clicked
        dims = w.GridBox(
            list(self.i_dims.values()),
            layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(320px, 1fr))",
                            margin="0 0 0 90px", max_width="760px"),
        )  # fmt: skip
        saving = w.HBox(
            [self.save_button, self.status],
            layout=w.Layout(flex_flow="row wrap", align_items="center", max_width="760px"),
        )
        form = w.VBox(
            [w.HTML("<h3>Add or edit a barrier</h3>"), self.edit_choice, self.i_region, self.i_barrier,
             w.HTML("<b>Dimension(s)</b>"), dims, self.i_phase, self.i_severity,
             self.i_evidence, self.i_source, self.i_author, saving],
            layout=_full(),
        )  # fmt: skip
        form.add_class("bd-form")
        self.legend = w.HTML(severity_legend())
        self.legend.add_class("bd-legend-box")
        self.container = w.VBox(
            [kit.style(), form,
             w.HTML("<h3>Barriers recorded</h3>"), w.HBox([self.f_region, self.f_dimension, refresh]),
             self.matrix_box, self.legend, self.list, self.downloads, self.map_box],
            layout=w.Layout(width="100%"),
        )  # fmt: skip
        self.container.add_class("wb-dashboard")
        self.container.add_class("barrier-dashboard")
        self.refresh()
        if region and region in self._region_codes():
            self.f_region.value = region

    # -- data ---------------------------------------------------------------------------------
    def barriers(self) -> pd.DataFrame:
        """Barriers in the knowledge base plus those still waiting in the capture inbox (``pending``)."""
        try:
            kb = data.load_barriers(db=self.db)
        except (KBMissingError, KBBusyError) as exc:
            log.warning("barrier dashboard: %s", exc)
            kb = pd.DataFrame(columns=["barrier_id", "region", "barrier", "dimensions", "phase", "severity",
                                       "evidence", "source", "author"])  # fmt: skip
        kb = kb.assign(pending=False)
        waiting = []
        for row in capture.pending(BARRIER_KIND, db=self.db):
            try:
                waiting.append({**B.validate_barrier(dict(row.payload)), "pending": True})
            except ValidationError:
                continue
        if waiting:
            pend = pd.DataFrame(waiting).drop_duplicates("barrier_id", keep="last")
            kb = pd.concat(
                [kb[~kb["barrier_id"].isin(pend["barrier_id"])], pend], ignore_index=True
            )
        return kb

    def _regions(self, bars: pd.DataFrame) -> list[str]:
        regions = set(bars["region"].dropna())
        with contextlib.suppress(WorkbenchError):
            regions |= set(data.known_regions(db=self.db)["region"])
        return sorted(regions)

    # -- views --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read barriers and redraw the matrix, list and downloads for the current filters."""
        bars = self.barriers()
        self._all = bars
        names = region_names(db=self.db)  # names with codes in the filter, codes as the values
        options = [(ALL, ALL), *((region_label(c, names), c) for c in self._regions(bars))]
        if list(self.f_region.options) != options:
            current = self.f_region.value
            self.f_region.options = options
            self.f_region.value = current if current in {c for _, c in options} else ALL
        region, dim = self.f_region.value, self.f_dimension.value
        view = bars if region == ALL else bars[bars["region"] == region]
        if dim != ALL:
            view = view[view["dimensions"].map(lambda ds: dim in list(ds))]
        dims = list(DIMENSIONS) if dim == ALL else [dim]
        matrix = B.barrier_matrix(view)
        matrix = matrix[matrix["dimension"].isin(dims)].reset_index(drop=True)
        self.matrix = matrix
        self.view = view
        self._refresh_map(bars, dim)
        where = "all regions" if region == ALL else region_label(region, names)
        self.matrix_box.value = (
            f"<h4>Matrix: {len(view)} barrier(s), {_h(where)}</h4><p class='wb-muted'>Each cell: "
            "number of barriers, their mean severity (0-3) and how well they are evidenced; "
            "'no entries' and 'no evidence' cells are findings too.</p>" + matrix_html(matrix, dims)
        )
        listed = view.assign(dimensions=view["dimensions"].map(lambda d: ", ".join(d)))
        listed = listed.reindex(columns=[c for c, _ in LIST_COLUMNS])
        self.list.set_rows(
            listed.sort_values(["region", "barrier_id"], kind="stable").to_dict("records")
        )
        self.downloads.value = (
            csv_link(matrix, "barrier_matrix", "matrix data")
            + " &nbsp; "
            + csv_link(listed, "barriers", "barrier list")
        )
        ids = [("(new barrier)", "")] + [
            (f"{r['region']}: {str(r['barrier'])[:50]} [{r['barrier_id']}]", r["barrier_id"])
            for r in bars.sort_values(["region", "barrier_id"]).to_dict("records")
        ]
        current = self.edit_choice.value
        self.edit_choice.options = ids
        self.edit_choice.value = current if current in dict(ids).values() else ""

    def _refresh_map(self, bars: pd.DataFrame, dim: str) -> None:
        """Redraw the region map when the barriers or the dimension filter changed."""
        shown = bars if dim == ALL else bars[bars["dimensions"].map(lambda ds: dim in list(ds))]
        pairs = zip(shown["region"].astype(str), shown["severity"].astype(str), strict=True)
        key = (dim, tuple(sorted(pairs)))
        if key == self._map_key:
            return
        self._map_key = key
        try:
            from workbench.maps.widget import barrier_region_map, clickable_map

            where = "all dimensions" if dim == ALL else DIMENSION_LABELS.get(dim, dim)
            m = barrier_region_map(shown, f"Highest barrier severity by region ({where})")
            self.map_box.children = [clickable_map(m, self.select_region, height=460)]
        except (ImportError, WorkbenchError) as exc:  # the list and matrix work without the map
            log.warning("barrier dashboard map: %s", exc)
            self.map_box.children = [w.HTML(f"<p class='wb-muted'>No map: {_h(exc)}</p>")]

    def select_region(self, region: str) -> None:
        """Filter the dashboard to ``region`` (a click on the map); unknown regions are ignored."""
        if region in self._region_codes():
            self.f_region.value = region

    def _region_codes(self) -> list[str]:
        """The region codes the filter offers (its options are (name with code, code) pairs)."""
        return [code for _, code in self.f_region.options]

    # -- form ---------------------------------------------------------------------------------
    def load_for_edit(self, barrier_id: str) -> None:
        """Fill the form with an existing barrier (empty id = a new barrier)."""
        self.editing = barrier_id or None
        if not barrier_id:
            return
        rows = self._all[self._all["barrier_id"] == barrier_id]
        if rows.empty:
            return
        r = rows.iloc[-1]
        self.i_region.value = str(r["region"])
        self.i_barrier.value = str(r["barrier"])
        for d, cb in self.i_dims.items():
            cb.value = d in list(r["dimensions"])
        self.i_phase.value = r["phase"]
        self.i_severity.value = int(r["severity"])
        for name in ("evidence", "source", "author"):
            v = r.get(name)
            getattr(self, f"i_{name}").value = "" if v is None or pd.isna(v) else str(v)
        dataset = r.get("dataset_id")
        if (
            not bool(r.get("pending", False))
            and isinstance(dataset, str)
            and dataset != BARRIER_DATASET
        ):
            # imported records are read-only (issue 10): the merger stores a new version
            self.status.info(
                f"Barrier {barrier_id} comes from dataset {dataset} and is read-only: saving keeps "
                "it unchanged and stores your edit as a new version with your name and the time."
            )

    def payload(self) -> dict[str, Any]:
        """The form content as a barrier payload (not yet validated)."""
        p: dict[str, Any] = {
            "region": self.i_region.value,
            "barrier": self.i_barrier.value,
            "dimensions": [d for d, cb in self.i_dims.items() if cb.value],
            "phase": self.i_phase.value,
            "severity": self.i_severity.value,
            "evidence": self.i_evidence.value,
            "source": self.i_source.value,
            "author": self.i_author.value,
        }
        if self.editing:
            p["barrier_id"] = self.editing
        return p

    def save(self) -> bool:
        """Validate, append to the capture inbox (durable), then try a short merge; show the outcome."""
        try:
            barrier = B.validate_barrier(self.payload())
            receipt = capture.submit(
                BARRIER_KIND, barrier, client_id=f"barriers-{self.session}",
                idempotency_key=f"barrier-{uuid.uuid4().hex}", db=self.db,
            )  # fmt: skip
        except (ValidationError, KBBusyError) as exc:
            self.status.error(str(exc))
            return False
        merged = ""
        if self.merge_on_save:
            try:
                n = capture.merge(db=self.db, kinds=[BARRIER_KIND])
                merged = (
                    " and stored in the knowledge base"
                    if n
                    else " (knowledge base busy: stored in the inbox, merged later)"
                )
            except WorkbenchError as exc:
                merged = f" (merge later: {exc})"
        self.status.ok(
            f"Saved barrier {barrier['barrier_id']} for {barrier['region']}{merged} "
            f"(inbox #{receipt.seq})."
        )
        self.editing = None
        self.edit_choice.value = ""  # back to "(new barrier)"
        self.i_barrier.value = ""
        self.i_evidence.value = ""
        self.refresh()
        if self.f_region.value not in (ALL, barrier["region"]):
            self.f_region.value = barrier["region"]
        return True
