"""How a `vng-xl recalc` batch loads and ends: what its start-up does not import, and the process
ending as soon as its output is flushed, with every line printed and the exit status kept."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.cli.recalc import exits_at_once

ROOT = Path(__file__).resolve().parents[1]

#: Registered before the command runs: printed only when the interpreter's own exit runs.
COMMAND = """
import atexit, sys
atexit.register(lambda: print("interpreter exit", flush=True))
from vng_xl.cli import run
sys.argv = ["vng-xl", *sys.argv[1:]]
run()
"""


def small_book(path: Path, value: int) -> Path:
    rows = f'<row r="1"><c r="A1"><v>{value}</v></c><c r="B1"><f>A1*21</f><v>0</v></c></row>'
    return build_xlsx(path, {"S": rows})


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", COMMAND, *args], cwd=ROOT, capture_output=True, text=True)


def test_a_batch_ends_at_once_with_all_its_output_and_its_exit_status(tmp_path: Path):
    books = tmp_path / "in"
    books.mkdir()
    for i in range(3):
        small_book(books / f"b{i}.xlsx", i + 1)
    (books / "broken.xlsx").write_bytes(b"not a zip")
    out = tmp_path / "out"
    done = run_command("recalc", str(books), "--out", str(out), "--jobs", "2", "--report", str(tmp_path / "r.json"))
    assert done.returncode == 1  # one file failed
    lines = done.stdout.splitlines()
    assert "interpreter exit" not in lines  # ended without the interpreter's clean-up
    assert len(lines) == 5 and lines[-1].startswith("4 files, 3 ok, 1 not ok")
    assert sorted(p.name for p in out.iterdir()) == ["b0.xlsx", "b1.xlsx", "b2.xlsx"]
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["failed"] == 1


def test_a_refused_batch_keeps_its_message_and_status_and_other_commands_exit_as_before(tmp_path: Path):
    refused = run_command("recalc", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "out"))
    assert refused.returncode == 3 and "missing.xlsx: no such file" in refused.stderr
    other = run_command("eval", "=1+1")
    assert other.returncode == 0 and other.stdout.splitlines() == ["2.0", "interpreter exit"]


@pytest.mark.parametrize(
    ("engine", "scheduler", "at_once"),
    [("formulas", None, True), ("excel", None, False), ("libreoffice", None, False), ("formulas", "tcp://x:1", False)],
)
def test_only_the_built_in_engine_without_a_cluster_ends_at_once(engine, scheduler, at_once):
    """Excel is closed by an exit handler and a cluster client by its own clean-up: those exit as before."""
    assert exits_at_once(argparse.Namespace(engine=engine, scheduler=scheduler)) is at_once


def test_the_batch_start_up_imports_no_resource_machinery():
    """The evaluator and the built-in data load without importlib.abc / importlib.resources: a few
    milliseconds of every batch's start, on one core."""
    code = (
        "import json, sys\n"
        "import vng_xl.cli.recalc, vng_xl.recalc.batch\n"
        "from vng_xl.recalc.pool import load_evaluator\n"
        "load_evaluator()\n"
        "from vng_xl.data import kadernota_2026\n"
        "assert kadernota_2026().naam\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "vng_xl.recalc.workbook" in loaded
    assert not loaded & {"importlib.abc", "importlib.resources"}
