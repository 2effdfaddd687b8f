"""Every report type of the demo plan opens with a key-findings block of 3-7 sentences written for
people: no raw NaN/None/True/scientific notation, names next to codes (issue 13 items 1 and 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.batches import PlanBatch
from support.findings_check import key_findings_in

from workbench.batch.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "notebooks" / "plans" / "demo.yml"
# one run of every report notebook of the demo plan
ONLY = ",".join(
    [
        "s3_profile__region-HR03",
        "parallel_contexts__region-SI03",
        "kb_overview__country-HR",
        "past_action_analysis__country-EL*",
        "barrier_matrix__regions-SI03*",
        "pilot_evaluation__pilot_id-P1",
        "mechanism_ranking__weighting-ahp",
        "foresight_report*",
        "project_monitoring__period-2",
        "communication_kpis__period-2",
        "joint_strategy__region-all*",
        "initiative*",
        "good_practices__region-HR03",
        "working_groups__*group-all",
    ]
)
RAW = re.compile(r"\b(nan|NaN|None|NaT|True|False)\b|\d[eE][+-]?\d")
SNAKE = re.compile(r"[a-z]+(_[a-z0-9]+)+")  # office_administration, in_progress, ...
# columns that show identifiers on purpose: the knowledge base's table names (next to their plain
# names) and a working group's link to a barrier cell (region/dimension/phase)
CODE_COLUMNS = {"Table", "Link ref"}


@pytest.mark.slow
@pytest.mark.timeout(1800)  # may build the session's demo batch
def test_every_report_type_opens_with_findings_in_words(demo_batch: PlanBatch) -> None:
    # the session's run of the whole demo plan (support/batches.py); the runs --only ONLY keeps
    batch = demo_batch.batch
    chosen = {r.run_id for r in load_plan(PLAN, db=demo_batch.db).only(ONLY).runs}
    runs = sorted(p for p in batch.iterdir() if p.is_dir() and p.name in chosen)
    assert {r.name for r in runs} == chosen
    kinds = {r.name.split("__")[0] for r in runs}
    assert kinds == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    for run in runs:
        sentences = key_findings_in((run / "report.html").read_text(encoding="utf-8"))
        assert 3 <= len(sentences) <= 7, (run.name, sentences)
        for s in sentences:
            assert not RAW.search(s), (run.name, s)
            assert s[0].isupper() or s[0].isdigit() or s[0] == "'", (run.name, s)
    s3 = key_findings_in((batch / "s3_profile__region-HR03" / "report.html").read_text())
    assert s3[0].startswith("Jadranska Hrvatska (HR03) is most specialised in")
    ranking = key_findings_in(
        (batch / "mechanism_ranking__weighting-ahp" / "report.html").read_text()
    )
    assert re.match(r"^[A-Z][a-z].* \(M-[A-Z]+\) ranks first", ranking[0])  # name, then code


@pytest.mark.slow
@pytest.mark.timeout(1800)  # may build the session's demo batch
def test_every_table_of_every_demo_report_has_a_title_and_rows(demo_batch: PlanBatch) -> None:
    """A table says what it is (caption) and is never headers over nothing: an empty one is a
    sentence saying why (``empty_reason``); its cells never read NaN, None, True or 1e+08."""
    from bs4 import BeautifulSoup

    runs = sorted(p for p in demo_batch.batch.iterdir() if (p / "report.html").is_file())
    assert len(runs) >= 40  # the whole demo plan
    for run in runs:
        page = BeautifulSoup((run / "report.html").read_text(encoding="utf-8"), "html.parser")
        for table in page.select("table.wb-table"):
            caption = table.find("caption")
            assert caption is not None and caption.get_text(strip=True), (
                run.name,
                str(table)[:200],
            )
            cells = [c.get_text(strip=True) for c in table.select("tbody th, tbody td")]
            assert cells and "No rows." not in cells, (run.name, caption.get_text())
            raw = [c for c in cells if RAW.fullmatch(c) or RAW.search(c) and len(c) < 12]
            assert not raw, (run.name, caption.get_text(), raw[:5])
            heads = [th.get_text(strip=True) for th in table.select("thead th")]
            for row in table.select("tbody tr"):  # vocabulary codes are shown in words
                for head, cell in zip(heads, row.find_all(["th", "td"]), strict=False):
                    if head in CODE_COLUMNS:
                        continue
                    codes = [p for p in re.split(r",\s*|;\s*", cell.get_text(strip=True))
                             if SNAKE.fullmatch(p)]  # fmt: skip
                    assert not codes, (run.name, caption.get_text(), head, codes)
