"""Translations of the participant page's own texts (gettext catalogues kept with Babel).

The catalogues are ``workbench/dashboards/locale/<lang>/LC_MESSAGES/participant.po`` (template:
``locale/participant.pot``, extracted from ``foresight_participant.py`` with
``pybabel extract -k _ -k N_ -o ... workbench/dashboards/foresight_participant.py``).  They are read
and compiled in memory at run time (Babel's ``read_po``/``write_mo``: offline, no build step), once
per process.  English is the source language.  Statement texts are not in these catalogues: they
come with the exercise (its per-statement translations).
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "participant"
# the languages the page offers, in the language itself (picker labels)
LANGUAGES: dict[str, str] = {"en": "English", "sl": "Slovenščina", "hr": "Hrvatski"}


def po_path(lang: str) -> Path:
    """The catalogue of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """Compiled translations of ``lang`` (English or an unknown language: the source texts)."""
    path = po_path(lang)
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str) -> Callable[[str], str]:
    """The ``_`` function of ``lang``."""
    return translations(lang if lang in LANGUAGES else "en").gettext


def pick_language(query_lang: str | None, accept_language: str | None = None) -> str:
    """The page language: ``?lang=`` if offered, else the browser's first offered language, else
    English."""
    wanted = [query_lang or ""]
    for part in (accept_language or "").split(","):
        wanted.append(part.split(";")[0].strip())
    for tag in wanted:
        base = tag.lower().split("-")[0].split("_")[0]
        if base in LANGUAGES:
            return base
    return "en"


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """Mark a text for extraction; translated where it is shown."""
    return message
