"""`vng-xl recalc`: folders and files, --out/--in-place, report, bad input per file, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests import test_package as bad
from tests.recalc_fixtures import build_xlsx
from vng_xl.cli import main
from vng_xl.recalc import batch

ROOT = Path(__file__).resolve().parents[1]


def budget(path: Path, amount: float = 39059724) -> Path:
    """A small budget workbook: an amount, its raming for 2027 and a total that depends on it."""
    rows = (
        f'<row r="1"><c r="A1"><v>{amount}</v></c><c r="B1"><f>VNG_RAMING(A1,"A",2027)</f><v>0</v></c></row>'
        '<row r="2"><c r="B2"><f>ROUND(B1,0)+1</f><v>0</v></c></row>'
    )
    return build_xlsx(path, {"Begroting": rows.replace('"A"', "&quot;A&quot;")})


def value(path: Path, ref: str):
    return openpyxl.load_workbook(path, data_only=True)["Begroting"][ref].value


def test_folder_to_out_dir_with_report(tmp_path: Path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    budget(src / "a.xlsx")
    budget(src / "b.xlsm", amount=1000)
    (src / "notes.txt").write_text("not a workbook, not picked up")
    out = tmp_path / "out"
    rc = main(["recalc", str(src), "--out", str(out), "--report", str(tmp_path / "r.json"), "--jobs", "2"])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.xlsx", "b.xlsm"]
    assert value(out / "a.xlsx", "B2") == 41394714 + 1  # 39,059,724 x 1.020 x 1.039, rounded, + 1
    assert value(out / "b.xlsm", "B2") == round(1000 * 1.020 * 1.039) + 1
    assert value(src / "a.xlsx", "B2") == 0  # the original is untouched
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ok     a.xlsx: 2 formula cells, 2 changed, 0 errors, ")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["files"] == 2 and report["summary"]["changed"] == 4
    assert {Path(f["path"]).name: f["status"] for f in report["files"]} == {"a.xlsx": "ok", "b.xlsm": "ok"}


def test_in_place_keeps_backup_unless_told(tmp_path: Path):
    book = budget(tmp_path / "a.xlsx")
    original = book.read_bytes()
    assert main(["recalc", str(book), "--in-place"]) == 0
    assert value(book, "B2") == 41394714 + 1
    assert (tmp_path / "a.xlsx.bak").read_bytes() == original
    (tmp_path / "a.xlsx.bak").unlink()
    budget(book)
    assert main(["recalc", str(book), "--in-place", "--no-backup"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]


def _read_only_target(tmp_path, book):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    target = out / book.name
    target.write_bytes(b"old")
    target.chmod(0o444)
    return book


BAD = [(case, make, words) for case, make, _, words in bad.BAD_INPUTS]


@pytest.mark.parametrize(("case", "make", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_in_a_batch(case, make, words, tmp_path: Path, capsys):
    """Each bad file gets one line naming it and the reason; the good file still comes out right."""
    folder = tmp_path / "in"
    folder.mkdir()
    good = budget(folder / "good.xlsx")
    template = budget(tmp_path / "book.xlsx")
    bad_file = make(tmp_path, template)
    if bad_file.parent != folder:
        bad_file = Path(shutil.move(bad_file, folder / bad_file.name))
    if case == "open in Excel":
        lock = tmp_path / ("~$" + template.name)
        shutil.move(lock, folder / lock.name)
    out = tmp_path / "out"
    rc = main(["recalc", str(good), str(bad_file), "--out", str(out), "--jobs", "1"])
    assert rc == 1
    lines = capsys.readouterr().out.splitlines()
    [line] = [x for x in lines if bad_file.name in x]
    assert line.startswith(f"FAILED {bad_file.name}: ") and words in line
    assert value(out / "good.xlsx", "B2") == 41394714 + 1
    assert sorted(p.name for p in out.iterdir()) == ["good.xlsx"]  # nothing half written


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_read_only_target_in_a_batch(tmp_path: Path, capsys):
    book = budget(tmp_path / "a.xlsx")
    out = tmp_path / "out"
    _read_only_target(tmp_path, book)
    assert main(["recalc", str(book), "--out", str(out)]) == 1
    assert "read-only" in capsys.readouterr().out
    assert (out / "a.xlsx").read_bytes() == b"old"


def test_read_only_target_refused_before_work(tmp_path: Path, monkeypatch):
    book = budget(tmp_path / "a.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == out else real(p, m))
    outcome = batch.run_job(batch.Job(book, out / "a.xlsx"))
    assert outcome.status == "failed" and "folder" in outcome.message and "read-only" in outcome.message
    assert list(out.iterdir()) == []


def test_ctrl_c_stops_handing_out_work(tmp_path: Path, monkeypatch):
    books = [budget(tmp_path / f"b{i}.xlsx") for i in range(5)]
    out = tmp_path / "out"
    out.mkdir()
    real = batch.run_job
    calls = []

    def interrupted_on_third(job):
        calls.append(job)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(batch, "run_job", interrupted_on_third)
    jobs, _ = batch.plan(books, out, in_place=False)
    outcomes, interrupted = batch.run_batch(jobs, None)
    assert interrupted
    assert [o.status for o in outcomes] == ["ok", "ok", "failed", "failed", "failed"]
    assert "interrupted" in outcomes[3].message
    assert sorted(p.name for p in out.iterdir()) == ["b0.xlsx", "b1.xlsx"]


def test_ctrl_c_on_the_command(tmp_path: Path):
    """A real SIGINT to a running batch: exit 130, no temporary or half-written file left."""
    folder = tmp_path / "in"
    folder.mkdir()
    first = budget(folder / "b000.xlsx")
    for i in range(1, 400):
        shutil.copy(first, folder / f"b{i:03}.xlsx")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vng_xl", "recalc", str(folder), "--out", str(out), "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not (out.is_dir() and any(out.glob("*.xlsx"))):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    written = sorted(out.iterdir())
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert 0 < len(written) < 400
    assert all(p.suffix == ".xlsx" and not p.name.startswith(".~") for p in written)
    for p in written:
        with zipfile.ZipFile(p) as zf:
            assert zf.testzip() is None
    assert stdout.count("not done (interrupted)") == 400 - len(written)
