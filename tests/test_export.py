"""PDF / Word export and packs (issue 15), read back with pypdf and python-docx.

One small demo batch (the six pilot evaluations + the HR03 S3 profile with its maps) is run once
per session with ``workbench run ... --formats html,pdf,docx``; the expected headings, captions,
tables and code come from the batch's own ``report.html``, ``report.json`` and notebook, not from
the export's parser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from docx import Document
from pypdf import PdfReader
from support.cli import run_workbench
from support.shared import assert_unchanged, once_per_run, tree_signature

REPO = Path(__file__).resolve().parents[1]
PILOTS = [f"pilot_evaluation__pilot_id-P{i}" for i in range(1, 7)]
PROFILE = "s3_profile__region-HR03"

pytestmark = pytest.mark.slow


def _squash(text: str) -> str:
    """Text without whitespace (PDF text extraction breaks lines anywhere)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def export_batch(demo_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A demo batch with PDF and Word exports, made by ``workbench run --formats html,pdf,docx``
    (``EXPORT_TEST_BATCH=<batch folder>`` reuses one made that way, for development).

    Read-only for the tests (they write into their ``tmp_path``): checked when the session ends."""
    if os.environ.get("EXPORT_TEST_BATCH"):
        yield Path(os.environ["EXPORT_TEST_BATCH"])
        return

    def build(base: Path) -> Path:
        db = base / "demo.duckdb"
        shutil.copyfile(demo_kb, db)
        done = run_workbench(
            "run",
            str(REPO / "notebooks/plans/demo.yml"),
            "--only",
            f"pilot_evaluation,{PROFILE}",
            "--out",
            str(base / "reports"),
            "--formats",
            "html,pdf,docx",
            "-q",
            db=db,
            cwd=REPO,
            timeout=1500,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        index = Path(re.search(r"Report index: (\S+)", done.stdout).group(1))  # type: ignore[union-attr]
        assert "Exported:" in done.stdout
        return index.parent

    # once per test run, also when xdist workers split this module's tests
    batch = once_per_run(tmp_path_factory, "export_batch", build)
    before = tree_signature(batch)
    yield batch
    assert_unchanged(batch, before, f"the export batch {batch}")


def _report_html(run: Path) -> BeautifulSoup:
    soup = BeautifulSoup((run / "report.html").read_text(encoding="utf-8"), "html.parser")
    for anchor in soup.select("a.anchor-link"):  # nbconvert's "¶" links
        anchor.decompose()
    return soup


def _headings(run: Path) -> list[str]:
    soup = _report_html(run)
    main = soup.find("main") or soup
    return [
        " ".join(h.get_text(" ").split())
        for h in main.find_all(["h1", "h2", "h3"])
        if h.get_text(strip=True)
    ]


def _captions(run: Path) -> list[str]:
    return [" ".join(c.get_text(" ").split()) for c in _report_html(run).find_all("figcaption")]


def _code_lines(run: Path) -> list[str]:
    nb = nbformat.read(run / "notebook.ipynb", as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if len(line) >= 12 and not line.startswith("#"):
                lines.append(line)
    return lines


def _pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


@pytest.mark.parametrize("run_id", [PILOTS[0], PROFILE])
def test_pdf_reads_back(export_batch: Path, run_id: str) -> None:
    run = export_batch / run_id
    pdf = export_batch / "export" / f"{run_id}.pdf"
    pages = _pdf_text(pdf)
    text = _squash("\n".join(pages))
    assert f"Page1of{len(pages)}" in _squash(pages[0])
    assert f"Page{len(pages)}of{len(pages)}" in _squash(pages[-1])
    # key findings on page 1, from the report's own key-findings block
    findings = [
        " ".join(li.get_text(" ").split())
        for li in _report_html(run).select("section.key-findings li")
    ]
    assert len(findings) >= 3
    for sentence in findings:
        assert _squash(sentence) in _squash(pages[0]), sentence
    for heading in _headings(run):
        assert _squash(heading) in text, heading
    captions = _captions(run)
    assert captions
    for n, caption in enumerate(captions, 1):
        assert _squash(f"Figure {n}. {caption}") in text, caption
    assert "Contents" in pages[1]
    assert "Appendix: Provenance" in pages[1]
    for line in _code_lines(run):
        assert _squash(line) not in text, line
    assert pdf.stat().st_size <= 2_000_000


def _docx_body(path: Path) -> tuple[list[tuple[str, str]], int, int]:
    """(style, text) of every paragraph, tables before the appendix, pictures."""
    doc = Document(str(path))
    paragraphs: list[tuple[str, str]] = []
    tables_before_appendix = 0
    in_appendix = False
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            style_id = el.style or "Normal"
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
            style = doc.styles.get_by_id(style_id, 1).name if style_id else "Normal"
            paragraphs.append((style, text))
            if style.startswith("Heading") and text.startswith("Appendix"):
                in_appendix = True
        elif tag == "tbl" and not in_appendix:
            tables_before_appendix += 1
    return paragraphs, tables_before_appendix, len(doc.inline_shapes)


@pytest.mark.parametrize("run_id", [PILOTS[0], PROFILE])
def test_docx_reads_back(export_batch: Path, run_id: str) -> None:
    run = export_batch / run_id
    docx = export_batch / "export" / f"{run_id}.docx"
    paragraphs, n_tables, n_pictures = _docx_body(docx)
    record = json.loads((run / "report.json").read_text(encoding="utf-8"))
    data_tables = [o for o in record["outputs"] if o["kind"] == "table"]
    assert n_tables == len(data_tables)
    doc = Document(str(docx))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert n_pictures == len(_captions(run))
    headings = {text for style, text in paragraphs if style.startswith("Heading")}
    # every section heading of the report (h2) is a real Word heading
    for h in _report_html(run).select("main h2") or _report_html(run).find_all("h2"):
        text = " ".join(h.get_text(" ").split())
        if text and text != "Provenance":
            assert text in headings, text
    all_text = _squash("\n".join(t for _, t in paragraphs) + "\n".join(cells))
    for line in _code_lines(run):
        assert _squash(line) not in all_text, line
    # a native table holds the report's formatted cells, header row repeated on each page
    first = doc.tables[0]
    assert first.rows[0]._tr.trPr is not None
    assert len(first.rows) > 1


def test_data_annex_beside_pdf(export_batch: Path, tmp_path: Path) -> None:
    run = export_batch / PILOTS[0]
    annex = export_batch / "export" / f"{PILOTS[0]}-data.zip"
    csvs = sorted(p.name for p in run.glob("*.csv"))
    with zipfile.ZipFile(annex) as zf:
        names = set(zf.namelist())
        assert set(csvs) <= names
        assert {"report.json", "README.txt", f"{PILOTS[0]}.xlsx"} <= names
        zf.extract(f"{PILOTS[0]}.xlsx", tmp_path / "annex-check")
    sheets = pd.read_excel(tmp_path / "annex-check" / f"{PILOTS[0]}.xlsx", sheet_name=None)
    assert sorted(sheets) == sorted(Path(c).stem[:31] for c in csvs)
    for csv in csvs:
        expected = pd.read_csv(run / csv)
        got = sheets[Path(csv).stem[:31]]
        assert len(got) == len(expected)
        assert list(got.columns) == list(expected.columns)
    # the same run gives the same annex bytes, however much later it is written (zip times and the
    # workbook's save time are fixed; the zip clock ticks in 2-second steps)
    from workbench.export.annex import write_annex
    from workbench.export.model import load_report

    again = tmp_path / "annex-check" / "again.zip"
    time.sleep(2.1)
    write_annex([load_report(run)], again)
    assert again.read_bytes() == annex.read_bytes()


def test_pack_of_six_pilots_has_one_contents(export_batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs"
    done = run_workbench(
        "pack",
        str(export_batch),
        "--select",
        "pilot_evaluation",
        "--title",
        "Pilot evaluations",
        "--to",
        "pdf,docx",
        "--out",
        str(out),
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    titles = [
        json.loads((export_batch / r / "report.json").read_text(encoding="utf-8"))["title"]
        for r in PILOTS
    ]
    pages = _pdf_text(out / "pack-pilot-evaluations.pdf")
    contents = [i for i, p in enumerate(pages) if re.search(r"^Contents", p, re.M)]
    assert len(contents) == 1
    toc_pages = [contents[0]]
    while "....." in pages[toc_pages[-1] + 1]:  # the contents run over several pages
        toc_pages.append(toc_pages[-1] + 1)
    toc = _squash("\n".join(pages[i] for i in toc_pages))
    for title in titles:
        assert _squash(title) in toc, title
    assert _squash("Appendix: Provenance") in toc
    # every page numbered within the whole pack, and each contents entry on the page it names
    # (the pack is laid out report by report in worker processes and merged)
    for n, page in enumerate(pages, 1):
        assert f"Page{n}of{len(pages)}" in _squash(page), n
    entries = [
        (m.group(1), int(m.group(2)))
        for i in toc_pages
        for m in re.finditer(r"^(.*?)\s*\.{5,}\s*(\d+)\s*$", pages[i], re.M)
    ]
    assert len(entries) > len(titles)
    for text, number in entries:
        assert _squash(text)[:30] in _squash(pages[number - 1]), (text, number)
    reader = PdfReader(out / "pack-pilot-evaluations.pdf")
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert all(t in outline for t in titles)
    number_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    linked = [
        number_of[a.get_object()["/Dest"][0].idnum]
        for i in toc_pages
        for a in reader.pages[i].get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link"
    ]
    assert {n for _, n in entries} <= {n + 1 for n in linked}
    # one appendix after the last report, holding the provenance of all six
    start = next(i for i, p in enumerate(pages) if i > toc_pages[-1] and "Appendix" in p)
    appendix = _squash("\n".join(pages[start:]))
    for title in titles:
        assert _squash(f"Report {title}, generated") in appendix, title
    paragraphs, _, _ = _docx_body(out / "pack-pilot-evaluations.docx")
    level1 = [t for s, t in paragraphs if s == "Heading 1"]
    assert all(t in level1 for t in titles)
    assert sum(t == "Contents" for t in level1) == 1
    with zipfile.ZipFile(out / "pack-pilot-evaluations-data.zip") as zf:
        assert {n.split("/")[0] for n in zf.namelist() if "/" in n} == set(PILOTS)


_GUARD = r"""
import json, socket, sys
attempts = []
_connect = socket.socket.connect
def guarded(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(str(address))
            with open(sys.argv[1], "a") as fh:
                fh.write(json.dumps(str(address)) + "\n")
            raise OSError("network blocked by test")
    return _connect(self, address)
socket.socket.connect = guarded
sys.argv = ["workbench"] + sys.argv[2:]
from workbench.cli import main
main()
"""


def test_export_offline_and_deterministic(export_batch: Path, tmp_path: Path) -> None:
    """The export in a network namespace without network (unshare -n, when the kernel allows it)
    and with Python sockets guarded; the document text equals the batch's export."""
    run = tmp_path / PILOTS[1]
    shutil.copytree(export_batch / PILOTS[1], run, ignore=shutil.ignore_patterns("export"))
    log = tmp_path / "attempts.log"
    cmd = [sys.executable, "-c", _GUARD, str(log), "export", str(run), "--to", "pdf,docx"]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        cmd = [unshare, "-n", *cmd]
    elif os.environ.get("CI") == "true":
        pytest.fail("unshare -n is not available: cannot run the export without network")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not log.exists() or not log.read_text().strip()
    new = _pdf_text(tmp_path / "export" / f"{PILOTS[1]}.pdf")
    old = _pdf_text(export_batch / "export" / f"{PILOTS[1]}.pdf")
    assert new == old
    new_docx = [p.text for p in Document(str(tmp_path / "export" / f"{PILOTS[1]}.docx")).paragraphs]
    old_docx = [
        p.text for p in Document(str(export_batch / "export" / f"{PILOTS[1]}.docx")).paragraphs
    ]
    assert new_docx == old_docx


def test_missing_chromium_names_the_package(export_batch: Path, tmp_path: Path) -> None:
    run = tmp_path / PILOTS[2]
    shutil.copytree(export_batch / PILOTS[2], run, ignore=shutil.ignore_patterns("export"))
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "BROWSER_PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", "export", str(run)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode != 0
    assert "apt-get install -y chromium" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_format_fails_before_the_batch(tmp_path: Path) -> None:
    done = run_workbench(
        "run", str(REPO / "notebooks/pilot_evaluation.ipynb"), "--formats", "html,pfd", cwd=REPO
    )
    assert done.returncode == 2
    assert "unknown format 'pfd'" in done.stderr


def test_failed_background_annex_is_written_again(
    export_batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pack's annex is written by a forked process; one that dies after half a file must not
    # leave that half behind: the pack writes the annex itself (its own error would then show)
    import workbench.export as export
    from workbench.export.annex import write_annex
    from workbench.export.model import load_report

    def crashes(reports: list, target: Path) -> None:
        target.write_bytes(b"PK half an annex")
        raise SystemExit(3)

    monkeypatch.setattr(export, "_annex_niced", crashes)
    done = export.pack(
        export_batch, select="pilot_evaluation__pilot_id-P1,pilot_evaluation__pilot_id-P2",
        title="Annex check", formats="docx", out_dir=tmp_path / "pack",
    )  # fmt: skip
    (annex,) = [f.path for f in done if f.kind == "annex"]
    direct = tmp_path / "direct.zip"
    write_annex([load_report(export_batch / run) for run in PILOTS[:2]], direct)
    with zipfile.ZipFile(annex) as got, zipfile.ZipFile(direct) as expected:
        assert got.testzip() is None
        assert sorted(got.namelist()) == sorted(expected.namelist())


def test_failed_pdf_stops_the_background_annex(
    export_batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the document failed: its annex is not wanted either, and no process is left behind
    import time

    import workbench.export as export
    import workbench.export.pdf as pdf

    started = tmp_path / "annex-pid"

    def slow_annex(reports: list, target: Path) -> None:
        (tmp_path / "pid.tmp").write_text(str(os.getpid()))
        (tmp_path / "pid.tmp").rename(started)  # whole, never read half-written
        time.sleep(300)
        target.write_bytes(b"too late")

    def failing_layout(*args: object, **kwargs: object) -> None:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:  # the annex is under way
            time.sleep(0.05)
        raise RuntimeError("layout failed")

    monkeypatch.setattr(export, "_annex_niced", slow_annex)
    monkeypatch.setattr(pdf, "render_pdf", failing_layout)
    begun = time.monotonic()
    with pytest.raises(RuntimeError, match="layout failed"):
        export.pack(
            export_batch, select="pilot_evaluation__pilot_id-P1,pilot_evaluation__pilot_id-P2",
            title="Annex check", formats="pdf", out_dir=tmp_path / "pack",
        )  # fmt: skip
    assert time.monotonic() - begun < 120  # not the annex's 300 s
    pid = int(started.read_text())
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)
    assert not list((tmp_path / "pack").glob("*-data.zip"))
