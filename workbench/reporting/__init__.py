"""What every notebook and report uses: the report header, charts with their data, provenance.

* :func:`start_report` / :class:`Report` - in notebooks (see :mod:`workbench.reporting.report`);
* :func:`export_html` / :func:`write_plotly_js` - notebook -> small offline HTML report
  (see :mod:`workbench.reporting.html_export`), used by the batch runner.
"""

from workbench.reporting.report import Report, start_report

__all__ = ["Report", "export_html", "start_report", "write_plotly_js"]


def __getattr__(name: str):  # lazy: nbconvert is only needed where HTML is written
    if name in {"export_html", "write_plotly_js"}:
        from workbench.reporting import html_export

        return getattr(html_export, name)
    raise AttributeError(name)
