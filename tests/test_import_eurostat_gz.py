"""A .tsv.gz is inflated into a temporary plain file (parsed in parallel): same rows as the .tsv,
gzip members concatenated, the temporary file removed, a damaged .gz named as such."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import duckdb
import pytest
from support.testing import require_real_data

from workbench.errors import ImportFailed
from workbench.importers import import_file

pytestmark = pytest.mark.realdata

REAL = ("eurostat_tsv", "nama_10r_2gvagr.tsv.gz")
COLUMNS = "region, period, value, flag"


def rows(db: Path, dataset_id: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            f"SELECT {COLUMNS} FROM observations WHERE dataset_id = ? ORDER BY ALL", [dataset_id]
        ).fetchall()


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The importer's temporary files go here (checked empty afterwards)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_multi_member_gz_imports_like_the_plain_file(tmp_path: Path, private_tmp: Path) -> None:
    text = gzip.decompress(require_real_data(*REAL).read_bytes())
    plain = tmp_path / "estat_sample.tsv"
    plain.write_bytes(text)
    cut = text.index(b"\n", len(text) // 2) + 1  # two gzip members, split at a line end
    packed = tmp_path / "estat_sample_gz.tsv.gz"
    packed.write_bytes(gzip.compress(text[:cut]) + gzip.compress(text[cut:]))
    db = tmp_path / "kb.duckdb"
    a = import_file(plain, db=db, dataset_id="eurostat:plain")
    b = import_file(packed, db=db, dataset_id="eurostat:packed")
    assert a.rows == b.rows > 1000
    assert rows(db, "eurostat:plain") == rows(db, "eurostat:packed")
    assert list(private_tmp.iterdir()) == []  # the inflated copy is gone


def test_not_gzip_named_gz_fails_cleanly(tmp_path: Path, private_tmp: Path) -> None:
    text = gzip.decompress(require_real_data(*REAL).read_bytes())
    head = text.split(b"\n", 1)[0] + b"\n"
    bad = tmp_path / "estat_bad.tsv.gz"
    # a valid first member (the header) followed by bytes that are no gzip stream
    bad.write_bytes(gzip.compress(head) + b"\x1f\x8bnot a gzip stream at all" * 50)
    db = tmp_path / "kb.duckdb"
    with pytest.raises(ImportFailed) as err:
        import_file(bad, db=db)
    text_err = str(err.value)
    assert str(bad) in text_err and "damaged" in text_err
    assert not db.exists()  # nothing written
    assert list(private_tmp.iterdir()) == []
