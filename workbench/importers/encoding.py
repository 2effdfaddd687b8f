"""Text encodings of imported files: explicit (``--encoding``) or detected.

Detection: a UTF-8 byte-order mark means ``utf-8-sig``; bytes that decode as UTF-8 are UTF-8;
otherwise charset-normalizer picks the most coherent legacy code page (e.g. ``cp1253`` for the Greek
operations list, which the ``file`` tool misidentifies).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from workbench.errors import ImportFailed, Problem

DETECT_BYTES = 1 << 20


def check_encoding(name: str, file: str) -> str:
    """The canonical codec name for ``name``; ImportFailed when Python does not know it."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ImportFailed(
            [Problem(file=file, value=name, rule="unknown text encoding (--encoding)")]
        ) from None


def detect_encoding(path: Path, explicit: str | None = None) -> str:
    """Encoding to read ``path`` with: ``explicit`` if given, else detected from the bytes."""
    if explicit:
        return check_encoding(explicit, str(path))
    with open(path, "rb") as fh:
        raw = fh.read(DETECT_BYTES)
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 4 and len(raw) == DETECT_BYTES:
            return "utf-8"  # a multi-byte character cut by the read limit
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise ImportFailed(
            [
                Problem(
                    file=str(path),
                    rule="cannot tell the text encoding; pass --encoding (e.g. cp1250, cp1253)",
                )
            ]
        )
    return codecs.lookup(best.encoding).name


def read_text(path: Path, encoding: str) -> str:
    """Whole file as text; a byte that does not decode is reported with its line."""
    raw = path.read_bytes()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(
            [
                Problem(
                    file=str(path),
                    line=line,
                    value=repr(raw[exc.start : exc.end]),
                    rule=f"byte does not decode as {encoding}; pass --encoding",
                )
            ]
        ) from None
