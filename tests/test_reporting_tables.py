"""Tables for people (workbench.reporting.tables): formatted cells, the rows that matter first,
captions and header cells; chart descriptions and the house plotly template."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from support.html_cells import parse_cells

from workbench.errors import ValidationError
from workbench.reporting.tables import (
    MISSING,
    csv_ready,
    format_column,
    format_number,
    select_rows,
    show_table,
)
from workbench.reporting.theme import describe_figure, is_empty_figure, use_house_style

BAD_CELL = re.compile(r"^(nan|NaN|None|NaT|True|False|<NA>)$|^[-+−]?\d+(\.\d+)?[eE][+-]?\d+$")


def test_cells_never_read_nan_true_or_scientific_notation() -> None:
    df = pd.DataFrame(
        {
            "region": ["HR03", "SI03", None],
            "budget_eur": [4.737936e08, 108540.540541, np.nan],
            "tiny": [7.742978e-14, 0.5, 0.25],
            "gap": [True, False, None],
            "when": pd.to_datetime(["2015-01-01", None, "2016-03-02"]),
            "topics": [["skills"], ["finance", "skills"], []],
            "n_actions": [3.0, np.nan, 12345.0],
            "p_value": [0.0000042, 0.0312, np.nan],
            "year": [2008, 2015, 2015],
        }
    )
    html = show_table(df, title="Test", unit="EUR")
    cells = parse_cells(html).cells
    bad = [c for c in cells if BAD_CELL.search(c.strip())]
    assert bad == []
    assert "473,793,600" in cells  # thousands separators, no 4.737936e+08
    assert "108,541" in cells  # decimals by magnitude
    assert "0.000" in cells  # 7.7e-14 is not shown as 7.742978e-14
    assert cells.count(MISSING) >= 5  # NaN, None, NaT, pd.NA all read as a dash
    assert "yes" in cells and "no" in cells
    assert "skills" in cells and "finance, skills" in cells
    assert "12,345" in cells and "3" in cells  # whole-valued float counts as integers
    assert "< 0.001" in cells and "0.031" in cells
    assert "2008" in cells and "2,008" not in cells  # years without separators


def test_units_percent_share_and_header_cells() -> None:
    df = pd.DataFrame({"sector": ["G-I", "C"], "share": [0.3612, 0.05], "lq": [1.5123, 0.4]})
    html = show_table(df, title="Sectors", unit="persons", units={"share": "share"})
    parsed = parse_cells(html)
    assert "36.1" in parsed.cells and "5.0" in parsed.cells  # fraction shown in per cent
    assert "Share (%)" in parsed.cells and "LQ" in parsed.cells
    assert "<caption>Sectors (persons)</caption>" in html
    scopes = [a.get("scope") for t, a in parsed.tags if t == "th"]
    assert scopes.count("col") == 3 and scopes.count("row") == 2
    assert format_number(-0.0001, 3) == "0.000"  # no negative zero
    assert format_column(pd.Series([1.0, 2.5], name="x"), "%") == ["1.0", "2.5"]


def test_headers_do_not_repeat_their_unit_and_spell_acronyms() -> None:
    from workbench.reporting.tables import header_label

    df = pd.DataFrame(
        {
            "wp_id": ["WP1"],
            "days_late": [3],
            "progress_pct": [40.0],
            "eu_amount": [1.0],
            "rd_intensity": [1.2],
            "rwg": [0.8],
            "se": [0.1],
        }
    )
    units = {"days_late": "days", "progress_pct": "%", "rd_intensity": "% of GDP"}
    headers = [th for th in parse_cells(show_table(df, units=units)).cells[: df.shape[1]]]
    assert headers == [
        "WP ID", "Days late", "Progress (%)", "EU amount", "R&D intensity (% of GDP)", "r_wg", "SE",
    ]  # fmt: skip
    assert header_label("pct_change", "%") == "Change (%)"  # the unit stays, once
    assert header_label("employment", "thousand persons") == "Employment (thousand persons)"


def test_vocabulary_codes_are_shown_in_words_and_an_unknown_column_is_refused() -> None:
    df = pd.DataFrame(
        {
            "category": ["office_administration", "staff", "not_in_vocabulary"],
            "missing": ["eu_added_value, relevance", None, "relevance"],
            "spend": [1.0, 2.0, 3.0],
        }
    )
    labels = {"office_administration": "Office and administration", "staff": "Staff costs"}
    criteria = {"eu_added_value": "EU added value", "relevance": "Relevance"}
    cells = parse_cells(
        show_table(df, value_labels={"category": labels, "missing": criteria})
    ).cells
    assert "Office and administration" in cells and "Staff costs" in cells
    assert "not_in_vocabulary" in cells  # an unknown code stays as it is, never dropped
    assert "EU added value, Relevance" in cells and "office_administration" not in cells
    with pytest.raises(ValidationError, match="value_labels: \\['phase'\\] not in the table"):
        show_table(df, value_labels={"phase": {}})


def test_priority_rows_are_never_cut_and_the_note_says_what_is_shown() -> None:
    # 91 rows, 9 gaps spread through the frame (as in the Greek past-action report)
    gaps = set(range(5, 91, 10))
    df = pd.DataFrame(
        {
            "dimension": [f"d{i:02d}" for i in range(91)],
            "spend": np.arange(91, dtype=float) * 1000.5,
            "gap": [i in gaps for i in range(91)],
        }
    )
    view = select_rows(df, sort_by="spend", top_n=20, priority="gap", priority_label="gap")
    shown = set(view.rows["dimension"])
    assert {f"d{i:02d}" for i in gaps} <= shown
    assert len(view.rows) == 20
    assert view.rows["gap"].head(9).all()  # the gaps come first
    rest = view.rows.iloc[9:]
    assert rest["spend"].is_monotonic_decreasing  # then the top rows by the stated sort
    assert view.note == (
        "Showing 20 of 91 rows, all 9 gap rows first, sorted by Spend (descending); "
        "all rows in the CSV."
    )
    # more key rows than the limit: all of them are still shown
    small = select_rows(df, top_n=3, priority="gap")
    assert len(small.rows) == 9


def test_highlighted_own_region_is_kept_and_marked() -> None:
    df = pd.DataFrame({"region": [f"R{i}" for i in range(30)], "value": np.arange(30.0)})
    html = show_table(df, sort_by="value", top_n=5, highlight={"region": "R0"}, csv_name="x.csv")
    assert html.count('class="wb-highlight"') == 1
    assert ">R0<" in html
    assert "all rows in the CSV x.csv" in html
    with pytest.raises(ValidationError, match="column 'nope'"):
        show_table(df, sort_by="nope")


def test_a_frame_without_columns_is_a_sentence_not_an_empty_table() -> None:
    html = show_table(pd.DataFrame(), title="Efficiency spread")
    assert "<table" not in html and "Efficiency spread" in html and "no data" in html


def test_table_text_is_escaped() -> None:
    html = show_table(pd.DataFrame({"idea": ["<script>alert(1)</script>"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_csv_ready_joins_lists() -> None:
    out = csv_ready(pd.DataFrame({"topics": [["skills"], ("a", "b"), "plain"], "n": [1, 2, 3]}))
    assert out["topics"].tolist() == ["skills", "a; b", "plain"]


def test_describe_figure_names_extremes_and_unit() -> None:
    fig = go.Figure(
        go.Bar(x=["A", "B", "C"], y=[1.5, 3.25, 0.5]),
        layout={"title": {"text": "LQ by sector"}, "yaxis": {"title": {"text": "LQ"}}},
    )
    text = describe_figure(fig.to_plotly_json(), unit="ratio")
    assert text.startswith("Bar chart: LQ by sector.")
    assert "3 data points" in text
    assert "Highest value 3.25 (B), lowest 0.500 (C)" in text
    assert text.endswith("Unit: ratio.")
    empty = go.Figure(go.Bar(x=[], y=[]), layout={"title": {"text": "Nothing"}})
    assert is_empty_figure(empty.to_plotly_json())
    assert not is_empty_figure(fig.to_plotly_json())


def test_house_template_is_colour_blind_safe_default() -> None:
    import plotly.io as pio

    use_house_style()
    assert pio.templates.default == "workbench"
    fig = go.Figure(go.Heatmap(z=[[0, 1], [2, 3]]))
    colorway = fig.layout.template.layout.colorway
    assert colorway[0] == "#0072B2" and len(colorway) == 8
    # no pure red / green pair in the palette
    assert not {"#FF0000", "#00FF00", "#d7191c", "#1a9641"} & {c.upper() for c in colorway}
    import plotly.colors

    scale = fig.layout.template.data.heatmap[0].colorscale
    assert [c for _, c in scale] == [c.lower() for c in plotly.colors.sequential.Cividis]
