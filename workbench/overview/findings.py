"""Key findings in words for the knowledge-base overview of one country (pure function).

DataFrames in (the tables the report shows), 3-5 sentences out: what the knowledge base holds and
how much of it is synthetic, coverage per dataset, the least covered region-year and the
observation flags.  Numbers come from the report's CSV files (``datasets.csv``,
``coverage_by_dataset.csv``, ``coverage_region_year.csv``, ``flags.csv``) after the rounding of
:mod:`workbench.wording`.
"""

from __future__ import annotations

import pandas as pd

from workbench.kb.names import dataset_label, region_label
from workbench.wording import count, num, sentence


def overview_findings(
    country: str,
    datasets: pd.DataFrame,
    coverage_by_dataset: pd.DataFrame,
    coverage_matrix: pd.DataFrame,
    flags: pd.DataFrame,
    *,
    names: dict[str, str] | None = None,
) -> list[str]:
    """3-5 sentences on the knowledge base's holdings for ``country`` (see the module docstring)."""
    names = names or {}
    who = region_label(country, names)
    titles = (
        dict(zip(datasets["dataset_id"], datasets["title"], strict=True))
        if {"dataset_id", "title"} <= set(datasets.columns)
        else {}
    )

    def label(dataset_id: str) -> str:  # "title (id)"
        return dataset_label(str(dataset_id), titles.get(dataset_id))

    synthetic = int(datasets["synthetic"].astype(bool).sum()) if len(datasets) else 0
    out = [
        sentence(
            f"The knowledge base holds {count(len(datasets), 'dataset')}, "
            f"{num(synthetic)} of them synthetic demo data"
            + (" (not real statistics)" if synthetic else " (all imported from real files)")
            + f"; {num(len(coverage_by_dataset))} of them have observations for {who}"
        )
    ]
    if len(coverage_by_dataset):
        c = coverage_by_dataset.sort_values(["regions", "observations"], ascending=False)
        widest = c.iloc[0]
        worst = coverage_by_dataset.sort_values("missing_pct", ascending=False).iloc[0]
        out.append(
            sentence(
                f"The widest coverage is {label(widest['dataset_id'])}: {count(int(widest['regions']), 'region')}, "
                f"{widest['first_period']}-{widest['last_period']}, "
                f"{num(widest['missing_pct'], 2)} % of its cells missing"
            )
        )
        out.append(
            sentence(
                f"The most gaps are in {label(worst['dataset_id'])} ({num(worst['missing_pct'], 2)} % of "
                f"{num(worst['observations'])} cells missing)"
                if worst["missing_pct"] > 0
                else "No dataset has missing cells for this country"
            )
        )
    if len(coverage_matrix):
        nuts2 = [r for r in coverage_matrix.index if len(str(r)) == 4]
        stacked = (coverage_matrix.loc[nuts2] if nuts2 else coverage_matrix).stack()
        region, period = stacked.idxmin()
        out.append(
            sentence(
                f"Fewest values in one year{' among the NUTS 2 regions' if nuts2 else ''}: "
                f"{region_label(str(region), names)} in {period} ({num(stacked.min())} values, "
                f"against {num(stacked.max())} in the best-covered region and year)"
            )
        )
    flagged = flags[flags["flag"].astype(str) != ""] if len(flags) else flags
    if len(flagged):
        top = flagged.sort_values("observations", ascending=False).iloc[0]
        out.append(
            sentence(
                f"Most frequent observation flag: '{top['flag']}' ({top['meaning']}) on "
                f"{num(top['observations'])} cells of {label(top['dataset_id'])}"
            )
        )
    else:
        out.append(sentence("No observation carries a flag (estimated, provisional, break ...)"))
    return out[:7]
