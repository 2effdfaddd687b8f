"""The good-practice library (issue 18, item 2): template import, validation chain, search with
facets, transferability explained in words, the report notebook."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.errors import ImportFailed, ValidationError
from workbench.learning import data
from workbench.learning.practices import FIELDS, change_state, import_practices, write_template
from workbench.learning.search import PracticeIndex
from workbench.learning.transfer import governance_match, transferability, transferable_practices

ROOT = Path(__file__).resolve().parents[1]


def _row(pid: str, **kw: str) -> dict[str, str]:
    base = {c: "" for c, _, _ in FIELDS}
    base.update(
        practice_id=pid,
        title=f"Practice {pid}",
        summary="Cluster SMEs get vouchers for testing services.",
        institution="Agency",
        region="HR03",
        dimensions="innovation;financing",
        nace_sectors="C27",
        instrument_type="grant",
        governance_level="regional",
    )
    base.update(kw)
    return base


def _count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM good_practices").fetchone()[0]


def test_template_import_round_trip_and_atomic_refusal(tmp_db: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    pd.DataFrame(
        [
            _row("GP-1"),
            _row(
                "GP-2",
                validation_state="validated_partner",
                validated_by="Partner A",
                evidence_of_success="120 firms served",
                evidence_links="https://example.org/a; doi:10.1/x",
            ),
        ]
    ).to_csv(good, index=False)
    assert import_practices(good) == 2
    stored = data.load_practices(str(tmp_db)).set_index("practice_id")
    assert stored.loc["GP-2", "evidence_links"] == ["https://example.org/a", "doi:10.1/x"]
    assert stored.loc["GP-1", "dimensions"] == ["innovation", "financing"]
    assert (
        stored.loc["GP-1", "country"] == "HR" and stored.loc["GP-1", "validation_state"] == "draft"
    )
    assert list(data.practice_history("GP-2", str(tmp_db))["to_state"]) == ["validated_partner"]

    bad = tmp_path / "bad.xlsx"
    pd.DataFrame(
        [
            _row("GP-3"),
            _row("GP-4", region="Croatia"),
            _row("GP-5", validation_state="validated_expert", validated_by="Expert"),
            _row("GP-6", dimensions="innovation;tourism"),
        ]
    ).to_excel(bad, index=False, sheet_name="practices")
    with pytest.raises(ImportFailed) as err:
        import_practices(bad)
    text = str(err.value)
    assert "nothing was written" in text
    assert "sheet 'practices', row 3, column 'region', value 'Croatia'" in text
    assert "row 4, column 'evidence_of_success'" in text and "evidence of success" in text
    assert "row 5, column 'dimensions', value 'tourism'" in text
    assert _count(tmp_db) == 2  # GP-3 was fine but the file was refused as a whole


def test_validation_chain_needs_evidence_and_goes_step_by_step(
    tmp_db: Path, tmp_path: Path
) -> None:
    f = tmp_path / "p.csv"
    pd.DataFrame([_row("GP-1"), _row("GP-2", evidence_of_success="Sales up 10 %")]).to_csv(
        f, index=False
    )
    import_practices(f)
    with pytest.raises(ValidationError, match="no evidence of success: it cannot be published"):
        change_state("GP-1", "validated_partner", "Partner A")
    with pytest.raises(
        ValidationError, match="can move to validated_partner, not 'validated_expert'"
    ):
        change_state("GP-2", "validated_expert", "Expert B")
    change_state("GP-2", "validated_partner", "Partner A")
    change_state("GP-2", "validated_expert", "Expert B", note="checked the sales figures")
    history = data.practice_history("GP-2", str(tmp_db))
    assert list(zip(history["from_state"], history["to_state"], history["actor"], strict=True)) == [
        ("draft", "validated_partner", "Partner A"),
        ("validated_partner", "validated_expert", "Expert B"),
    ]
    published = data.load_practices(str(tmp_db), published_only=True)
    assert list(published["practice_id"]) == ["GP-2"]


def test_template_writer_gives_an_importable_file(tmp_db: Path, tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx")
    assert set(pd.ExcelFile(path).sheet_names) == {"practices", "columns"}
    assert import_practices(path) == 1


# ------------------------------------------------------------------------------ demo library
def test_demo_library_has_thirty_synthetic_practices_published_only_with_evidence(
    demo_kb: Path,
) -> None:
    lib = data.load_practices(str(demo_kb))
    assert len(lib) >= 30 and lib["synthetic"].all()
    assert lib["country"].nunique() >= 8
    published = lib[lib["validation_state"] != "draft"]
    assert (published["evidence_of_success"].str.len() > 0).all()
    assert (lib["outcome"] == "unsuccessful").any()


def test_search_known_phrase_first_typos_and_facets(demo_kb: Path) -> None:
    lib = data.load_practices(str(demo_kb), published_only=True)
    index = PracticeIndex(lib)
    target = lib[lib["title"].str.startswith("Guarantee fund")].iloc[1]
    first = index.search(target["title"]).hits.iloc[0]
    assert first["practice_id"] == target["practice_id"]
    # a phrase of the summary finds the practices that share it, and typos are read correctly
    typo = index.search("inovation vouchres")
    assert typo.corrections == {"inovation": "innovation", "vouchres": "vouchers"}
    assert typo.hits.iloc[0]["title"].startswith("Innovation vouchers")
    # facets: filter and counts agree with a direct count of the table
    result = index.search("cluster", {"dimension": ["skills"], "country": ["HU", "RS"]}, limit=100)
    direct = lib[
        lib["dimensions"].map(lambda d: "skills" in d)
        & lib["country"].isin(["HU", "RS"])
        & lib.apply(
            lambda r: "cluster" in f"{r['title']} {r['summary']} {r['description']}".lower(), axis=1
        )
    ]
    assert set(result.hits["practice_id"]) == set(direct["practice_id"])
    assert result.facets["country"] == direct["country"].value_counts().to_dict()


# ------------------------------------------------------------------------------ transferability
def test_peer_with_a_severe_barrier_ranks_above_a_dissimilar_practice_and_says_why() -> None:
    practices = pd.DataFrame(
        [
            {"practice_id": "FAR", "title": "Far practice", "region": "EL30",
             "dimensions": ["sustainability"], "governance_level": "national", "outcome": "successful"},
            {"practice_id": "PEER", "title": "Peer practice", "region": "SI03",
             "dimensions": ["skills"], "governance_level": "regional", "outcome": "successful"},
            {"practice_id": "OWN", "title": "Own practice", "region": "HR03",
             "dimensions": ["skills"], "governance_level": "regional", "outcome": "successful"},
        ]
    )  # fmt: skip
    distances = pd.DataFrame({"region": ["SI03", "RO11", "EL30"], "distance": [0.5, 1.0, 3.0]})
    barriers = pd.DataFrame(
        [
            {
                "barrier_id": "b1",
                "barrier": "Graduates leave",
                "dimensions": ["skills"],
                "severity": 3,
            }
        ]
    )
    out = transferability(
        practices, distances, barriers, "HR03", names={"SI03": "Vzhodna Slovenija"}
    ).set_index("practice_id")
    assert list(out.index) == ["PEER", "FAR"]  # own practice left out
    median = 1.0
    assert out.loc["PEER", "similarity"] == pytest.approx(math.exp(-0.5 / median))
    assert out.loc["FAR", "similarity"] == pytest.approx(math.exp(-3.0 / median))
    assert out.loc["PEER", "barriers"] == 1.0 and out.loc["FAR", "barriers"] == 0.0
    assert out.loc["FAR", "governance"] == 0.5
    reasons = out.loc["PEER", "reasons"]
    assert "Vzhodna Slovenija (SI03) is the 1st closest structural peer" in reasons
    assert "severe barrier 'Graduates leave' of HR03 (skills, severity 3 of 3)" in reasons
    assert "no barrier in its dimension sustainability." in out.loc["FAR", "reasons"]
    barriers = pd.concat(  # two more severe barriers in the peer practice's dimension
        [barriers, barriers.assign(barrier_id="b2"), barriers.assign(barrier_id="b3")]
    )
    out = transferability(practices, distances, barriers, "HR03").set_index("practice_id")
    assert "(skills, severity 3 of 3) and 2 more severe ones." in out.loc["PEER", "reasons"]


def test_transfer_chart_names_each_practice_with_its_code() -> None:
    from workbench.learning.figures import transfer_chart

    long = "Export readiness coaching for agri-food clusters in the region of Thessalia"
    ranking = pd.DataFrame(
        {"practice_id": ["GP-1", "GP-2"], "title": [long, "Cluster vouchers"], "origin": ["EL61", "SI03"],
         "similarity": [0.5, 0.2], "barriers": [1.0, 0.0], "governance": [1.0, 0.5]}
    )  # fmt: skip
    fig = transfer_chart(ranking, {"similarity": 1, "barriers": 1, "governance": 1}, "Top")
    first, second = reversed(fig.data[0].y)  # the best practice is drawn on top (last)
    assert second == "Cluster vouchers (GP-2)" and first.endswith(" … (GP-1)")
    assert first.startswith("Export readiness coaching") and len(first) <= 48 + len(" (GP-1)")


def test_governance_match() -> None:
    levels = ["local", "regional", "national", "transnational"]
    assert governance_match("regional", "regional", levels) == 1.0
    assert governance_match("national", "regional", levels) == 0.5
    assert governance_match("transnational", "local", levels) == 0.0


def test_demo_ranking_uses_the_peer_measure(demo_kb: Path) -> None:
    from workbench.evidence.reports import parallel_contexts

    report = transferable_practices("HR03", db=str(demo_kb))
    peers = parallel_contexts("HR03", n=10_000, db=str(demo_kb)).peers.set_index("region")
    median = peers["distance"].median()
    for rec in report.ranking.head(5).itertuples():
        assert rec.similarity == pytest.approx(
            math.exp(-peers.loc[rec.origin, "distance"] / median)
        )
        assert rec.origin != "HR03" and rec.validation_state != "draft"
    assert report.ranking["score"].is_monotonic_decreasing


def test_cli_search_and_transfer(demo_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.cli import app

    monkeypatch.setenv("WORKBENCH_DB", str(demo_kb))
    result = CliRunner().invoke(app, ["practices", "search", "guarantee fund", "--country", "EL"])
    assert result.exit_code == 0, result.output
    assert "Guarantee fund" in result.output and "country: EL" in result.output


@pytest.mark.slow
def test_report_notebook_ranks_with_reasons_for_a_region(demo_kb: Path, tmp_path: Path) -> None:
    env = os.environ | {"WORKBENCH_DB": str(demo_kb)}
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "run", str(ROOT / "notebooks" / "good_practices.ipynb"),
         "-p", "region", "SI03", "--out", str(tmp_path), "-q"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    csv = next(tmp_path.glob("good_practices/latest/*/practices.csv"))
    shown = pd.read_csv(csv)
    direct = transferable_practices("SI03", db=str(demo_kb)).ranking
    assert shown["practice_id"].tolist() == direct["practice_id"].tolist()
    assert shown["reasons"].str.contains("closest structural peer").all()
    html = next(tmp_path.glob("good_practices/latest/*/report.html")).read_text(encoding="utf-8")
    assert "is the most transferable practice to Vzhodna Slovenija (SI03)" in html


def test_dashboard_form_submits_a_draft_through_the_inbox(demo_kb_copy: Path) -> None:
    from workbench import capture
    from workbench.dashboards.practice_form import PracticeFormDashboard

    dash = PracticeFormDashboard(db=str(demo_kb_copy))
    f = dash.fields
    f["practice_id"].value = "GP-SI03-900"
    f["title"].value = "Cluster <b>academy</b>"
    f["summary"].value = "Training for cluster managers."
    f["institution"].value = "Agency"
    f["region"].value = "si03"
    f["instrument_type"].value = "training"
    assert not dash.submit()  # dimensions and governance level missing
    assert "dimensions: required" in dash.status.value and "governance_level" in dash.status.value
    f["dimensions"].value = ("skills",)
    f["governance_level"].value = "regional"
    assert dash.submit(), dash.status.value
    capture.merge(str(demo_kb_copy))
    stored = data.load_practices(str(demo_kb_copy)).set_index("practice_id").loc["GP-SI03-900"]
    assert stored["validation_state"] == "draft" and stored["region"] == "SI03"
    assert stored["dataset_id"] == "capture:practices"
    dash.query.value = "guarantee fund"
    assert "Guarantee fund" in dash.results.value and "<b>academy" not in dash.results.value
