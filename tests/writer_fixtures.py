"""Helpers for the writer's fault tests: workbooks to write, and checks that a write left things sound."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import build_xlsx
from tests.workbook_fixtures import built_workbook, copy_of
from vng_xl.cli import main

ROOT = Path(__file__).resolve().parents[1]
LIJST = "Gemeentecode;Gemeentenaam;Inwoners\nGM0001;Aastad;10.000\nGM0002;Beedorp;20000\n"
SMALL_SHEET = '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*3</f><v>0</v></c></row>'


def sound(path: Path) -> None:
    """A workbook any reader opens: every member passes its CRC, openpyxl loads it."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    openpyxl.load_workbook(path).close()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def value(path: Path, sheet: str, cell: str):
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return wb[sheet][cell].value
    finally:
        wb.close()


def one_line(text: str) -> str:
    """The error output is one line, no traceback."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.fixture
def wb(tmp_path: Path) -> Path:
    """A fresh copy of the official workbook in a folder of its own."""
    folder = tmp_path / "map"
    folder.mkdir()
    return copy_of(built_workbook(), folder, "wb.xlsm")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A tiny workbook whose recalculation changes a cached value (B1 = A1*3 cached as 0)."""
    folder = tmp_path / "klein"
    folder.mkdir()
    return build_xlsx(folder / "klein.xlsx", {"Data": SMALL_SHEET})


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "gemeenten.csv"
    path.write_text(LIJST, encoding="utf-8")
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """`vng-xl ARGS` in this process: the exit code, standard output and standard error."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
