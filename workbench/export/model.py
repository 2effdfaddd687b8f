"""A print model of one executed report notebook: the blocks a PDF or Word document is made of.

The executed ``notebook.ipynb`` of a run folder is read once; code cells contribute only their
displayed outputs (never their source, streams or errors), markdown cells their rendered text.
The report's own markup is recognised by class (see workbench/reporting): the title ``h1``, the
synthetic-data banner, ``<section class="key-findings">``, tables with ``<caption>``,
``<figure>`` with ``<figcaption>`` (plotly JSON beside it), the guide and the provenance section.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from workbench.errors import ValidationError
from workbench.reporting.sharing import NOTEBOOK_NAME

SIDECAR_NAME = "report.json"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
_md = MarkdownIt("commonmark").enable("table")


@dataclass
class Heading:
    """A section heading; ``level`` 1 = report title, 2 = section, 3 = sub-section."""

    level: int
    text: str


@dataclass
class Html:
    """A piece of flowing text (paragraphs, lists) as HTML."""

    html: str


@dataclass
class Table:
    """A data table as shown in the report (formatted cells), with caption and notes."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    csv: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """A chart or map: plotly figure JSON (rendered to SVG/PNG at export) or a ready image."""

    caption: str
    plotly: dict[str, Any] | None = None
    image: bytes | None = None
    image_type: str | None = None  # "svg" | "png"
    csv: str | None = None


Block = Heading | Html | Table | Figure


@dataclass
class Report:
    """One report ready to print: title, cover facts, key findings, body blocks, appendix."""

    run_dir: Path
    run_id: str
    title: str
    kind: str
    subtitle: str
    generated_at: str
    synthetic: bool
    synthetic_note: str
    key_findings: list[str]
    blocks: list[Block]
    provenance_html: str
    record: dict[str, Any]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def _table(wrap: Tag) -> Table | None:
    table = wrap if wrap.name == "table" else wrap.find("table")
    if not isinstance(table, Tag):
        return None
    cap = table.find("caption")
    caption = _text(cap) if isinstance(cap, Tag) else ""
    header: list[str] = []
    numeric: list[bool] = []
    thead = table.find("thead")
    if isinstance(thead, Tag):
        last = thead.find_all("tr")[-1]
        for th in last.find_all(["th", "td"]):
            header.append(_text(th))
            numeric.append("num" in (th.get("class") or []))
    rows: list[list[str]] = []
    body = table.find("tbody") or table
    for tr in body.find_all("tr"):
        if tr.find_parent("thead") is not None:
            continue
        rows.append([_text(td) for td in tr.find_all(["th", "td"])])
    if not header and rows:
        header, rows = rows[0], rows[1:]
        numeric = [False] * len(header)
    notes = [
        _text(p)
        for p in wrap.find_all(["p", "small"])
        if p.find_parent("table") is None and _text(p)
    ]
    return Table(caption=caption, header=header, rows=rows, numeric=numeric, notes=notes)


class _Builder:
    """Collects blocks from notebook outputs in reading order."""

    def __init__(self) -> None:
        self.title = ""
        self.kind = ""
        self.synthetic_note = ""
        self.key_findings: list[str] = []
        self.blocks: list[Block] = []
        self.provenance_html = ""
        self._pending_plotly: dict[str, Any] | None = None

    def markdown(self, source: str) -> None:
        self.html(_md.render(source))

    def _data_link(self, el: Tag) -> None:
        a = el.find("a")
        name = str(a.get("href")) if isinstance(a, Tag) and a.get("href") else None
        if name and self.blocks and isinstance(self.blocks[-1], Table | Figure):
            self.blocks[-1].csv = Path(name).name

    def html(self, html: str, plotly: dict[str, Any] | None = None) -> None:
        soup = BeautifulSoup(html, "html.parser")
        for el in list(soup.children):
            if isinstance(el, Tag):
                self._element(el, plotly)
            elif str(el).strip():
                self.blocks.append(Html(str(el)))

    def _element(self, el: Tag, plotly: dict[str, Any] | None) -> None:
        classes: list[str] = list(el.get("class") or [])
        name = el.name
        if name in {"script", "style", "link"}:
            return
        if name == "h1":  # the report title (wb-report-title) wins over the notebook's own h1
            if "wb-report-title" in classes:
                if self.title and not self.kind:
                    self.kind = self.title  # the notebook's own h1: the kind of report
                self.title = _text(el)
            elif not self.title:
                self.title = _text(el)
            else:
                self.blocks.append(Heading(2, _text(el)))
            return
        if name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            level = max(2, min(int(name[1]), 4))
            self.blocks.append(Heading(level, _text(el)))
            return
        if "wb-report-links" in classes:
            return
        if "wb-synthetic-banner" in classes:
            self.synthetic_note = _text(el)
            return
        if "key-findings" in classes:
            self.key_findings.extend(_text(li) for li in el.find_all("li"))
            return
        if "wb-provenance" in classes:
            self.provenance_html = "".join(
                str(c) for c in el.children if getattr(c, "name", "") != "h2"
            )
            return
        if "wb-data-link" in classes:
            self._data_link(el)
            return
        if name == "figure" or "wb-figure" in classes:
            cap = el.find("figcaption")
            caption = _text(cap) if isinstance(cap, Tag) else str(el.get("aria-label") or "")
            img = el.find(["img", "svg"])
            if plotly is not None:
                self.blocks.append(Figure(caption=caption, plotly=plotly))
            elif isinstance(img, Tag) and img.name == "svg":
                self.blocks.append(Figure(caption, image=str(img).encode(), image_type="svg"))
            elif isinstance(img, Tag) and str(img.get("src", "")).startswith("data:image/"):
                import base64

                head, _, payload = str(img["src"]).partition(",")
                kind = "svg" if "svg" in head else "png"
                data = base64.b64decode(payload) if ";base64" in head else payload.encode()
                self.blocks.append(Figure(caption, image=data, image_type=kind))
            elif caption:
                self.blocks.append(Html(f"<p><em>{caption}</em></p>"))
            return
        if "wb-table-wrap" in classes or name == "table":
            table = _table(el)
            if table is not None:
                self.blocks.append(table)
            return
        if name in {"section", "div", "article"} and el.find(
            ["h2", "h3", "table", "figure", "section"]
        ):
            for child in el.children:
                if isinstance(child, Tag):
                    self._element(child, plotly)
                elif str(child).strip():
                    self.blocks.append(Html(str(child)))
            return
        if _text(el) or el.find("img"):
            self.blocks.append(Html(str(el)))


def _value(v: Any) -> str:
    """A parameter value in words (lists joined, yes/no for booleans)."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(_value(x) for x in v)
    return str(v)


