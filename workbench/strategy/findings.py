"""Key findings in words for the joint strategy and the initiative reports (pure functions over the
result tables; every number is in a table of the report after the rounding of
:mod:`workbench.wording`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.wording import count, join, num, sentence

if TYPE_CHECKING:
    from workbench.strategy.reports import InitiativeReport, JointStrategy


def _v(n: int, singular: str, plural: str) -> str:
    """The verb form that agrees with a count."""
    return singular if n == 1 else plural


def strategy_findings(result: JointStrategy) -> list[str]:
    """3-7 sentences: size and completeness of the plan, the most frequent gap, progress, evidence
    coverage of severe barriers, actions without evidence, funding that ends with the project."""
    where = "" if result.region == "all" else f" for {result.region_name}"
    n = len(result.actions)
    incomplete = result.gaps["action_id"].nunique() if len(result.gaps) else 0
    out = [
        sentence(
            f"The action plan{where} holds {count(n, 'action')} under "
            f"{count(len(result.objective_progress), 'objective')}; {num(n - incomplete)} of them"
            " have the whole minimum content of an S3 action plan"
        )
    ]
    if len(result.gaps):
        top = result.gaps["element"].value_counts()
        element, k = top.index[0], int(top.iloc[0])
        ids = result.gaps.loc[result.gaps["element"] == element, "action_id"].tolist()
        out.append(
            sentence(
                f"{count(len(result.gaps), 'gap')} in all; the most frequent missing element is "
                f"the {element} ({count(k, 'action')}: {join(ids[:4])})"
            )
        )
    obj = result.objective_progress[result.objective_progress["actions"] > 0]
    if len(obj) and result.period:
        best = obj.sort_values("progress_pct", ascending=False).iloc[0]
        worst = obj.sort_values("progress_pct").iloc[0]
        out.append(
            sentence(
                f"As of {result.period} the plan is {num(result.overall['progress'])} % done "
                f"({result.overall['method']} of the objectives); the most advanced objective is "
                f"{best['title']} ({best['objective_id']}, {num(best['progress_pct'])} %), the least "
                f"advanced {worst['title']} ({worst['objective_id']}, {num(worst['progress_pct'])} %)"
            )
        )
    elif not result.period:
        out.append("No progress has been reported yet, so every action counts as not started.")
    cov = result.coverage
    if cov["severe"]:
        open_ = result.unaddressed
        worst_region = open_["region"].value_counts() if len(open_) else None
        tail = (
            f"; {worst_region.index[0]} has the most of these ({num(int(worst_region.iloc[0]))})"
            if worst_region is not None and result.region == "all"
            else ""
        )
        out.append(
            sentence(
                f"{num(cov['addressed'])} of the {num(cov['severe'])} severe barriers (severity 2 or "
                f"more) of {'the plan' + chr(39) + 's regions' if result.region == 'all' else result.region_name}"
                " are addressed by at least one action, "
                f"{num(len(open_))} are not{tail}"
            )
        )
    if len(result.orphans):
        named = [f"{r.action_id} '{r.title}'" for r in result.orphans.itertuples()]
        out.append(
            sentence(
                f"{count(len(result.orphans), 'action')} {_v(len(result.orphans), 'links', 'link')}"
                " no barrier, mechanism or pilot "
                f"result: {join(named[:4])}"
            )
        )
    else:
        out.append("Every action is linked to at least one barrier, mechanism or pilot result.")
    ends = result.funding_ends
    if len(ends):
        none = ends[ends["continuation"] == ""]
        out.append(
            sentence(
                f"{count(len(ends), 'action')} {_v(len(ends), 'is', 'are')} funded only until the"
                " project ends; "
                + (
                    f"{num(len(none))} of them {_v(len(none), 'has', 'have')} no continuation planned "
                    f"({join(none['action_id'].tolist()[:5])})"
                    if len(none)
                    else "each has a continuation planned"
                )
            )
        )
    return out[:7]


def initiative_findings(report: InitiativeReport) -> list[str]:
    """3-7 sentences: signatories and countries, breaches of commitments, governance, network."""
    s = report.signatories
    active = s[s["left_on"].isna()]
    statuses = active["status"].value_counts()
    parts = [count(int(statuses.get(k, 0)), k) for k in ("member", "associate", "observer")]
    out = [
        sentence(
            f"{report.name} has {count(len(active), 'signatory', 'signatories')} from "
            f"{count(active['country'].nunique(), 'country', 'countries')}: {join(parts)}"
        )
    ]
    c = report.checks
    breaches = c[c["level"] == "breach"]
    no_action = breaches[breaches["check"] == "member without a joint action"]
    if len(no_action):
        out.append(
            sentence(
                f"As of {report.as_of}, {count(len(no_action), 'signatory', 'signatories')} past "
                f"the deadline {_v(len(no_action), 'leads or joins', 'lead or join')} no joint action:"
                f" {join(no_action['name'].tolist()[:4])}"
            )
        )
    else:
        out.append(
            sentence(
                f"As of {report.as_of}, every member past its deadline takes part in a joint action"
            )
        )
    missing = breaches[breaches["check"] == "missing self-assessment"]
    out.append(
        sentence(
            f"{count(len(missing), 'signatory', 'signatories')} {_v(len(missing), 'has', 'have')} no"
            " self-assessment in the last 12 months"
            + (f" ({join(missing['signatory_id'].tolist()[:10])})" if len(missing) else "")
        )
        if len(missing)
        else "Every signatory bound by it has published its annual self-assessment."
    )
    gov = breaches[
        breaches["check"].isin(
            ["expired mandate", "term limit exceeded", "board larger than its size"]
        )
    ]
    if len(gov):
        first = [m[0].lower() + m[1:] for m in gov["message"].tolist()[:2]]
        out.append(sentence(f"Governance: {'; '.join(first)}"))
    due = c[c["level"] == "due"]
    if len(due):
        out.append(
            sentence(
                f"{count(len(due), 'signatory', 'signatories')} still {_v(len(due), 'has', 'have')}"
                " time for a first joint "
                f"action: {join([f'{r.name} (by {r.due})' for r in due.itertuples()][:3])}"
            )
        )
    if len(report.centrality):
        top = report.centrality.iloc[0]
        out.append(
            sentence(
                f"In the cooperation network of joint actions, {top['name']} is the most central "
                f"region (betweenness {num(top['betweenness'], 2)}, {count(int(top['partners']), 'partner')})"
                + (
                    f"; {count(len(report.without_partners), 'member region')}"
                    f" {_v(len(report.without_partners), 'lacks', 'lack')} a partner in at "
                    "least one dimension"
                    if len(report.without_partners)
                    else ""
                )
            )
        )
    return out[:7]
