"""File importers: one module per file kind, found automatically, all run the same way.

Every module in this package registers its kinds with :func:`register_importer`.  The modules are
discovered on first use (``pkgutil`` over the package), so a helper adds a new kind by adding a
module here — nothing else to edit.

:func:`import_file` is the one entry point (the CLI ``workbench import`` calls it):

1. the file's sha256 is computed and the kind is sniffed from its name and first bytes, unless given;
2. the whole import runs inside ONE :func:`workbench.kb.writer` transaction: the dataset row, the
   removal of an older version of the same dataset and the new rows are committed together, or —
   on any problem — nothing is written (:class:`workbench.errors.ImportFailed` names file, line or
   sheet/row, column, value and rule);
3. importing a file whose sha256 equals the one recorded for its dataset is a reported no-op
   (``ImportResult.skipped_same_sha``).
"""

from __future__ import annotations

import csv
import importlib
import os
import pkgutil
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from workbench.errors import ImportFailed, Problem
from workbench.kb import writer
from workbench.kb.access import WRITE_TIMEOUT_S
from workbench.kb.datasets import already_imported, sha256_file
from workbench.quality.corrections import same_corrections
from workbench.quality.doctor import SeriesGrid, check_after_import

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class ImportRequest:
    """What an importer is asked to load (built by :func:`import_file`)."""

    path: Path
    kind: str
    dataset_id: str
    sha256: str
    encoding: str | None = None
    corrections: Path | None = None  # a user's correction file (workbench.quality.corrections)

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass
class ImportResult:
    """What an import did: the dataset, rows written, or that it was skipped as already imported."""

    dataset_id: str
    rows: int
    skipped_same_sha: bool
    kind: str
    sha256: str
    warnings: list[str] = field(default_factory=list)
    replaced: bool = False
    file: str = ""
    # the cells just stored by series, for the data doctor (dropped once it has run)
    series_grid: SeriesGrid | None = field(default=None, repr=False, compare=False)


Sniffer = Callable[[Path, bytes], bool]
Loader = Callable[[ImportRequest, duckdb.DuckDBPyConnection], ImportResult]
DatasetIdFor = Callable[[Path], str]


@dataclass(frozen=True)
class ImporterSpec:
    """A registered kind: how to recognise a file, name its dataset and load it."""

    kind: str
    load: Loader
    dataset_id_for: DatasetIdFor
    sniff: Sniffer | None
    priority: int
    description: str


_REGISTRY: dict[str, ImporterSpec] = {}
_discovered = False


def register_importer(
    kind: str,
    *,
    dataset_id_for: DatasetIdFor,
    sniff: Sniffer | None = None,
    priority: int = 0,
    description: str = "",
) -> Callable[[Loader], Loader]:
    """Decorator registering ``load(request, con) -> ImportResult`` as the importer of ``kind``.

    ``sniff(path, head)`` gets the path and the first 64 KiB (decompressed for ``.gz``) and says
    whether this kind can read the file; among matching kinds the highest ``priority`` wins.
    ``dataset_id_for(path)`` gives the default dataset id (overridable by ``import_file(dataset_id=)``).
    """

    def deco(load: Loader) -> Loader:
        _REGISTRY[kind] = ImporterSpec(kind, load, dataset_id_for, sniff, priority, description)
        return load

    return deco


def discover() -> dict[str, ImporterSpec]:
    """Import every module of this package once (they register themselves); return the registry."""
    global _discovered
    if not _discovered:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _discovered = True
    return dict(_REGISTRY)


def kinds() -> list[str]:
    """Names of all registered kinds."""
    return sorted(discover())


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """First bytes of a file, decompressed when it is gzip (a truncated .gz still gives its start)."""
    with open(path, "rb") as fh:
        raw = fh.read(size)
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(wbits=31).decompress(raw, size)
        except zlib.error:
            return b""
    return raw