def _joined(value: Any) -> str:
    """A notebook text field: a string, or (as stored on disk) a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def _cells(nb_path: Path) -> list[dict[str, Any]]:
    """The cells of an executed notebook (nbformat 4, as papermill writes it), read as plain
    JSON: ``nbformat.read`` would import jsonschema's format checkers (about 2.5 s of CPU per
    export command, measured) and validate a notebook that papermill has just written.  Older
    notebook formats still go through nbformat's conversion."""
    try:
        raw = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{nb_path}: not a readable notebook ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        import nbformat

        raw = nbformat.read(nb_path, as_version=4)
    cells = raw.get("cells") or []
    if not isinstance(cells, list):
        raise ValidationError(f"{nb_path}: 'cells' is not a list")
    return [c for c in cells if isinstance(c, dict)]


def load_report(run_dir: str | os.PathLike[str]) -> Report:
    """Read the executed notebook and ``report.json`` of a run folder into a :class:`Report`."""
    run_dir = Path(run_dir)
    nb_path = run_dir / NOTEBOOK_NAME
    if not nb_path.exists():
        raise ValidationError(f"{run_dir}: no executed notebook ({NOTEBOOK_NAME})")
    cells = _cells(nb_path)
    record: dict[str, Any] = {}
    sidecar = run_dir / SIDECAR_NAME
    if sidecar.exists():
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    b = _Builder()
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            b.markdown(_joined(cell.get("source", "")))
            continue
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") not in {"display_data", "execute_result"}:
                continue  # streams and errors are not part of a printed report
            data = out.get("data", {})
            plotly = data.get(PLOTLY_MIME)
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                if plotly is not None and "<figure" not in html:
                    b.blocks.append(Figure(caption="", plotly=dict(plotly)))
                else:
                    b.html(html, dict(plotly) if plotly is not None else None)
            elif plotly is not None:
                b.blocks.append(Figure(caption="", plotly=dict(plotly)))
            elif "text/markdown" in data:
                b.markdown(_joined(data["text/markdown"]))
            elif "image/svg+xml" in data:
                svg = _joined(data["image/svg+xml"]).encode()
                b.blocks.append(Figure("", image=svg, image_type="svg"))
            elif "image/png" in data:
                import base64

                png = base64.b64decode(_joined(data["image/png"]))
                b.blocks.append(Figure("", image=png, image_type="png"))
    title = str(record.get("title") or b.title or run_dir.name)
    params = record.get("parameters") or {}
    subtitle = ", ".join(
        f"{k.replace('_', ' ')}: {_value(v)}" for k, v in params.items() if v not in (None, "", [])
    )
    generated = str(record.get("generated_at") or "")
    if not generated:
        prov = BeautifulSoup(b.provenance_html, "html.parser").get_text(" ")
        import re

        m = re.search(r"generated (\d{4}-\d\d-\d\dT[\d:]+)", prov)
        generated = m.group(1) if m else ""
    synthetic = bool(record.get("synthetic")) or bool(b.synthetic_note)
    note = b.synthetic_note or (
        "SYNTHETIC DEMO DATA - generated data, not real statistics." if synthetic else ""
    )
    # drop trailing empty guide/provenance headings and a leading duplicate of the title
    blocks = [blk for blk in b.blocks if not (isinstance(blk, Html) and not blk.html.strip())]
    return Report(
        run_dir=run_dir,
        run_id=run_dir.name,
        title=title,
        kind=b.kind if b.kind and b.kind != title else "",
        subtitle=subtitle,
        generated_at=generated,
        synthetic=synthetic,
        synthetic_note=note,
        key_findings=b.key_findings,
        blocks=blocks,
        provenance_html=b.provenance_html,
        record=record,
    )
