"""The report object every notebook uses: header, synthetic-data banner, charts + CSV, provenance.

Usage in a notebook (after the ``parameters`` cell)::

    report = start_report("Regional profile", {"region": region}, datasets=["lfst_r_lfe2en2"])
    report.show(fig, data=df, name="lq_by_sector")   # captioned chart + CSV beside the report + link
    report.table(top, name="top_sectors", title="Top sectors", units={"employment": "thousand persons"},
                 sort_by="lq", highlight={"region": region})  # formatted table + CSV + link
    report.guide("s3_profile")                       # "How to read this report" (guides.yml)
    report.provenance()                              # last cell

Charts are ``<figure>`` elements with a text alternative (``<figcaption>``); tables have a caption,
header cells and formatted numbers (:mod:`workbench.reporting.tables`); HTML fragments come from
Jinja2 templates (``templates/fragments``, autoescaped).  CSV files written from synthetic data get
a last column ``synthetic_data`` (:data:`SYNTHETIC_COLUMN`).

Files go to ``$WORKBENCH_REPORT_DIR`` (set by the batch runner: the folder of the HTML report) or else
``reports/adhoc/<notebook>/``.  ``report.json`` in that folder records parameters, datasets (with
sha256) and outputs; the batch runner copies it into the batch manifest.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ValidationError
from workbench.reporting import provenance as prov
from workbench.reporting.figures import configure_plotly_renderer, figure_bundle
from workbench.reporting.templating import render
from workbench.results import ReportResult

REPORT_DIR_ENV = "WORKBENCH_REPORT_DIR"
SIDECAR_NAME = "report.json"
TABLE_MAX_ROWS = 50
#: column added to every CSV written from synthetic demo data (documented in docs/glossary.md)
SYNTHETIC_COLUMN = "synthetic_data"
SYNTHETIC_VALUE = "yes - generated demo data, not real statistics"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

Publisher = Callable[[dict[str, Any]], None]


def _publish_ipython(bundle: dict[str, Any]) -> None:
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:  # plain Python (script, test): show the text form
        print(bundle.get("text/plain", ""))
        return
    display(bundle, raw=True)


def slugify(text: str, default: str = "report") -> str:
    """A file-name-safe slug: lower case ASCII letters, digits, ``_`` (``"LQ by sector" -> "lq_by_sector"``)."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:80]
    return slug or default


def default_report_dir(title: str) -> Path:
    """``$WORKBENCH_REPORT_DIR`` or ``<reports>/adhoc/<notebook name or title slug>/``."""
    env = os.environ.get(REPORT_DIR_ENV)
    if env:
        return Path(env)
    from workbench.config import reports_dir

    session = os.environ.get("JPY_SESSION_NAME")  # set by Jupyter Server: the notebook's path
    name = slugify(Path(session).stem) if session else slugify(title)
    return reports_dir() / "adhoc" / name