def sniff_kind(path: Path) -> str:
    """The registered kind that recognises this file (by name and first bytes)."""
    specs = discover()
    # a UTF-8 byte-order mark (Windows tools save one) is not part of the first line's content
    head = read_head(path).removeprefix(b"\xef\xbb\xbf")
    matches = [s for s in specs.values() if s.sniff is not None and s.sniff(path, head)]
    if not matches and not head.strip():
        raise ImportFailed(
            [
                Problem(
                    file=str(path), line=1, column="field 1", rule="empty file: nothing to import"
                )
            ]
        )
    if not matches:
        raise ImportFailed(
            [
                Problem(
                    file=str(path),
                    line=1,
                    column=None,
                    value=_first_line(head),
                    rule=(
                        "file kind not recognised; pass --kind (one of: " + ", ".join(kinds()) + ")"
                    ),
                )
            ]
        )
    matches.sort(key=lambda s: -s.priority)
    return matches[0].kind


def _first_line(head: bytes) -> str:
    return head.split(b"\n", 1)[0][:120].decode("utf-8", errors="replace").rstrip("\r")


def import_file(
    path: str | os.PathLike[str],
    *,
    kind: str | None = None,
    encoding: str | None = None,
    db: str | os.PathLike[str] | None = None,
    dataset_id: str | None = None,
    lock_timeout: float = WRITE_TIMEOUT_S,
    corrections: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import one file into the knowledge base as one transaction (see the module docstring).

    ``lock_timeout``: seconds to wait for another writer before :class:`KBBusyError`.
    """
    p = Path(path)
    if not p.is_file():
        raise ImportFailed([Problem(file=str(p), rule="file does not exist")])
    specs = discover()
    if kind is None:
        kind = sniff_kind(p)
    elif kind not in specs:
        raise ImportFailed(
            [
                Problem(
                    file=str(p),
                    value=kind,
                    rule="unknown kind; known kinds: " + ", ".join(sorted(specs)),
                )
            ]
        )
    spec = specs[kind]
    if corrections and not kind.startswith("cohesion_"):
        raise ImportFailed([Problem(file=str(p), value=str(corrections),
                                    rule=f"correction files apply to cohesion-policy files, not {kind}")])  # fmt: skip
    # the file's sha256 in a thread (hashlib releases the GIL) while the writer opens the KB
    pool = ThreadPoolExecutor(1, thread_name_prefix="import-sha256")
    hashing = pool.submit(sha256_file, p)
    pool.shutdown(wait=False)
    target = dataset_id or spec.dataset_id_for(p)
    with writer(db, purpose=f"import {p.name} ({kind})", timeout=lock_timeout) as con:
        digest = hashing.result()
        request = ImportRequest(
            path=p,
            kind=kind,
            dataset_id=target,
            sha256=digest,
            encoding=encoding,
            corrections=Path(corrections) if corrections else None,
        )
        if already_imported(con, request.dataset_id, digest) and same_corrections(
            con, request.dataset_id, request.corrections
        ):
            rows = con.execute(
                "SELECT rows FROM datasets WHERE dataset_id = ?", [request.dataset_id]
            ).fetchone()
            return ImportResult(
                dataset_id=request.dataset_id,
                rows=int(rows[0] or 0) if rows else 0,
                skipped_same_sha=True,
                kind=kind,
                sha256=digest,
                warnings=["same file (sha256) already imported: nothing to do"],
                file=str(p),
            )
        replaced = (
            con.execute(
                "SELECT count(*) FROM datasets WHERE dataset_id = ?", [request.dataset_id]
            ).fetchone()[0]
            > 0
        )
        try:
            result = spec.load(request, con)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit (5 MB cell)
            raise ImportFailed(
                [Problem(file=str(p), rule=f"not readable as CSV: {exc}; is a quote unbalanced?")]
            ) from None
        # the data doctor, inside the same transaction: findings become the dataset's provenance
        grid, result.series_grid = result.series_grid, None
        result.warnings += [
            f"data check: {f.message}"
            for f in check_after_import(con, result.dataset_id, grid=grid)
        ]
    result.replaced = replaced
    result.file = str(p)
    return result


__all__ = [
    "ImportRequest",
    "ImportResult",
    "ImporterSpec",
    "discover",
    "import_file",
    "kinds",
    "read_head",
    "register_importer",
    "sniff_kind",
]
