"""The report object every notebook uses: header, synthetic-data banner, charts + CSV, provenance.

Usage in a notebook (after the ``parameters`` cell)::

    report = start_report("Regional profile", {"region": region}, datasets=["lfst_r_lfe2en2"])
    report.show(fig, data=df, name="lq_by_sector")   # chart + CSV beside the report + link
    report.table(top, name="top_sectors")            # table + CSV + link
    report.provenance()                              # last cell

Files go to ``$WORKBENCH_REPORT_DIR`` (set by the batch runner: the folder of the HTML report) or else
``reports/adhoc/<notebook>/``.  ``report.json`` in that folder records parameters, datasets (with
sha256) and outputs; the batch runner copies it into the batch manifest.
"""

from __future__ import annotations

import html
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

REPORT_DIR_ENV = "WORKBENCH_REPORT_DIR"
SIDECAR_NAME = "report.json"
TABLE_MAX_ROWS = 50
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
                "text/html": (
                    "<div class='wb-synthetic-banner' role='alert' style='background:#fff3cd;"
                    "border:2px solid #d39e00;color:#5c4400;padding:.6em 1em;margin:.5em 0;"
                    "font-weight:bold'>&#9888; SYNTHETIC DEMO DATA - this report uses generated "
                    f"data ({html.escape(ids)}), not real statistics. Do not use it for decisions.</div>"
                ),
                "text/plain": f"*** SYNTHETIC DEMO DATA ({ids}): not real statistics ***",
            }
        )
        self._banner_shown = True

    def header(self) -> None:
        """Display the title (and the synthetic-data banner if needed)."""
        self._publish(
            {
                "text/html": f"<h1 class='wb-report-title'>{html.escape(self.title)}</h1>",
                "text/plain": self.title,
            }
        )
        self._banner()

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
        self.report_dir.mkdir(parents=True, exist_ok=True)
        path = self.report_dir / f"{name}.csv"
        keep_index = not isinstance(data.index, pd.RangeIndex)
        data.to_csv(path, index=keep_index)
        # batch: the HTML report lives in the same folder; interactive: relative to the notebook
        href = path.name if self.batch else Path(os.path.relpath(path, Path.cwd())).as_posix()
        return path, href

    def _link(self, href: str, rows: int) -> dict[str, str]:
        return {
            "text/html": (
                f"<p class='wb-data-link'>Data: <a href='{html.escape(href, quote=True)}' "
                f"download>{html.escape(Path(href).name)}</a> ({rows} rows, CSV)</p>"
            ),
            "text/plain": f"Data: {href} ({rows} rows)",
        }

    def show(self, fig: Any, data: pd.DataFrame | None = None, name: str | None = None) -> None:
        """Display a plotly figure (drawn offline in the HTML report); save ``data`` as ``<name>.csv``.

        ``name`` defaults to a slug of the figure title.
        """
        bundle = figure_bundle(fig)
        layout = bundle["application/vnd.plotly.v1+json"].get("layout") or {}
        name = self._claim(name, (layout.get("title") or {}).get("text") or "", "chart")
        if data is not None and not isinstance(data, pd.DataFrame):
            raise ValidationError(
                f"data for {name!r} must be a pandas DataFrame, got {type(data).__name__}"
            )
        self._publish(bundle)
        entry = {"name": name, "kind": "chart"}
        if data is not None:
            path, href = self._write_csv(data, name)
            entry["csv"] = path.name
            self._publish(self._link(href, len(data)))
        self.outputs.append(entry)
        self._write_record()

    def table(self, df: pd.DataFrame, name: str, max_rows: int = TABLE_MAX_ROWS) -> None:
        """Display a table (first ``max_rows`` rows, escaped) and save it whole as ``<name>.csv``."""
        name = self._claim(name, name, "table")
        path, href = self._write_csv(df, name)
        shown = df.head(max_rows)
        body = shown.to_html(
            escape=True, index=not isinstance(df.index, pd.RangeIndex), border=0, classes="wb-table"
        )
        note = (
            f"<p><i>Showing {max_rows} of {len(df)} rows; the CSV has all of them.</i></p>"
            if len(df) > max_rows
            else ""
        )
        self._publish({"text/html": body + note, "text/plain": shown.to_string()})
        self._publish(self._link(href, len(df)))
        self.outputs.append({"name": name, "kind": "table", "csv": path.name})
        self._write_record()

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
    title: str,
    parameters: dict[str, Any],
    datasets: list[str] | None = None,
    *,
    publish: Publisher | None = None,
) -> Report:
    """Start a report: select the offline-safe plotly renderer, show the title and, if any dataset
    used is synthetic, a visible "synthetic demo data" banner.  Returns the :class:`Report`."""
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
    report.header()
    return report
