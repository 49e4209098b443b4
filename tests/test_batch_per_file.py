"""What a batch pays per file and once: the workers are forked with the evaluator loaded, and the
members passed on unchanged are checked in the worker (once, within the file's budget), so that a
damaged one is still refused with nothing written."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from tests.test_patch_safety import _replace_member
from vng_xl.cli import main
from vng_xl.ooxml import package as pk
from vng_xl.recalc import batch

ROOT = Path(__file__).resolve().parents[1]
DTD = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boo">]><x>&e;</x>'


def _book(path: Path) -> Path:
    return build_xlsx(path, {"S": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>0</v></c></row>'})


def test_the_workers_are_forked_with_the_evaluator_loaded():
    """Loaded once in the batch process, not once in every worker."""
    code = (
        "import sys\nfrom vng_xl.recalc.pool import WorkerPool\n"
        "assert 'vng_xl.recalc.workbook' not in sys.modules\n"
        "pool = WorkerPool(1)\nprint('vng_xl.recalc.workbook' in sys.modules)\npool.shutdown()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"]


def test_the_batch_process_does_not_parse_the_members_its_worker_checked(tmp_path: Path, monkeypatch):
    parsed: list[str] = []
    check = pk.check_xml_part
    monkeypatch.setattr(pk, "check_xml_part", lambda data, path, part: (parsed.append(part), check(data, path, part)))
    src = _book(tmp_path / "a.xlsx")
    (tmp_path / "out").mkdir()
    pool = batch.WorkerPool(1)  # forked after the patch: the worker's calls are its own
    try:
        [outcome], _ = batch.run_batch([batch.Job(src, tmp_path / "out" / "a.xlsx")], pool)
    finally:
        pool.shutdown()
    assert outcome.status == "ok", outcome.message
    assert parsed == []
    with zipfile.ZipFile(tmp_path / "out" / "a.xlsx") as zf:
        assert zf.testzip() is None and zf.namelist() == zipfile.ZipFile(src).namelist()


@pytest.mark.parametrize(
    "data, words",
    [(b"<styleSheet><numFmts></styleSheet>", "not well-formed"), (DTD, "DOCTYPE declarations are not allowed")],
    ids=["malformed", "dtd"],
)
def test_a_bad_member_passed_on_unchanged_is_refused_through_the_worker(data, words, tmp_path: Path, capsys):
    src = _replace_member(_book(tmp_path / "b.xlsx"), "xl/styles.xml", data)
    out = tmp_path / "out"
    assert main(["recalc", str(src), "--out", str(out), "--jobs", "1"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("FAILED b.xlsx: ") and "xl/styles.xml" in line and words in line
    assert list(out.iterdir()) == []


def test_a_parts_relationships_are_read_once_and_handed_out_as_copies(tmp_path: Path, monkeypatch):
    pkg = pk.Package.open(_book(tmp_path / "c.xlsx"))
    pk._RELS.clear()  # the same bytes read by an earlier test are not parsed again in this process
    parsed: list[str] = []
    xml = pk.Package.xml
    monkeypatch.setattr(pk.Package, "xml", lambda self, name: (parsed.append(name), xml(self, name))[1])
    first = pkg.rels(pkg.workbook_part)
    first.clear()
    assert pkg.rels(pkg.workbook_part) and [s.name for s in pkg.sheets()] == ["S"]
    assert parsed.count("xl/_rels/workbook.xml.rels") == 1 and parsed.count("_rels/.rels") == 1