class Report:
    """One report: records parameters, datasets and outputs, and displays report elements."""

    def __init__(
        self,
        title: str,
        parameters: Mapping[str, Any],
        *,
        report_dir: str | os.PathLike[str],
        publish: Publisher | None = None,
        batch: bool = False,
    ) -> None:
        if not isinstance(title, str) or not title.strip():
            raise ValidationError(f"report title must be a non-empty string, got {title!r}")
        if not isinstance(parameters, Mapping):
            raise ValidationError(
                f"report parameters must be a dict, got {type(parameters).__name__}"
            )
        self.title = title
        self.parameters = dict(parameters)
        self.report_dir = Path(report_dir)
        self.batch = batch
        self.datasets: list[dict[str, Any]] = []
        self.outputs: list[dict[str, str]] = []
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._publish = publish if publish is not None else _publish_ipython
        self._banner_shown = False

    # ------------------------------------------------------------------ state
    @property
    def synthetic(self) -> bool:
        """True when any dataset used is synthetic demo data."""
        return any(d["synthetic"] for d in self.datasets)

    def record(self) -> dict[str, Any]:
        """Everything the report knows about its provenance (what ``report.json`` holds)."""
        from workbench.config import db_path

        return {
            "title": self.title,
            "parameters": self.parameters,
            "datasets": self.datasets,
            "synthetic": self.synthetic,
            "outputs": self.outputs,
            "kb_path": str(db_path()),
            "versions": prov.package_versions(),
            "git_commit": prov.git_commit(),
            "started_at": self.started_at,
        }

    def _write_record(self) -> None:
        self.report_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.report_dir / (SIDECAR_NAME + ".tmp")
        tmp.write_text(json.dumps(self.record(), indent=2, default=str), encoding="utf-8")
        tmp.replace(self.report_dir / SIDECAR_NAME)

    # --------------------------------------------------------------- elements
    def _banner(self) -> None:
        synthetic = [d["dataset_id"] for d in self.datasets if d["synthetic"]]
        if not synthetic or self._banner_shown:
            return
        ids = ", ".join(synthetic)
        self._publish(
            {
                "text/html": render("banner.html.j2", ids=ids),
                "text/plain": f"*** SYNTHETIC DEMO DATA ({ids}): not real statistics ***",
            }
        )
        self._banner_shown = True

    def header(self) -> None:
        """Display the title (and the synthetic-data banner if needed)."""
        from workbench.reporting.guides import glossary_url

        self._publish(
            {
                "text/html": render(
                    "title.html.j2", title=self.title, glossary_url=glossary_url(), guide=True
                ),
                "text/plain": self.title,
            }
        )
        self._banner()
        from workbench.quality.notice import notice_bundle  # data checks and corrections (issue 12)

        if notice := notice_bundle(self.datasets):
            self._publish(notice)

    def use_datasets(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Record knowledge-base datasets used (looked up for source, sha256, synthetic flag).

        Shows the synthetic-data banner if one of them is synthetic.  Unknown ids raise
        :class:`~workbench.errors.ValidationError`.  Returns the provenance rows of ``ids``.
        """
        if isinstance(ids, str):
            ids = [ids]
        wanted = prov.check_dataset_ids(ids)
        known = {d["dataset_id"] for d in self.datasets}
        rows = prov.lookup_datasets([i for i in wanted if i not in known])
        self.datasets.extend(rows)
        self._write_record()
        self._banner()
        by_id = {d["dataset_id"]: d for d in self.datasets}
        return [by_id[i] for i in wanted]

    def _claim(self, name: str | None, fallback: str, kind: str) -> str:
        name = (
            name
            if name is not None
            else slugify(fallback, default=f"{kind}_{len(self.outputs) + 1}")
        )
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValidationError(
                f"output name {name!r} is not usable as a file name (letters, digits, _ . -)"
            )
        if any(o["name"] == name for o in self.outputs):
            raise ValidationError(f"output name {name!r} is used twice in report {self.title!r}")
        return name

    def _write_csv(self, data: pd.DataFrame, name: str) -> tuple[Path, str]:
        if not isinstance(data, pd.DataFrame):
            raise ValidationError(
                f"data for {name!r} must be a pandas DataFrame, got {type(data).__name__}"
            )
        from workbench.kb.spreadsheet import neutralise_frame
        from workbench.reporting.tables import csv_ready

        self.report_dir.mkdir(parents=True, exist_ok=True)
        path = self.report_dir / f"{name}.csv"
        keep_index = not isinstance(data.index, pd.RangeIndex)
        frame = neutralise_frame(csv_ready(data))  # no live formulas in Excel (issue 10)
        if self.synthetic and SYNTHETIC_COLUMN not in frame.columns:
            frame = frame.assign(**{SYNTHETIC_COLUMN: SYNTHETIC_VALUE})
        frame.to_csv(path, index=keep_index)
        # batch: the HTML report lives in the same folder; interactive: relative to the notebook
        href = path.name if self.batch else Path(os.path.relpath(path, Path.cwd())).as_posix()
        return path, href

    def _link(self, href: str, rows: int) -> dict[str, str]:
        return {
            "text/html": render(
                "data_link.html.j2",
                href=href,
                name=Path(href).name,
                rows=f"{rows:,}",
                synthetic=self.synthetic,
            ),
            "text/plain": f"Data: {href} ({rows} rows)",
        }

    def show(
        self,
        fig: Any,
        data: pd.DataFrame | None = None,
        name: str | None = None,
        *,
        caption: str | None = None,
        unit: str | None = None,
        empty_reason: str | None = None,
    ) -> None:
        """Display a plotly figure (drawn offline in the HTML report); save ``data`` as ``<name>.csv``.

        The chart is a ``<figure>`` whose ``<figcaption>`` is ``caption`` (or a description of the
        chart generated from it, :func:`~workbench.reporting.theme.describe_figure`) plus ``unit``.
        A figure without any data point is replaced by a sentence (``empty_reason`` or a default).
        ``name`` defaults to a slug of the figure title.
        """
        from workbench.reporting.theme import describe_figure, is_empty_figure

        bundle = figure_bundle(fig)
        plotly_json = bundle["application/vnd.plotly.v1+json"]
        layout = plotly_json.get("layout") or {}
        title_text = (layout.get("title") or {}).get("text") or ""
        name = self._claim(name, title_text, "chart")
        if data is not None and not isinstance(data, pd.DataFrame):
            raise ValidationError(
                f"data for {name!r} must be a pandas DataFrame, got {type(data).__name__}"
            )
        plain_title = re.sub(r"<[^>]+>", " ", title_text).strip() or name.replace("_", " ")
        if is_empty_figure(plotly_json):
            reason = empty_reason or "no data to draw for this selection, so no chart is shown."
            self._publish(
                {
                    "text/html": render("empty_chart.html.j2", title=plain_title, reason=reason),
                    "text/plain": f"{plain_title}: {reason}",
                }
            )
            entry = {"name": name, "kind": "empty chart"}
        else:
            text = describe_figure(plotly_json, unit=None if caption else unit)
            if caption:
                text = caption + (f" Unit: {unit}." if unit else "")
            bundle["text/html"] = render(
                "figure.html.j2", chart=bundle["text/html"], caption=text, label=plain_title
            )
            bundle["text/plain"] = text
            self._publish(bundle)
            entry = {"name": name, "kind": "chart"}
        if data is not None:
            path, href = self._write_csv(data, name)
            entry["csv"] = path.name
            self._publish(self._link(href, len(data)))
        self.outputs.append(entry)
        self._write_record()

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        max_rows: int | None = TABLE_MAX_ROWS,
        *,
        title: str | None = None,
        unit: str | None = None,
        units: Mapping[str, str] | None = None,
        sort_by: str | list[str] | None = None,
        ascending: bool | None = None,
        priority: Any = None,
        priority_label: str | None = None,
        highlight: Any = None,
        columns: list[str] | None = None,
        empty_reason: str | None = None,
        value_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Display a formatted table and save it whole as ``<name>.csv``.

        Shows the ``priority`` rows first (never cut by ``max_rows``: e.g. ``priority="gap"``), the
        ``highlight`` rows (e.g. ``{"region": "HR03"}``, marked), then the rest by ``sort_by`` up
        to ``max_rows`` rows, and says "showing N of M, sorted by ..., all rows in the CSV".
        Numbers, missing values and booleans are formatted for reading
        (:func:`workbench.reporting.tables.show_table`); ``unit``/``units`` go to the caption and
        the column headers.  ``columns``: only these columns are shown (all are in the CSV).
        ``value_labels``: ``{column: {code: label}}``, vocabulary codes shown in words (the CSV
        keeps the codes).
        A table without rows is replaced by a sentence saying why (``empty_reason`` or a default);
        its CSV (the column names only) is still written, without a link in the report.
        """
        from workbench.reporting.tables import show_table, table_text

        name = self._claim(name, name, "table")
        path, href = self._write_csv(df, name)
        if len(df) == 0:
            label = title or name.replace("_", " ")
            reason = empty_reason or "none for this selection."
            self._publish(
                {
                    "text/html": render("empty_chart.html.j2", title=label, reason=reason),
                    "text/plain": f"{label}: {reason}",
                }
            )
            self.outputs.append({"name": name, "kind": "empty table", "csv": path.name})
            self._write_record()
            return
        body = show_table(
            df,
            title=title,
            unit=unit,
            units=units,
            sort_by=sort_by,
            ascending=ascending,
            top_n=max_rows,
            priority=priority,
            priority_label=priority_label,
            highlight=highlight,
            csv_name=path.name,
            columns=columns,
            value_labels=value_labels,
        )
        self._publish({"text/html": body, "text/plain": table_text(df, units)})
        self._publish(self._link(href, len(df)))
        self.outputs.append({"name": name, "kind": "table", "csv": path.name})
        self._write_record()

    def guide(self, report_type: str) -> None:
        """Display "How to read this report" for a report type (``workbench/reporting/guides.yml``)."""
        from workbench.reporting.guides import guide_html, guide_text

        self._publish({"text/html": guide_html(report_type), "text/plain": guide_text(report_type)})

    def provenance(self) -> None:
        """Display the provenance block (parameters, datasets, versions, git commit, KB path)."""
        record = self.record()
        fields = {
            "title": self.title,
            "parameters": self.parameters,
            "datasets": self.datasets,
            "versions": record["versions"],
            "commit": record["git_commit"],
            "kb_path": record["kb_path"],
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._publish(
            {
                "text/html": prov.render_provenance_html(**fields),
                "text/plain": prov.render_provenance_text(**fields),
            }
        )
        self._write_record()


def start_report(
    title: str | ReportResult,
    parameters: dict[str, Any],
    datasets: list[str] | None = None,
    *,
    publish: Publisher | None = None,
) -> Report:
    """Start a report: select the offline-safe plotly renderer, show the title and, if any dataset
    used is synthetic, a visible "synthetic demo data" banner.  Returns the :class:`Report`.

    ``title`` is the report's title or a result object (:class:`workbench.results.ReportResult`:
    ``start_report(profile, p)``), whose ``title`` and ``dataset_ids`` are then used.
    """
    if not isinstance(title, str):
        if datasets is None:
            datasets = list(title.dataset_ids)
        title = title.title
    configure_plotly_renderer()
    report = Report(
        title,
        parameters,
        report_dir=default_report_dir(title),
        publish=publish,
        batch=REPORT_DIR_ENV in os.environ,
    )
    if datasets:
        ids = prov.check_dataset_ids(datasets)
        report.datasets.extend(prov.lookup_datasets(ids))
    report._write_record()
    from workbench.reporting.guides import write_glossary

    write_glossary(report.report_dir)  # the report's glossary link points here
    report.header()
    return report
