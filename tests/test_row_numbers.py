"""A row's r= is read the same way on every path: ASCII digits, as the file format has them.

int() also takes other scripts' digits ('٣' is 3) and gives a bare ValueError for '²': one such row
must refuse the sheet with one clear line, never be read as another row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.ooxml.sheet_xml import SheetRefused, row_number
from vng_xl.recalc.batch import Job, run_job


@pytest.mark.parametrize("text, number", [("1", 1), ("42", 42), ("1048576", 1048576), ("007", 7)])
def test_a_row_number_in_digits_is_read(text: str, number: int):
    assert row_number(text) == number


@pytest.mark.parametrize("text", ["", "٣", "²", "३", "1.0", "-1", "+1", "1e3", "x", "1_000"])
def test_anything_else_is_refused_with_one_line(text: str):
    with pytest.raises(SheetRefused, match="row number .* is not a number"):
        row_number(text)


@pytest.mark.parametrize("r", ["٣", "²", "३"])
@pytest.mark.parametrize("plain", [True, False], ids=["cells with references", "cells without"])
def test_a_sheet_with_such_a_row_is_refused_not_read_as_another_row(tmp_path: Path, r: str, plain: bool):
    ref = ' r="A3"' if plain else ""
    rows = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="{r}"><c{ref}><f>A1+1</f><v>0</v></c></row>'
    src = build_xlsx(tmp_path / "a.xlsx", {"S": rows})
    outcome = run_job(Job(src, tmp_path / "o.xlsx"))
    assert outcome.status == "failed"
    assert f"row number {r!r} is not a number" in outcome.message
    assert not (tmp_path / "o.xlsx").exists()
