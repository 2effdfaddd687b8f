"""Steering-committee outputs: every report as PDF and Word, offline, plus combined packs.

``export(path, ["pdf", "docx"])`` reads the executed notebook of each run folder under ``path``
(a run folder or a batch folder) and writes ``<batch>/export/<run id>.pdf|.docx`` and
``<run id>-data.zip`` (data annex); ``pack(path, select=..., title=...)`` combines the selected
runs into one document with one table of contents and one appendix.

Engines (measured in benchmarks/bench_export.py): WeasyPrint (+ Pango) for PDF, python-docx for
Word, kaleido + the system Chromium for static charts (SVG in the PDF, PNG in Word).  Nothing is
downloaded; a missing system package raises :class:`MissingSystemPackage` naming what to install.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import ValidationError
from workbench.export.charts import CACHE_DIR, MissingSystemPackage, renderer
from workbench.export.model import Report, load_report
from workbench.reporting.sharing import NOTEBOOK_NAME, run_folders

FORMATS = ("pdf", "docx")
EXPORT_DIR = "export"

__all__ = [
    "FORMATS",
    "ExportedFile",
    "MissingSystemPackage",
    "export",
    "pack",
    "parse_formats",
]


@dataclass(frozen=True)
class ExportedFile:
    """One written file (document or data annex) and its size in bytes."""

    run_id: str
    path: Path
    kind: str
    bytes: int


def parse_formats(text: str | list[str]) -> list[str]:
    """``"html,pdf,docx"`` -> ``["pdf", "docx"]`` (html is the batch's own output); unknown
    formats are an error naming the allowed ones."""
    items = text if isinstance(text, list) else re.split(r"[,\s]+", text)
    out: list[str] = []
    for item in (i.strip().lower() for i in items):
        if not item or item == "html":
            continue
        if item not in FORMATS:
            raise ValidationError(f"unknown format {item!r}: use html, pdf or docx")
        if item not in out:
            out.append(item)
    return out


def _default_out(path: Path) -> Path:
    base = path.resolve().parent if (path / NOTEBOOK_NAME).exists() else path.resolve()
    return base / EXPORT_DIR


def _write(
    reports: list[Report],
    stem: str,
    out_dir: Path,
    formats: list[str],
    charts,  # noqa: ANN001
    *,
    title: str | None,
    reference: str | os.PathLike[str] | None,
) -> list[ExportedFile]:
    from workbench.export.annex import write_annex

    annex_path = out_dir / f"{stem}-data.zip"
    # a pack's data annex (pandas + openpyxl: ~8 s of CPU for 36 reports) is written by a forked
    # process beside the document, on the core the layout leaves idle at times
    background = _start_annex(reports, annex_path) if len(reports) > 1 else None
    done: list[ExportedFile] = []
    try:
        for fmt in formats:
            target = out_dir / f"{stem}.{fmt}"
            if fmt == "pdf":
                from workbench.export.pdf import render_pdf

                render_pdf(reports, target, charts, title=title)
            else:
                from workbench.export.docx import render_docx

                render_docx(reports, target, charts, title=title, reference=reference)
            done.append(ExportedFile(stem, target, fmt, target.stat().st_size))
    except BaseException:
        if background is not None:  # the document failed: its annex is not wanted either
            background.terminate()
        raise
    finally:
        if background is not None:
            background.join()
    if background is None or background.exitcode != 0 or not annex_path.exists():
        write_annex(reports, annex_path)  # also reports the error of a failed background write
    done.append(ExportedFile(stem, annex_path, "annex", annex_path.stat().st_size))
    return done


def _annex_niced(reports: list[Report], target: Path) -> None:
    """Write the annex at a lower priority: the layout workers go first, the annex takes the
    core they leave idle (the pack's merge, the last long part)."""
    from workbench.export.annex import write_annex

    os.nice(10)
    write_annex(reports, target)


def _start_annex(reports: list[Report], target: Path):  # noqa: ANN202
    """The data annex written by a forked process (None where fork is not available)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    proc = multiprocessing.get_context("fork").Process(
        target=_annex_niced, args=(reports, target), daemon=True
    )
    proc.start()
    return proc


def export(
    path: str | os.PathLike[str],
    formats: list[str] | str = ("pdf",),  # type: ignore[assignment]
    out_dir: str | os.PathLike[str] | None = None,
    *,
    reference: str | os.PathLike[str] | None = None,
    only: list[str] | None = None,
) -> list[ExportedFile]:
    """Export every report under ``path`` (a run or batch folder; ``only`` these run ids if
    given) to ``formats`` in ``out_dir`` (default ``<batch>/export``), each with its data annex."""
    fmts = parse_formats(list(formats) if not isinstance(formats, str) else formats)
    if not fmts:
        raise ValidationError("nothing to export: give --to pdf and/or docx")
    root = Path(path)
    folders = run_folders(root)
    if only is not None:
        folders = [f for f in folders if f.name in set(only)]
    out = Path(out_dir) if out_dir is not None else _default_out(root)
    done: list[ExportedFile] = []
    with renderer() as charts:
        for folder in folders:
            report = load_report(folder)
            done.extend(
                _write([report], report.run_id, out, fmts, charts, title=None, reference=reference)
            )
    return done


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "pack"


def select_runs(path: str | os.PathLike[str], pattern: str | None) -> list[Path]:
    """Run folders under ``path`` whose run id matches ``pattern``: comma-separated globs
    (``*`` if None); a part without wildcards matches as a prefix (``pilot_evaluation``)."""
    folders = run_folders(path)
    if not pattern:
        return folders
    globs = [
        part if any(ch in part for ch in "*?[") else f"{part}*"
        for part in (p.strip() for p in pattern.split(","))
        if part
    ]
    chosen = [f for f in folders if any(fnmatch.fnmatch(f.name, g) for g in globs)]
    if not chosen:
        names = ", ".join(f.name for f in folders[:8])
        raise ValidationError(
            f"--select {pattern!r} matches no report under {path} (run ids: {names}"
            f"{' ...' if len(folders) > 8 else ''})"
        )
    return chosen


def _load_reports(folders: list[Path]) -> list[Report]:
    """The print models of ``folders`` in order; for a pack, read by two forked processes
    (parsing the notebooks' HTML takes ~2.6 s of CPU for 36 reports, measured, and nothing
    else can start before it is done)."""
    import multiprocessing

    if len(folders) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        return [load_report(f) for f in folders]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(load_report, folders, chunksize=1)


def pack(
    path: str | os.PathLike[str],
    *,
    select: str | None = None,
    title: str,
    formats: list[str] | str = ("pdf",),  # type: ignore[assignment]
    out_dir: str | os.PathLike[str] | None = None,
    reference: str | os.PathLike[str] | None = None,
) -> list[ExportedFile]:
    """Combine the selected reports into one document per format (one contents list, one
    appendix) plus one data annex: ``<out_dir>/pack-<title slug>.<fmt>``."""
    fmts = parse_formats(list(formats) if not isinstance(formats, str) else formats)
    if not fmts:
        raise ValidationError("nothing to export: give --to pdf and/or docx")
    if not title.strip():
        raise ValidationError("a pack needs a --title")
    root = Path(path)
    folders = select_runs(root, select)
    out = Path(out_dir) if out_dir is not None else _default_out(root)
    with renderer() as charts:
        if any(not (f / CACHE_DIR).is_dir() for f in folders):
            # a run never exported before has charts to draw: the browser starts while the runs
            # are read (measured: its start and plotly.js take 3-7 s before the first chart)
            charts.start()
        reports = _load_reports(folders)
        return _write(
            reports, f"pack-{_slug(title)}", out, fmts, charts, title=title, reference=reference
        )
