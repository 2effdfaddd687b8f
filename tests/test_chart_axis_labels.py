"""Long category names (NACE divisions run to 130 characters) are cut between words on a chart's
axis, so that the plot keeps its width; the full name stays in the hover and the table."""

from __future__ import annotations

import pandas as pd

from workbench.evidence.figures import lq_chart, shift_share_chart
from workbench.wording import AXIS_LABEL_WIDTH

LONG = (
    "C16 Manufacture of wood and of products of wood and cork, except furniture; manufacture of "
    "articles of straw and plaiting materials"
)


def _sectors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": [LONG, "H50 Water transport"],
            "lq": [2.5, 0.7],
            "employment": [12.0, 3.0],
            "stars": [2, 0],
            "national_share": [1.0, 0.5],
            "industry_mix": [-0.2, 0.1],
            "regional_shift": [0.4, -0.3],
            "change": [1.2, 0.3],
        }
    )


def test_long_sector_names_are_cut_between_words_on_the_axis() -> None:
    for fig in (
        lq_chart(_sectors(), "HR03"),
        shift_share_chart(_sectors(), "HR03", "2012", "2023"),
    ):
        labels = [str(y) for trace in fig.data for y in trace.y]
        assert "H50 Water transport" in labels  # a short name stays whole
        (cut,) = {y for y in labels if y.startswith("C16 ")}
        assert len(cut) <= AXIS_LABEL_WIDTH and cut.endswith(" …")
        assert LONG.startswith(cut.removesuffix(" …"))  # whole words of the name, code first
    hover = lq_chart(_sectors(), "HR03").data[0]
    assert LONG in [row[2] for row in hover.customdata]  # the hover names the sector in full
