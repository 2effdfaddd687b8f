"""NUTS region codes and country codes: the one definition of their patterns.

NUTS codes (Regulation (EC) No 1059/2003, NUTS 2021 classification, Eurostat) are a two-letter
country code followed by one character per level: ``HR`` (level 0), ``HR0`` (1), ``HR03`` (2),
``HR031`` (3).  Countries use Eurostat's codes, which differ from ISO 3166-1 alpha-2 for Greece
(``EL``, ISO ``GR``); :func:`nuts_country` maps the ISO spelling to the Eurostat one.
"""

from __future__ import annotations

import re

#: A NUTS code of any level 0-3 (``HR``, ``HR0``, ``HR03``, ``HR031``).
NUTS_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
#: A region code of NUTS level 1-3 (not a country).
REGION_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,3}$")
#: A NUTS 2 code (``HR03``).
NUTS2_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{2}$")
#: A two-letter country code (Eurostat spelling: ``EL`` for Greece).
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")

#: ISO 3166-1 alpha-2 codes that Eurostat/NUTS spell differently.
ISO_TO_NUTS = {"GR": "EL"}


def country_of(region: str) -> str:
    """Country of a NUTS code: its first two letters (``HR03`` -> ``HR``; Greece is ``EL``)."""
    return str(region)[:2]


def nuts_level(code: str) -> int:
    """NUTS level of a code: its length minus two (``HR`` -> 0, ``HR03`` -> 2)."""
    return len(str(code)) - 2


def nuts_country(code: str) -> str:
    """An upper-case country code in Eurostat's spelling (``gr`` -> ``EL``, ``hr`` -> ``HR``)."""
    upper = str(code).strip().upper()
    return ISO_TO_NUTS.get(upper, upper)
