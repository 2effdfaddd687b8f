"""Project monitoring for transnational cooperation projects (Jems-like model, issue 19).

``model`` (the tables), ``data`` (loaders), ``checks`` (pre-submission checks), ``finance``,
``workplan``, ``committee``, ``kpis`` (pure analyses), ``calendar`` (.ics), ``reports`` (what the
notebooks call), ``findings`` (key findings in words), ``figures`` (plotly).
"""
