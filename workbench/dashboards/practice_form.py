"""Good-practice form (Voila): enter a practice with the Interreg Europe fields and the lab's codes,
and search the library.

An entry is validated in the kernel (same rules as the template import) and appended to the capture
inbox as kind ``learning.practice``; the serve process merges it into the knowledge base as a
**draft** (publishing needs evidence of success and the validation chain:
``workbench practices validate``).  Every text shown is escaped (kit).
"""

from __future__ import annotations

import uuid
from typing import Any

import ipywidgets as w

from workbench import capture
from workbench.config import load_defaults
from workbench.dashboards import kit
from workbench.errors import WorkbenchError
from workbench.learning.capture_kinds import PRACTICE_KIND
from workbench.learning.practice_fields import FIELDS

LONG = {"summary", "description", "resources", "evidence_of_success", "difficulties",
        "potential_for_transfer", "stakeholders"}  # fmt: skip


class PracticeFormDashboard:
    """The form (one widget per field) with a submit button and a status next to it, and a search
    box over the validated practices."""

    def __init__(self, db: str | None = None, author: str = "") -> None:
        self.db = db
        self.client_id = "practice-form-" + uuid.uuid4().hex[:8]
        cfg = load_defaults("learning")["practices"]
        dims = load_defaults("policy")["dimensions"]
        self.fields: dict[str, Any] = {}
        for name, required, meaning in FIELDS:
            label = name.replace("_", " ") + (" *" if required else "")
            if name in ("validation_state", "validated_by"):
                continue  # a form entry is always a draft
            if name == "dimensions":
                widget: Any = w.SelectMultiple(options=[(v, k) for k, v in dims.items()], rows=7)
            elif name == "instrument_type":
                widget = w.Dropdown(
                    options=[("", "")] + [(v, k) for k, v in cfg["instrument_types"].items()]
                )
            elif name == "governance_level":
                widget = w.Dropdown(options=["", *cfg["transferability"]["governance_levels"]])
            elif name == "outcome":
                widget = w.Dropdown(options=["successful", "unsuccessful"])
            elif name in LONG:
                widget = w.Textarea(placeholder=meaning)
            else:
                widget = w.Text(placeholder=meaning)
            widget.description = label
            widget.style = {"description_width": "170px"}
            widget.layout = w.Layout(width="640px")
            self.fields[name] = widget
        self.submit_button = w.Button(description="Submit as draft", button_style="primary")
        self.status = kit.Status()
        self.submit_button.on_click(lambda _b: self.submit())
        self.query = w.Text(placeholder="search validated practices (typos are fine)")
        self.results = w.HTML()
        self.query.observe(lambda _c: self.search(), names="value")
        self.container = w.VBox(
            [
                kit.style(),
                w.HTML("<h2>Enter a good practice</h2>"),
                *self.fields.values(),
                w.HBox([self.submit_button, self.status]),
                w.HTML("<h2>Search the library</h2>"),
                self.query,
                self.results,
            ]
        )

    def payload(self) -> dict[str, Any]:
        """The form's values as a template record."""
        out: dict[str, Any] = {}
        for name, widget in self.fields.items():
            value = widget.value
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def submit(self) -> bool:
        """Validate and append the entry to the capture inbox; show the result next to the button."""
        try:
            receipt = capture.submit(
                PRACTICE_KIND,
                self.payload(),
                client_id=self.client_id,
                idempotency_key=uuid.uuid4().hex,
                db=self.db,
            )
        except WorkbenchError as exc:
            self.status.error(f"Not saved: {exc}")
            return False
        self.status.ok(
            f"Saved as draft {self.fields['practice_id'].value} (inbox #{receipt.seq}); "
            "it is added to the library at the next merge and can then be validated."
        )
        return True

    def search(self) -> None:
        """Show the best validated practices for the query."""
        from workbench.learning.data import load_practices
        from workbench.learning.search import PracticeIndex

        if not self.query.value.strip():
            self.results.value = ""
            return
        hits = (
            PracticeIndex(load_practices(self.db, published_only=True))
            .search(self.query.value, limit=10)
            .hits
        )
        rows = [
            {"id": r["practice_id"], "title": r["title"], "region": r["region"],
             "dimensions": ", ".join(r["dimensions"])}
            for r in hits.to_dict("records")
        ]  # fmt: skip
        self.results.value = kit.table_html(
            rows, ["id", "title", "region", "dimensions"], empty="No practice found."
        )
