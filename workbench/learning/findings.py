"""Key findings of the good-practice report in words (pure: result tables in, sentences out)."""

from __future__ import annotations

from workbench.learning.transfer import TransferReport


def practice_findings(report: TransferReport) -> list[str]:
    """3-6 sentences: the best practice and why, the dimensions most served, unsuccessful ones."""
    r = report.ranking
    target = f"{report.region_name} ({report.region})"
    if r.empty:
        return [
            f"No practice of another region is in the library for {target}.",
            "Import practices with the template (workbench practices template).",
            "Only validated practices are ranked unless drafts are included.",
        ]
    best = r.iloc[0]
    out = [
        f"{best['title']} ({best['practice_id']}) is the most transferable practice to {target}, "
        f"with a score of {best['score']:.2f} of 1.",
        best["reasons"].split(". ")[0].rstrip(".") + ".",
    ]
    top = r.head(10)
    dims = top["dimensions"].str.split(", ").explode().value_counts()
    out.append(
        f"The ten best-ranked practices mostly address {dims.index[0]} "
        f"({int(dims.iloc[0])} of 10), the dimension where {report.region} records severe barriers."
        if top["barriers"].max() >= 1.0
        else f"The ten best-ranked practices mostly address {dims.index[0]} ({int(dims.iloc[0])} of 10)."
    )
    peers = top.drop_duplicates("origin")
    out.append(
        f"They come from {len(peers)} regions; the closest structural peer among them is "
        f"{peers.sort_values('similarity', ascending=False).iloc[0]['origin_name']} "
        f"({peers.sort_values('similarity', ascending=False).iloc[0]['origin']})."
    )
    failed = r[r["outcome"] == "unsuccessful"]
    if len(failed):
        out.append(
            f"{len(failed)} practice(s) did not reach their targets, e.g. {failed.iloc[0]['title']} "
            f"({failed.iloc[0]['practice_id']}): worth reading for what went wrong."
        )
    return out
