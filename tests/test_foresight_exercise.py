"""Issue 16 items 1 and 5: a foresight exercise set up from a template file (XLSX/YAML), participant
codes and invitation links, the printable sheet, and Kendall's W across 5- and 9-point statements."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from scipy import stats
from support.setup_imports import edit_xlsx_cell, kb_tables_digest

from workbench.errors import ImportFailed, ValidationError
from workbench.foresight import delphi
from workbench.foresight.access import settings as code_settings
from workbench.foresight.state import current_state, hash_code, normalise_code
from workbench.importers.foresight_setup import (
    new_exercise,
    validate_exercise,
    write_setup_template,
)
from workbench.serving.invitations import (
    invitation_sheet,
    invitation_url,
    invitations,
    parse_invitation,
)

EXE = str(Path(sys.executable).with_name("workbench"))
EXAMPLE_ID = "my-region-2035"


def _example(tmp_path: Path, suffix: str = "xlsx") -> Path:
    return write_setup_template("foresight_exercise", tmp_path / f"exercise.{suffix}", example=True)


def _kb_digest(db: Path) -> str:
    """Every row of every foresight table (to prove that a refused file changed nothing)."""
    return kb_tables_digest(db, "foresight", ["datasets"])


# -- template ---------------------------------------------------------------------------------------


def test_template_xlsx_is_documented(tmp_path: Path) -> None:
    path = write_setup_template("foresight_exercise", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:1] == ["README"] and "columns" in wb.sheetnames
    for sheet in ("exercise", "statements", "drivers", "rounds", "participants", "translations"):
        header = [c.value for c in wb[sheet][1]]
        assert header and all(c.comment is not None for c in wb[sheet][1]), sheet
        assert wb[sheet].max_row == 1  # empty template
    documented = {(r[0], r[1]) for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    assert ("statements", "anchor_high") in documented and ("drivers", "steep") in documented
    steep = next(c.comment.text for c in wb["drivers"][1] if c.value == "steep")
    assert "environmental" in steep


def test_template_yaml_is_documented_and_loads(tmp_path: Path) -> None:
    path = write_setup_template("foresight_exercise", tmp_path / "t.yml")
    text = path.read_text()
    assert "#   scale_points (integer, required)" in text
    data = yaml.safe_load(text)
    assert data["statements"] == [] and set(data) >= {"exercise", "drivers", "participants"}


# -- creating an exercise ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["xlsx", "yml"])
def test_new_exercise_from_example(tmp_db: Path, tmp_path: Path, suffix: str) -> None:
    plan, counts = new_exercise(_example(tmp_path, suffix), rng=np.random.default_rng(1))
    assert counts["foresight_statements"] == 2 and counts["foresight_drivers"] == 2
    assert counts["foresight_participants"] == 30 == len(set(plan.codes))
    alphabet = set(str(code_settings()["codes"]["alphabet"]))
    assert all(re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", c) for c in plan.codes)
    assert all(set(c.replace("-", "")) <= alphabet for c in plan.codes)
    con = duckdb.connect(str(tmp_db), read_only=True)
    rounds = con.execute(
        "SELECT round_no, status, title FROM foresight_rounds ORDER BY 1"
    ).fetchall()
    st = con.execute(
        "SELECT statement_id, scale_points, dimension, anchor_low, anchor_high "
        "FROM foresight_statements ORDER BY sort_order"
    ).fetchall()
    langs = con.execute("SELECT languages FROM foresight_exercises").fetchone()[0]
    hr = con.execute(
        "SELECT count(*) FROM foresight_participants WHERE language = 'hr'"
    ).fetchone()[0]
    con.close()
    assert rounds == [(1, "open", "First round"), (2, "planned", "Second round")]
    assert st[0] == ("S1", 5, "agreement", "strongly disagree", "strongly agree")
    assert st[1] == ("S2", 9, "importance", "not important at all", "essential")
    assert langs == "en;hr" and hr == 1
    # published: the participant page sees the statements with anchors and translations
    state = current_state(EXAMPLE_ID)
    assert state is not None and state["open_round"] == 1 and state["languages"] == ["en", "hr"]
    s1 = state["statements"][0]
    assert s1["translations"]["hr"]["anchors"]["low"] == "uopće se ne slažem"
    assert s1["translations"]["hr"]["anchors"]["mid"] == s1["anchors"]["mid"]  # falls back
    assert state["drivers"][0]["translations"]["hr"]["label"] == "Starenje radne snage"
    assert hash_code(EXAMPLE_ID, plan.codes[0].lower()) in state["code_hashes"]


def test_existing_exercise_is_refused_and_replaced_only_before_answers(
    tmp_db: Path, tmp_path: Path
) -> None:
    from workbench import capture

    path = _example(tmp_path)
    new_exercise(path)
    before = _kb_digest(tmp_db)
    with pytest.raises(ValidationError, match="exists already"):
        new_exercise(path)
    assert _kb_digest(tmp_db) == before
    plan, _ = new_exercise(path, replace=True)  # nobody answered: replaced
    capture.submit(
        "foresight.answer",
        {
            "exercise_id": EXAMPLE_ID,
            "participant_code": plan.codes[0],
            "round_no": 1,
            "statement_id": "S1",
            "value": 4,
            "comment": "",
        },
        client_id="t",
        idempotency_key="a1",
    )
    with pytest.raises(ValidationError, match="answer"):
        new_exercise(path, replace=True)


BAD_CELLS = [
    # sheet, cell, value, (sheet, row, column, value) expected in the message
    ("statements", "C2", 7, ("statements", 2, "scale_points", "7")),
    ("drivers", "C3", "economy", ("drivers", 3, "steep", "economy")),
    ("exercise", "A2", "My Region!", ("exercise", 2, "exercise_id", "My Region!")),
    ("statements", "A3", "S1", ("statements", 3, "statement_id", "S1")),
    ("rounds", "C3", "open", ("rounds", 3, "status", "open")),
    ("rounds", "A3", 3, ("rounds", 3, "round_no", "1, 3")),
    ("participants", "A2", "K7QM4-ZT9X0", ("participants", 2, "participant_code", "K7QM4-ZT9X0")),
    ("participants", "A2", "ABC-123", ("participants", 2, "participant_code", "ABC-123")),
    ("participants", "C2", "de", ("participants", 2, "language", "de")),
    ("translations", "B3", "D99", ("translations", 3, "item_id", "D99")),
    ("translations", "C2", "sr", ("translations", 2, "language", "sr")),
    ("exercise", "F2", 0, ("exercise", 2, "participant_count", "0")),
]


@pytest.mark.parametrize(("sheet", "cell", "value", "where"), BAD_CELLS)
def test_invalid_file_names_sheet_row_column_and_value(
    tmp_path: Path, sheet: str, cell: str, value: object, where: tuple[str, int, str, str]
) -> None:
    path = edit_xlsx_cell(_example(tmp_path), sheet, cell, value)
    with pytest.raises(ImportFailed) as info:
        validate_exercise(path)
    message = str(info.value)
    w_sheet, w_row, w_col, w_value = where
    assert f"sheet '{w_sheet}', row {w_row}, column '{w_col}', value '{w_value}'" in message, (
        message
    )
    assert "nothing was written" in message


def test_invalid_file_leaves_the_knowledge_base_as_it_was(tmp_db: Path, tmp_path: Path) -> None:
    new_exercise(write_setup_template("foresight_exercise", tmp_path / "other.yml", example=True))
    before = _kb_digest(tmp_db)
    path = _example(tmp_path)
    edit_xlsx_cell(path, "exercise", "A2", "second-one")
    edit_xlsx_cell(path, "translations", "B3", "D99")  # only the last sheet is wrong
    with pytest.raises(ImportFailed, match="D99"):
        new_exercise(path)
    assert _kb_digest(tmp_db) == before
    with pytest.raises(ValidationError, match="unknown foresight exercise 'nope'"):
        invitations("nope", "http://127.0.0.1:8866/")


def test_yaml_problems_name_section_entry_and_column(tmp_db: Path, tmp_path: Path) -> None:
    path = _example(tmp_path, "yml")
    data = yaml.safe_load(path.read_text())
    data["drivers"][1]["steep"] = "cultural"
    data["statements"][0]["colour"] = "red"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ImportFailed) as info:
        new_exercise(path)
    message = str(info.value)
    assert "sheet 'drivers', row 2, column 'steep', value 'cultural'" in message
    assert "sheet 'statements', row 1, column 'colour'" in message and "unknown column" in message
    assert not tmp_db.exists()  # nothing written, not even an empty knowledge base


def test_given_codes_are_normalised_and_kept(tmp_db: Path, tmp_path: Path) -> None:
    path = edit_xlsx_cell(_example(tmp_path), "participants", "A2", " k7qm4 zt9xh ")
    plan, _ = new_exercise(path)
    assert "K7QM4-ZT9XH" in plan.codes and len(plan.codes) == 30


# -- codes and links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["k7qm4-zt9xh", "K7QM4ZT9XH", " k7qm4 zt9xh ", "K7QM4\u2013ZT9XH", "k7qm4.zt9xh"]
)
def test_codes_are_case_insensitive_and_separator_tolerant(typed: str) -> None:
    assert normalise_code(typed) == "K7QM4-ZT9XH"
    assert hash_code("x", typed) == hash_code("x", "K7QM4-ZT9XH")


def test_other_codes_only_change_case() -> None:
    assert normalise_code(" nope-00 ") == "NOPE-00"  # not of the generated shape: kept apart
    assert normalise_code("K7QM4ZT9X0") == "K7QM4ZT9X0"  # 0 is not in the alphabet


def test_invitation_url_round_trip() -> None:
    url = invitation_url("http://10.0.0.5:8866", "ex-1", "K7QM4-ZT9XH", "tok" * 6, "hr")
    parsed = urlparse(url)
    assert parsed.path == "/voila/render/foresight_participant.ipynb"
    assert parse_qs(parsed.query)["token"] == ["tok" * 6]
    assert parse_invitation(parsed.query) == {
        "exercise": "ex-1",
        "code": "K7QM4-ZT9XH",
        "lang": "hr",
    }


def test_invitation_sheet_html_and_pdf(tmp_db: Path, tmp_path: Path) -> None:
    import segno  # noqa: F401  (the QR library must be installed)
    from pypdf import PdfReader

    plan, _ = new_exercise(_example(tmp_path))
    html_path, pdf_path = invitation_sheet(
        EXAMPLE_ID, "http://192.168.1.10:8866/", tmp_path / "inv.html", pdf=tmp_path / "inv.pdf"
    )
    text = html_path.read_text()
    assert text.count("data:image/png;base64,") == 30
    assert "http" not in re.sub(r"http://192\.168\.1\.10:8866/[^<'\"]*", "", text)  # offline
    token = (tmp_db.parent / ".serve" / "tokens.json").read_text()
    links = invitations(EXAMPLE_ID, "http://192.168.1.10:8866/")
    assert {r["code"] for r in links} == set(plan.codes)
    assert all(parse_qs(urlparse(r["url"]).query)["token"][0] in token for r in links)
    pdf = PdfReader(str(pdf_path))
    assert len(pdf.pages) >= 4  # 8 cards per A4 page
    assert plan.codes[0] in "".join(p.extract_text() for p in pdf.pages)


# -- command line -----------------------------------------------------------------------------------


def _run(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("WORKBENCH_DB", None)
    return subprocess.run(
        [EXE, "--db", str(db), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_cli_template_new_invitations(tmp_path: Path) -> None:
    db = tmp_path / "kb.duckdb"
    out = _run("template", "foresight_exercise", db=db, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "foresight_exercise_template.xlsx").exists()
    assert "workbench foresight new" in out.stdout
    _example(tmp_path)
    bad = edit_xlsx_cell(tmp_path / "exercise.xlsx", "drivers", "C2", "Social!")
    out = _run("foresight", "new", str(bad), db=db, cwd=tmp_path)
    assert out.returncode == 2
    assert "sheet 'drivers', row 2, column 'steep', value 'Social!'" in out.stderr
    edit_xlsx_cell(bad, "drivers", "C2", "social")
    out = _run("foresight", "new", "exercise.xlsx", db=db, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "created exercise my-region-2035" in out.stdout and "30 participant code" in out.stdout
    out = _run(
        "foresight", "invitations", EXAMPLE_ID, "--base-url", "http://10.1.2.3:8866/", "--links",
        db=db, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "invitations.html").exists()
    assert len(re.findall(r"http://10\.1\.2\.3:8866/voila/render/\S+code=", out.stdout)) == 30


# -- Kendall's W across scales ----------------------------------------------------------------------


def _random_round(rng: np.random.Generator, scales: dict[str, int], m: int) -> pd.DataFrame:
    codes = np.repeat([f"P{j:02d}" for j in range(m)], len(scales))
    ids = np.tile(list(scales), m)
    tops = np.tile(list(scales.values()), m)
    values = rng.integers(1, tops + 1)
    return pd.DataFrame({"statement_id": ids, "participant_code": codes, "value": values})


def _friedman_w(answers: pd.DataFrame, scales: dict[str, int]) -> float:
    """W computed independently: Friedman's tie-corrected chi-square (scipy) on scale positions,
    W = chi2_F / (m (n - 1))."""
    wide = answers.pivot(index="participant_code", columns="statement_id", values="value")
    pos = [(wide[s].to_numpy(float) - 1) / (p - 1) for s, p in scales.items()]
    m, n = wide.shape
    return float(stats.friedmanchisquare(*pos).statistic) / (m * (n - 1))


def test_kendall_w_on_random_mixed_scale_answers_is_not_biased() -> None:
    """Random answers to the demo's round (5 five-point + 3 nine-point statements, 25 raters):
    W on scale positions averages the null expectation 1/m and the 5 % test rejects about 5 % of
    rounds; ranking raw answers (the old way) was biased upwards."""
    rng = np.random.default_rng(16)
    scales = {f"S{i}": (5 if i <= 5 else 9) for i in range(1, 9)}
    m, reps = 25, 200
    w, p = np.empty(reps), np.empty(reps)
    for k in range(reps):
        answers = _random_round(rng, scales, m)
        result = delphi.kendall_w(answers, scales)
        w[k], p[k] = result["W"], result["p_value"]
        if k < 5:
            assert result["W"] == pytest.approx(_friedman_w(answers, scales), rel=1e-9)
    assert abs(w.mean() - 1 / m) < 0.006, w.mean()  # E[W] = 1/m under H0 (0.04)
    assert 0.01 <= (p < 0.05).mean() <= 0.10
    raw = [delphi.kendall_w(_random_round(rng, scales, m))["W"] for _ in range(30)]
    assert np.mean(raw) > 3 / m  # the bias this fixes: about 0.19
    # a scale_points column works as well as a mapping
    answers = _random_round(rng, scales, m)
    with_column = answers.assign(scale_points=answers["statement_id"].map(scales))
    assert delphi.kendall_w(with_column)["W"] == pytest.approx(
        delphi.kendall_w(answers, scales)["W"]
    )


def test_kendall_w_refuses_a_statement_without_scale() -> None:
    answers = _random_round(np.random.default_rng(0), {"S1": 5, "S2": 9}, 4)
    with pytest.raises(ValidationError, match="without a scale"):
        delphi.kendall_w(answers, {"S1": 5})


def test_cli_round_open_close_share(tmp_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    new_exercise(_example(tmp_path))
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["foresight", "round", EXAMPLE_ID, *args])
        return result.exit_code, result.output + str(result.exception or "")

    code, out = run("2", "open")
    assert code != 0 and "close round 1 first" in out
    assert run("1", "share")[1].count("close it first") == 1
    assert run("1", "close")[0] == 0
    code, out = run("1", "share")
    assert code == 0 and "results shared" in out
    assert run("1", "close")[0] == 0  # closing again keeps the results shared
    assert run("2", "open")[0] == 0
    assert run("4", "open")[1].count("close round 2 first") == 1
    state = current_state(EXAMPLE_ID)
    assert state is not None and state["open_round"] == 2
    assert [(r["round_no"], r["status"], r["results_shared"]) for r in state["rounds"]] == [
        (1, "closed", True),
        (2, "open", False),
    ]
    assert set(state["shared"]) == set()  # nobody answered round 1: nothing to share


# -- landing page and console of `workbench serve` ---------------------------------------------------


def test_landing_page_per_role_and_quiet_console(tmp_path: Path) -> None:
    import logging

    from workbench.config import load_defaults
    from workbench.serving import ServeOptions
    from workbench.serving.app import QuietConsole, landing_page
    from workbench.serving.voila_app import console_banner, role_config

    notebooks = tmp_path / "dashboards"
    notebooks.mkdir()
    for name in ("foresight_participant", "barriers", "foresight_facilitator", "my_notes"):
        (notebooks / f"{name}.ipynb").write_text("{}")
    opts = ServeOptions(notebooks_dir=notebooks, port=9999)
    tokens = {"participant": "p" * 20, "group": "g" * 20, "facilitator": "f" * 20}
    config = role_config(opts, tokens)
    described = load_defaults("serving")["dashboards"]
    page = landing_page(config, "facilitator", "/")
    order = re.findall(r"data-dashboard='([^']+)'", page)
    assert order == ["foresight_participant", "barriers", "foresight_facilitator", "my_notes"]
    assert described["barriers"]["purpose"] in page and "workbench foresight invitations" in page
    group = landing_page(config, "group", "/")
    assert re.findall(r"data-dashboard='([^']+)'", group) == ["foresight_participant", "barriers"]
    assert "f" * 20 not in page + group  # no token on the page
    banner = console_banner(opts, tokens)
    assert "participant: http://127.0.0.1:9999/\n" in banner and "g" * 20 in banner
    quiet = QuietConsole()

    def shown(msg: str, *args: object) -> bool:
        return quiet.filter(logging.LogRecord("Voila", logging.WARNING, "", 0, msg, args, None))

    assert not shown("Notebook %s is not trusted", "barriers.ipynb")
    assert not shown("Kernel started: %s", "abc")
    assert shown("Kernel pool of %s is filled with %s kernel(s)", "x.ipynb", 1)
    assert shown("Notebook %s does not exist", "x.ipynb")
