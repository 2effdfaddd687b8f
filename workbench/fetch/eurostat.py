"""Download a dataset's bulk TSV from Eurostat's dissemination API, then import it.

URL template (``{code}`` is replaced by the dataset code): option ``--url`` > env
``WORKBENCH_EUROSTAT_URL`` > :data:`DEFAULT_URL` (the real API, gzip-compressed TSV).  The file is
written to a temporary name and renamed when complete, so a broken download never leaves a
half file; the gzip stream is checked completely before the import starts.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.importers import ImportResult

DEFAULT_URL = (
    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}"
    "?format=TSV&compressed=true"
)
CHUNK = 1 << 16
_CODE = re.compile(r"^[A-Za-z0-9_]{2,64}$")

Progress = Callable[[int, int | None], None]


class FetchError(WorkbenchError):
    """A download failed (network, HTTP status, damaged file)."""


def eurostat_url(code: str, template: str | None = None) -> str:
    """The download URL for a dataset code."""
    if not _CODE.match(code):
        raise FetchError(f"not a Eurostat dataset code: {code!r}")
    template = template or os.environ.get("WORKBENCH_EUROSTAT_URL") or DEFAULT_URL
    if "{code}" not in template:
        template = template.rstrip("/") + "/{code}"
    return template.format(code=code)


def download(
    url: str, target: Path, progress: Progress | None = None, timeout: float = 60.0
) -> Path:
    """Stream ``url`` to ``target`` (atomically, via ``<target>.part``); report (done, total)."""
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            total = resp.headers.get("Content-Length")
            size = int(total) if total and total.isdigit() else None
            done = 0
            with open(part, "wb") as out:
                while block := resp.read(CHUNK):
                    out.write(block)
                    done += len(block)
                    if progress:
                        progress(done, size)
        if size is not None and done != size:
            raise FetchError(f"download of {url} ended after {done} of {size} bytes")
    except urllib.error.HTTPError as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"download of {url} failed: {reason}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, target)
    return target


def _check_gzip(path: Path) -> None:
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise FetchError(f"downloaded file {path} is not a complete gzip file: {exc}") from exc


def fetch_eurostat(
    code: str,
    *,
    dest: Path,
    url: str | None = None,
    progress: Progress | None = None,
    db: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Download ``code`` into ``dest`` (``<code>.tsv.gz`` or ``.tsv``) and import it.

    Returns the :class:`workbench.importers.ImportResult`.
    """
    from workbench.importers import import_file

    full_url = eurostat_url(code, url)
    tmp = dest / f"{code.lower()}.download"
    download(full_url, tmp, progress)
    with open(tmp, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    target = dest / f"{code.lower()}.tsv{'.gz' if gz else ''}"
    if gz:
        _check_gzip(tmp)
    shutil.move(tmp, target)
    return import_file(target, kind="eurostat_tsv", db=db, dataset_id=f"eurostat:{code.lower()}")
