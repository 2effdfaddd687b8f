"""What every notebook and report uses: the report header, charts with their data, provenance.

* :func:`start_report` / :class:`Report` - in notebooks (see :mod:`workbench.reporting.report`);
* :func:`export_html` / :func:`write_plotly_js` - notebook -> small offline HTML report
  (see :mod:`workbench.reporting.html_export`), used by the batch runner;
* :mod:`~workbench.reporting.tables` (formatted, accessible tables), :mod:`~workbench.reporting.theme`
  (plotly house style, chart text alternatives), :mod:`~workbench.reporting.guides` (reader guides,
  glossary), :mod:`~workbench.reporting.sharing` (one-file reports), :mod:`~workbench.reporting.templating`
  (Jinja2 HTML fragments).
"""

from workbench.reporting.report import Report, start_report

__all__ = ["Report", "export_html", "start_report", "write_plotly_js"]


def __getattr__(name: str):  # lazy: nbconvert is only needed where HTML is written
    if name in {"export_html", "write_plotly_js"}:
        from workbench.reporting import html_export

        return getattr(html_export, name)
    raise AttributeError(name)
