"""workbench.reporting: report header, synthetic banner, charts + CSV, provenance, HTML export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from batch_kb import build_kb, observations_frame

from workbench.errors import ValidationError
from workbench.kb import query
from workbench.reporting import start_report
from workbench.reporting.figures import figure_bundle
from workbench.reporting.html_export import PLOTLY_JS_NAME, export_html, write_plotly_js


@pytest.fixture
def report_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    monkeypatch.setenv("WORKBENCH_REPORT_DIR", str(folder))
    return folder


class Captured(list):
    def __call__(self, bundle: dict) -> None:
        self.append(bundle)

    def html(self) -> str:
        return "\n".join(b.get("text/html", "") for b in self)


def test_synthetic_banner_and_provenance_record(tmp_db: Path, report_dir: Path) -> None:
    sha = build_kb(tmp_db, synthetic=True)
    shown = Captured()
    start_report("Profile <HR03>", {"region": "HR03"}, datasets=["test_obs"], publish=shown)
    assert "wb-synthetic-banner" in shown.html()
    assert "SYNTHETIC DEMO DATA" in shown.html()
    assert '<h1 class="wb-report-title">Profile &lt;HR03&gt;</h1>' in shown.html()
    record = json.loads((report_dir / "report.json").read_text())
    assert record["datasets"][0]["sha256"] == sha
    assert record["synthetic"] is True
    assert record["parameters"] == {"region": "HR03"}


def test_no_banner_for_real_data(tmp_db: Path, report_dir: Path) -> None:
    build_kb(tmp_db, synthetic=False)
    shown = Captured()
    report = start_report("Profile", {"region": "HR03"}, datasets=["test_obs"], publish=shown)
    assert "wb-synthetic-banner" not in shown.html()
    assert report.synthetic is False


def test_banner_appears_when_synthetic_data_is_declared_later(
    tmp_db: Path, report_dir: Path
) -> None:
    build_kb(tmp_db, synthetic=True)
    shown = Captured()
    report = start_report("Profile", {}, publish=shown)
    assert "wb-synthetic-banner" not in shown.html()
    rows = report.use_datasets(["test_obs"])
    assert rows[0]["synthetic"] is True
    assert shown.html().count("wb-synthetic-banner") == 1
    report.use_datasets("test_obs")  # once only
    assert shown.html().count("wb-synthetic-banner") == 1


def test_unknown_dataset_is_a_clear_error(tmp_db: Path, report_dir: Path) -> None:
    build_kb(tmp_db)
    with pytest.raises(ValidationError, match="no_such_dataset.*not in the knowledge base"):
        start_report("Profile", {}, datasets=["test_obs", "no_such_dataset"], publish=Captured())


def test_show_writes_csv_beside_report_and_links_it(tmp_db: Path, report_dir: Path) -> None:
    build_kb(tmp_db)
    shown = Captured()
    report = start_report("Charts", {"region": "HR05"}, publish=shown)
    df = query(
        "SELECT period, value FROM observations WHERE region = 'HR05' AND nace_r2 = 'C25' ORDER BY period"
    )
    fig = go.Figure(
        go.Bar(x=df["period"], y=df["value"]), layout={"title": {"text": "C25 in HR05"}}
    )
    report.show(fig, data=df, name="c25_hr05")
    written = pd.read_csv(report_dir / "c25_hr05.csv", dtype={"period": str})
    expected = observations_frame().query("region == 'HR05' and nace_r2 == 'C25'")
    assert written["value"].tolist() == expected["value"].tolist()
    assert 'href="c25_hr05.csv"' in shown.html()
    assert "application/vnd.plotly.v1+json" in shown[-2]
    # default name from the title
    report.show(go.Figure(layout={"title": {"text": "Trend by year"}}))
    assert report.outputs[-1]["name"] == "trend_by_year"
    with pytest.raises(ValidationError, match="used twice"):
        report.show(fig, data=df, name="c25_hr05")
    with pytest.raises(ValidationError, match="not usable as a file name"):
        report.show(fig, data=df, name="../escape")
    with pytest.raises(ValidationError, match="expected a plotly figure"):
        report.show(object(), name="not_a_figure")
    with pytest.raises(ValidationError, match="must be a pandas DataFrame"):
        report.show(fig, data=[1, 2], name="list_data")
    assert [o["name"] for o in report.outputs] == ["c25_hr05", "trend_by_year"]


def test_table_escapes_participant_text_and_keeps_all_rows_in_csv(
    tmp_db: Path, report_dir: Path
) -> None:
    build_kb(tmp_db)
    shown = Captured()
    report = start_report("Tables", {}, publish=shown)
    df = pd.DataFrame({"idea": ["<script>alert(1)</script>"] + [f"idea {i}" for i in range(59)]})
    report.table(df, name="ideas", max_rows=10)
    assert "<script>alert(1)</script>" not in shown.html()
    assert "&lt;script&gt;" in shown.html()
    assert "Showing 10 of 60 rows" in shown.html()
    assert len(pd.read_csv(report_dir / "ideas.csv")) == 60
    codes = pd.DataFrame({"phase": ["past_actions", "future_visions"]})
    report.table(codes, name="phases", value_labels={"phase": {"past_actions": "Past actions"}})
    assert ">Past actions<" in shown.html()  # in words on the page
    assert pd.read_csv(report_dir / "phases.csv")["phase"].tolist() == list(codes["phase"])


def test_table_without_rows_is_a_sentence_saying_why(tmp_db: Path, report_dir: Path) -> None:
    """An empty table reads as a sentence (no headers over "No rows."); its CSV keeps the columns."""
    build_kb(tmp_db)
    shown = Captured()
    report = start_report("Tables", {}, publish=shown)
    empty = pd.DataFrame(columns=["cohort", "att", "se"])
    report.table(empty, name="cohorts", title="Effects by <cohort>", empty_reason="one start date.")
    report.table(empty.iloc[:, :0], name="issues", title="Rows reported at import")
    html = shown.html()
    assert "<table" not in html and "<th" not in html and "No rows" not in html
    assert "<b>Effects by &lt;cohort&gt;</b>: one start date." in html
    assert "<b>Rows reported at import</b>: none for this selection." in html
    assert [b["text/plain"] for b in shown[-2:]] == [
        "Effects by <cohort>: one start date.",
        "Rows reported at import: none for this selection.",
    ]
    assert "cohorts.csv" not in html  # no link to a file without rows
    assert list(pd.read_csv(report_dir / "cohorts.csv").columns) == ["cohort", "att", "se"]
    record = json.loads((report_dir / "report.json").read_text())
    assert {o["name"]: o["kind"] for o in record["outputs"]} == {
        "cohorts": "empty table",
        "issues": "empty table",
    }


def test_provenance_block_lists_everything_escaped(tmp_db: Path, report_dir: Path) -> None:
    sha = build_kb(tmp_db, synthetic=True)
    shown = Captured()
    report = start_report(
        "P", {"note": "<img src=x onerror=alert(1)>"}, datasets=["test_obs"], publish=shown
    )
    report.provenance()
    block = shown[-1]["text/html"]
    assert "<img src=x" not in block
    assert "&lt;img src=x onerror=alert(1)&gt;" in block
    assert sha in block
    assert "Test observations &lt;b&gt;escaped&lt;/b&gt;" in block
    assert "yes - synthetic" in block
    assert str(tmp_db) in block
    import plotly

    assert f"plotly {plotly.__version__}" in block
    assert "Git commit" in block
    from bs4 import BeautifulSoup

    from workbench.reporting.provenance import DATASET_FIELDS

    datasets = BeautifulSoup(block, "html.parser").select_one("table.wb-prov-datasets")
    headers = [th.get_text() for th in datasets.select("thead th")]
    assert len(headers) == len(DATASET_FIELDS)  # one header per field, in the field order
    assert not set(headers) & set(DATASET_FIELDS)  # words for readers, not the KB's field names
    assert headers[DATASET_FIELDS.index("sha256")].startswith("SHA-256")


def test_adhoc_report_dir_uses_notebook_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_REPORT_DIR", raising=False)
    monkeypatch.setenv("WORKBENCH_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/notebooks/S3 profile.ipynb")
    report = start_report("Whatever", {}, publish=Captured())
    assert report.report_dir == tmp_path / "reports" / "adhoc" / "s3_profile"
    assert report.batch is False


def test_figure_bundle_has_no_plotly_js_and_stays_small() -> None:
    fig = go.Figure(go.Scatter(x=list(range(200)), y=[i * i for i in range(200)]))
    bundle = figure_bundle(fig)
    html = bundle["text/html"]
    assert "Plotly.newPlot" in html
    assert len(html) < 20_000  # plotly.js itself is ~4.8 MB
    assert "<script src" not in html and "cdn.plot.ly" not in html


def test_export_html_refers_to_local_plotly_only(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    cell = new_code_cell("secret_code_marker = 1", execution_count=1)
    cell.outputs = [new_output("display_data", data=figure_bundle(fig))]
    nb = new_notebook(cells=[cell])
    out = export_html(nb, tmp_path / "r.html", title="T", plotly_js_src="../plotly.min.js")
    text = out.read_text()
    assert re.search(r'<script[^>]*src="\.\./plotly\.min\.js"', text)
    assert "secret_code_marker" not in text  # no code cells
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", text)
    assert external == []
    assert "require.js" not in text and "MathJax" not in text.replace("mathjax", "")
    js = write_plotly_js(tmp_path)
    assert js.name == PLOTLY_JS_NAME and js.stat().st_size > 3_000_000
    mtime = js.stat().st_mtime_ns
    write_plotly_js(tmp_path)
    assert js.stat().st_mtime_ns == mtime  # written once per folder
