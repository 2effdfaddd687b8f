"""Countries are named in English in every report ("Greece (EL)", not GISCO's level-0 "Elláda"),
checked against the Unicode CLDR English territory names (through Babel)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from babel import Locale

from workbench.kb.names import NUTS_NAMES_FILE, country_names, region_label, region_names

#: EU protocol order codes that differ from ISO 3166-1 alpha-2
PROTOCOL_TO_ISO = {"EL": "GR", "UK": "GB"}


def test_country_names_are_the_english_cldr_names_for_every_nuts_country() -> None:
    english = Locale("en").territories
    names = country_names()
    nuts = pd.read_csv(NUTS_NAMES_FILE, dtype=str, keep_default_na=False)
    assert set(nuts.loc[nuts["level"] == "0", "code"]) <= set(names)  # every NUTS country
    for code, name in names.items():
        cldr = english[PROTOCOL_TO_ISO.get(code, code)].replace(" & ", " and ")
        assert name == cldr, (code, name, cldr)


def test_reports_name_countries_in_english_even_over_the_kb_regions(tmp_db: Path) -> None:
    with duckdb.connect(str(tmp_db)) as con:  # a KB whose regions carry the local names
        con.execute("CREATE TABLE regions (code VARCHAR, name VARCHAR, name_latn VARCHAR)")
        con.execute(
            "INSERT INTO regions VALUES ('EL', 'Ελλάδα', 'Elláda'), ('EL30', 'Αττική', 'Attiki')"
        )
    names = region_names(tmp_db)
    assert region_label("EL", names) == "Greece (EL)"
    assert region_label("EL30", names) == "Attiki (EL30)"  # regions keep their own names
    assert region_label("MK", names) == "North Macedonia (MK)"
    assert region_label("BA", names) == "Bosnia and Herzegovina (BA)"  # a partner without NUTS
