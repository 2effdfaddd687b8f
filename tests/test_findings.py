"""Key findings in words (issue 13): the rendering block, the number helper, comparable defaults
(common period, identical peers collapsed, small-sector caveat) and, on the demo knowledge base,
that every number of every findings function is in the tables the report saves as CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.findings_check import key_findings_in, numbers_in, unmatched_numbers

from workbench.config import load_defaults
from workbench.errors import ValidationError
from workbench.evidence import peers as peers_mod
from workbench.evidence.findings import (
    common_period,
    min_sectors,
    parallel_contexts_findings,
    s3_profile_findings,
)
from workbench.evidence.peers import peer_regions
from workbench.evidence.reports import build_s3_profile
from workbench.reporting.findings import key_findings_html
from workbench.wording import num, pct


# ------------------------------------------------------------------ rendering and helpers
def test_block_is_one_escaped_list_with_the_agreed_markup() -> None:
    page = key_findings_html(["LQ < 2 & rising.", "Second.", "Third."])
    assert page.startswith(
        '<section class="key-findings" aria-label="Key findings"><h2>Key findings'
    )
    assert "LQ &lt; 2 &amp; rising." in page
    assert key_findings_in(page) == ["LQ < 2 & rising.", "Second.", "Third."]
    with pytest.raises(ValidationError):
        key_findings_html("one string, not a list")


def test_numbers_in_sentences_skip_codes_and_keep_separators() -> None:
    s = "Jadranska Hrvatska (HR03) in M_N and D01: LQ 1.51, 36 % of 1,234 (2010-2015)."
    assert numbers_in(s) == ["1.51", "36", "1,234", "2010", "2015"]
    assert num(-0.004, 2) == "0.00" and num(1234.5) == "1,234" and pct(0.3627) == "36 %"


# ------------------------------------------------------------------ comparable by default
def _panel(regions: dict[str, list[str]], sectors: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {"period": p, "region": r, "sector": f"S{s:02d}", "value": float(rng.integers(5, 100))}
        for r, periods in regions.items()
        for p in periods
        for s in range(sectors)
    ]
    return pd.DataFrame(rows).assign(flag=None)


def test_common_period_is_the_span_most_regions_share() -> None:
    years = [str(y) for y in range(2008, 2016)]
    regions = {f"XX{i:02d}": years[2:] for i in range(19)} | {"YY01": years}  # 1 of 20 from 2008
    panel = _panel(regions, 3)
    # 2008 and 2009 have 1 region of 20 (5 %), 2010-2015 all 20: the common span is 2010-2015
    assert common_period(panel, 0.95) == ("2010", "2015")
    assert common_period(panel, 0.05) == ("2008", "2015")


def test_profiles_of_two_regions_share_period_and_reference_set() -> None:
    years = [str(y) for y in range(2010, 2016)]
    regions = {f"XX{i:02d}": years[1:] for i in range(6)}
    regions |= {f"XX{i:02d}": years for i in range(6, 12)} | {"YY01": years}  # 7 of 13 in 2010
    panel = _panel(regions, 6)
    default = common_period(panel)
    ind = pd.DataFrame(index=pd.Index([], name="region"))
    a = build_s3_profile(panel, ind, "YY01", default_period=default, n_peers=3)
    b = build_s3_profile(panel, ind, "XX03", default_period=default, n_peers=3)
    cols = ["start", "end", "reference_economy", "regions_compared", "period_rule"]
    assert a.basis[cols].to_dict("records") == b.basis[cols].to_dict("records")
    assert (a.start, a.end) == ("2011", "2015")  # not YY01's own first year 2010
    basis = [s for s in s3_profile_findings(a) if s.startswith("Comparison basis")]
    assert basis == [s for s in s3_profile_findings(b) if s.startswith("Comparison basis")]
    # an explicit start wins and the report says it is not the common default
    c = build_s3_profile(panel, ind, "YY01", start="2010", default_period=default, n_peers=3)
    assert c.start == "2010" and c.basis["period_rule"].iat[0] != a.basis["period_rule"].iat[0]
    # 6 sectors < min_sectors: the caveat is visible in the note and in the findings
    assert min_sectors() > 6
    assert "Caveat" in a.note("complexity")
    assert any("only 6 broad sectors" in s for s in s3_profile_findings(a))


def test_identical_regions_are_one_peer_or_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    v = pd.DataFrame(rng.normal(size=(8, 4)), columns=list("abcd"))
    v.index = ["HR03", "LT01", "LT02", "PL42", "EL52", "HU22", "PL71", "CZ03"]
    v.loc["LT02"] = v.loc["LT01"]  # a split region: identical copies of one parent's data
    out = peer_regions(v, "HR03", n=6, log_variables=[])
    twins = [r for r in ("LT01", "LT02") if r in set(out["region"])]
    assert len(twins) == 1 and len(out) == 6
    row = out[out["region"] == twins[0]].iloc[0]
    assert row["same_data_as"] == ({"LT01", "LT02"} - {twins[0]}).pop()
    cfg = {
        **load_defaults("evidence"),
        "peers": {**load_defaults("evidence")["peers"], "identical_regions": "mark"},
    }
    monkeypatch.setattr(peers_mod, "load_defaults", lambda name: cfg)
    marked = peer_regions(v, "HR03", n=7, log_variables=[])
    assert {"LT01", "LT02"} <= set(marked["region"])
    assert set(marked.loc[marked["region"].isin(["LT01", "LT02"]), "same_data_as"]) == {
        "LT01",
        "LT02",
    }


# ------------------------------------------------------------------ every number from a table (demo KB)
def _save(tmp: Path, **frames: pd.DataFrame) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(tmp / f"{name}.csv", index=not isinstance(df.index, pd.RangeIndex))
    return tmp


def _check(sentences: list[str], folder: Path, constants: tuple[float, ...] = ()) -> None:
    assert 3 <= len(sentences) <= 7, sentences
    assert unmatched_numbers(sentences, folder, constants) == []


def test_demo_evidence_findings_numbers_come_from_the_tables(demo_kb: Path, tmp_path: Path) -> None:
    from workbench.evidence import figures
    from workbench.evidence.reports import parallel_contexts, s3_profile

    p = s3_profile("HR03", db=str(demo_kb))
    sentences = s3_profile_findings(p)
    folder = _save(
        tmp_path / "s3",
        specialisation=p.specialisation,
        shift_share_total=p.shift_share_total,
        diversification_options=p.options,
        eci_regions=p.eci,
        peers=figures.peers_drivers(p.peers),
        comparison_basis=p.basis,
    )
    _check(
        sentences,
        folder,
        (float(load_defaults("evidence")["quadrant"]["lq_threshold"]), min_sectors()),
    )
    assert sentences[0].startswith("Jadranska Hrvatska (HR03) is most specialised in")
    c = parallel_contexts("SI03", db=str(demo_kb))
    folder = _save(
        tmp_path / "pc",
        peer_distances=figures.peers_drivers(c.peers),
        peers=c.peers.drop(columns=[x for x in c.peers.columns if x.startswith("contrib:")]),
        peer_variables=c.variables,
    )
    _check(parallel_contexts_findings(c), folder, (int(c.period),))  # the period: a parameter


def test_demo_policy_evaluation_foresight_findings_numbers_come_from_the_tables(
    demo_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_DB", str(demo_kb))  # read only
    from workbench.evaluation import data as edata
    from workbench.evaluation.findings import pilot_findings, ranking_findings
    from workbench.evaluation.reports import evaluate_pilot, rank_mechanisms
    from workbench.foresight.findings import foresight_findings
    from workbench.foresight.reports import summarise
    from workbench.kb.names import region_names
    from workbench.policy.findings import barrier_matrix_findings, past_action_findings
    from workbench.policy.parameters import past_action_parameters
    from workbench.policy.reports import barrier_matrix_analysis, past_action_analysis

    a = past_action_analysis(**past_action_parameters("", "EL", "2014-2020", True))
    s = past_action_findings(a, names=region_names())
    _check(s, _save(tmp_path / "pa", spend=a.spend, spend_eur=a.spend_eur, gaps=a.gaps,
                    effectiveness=a.effectiveness, efficiency=a.efficiency, timeline=a.timeline))  # fmt: skip
    assert any(s_.startswith(f"{int(a.gaps['gap'].sum())} gaps") for s_ in s)  # every gap named
    for g in a.gaps[a.gaps["gap"]].itertuples():
        assert any(f"{g.dimension} in {g.region}" in s_ for s_ in s)

    b = barrier_matrix_analysis(["SI03", "SI04", "HR03"], True)
    _check(barrier_matrix_findings(b), _save(tmp_path / "bm", matrix=b.matrix,
           gaps=b.evidence_gaps, by_dimension=b.by_dimension, summary=b.coherence_summary,
           barriers=b.barriers))  # fmt: skip

    pilot = edata.load_pilot("P1")
    e = evaluate_pilot(pilot)
    s = pilot_findings(pilot, e)
    _check(s, _save(tmp_path / "pe", effect=e.effect, achievement=e.achievement,
                    survey_change=e.survey_change), (95,))  # 95 % intervals  # fmt: skip
    assert any(x.startswith("Descriptive, not causal") for x in s)  # the small-n guard refused DiD
    from workbench.evaluation.did import describe_design

    for pid in edata.list_pilots()["pilot_id"]:  # the empty group-time table says why it is empty
        ev = evaluate_pilot(edata.load_pilot(pid))
        design = describe_design(ev.panel)
        assert ev.group_time.empty != design["staggered"]
        assert (ev.group_time_reason == "") == design["staggered"]
        if not design["staggered"]:
            assert f"({design['cohorts'][0][:7]})" in ev.group_time_reason

    r = rank_mechanisms(edata.current_scores(), "ahp")
    names = edata.load_mechanisms().set_index("mechanism_id")["name"].to_dict()
    s = ranking_findings(r, "ahp", names=names)
    _check(s, _save(tmp_path / "mr", ranking=r.table, weights=r.weights_summary(),
                    ahp=r.consistency(), disagreements=r.disagreements), (0.10, 1, 5))  # fmt: skip
    assert s[0].startswith(f"{names[r.table['rank_topsis'].idxmin()]} (")

    f = summarise("see-clusters-2035", db=demo_kb)
    frames = {f"delphi_round_{k}": v for k, v in f.item_stats.items()}
    frames |= {f"stability_round_{k}": v for k, v in f.stability.items()}
    folder = _save(tmp_path / "fs", kendall_w=f.kendall, impact_uncertainty=f.matrix,
                   micmac=f.micmac, **frames)  # fmt: skip
    _check(foresight_findings(f), folder, (f.micmac_power, 1, 2, 5, 9))


def test_foresight_findings_of_an_exercise_without_answers_still_say_three_things() -> None:
    from workbench.foresight.findings import foresight_findings
    from workbench.foresight.model import Exercise
    from workbench.foresight.reports import ForesightSummary

    empty = pd.DataFrame()
    ex = Exercise(
        exercise=pd.Series({"exercise_id": "new", "title": "New exercise"}),
        rounds=empty, participants=empty, drivers=pd.DataFrame(columns=["driver_id", "label"]),
        statements=pd.DataFrame(columns=["statement_id", "text", "scale_points"]),
        answers=empty, comments=empty, ratings=empty, influences=empty,
    )  # fmt: skip
    sentences = foresight_findings(ForesightSummary(exercise=ex))
    assert len(sentences) == 3
    assert sentences[0].startswith("No Delphi answers")
