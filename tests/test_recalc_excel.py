"""`--engine excel`: the same recalculation through a hidden Excel (only where Excel runs)."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from tests.test_recalc_batch import budget
from vng_xl.cli import main


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Excel may be present here")
def test_excel_engine_refused_where_there_is_no_excel(tmp_path: Path, capsys):
    book = budget(tmp_path / "a.xlsx")
    assert main(["recalc", str(book), "--engine", "excel", "--out", str(tmp_path / "out")]) == 2  # bad input
    assert "needs Microsoft Excel" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.excel
@pytest.mark.skipif(sys.platform not in ("win32", "darwin"), reason="needs Microsoft Excel")
def test_excel_engine_gives_the_same_values(tmp_path: Path):
    """With the VNG add-in loaded in Excel, Excel's values equal the headless engine's."""
    book = budget(tmp_path / "a.xlsx")
    assert main(["recalc", str(book), "--out", str(tmp_path / "headless")]) == 0
    assert main(["recalc", str(book), "--engine", "excel", "--out", str(tmp_path / "excel")]) == 0
    ours = openpyxl.load_workbook(tmp_path / "headless" / "a.xlsx", data_only=True)["Begroting"]
    excel = openpyxl.load_workbook(tmp_path / "excel" / "a.xlsx", data_only=True)["Begroting"]
    assert excel["B2"].value == ours["B2"].value == 41394714 + 1
