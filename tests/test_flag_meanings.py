"""Eurostat flags are explained in one place: the data doctor's table and the overview report read
the same code list, and a combined flag ("bu") is explained letter by letter, not as unknown."""

from __future__ import annotations

import pandas as pd

from workbench.kb.names import FLAG_MEANINGS, flag_meaning
from workbench.quality.checks import flagged_values


def test_combined_flags_are_explained_letter_by_letter() -> None:
    assert flag_meaning("bu") == f"{FLAG_MEANINGS['b']}; {FLAG_MEANINGS['u']}"
    assert flag_meaning("p ") == FLAG_MEANINGS["p"]  # as published, with a trailing space
    assert "unknown flag 'x'" in flag_meaning("px")


def test_doctor_table_names_every_letter_of_the_flags_it_counts() -> None:
    counts = pd.DataFrame({"flag": ["bu", "p", "x"], "n": [3, 5, 1]})
    (finding,) = flagged_values("demo:x", counts, 100, warn_flags=["u"], warn_share=0.02)
    table = finding.examples.set_index("flag")
    # letters counted over the combined flags: b 3, u 3, p 5, x 1
    assert table["n"].to_dict() == {"b": 3, "p": 5, "u": 3, "x": 1}
    for letter, meaning in table["meaning"].items():
        assert meaning == FLAG_MEANINGS.get(letter, f"unknown flag {letter!r}")
    assert finding.severity == "warning"  # u (3 % of values) is a flag to warn about above 2 %
