"""Reader guides and the glossary: "How to read this report" per report type and the one-line
question each report answers (``guides.yml``), and every method and term in plain words with formula
and source (``glossary.yml``, rendered to ``docs/glossary.md`` by ``python -m
workbench.reporting.guides``)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ValidationError

HERE = Path(__file__).resolve().parent
GUIDES_FILE = HERE / "guides.yml"
GLOSSARY_FILE = HERE / "glossary.yml"
GLOSSARY_HTML = "glossary.html"


@cache
def guides() -> dict[str, dict[str, Any]]:
    """Report type (notebook name) -> {question, read: [...], terms: [...]}."""
    return yaml.safe_load(GUIDES_FILE.read_text(encoding="utf-8"))


@cache
def glossary() -> dict[str, dict[str, str]]:
    """Term key -> {label, plain, formula, source}."""
    return yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))


def question(report_type: str) -> str:
    """The one-line question a report type answers ("" when the type is unknown)."""
    return str((guides().get(report_type) or {}).get("question", ""))


def type_name(report_type: str) -> str:
    """A readable name of a report type (``s3_profile`` -> "S3 profiles of regions")."""
    entry = guides().get(report_type) or {}
    return str(entry.get("name") or report_type.replace("_", " ").capitalize())


def _guide(report_type: str) -> dict[str, Any]:
    try:
        return guides()[report_type]
    except KeyError:
        raise ValidationError(
            f"no reader guide for report type {report_type!r}; known: {', '.join(sorted(guides()))}"
            f" (add it to {GUIDES_FILE})"
        ) from None


def glossary_url() -> str:
    """Link from a report to the glossary page written beside it."""
    return GLOSSARY_HTML


def anchor(key: str) -> str:
    """HTML anchor of a glossary term."""
    return key.replace("_", "-")


def guide_html(report_type: str) -> str:
    """The "How to read this report" section (with the definitions of its terms) as HTML."""
    from workbench.reporting.templating import render

    guide = _guide(report_type)
    terms = [
        {"anchor": anchor(k), "label": glossary()[k]["label"], "plain": glossary()[k]["plain"]}
        for k in guide.get("terms", [])
    ]
    return render(
        "guide.html.j2",
        question=guide.get("question", ""),
        items=guide.get("read", []),
        terms=terms,
        glossary_url=glossary_url(),
    )


def guide_text(report_type: str) -> str:
    """The reader guide as plain text."""
    guide = _guide(report_type)
    lines = ["How to read this report", f"Question: {guide.get('question', '')}"]
    lines += [f"- {item}" for item in guide.get("read", [])]
    return "\n".join(lines)


def glossary_markdown() -> str:
    """``docs/glossary.md``: every term with plain words, formula and source."""
    lines = [
        "# Glossary of methods and terms",
        "",
        "Every method and term the reports use, in plain words, with its formula and source.",
        "Generated from `workbench/reporting/glossary.yml` "
        "(`python -m workbench.reporting.guides > docs/glossary.md`); each report links to this",
        "glossary (`glossary.html` beside the report) and ends with a short *How to read this",
        "report* (`workbench/reporting/guides.yml`).",
        "",
        "CSV files written from synthetic demo data carry the column `synthetic_data` (see the last",
        "entry).",
        "",
    ]
    for key, term in glossary().items():
        lines += [
            f'<a id="{anchor(key)}"></a>',
            f"## {term['label']}",
            "",
            term["plain"],
            "",
            f"- Formula: `{term['formula']}`",
            f"- Source: {term['source']}",
            "",
        ]
    return "\n".join(lines)


def glossary_page() -> str:
    """The glossary as a standalone HTML page (written beside every report)."""
    from workbench.reporting.templating import render

    terms = [{"anchor": anchor(k), **v} for k, v in glossary().items()]
    return render("glossary.html.j2", terms=terms)


def write_glossary(folder: str | os.PathLike[str]) -> Path:
    """Write ``glossary.html`` into ``folder`` (unless an identical copy is there)."""
    target = Path(folder) / GLOSSARY_HTML
    text = glossary_page()
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":  # python -m workbench.reporting.guides > docs/glossary.md
    print(glossary_markdown())
