"""Data annex: a zip beside the PDF/Word file with every CSV of the report(s) (the data of each
chart and table), one XLSX workbook per report with one sheet per CSV, ``report.json`` and a
README.  Zip entries carry a fixed timestamp, so the same run gives the same annex bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from workbench.export.model import SIDECAR_NAME, Report

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
SHEET_MAX = 31


def _sheet_names(stems: list[str]) -> list[str]:
    """Excel sheet names (<= 31 characters, unique, no []:*?/\\)."""
    names: list[str] = []
    for stem in stems:
        base = "".join("_" if ch in "[]:*?/\\" else ch for ch in stem)[:SHEET_MAX]
        name, i = base, 1
        while name.lower() in {n.lower() for n in names}:
            i += 1
            suffix = f"~{i}"
            name = base[: SHEET_MAX - len(suffix)] + suffix
        names.append(name)
    return names


def workbook_bytes(csvs: list[Path]) -> bytes:
    """An XLSX workbook with one sheet per CSV file (sheet order = file order)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for csv, sheet in zip(csvs, _sheet_names([c.stem for c in csvs]), strict=True):
            try:
                frame = pd.read_csv(csv)
            except (pd.errors.EmptyDataError, pd.errors.ParserError):
                frame = pd.DataFrame({"note": [f"{csv.name} could not be read as a table"]})
            frame.to_excel(xw, sheet_name=sheet, index=False)
        book = xw.book
        import datetime as dt

        book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    return buf.getvalue()


def _write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_annex(reports: list[Report], out: Path) -> Path:
    """Write the data annex zip of ``reports`` (sub-folders per run for a pack)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pack = len(reports) > 1
    with zipfile.ZipFile(out, "w") as zf:
        lines = []
        for report in reports:
            prefix = f"{report.run_id}/" if pack else ""
            csvs = sorted(report.run_dir.glob("*.csv"))
            for csv in csvs:
                _write(zf, prefix + csv.name, csv.read_bytes())
            if csvs:
                _write(zf, f"{prefix}{report.run_id}.xlsx", workbook_bytes(csvs))
            sidecar = report.run_dir / SIDECAR_NAME
            if sidecar.exists():
                _write(zf, prefix + SIDECAR_NAME, sidecar.read_bytes())
            flag = (
                " [SYNTHETIC DEMO DATA: generated, not real statistics]" if report.synthetic else ""
            )
            lines.append(f"- {prefix or './'}: {report.title}{flag} ({len(csvs)} CSV files)")
        readme = (
            "Data annex: the data of every chart and table (CSV; the .xlsx holds one sheet per "
            "CSV file), with the parameters and provenance in report.json.\n"
            + "\n".join(lines)
            + "\n"
        )
        _write(zf, "README.txt", readme.encode("utf-8"))
    return out
