"""Invitation links: the participant page opened already signed in, and a printable sheet of them.

* A link is ``{base}voila/render/foresight_participant.ipynb?exercise=ID&code=CODE&token=T``
  (:func:`invitation_url`); ``token`` is the participants' token of ``workbench serve`` (kept in
  ``<knowledge-base folder>/.serve/tokens.json``), so the link works off 127.0.0.1 too.  Jupyter
  Server scrubs ``code`` and ``token`` from the URLs it logs.
* The participant page (:meth:`ForesightParticipant.from_request
  <workbench.dashboards.foresight_participant.ForesightParticipant.from_request>`) reads the query
  string and joins with its code.  A preheated kernel (Voila's pool) has executed the notebook
  before anybody asked for the page, so the query string reaches it only through Voila's
  request-info socket (``voila.utils.get_query_string``, answered by ``/voila/query/<kernel id>``,
  which :mod:`workbench.serving.app` allows for the server's own kernels); a kernel started for the
  request has it in its environment.  A code typed in lower case or without the dash works
  (:func:`workbench.foresight.state.normalise_code`).
* :func:`invitation_sheet` writes an HTML page (and with WeasyPrint a PDF) of cards, one per
  participant: the QR code of the link (segno, an inline PNG: nothing is fetched), the link
  and the code.  Cut along the lines and hand out one card per person.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import parse_qs, urlencode

PARTICIPANT_PAGE = "voila/render/foresight_participant.ipynb"


def invitation_url(
    base_url: str,
    exercise_id: str,
    code: str,
    token: str | None = None,
    language: str | None = None,
) -> str:
    """The link that opens the participant page signed in as ``code``."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    params = {"exercise": exercise_id, "code": code}
    if language:
        params["lang"] = language
    if token:
        params["token"] = token
    return f"{base}{PARTICIPANT_PAGE}?{urlencode(params)}"


def parse_invitation(query: str) -> dict[str, str]:
    """``exercise``, ``code`` and ``lang`` of a query string (those present and not empty)."""
    values = parse_qs(query.lstrip("?"), keep_blank_values=False)
    return {k: values[k][0].strip() for k in ("exercise", "code", "lang") if values.get(k)}


# ------------------------------------------------------------------------------------------------
# tokens and the printable sheet


def participant_token(db: str | os.PathLike[str] | None = None) -> str:
    """The participants' token of ``workbench serve`` for this knowledge base (made once and kept
    in ``.serve/tokens.json`` beside it, so links printed now work when the server starts later)."""
    from workbench.config import db_path
    from workbench.serving.roles import PARTICIPANT, load_or_create_tokens

    path = db_path(db).parent / ".serve" / "tokens.json"
    return load_or_create_tokens(path, {})[PARTICIPANT]


def invitations(
    exercise_id: str,
    base_url: str,
    db: str | os.PathLike[str] | None = None,
    *,
    token: str | None = None,
    with_token: bool = True,
) -> list[dict[str, str]]:
    """One record per participant of an exercise: code, group, language and link."""
    from workbench.kb import query

    found = query(
        "SELECT title FROM foresight_exercises WHERE exercise_id = ?", [exercise_id], db=db
    )
    if found.empty:
        from workbench.errors import ValidationError
        from workbench.foresight.model import list_exercises

        known = ", ".join(list_exercises(db)["exercise_id"]) or "none"
        raise ValidationError(f"unknown foresight exercise {exercise_id!r} (known: {known})")
    rows = query(
        "SELECT participant_code, group_label, language FROM foresight_participants "
        "WHERE exercise_id = ? AND role = 'participant' ORDER BY created_at, participant_code",
        [exercise_id],
        db=db,
    )
    tok = (token or participant_token(db)) if with_token else None
    out = []
    for r in rows.itertuples():
        language = r.language if isinstance(r.language, str) and r.language else None
        group = r.group_label if isinstance(r.group_label, str) and r.group_label else ""
        out.append(
            {
                "title": str(found["title"].iloc[0]),
                "code": str(r.participant_code),
                "group": group,
                "language": language or "",
                "url": invitation_url(
                    base_url, exercise_id, str(r.participant_code), tok, language
                ),
            }
        )
    return out


CARD_CSS = """
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans", sans-serif; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 4mm 0; }
.note { font-size: 9pt; margin: 0 0 4mm 0; }
table.cards { border-collapse: collapse; width: 100%; table-layout: fixed; }
tr { page-break-inside: avoid; break-inside: avoid; }
td.card { width: 50%; height: 62mm; padding: 3mm; border: 1px dashed #888; vertical-align: top;
          font-size: 9pt; overflow-wrap: anywhere; word-break: break-all; }
.qr { float: left; width: 40mm; height: 40mm; margin: 0 3mm 1mm 0; image-rendering: pixelated; }
.code { font: bold 15pt "DejaVu Sans Mono", monospace; letter-spacing: 1px; margin: 2mm 0;
        word-break: normal; }
.url { clear: both; font: 6.5pt "DejaVu Sans Mono", monospace; color: #333; }
"""


def invitation_sheet(
    exercise_id: str,
    base_url: str,
    out: str | os.PathLike[str],
    db: str | os.PathLike[str] | None = None,
    *,
    pdf: str | os.PathLike[str] | None = None,
    token: str | None = None,
    with_token: bool = True,
) -> list[Path]:
    """Write the printable sheet of invitation cards (HTML; and PDF when ``pdf`` is given).  Works
    offline: QR codes are inline PNG images, no fonts or scripts are fetched."""
    import segno

    records = invitations(exercise_id, base_url, db, token=token, with_token=with_token)
    title = records[0]["title"] if records else exercise_id
    cards = []
    for r in records:
        # a PNG data URI: offline, and WeasyPrint draws it far faster than an SVG of many squares
        png = segno.make(r["url"], error="m").png_data_uri(scale=4, border=2)
        extra = []
        if r["group"]:
            extra.append(f"group {html.escape(r['group'])}")
        if r["language"]:
            extra.append(f"language {html.escape(r['language'])}")
        cards.append(
            "<td class='card'>"
            f"<img class='qr' src='{png}' alt='QR code of the invitation link'>"
            f"<div><b>{html.escape(title)}</b></div>"
            "<div>Scan the square with your phone's camera, or type the address below. "
            "If the page asks for it, your code is:</div>"
            f"<div class='code'>{html.escape(r['code'])}</div>"
            f"<div>{' - '.join(extra)}</div>"
            f"<div class='url'>{html.escape(r['url'])}</div>"
            "</td>"
        )
    if len(cards) % 2:
        cards.append("<td></td>")
    rows = "".join(f"<tr>{cards[i]}{cards[i + 1]}</tr>" for i in range(0, len(cards), 2))
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Invitations: {html.escape(title)}</title><style>{CARD_CSS}</style></head><body>"
        f"<h1>Invitations: {html.escape(title)} ({len(records)} participants)</h1>"
        "<p class='note'>One card per participant; cut along the dashed lines. Each link opens "
        "the participant page already signed in. Keep this sheet: the codes are the only way "
        "in (no names are stored).</p>"
        f"<table class='cards'>{rows}</table></body></html>"
    )
    html_path = Path(out)
    html_path.write_text(doc, encoding="utf-8")
    written = [html_path]
    if pdf is not None:
        from weasyprint import HTML

        HTML(string=doc, base_url=str(html_path.parent)).write_pdf(str(pdf))
        written.append(Path(pdf))
    return written
