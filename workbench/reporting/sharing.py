"""One-file reports for sharing (e-mail, intranet): each report as a single HTML file that draws its
charts offline from an empty folder, plus a zip of its CSV files.

* plotly.js (minified, ~4.8 MB) is inlined **once** per file;
* the report's CSV links become ``data:`` links (download works from the file alone) for files up
  to :data:`EMBED_CSV_LIMIT` bytes; larger ones point to the zip beside the report;
* the glossary (``glossary.html`` beside batch reports) is appended to the page and its links
  become in-page anchors.

Used by ``workbench share RUN_OR_BATCH_DIR`` and ``workbench run ... --self-contained``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import ValidationError

NOTEBOOK_NAME = "notebook.ipynb"
SIDECAR_NAME = "report.json"
EMBED_CSV_LIMIT = 512_000
SHARE_DIR = "share"
_CSV_LINK = re.compile(r'(<p class="wb-data-link">Data: <a )([^>]*)>')
_HREF = re.compile(r'href="([^"]+\.csv)"')
_DOWNLOAD = re.compile(r'\s*download(="[^"]*")?')
_GLOSSARY_LINK = re.compile(r'href="glossary\.html(#[^"]*)?"')


@dataclass(frozen=True)
class SharedReport:
    """One shared report: the HTML file, the zip of its CSV files, their sizes in bytes."""

    run_id: str
    html: Path
    data_zip: Path | None
    html_bytes: int
    zip_bytes: int


def run_folders(path: str | os.PathLike[str]) -> list[Path]:
    """Run folders under ``path``: the folder itself if it holds an executed notebook, else its
    sub-folders that do (a batch folder, or a plan folder's ``latest``)."""
    root = Path(path)
    if not root.exists():
        raise ValidationError(f"{root} does not exist")
    if (root / NOTEBOOK_NAME).exists():
        return [root]
    found = sorted(p.parent for p in root.glob(f"*/{NOTEBOOK_NAME}"))
    if not found:
        raise ValidationError(
            f"{root} holds no report: expected a run folder with {NOTEBOOK_NAME} or a batch folder "
            "(reports/<plan>/<time>/ or reports/<plan>/latest)"
        )
    return found


def _data_link(match: re.Match[str], run_dir: Path, zip_name: str) -> str:
    """A CSV link of the report as a ``data:`` link (small files) or a link to the zip."""
    attrs = match.group(2)
    href = _HREF.search(attrs)
    if href is None:
        return match.group(0)
    csv = run_dir / Path(href.group(1)).name
    attrs = _DOWNLOAD.sub("", attrs)
    if csv.exists() and csv.stat().st_size <= EMBED_CSV_LIMIT:
        payload = base64.b64encode(csv.read_bytes()).decode("ascii")
        target = f'href="data:text/csv;charset=utf-8;base64,{payload}" download="{csv.name}"'
    else:
        target = f'href="{zip_name}" title="{csv.name} is in {zip_name}" download'
    return f"{match.group(1)}{_HREF.sub(lambda _: target, attrs, count=1)}>"


def _inline_glossary(html: str) -> str:
    from workbench.reporting.guides import anchor, glossary
    from workbench.reporting.templating import render

    if "glossary.html" not in html:
        return html
    terms = [{"anchor": anchor(k), **v} for k, v in glossary().items()]
    section = render("glossary_section.html.j2", terms=terms)
    html = _GLOSSARY_LINK.sub(lambda m: f'href="{m.group(1) or "#glossary"}"', html)
    return html.replace("</main>", section + "\n</main>", 1)


def share_run(run_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> SharedReport:
    """Write ``<out_dir>/<run id>.html`` (one file, plotly.js inlined) and ``<run id>-data.zip``."""
    from workbench.reporting.html_export import export_html

    run_dir = Path(run_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_id = run_dir.name
    record: dict[str, object] = {}
    sidecar = run_dir / SIDECAR_NAME
    if sidecar.exists():
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    csvs = sorted(run_dir.glob("*.csv"))
    zip_path = out / f"{run_id}-data.zip" if csvs else None
    if zip_path is not None:
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for csv in csvs:
                zf.write(csv, csv.name)
            note = (
                "SYNTHETIC DEMO DATA: generated, not real statistics "
                "(column synthetic_data in every CSV).\n"
                if record.get("synthetic")
                else ""
            )
            zf.writestr(
                "README.txt",
                f"Data behind the report {record.get('title') or run_id}.\n{note}"
                "Parameters and provenance: report.json.\n",
            )
            if sidecar.exists():
                zf.write(sidecar, SIDECAR_NAME)
    html_path = out / f"{run_id}.html"
    export_html(
        run_dir / NOTEBOOK_NAME,
        html_path,
        title=str(record.get("title") or run_id),
        self_contained=True,
    )
    text = html_path.read_text(encoding="utf-8")
    zip_name = zip_path.name if zip_path else ""
    text = _CSV_LINK.sub(lambda m: _data_link(m, run_dir, zip_name), text)
    text = _inline_glossary(text)
    html_path.write_text(text, encoding="utf-8")
    return SharedReport(
        run_id=run_id,
        html=html_path,
        data_zip=zip_path,
        html_bytes=html_path.stat().st_size,
        zip_bytes=zip_path.stat().st_size if zip_path else 0,
    )


def share(
    path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None
) -> list[SharedReport]:
    """Share every report under ``path`` (a run or batch folder) into ``out_dir``
    (default ``<batch folder>/share``)."""
    folders = run_folders(path)
    root = Path(path)
    if out_dir is None:
        base = root.resolve().parent if (root / NOTEBOOK_NAME).exists() else root.resolve()
        out_dir = base / SHARE_DIR
    return [share_run(folder, out_dir) for folder in folders]
