"""The check of a patched sheet refuses rows and cells out of order, on both of its paths.

Excel reads a sheet whose cells or rows are not in ascending order as damaged ("We found a problem
with some content"), so a patch that moves them is as wrong as one that changes a value."""

from __future__ import annotations

import pytest

from tests.recalc_fixtures import patch_verdicts
from vng_xl.ooxml.sheet_xml import CellWrite

ROWS = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>0</v></c><c r="C1"><v>3</v></c></row>'
    '<row r="2"><c r="A2"><v>4</v></c></row>'
    '<row r="3"><c r="A3"><f>A2*2</f><v>0</v></c></row>'
)
PATCHED = ROWS.replace("<v>0</v></c><c", "<v>2</v></c><c").replace("<v>0</v>", "<v>8</v>")
WRITES = {(1, 2): CellWrite(2.0), (3, 1): CellWrite(8.0)}
ROW_2 = '<row r="2"><c r="A2"><v>4</v></c></row>'


def verdicts(original: str, patched: str, writes=WRITES) -> tuple[bool, str | None]:
    """(the one-pass comparison's verdict, the element-by-element check's refusal or None)."""
    return patch_verdicts(original, patched, writes)


def test_the_right_patch_passes_both_paths():
    assert verdicts(ROWS, PATCHED) == (True, None)


@pytest.mark.parametrize(
    "patched",
    [
        PATCHED.replace(
            '<c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>2</v></c>',
            '<c r="B1"><f>A1+1</f><v>2</v></c><c r="A1"><v>1</v></c>',
        ),
        PATCHED.replace(
            '<c r="B1"><f>A1+1</f><v>2</v></c><c r="C1"><v>3</v></c>',
            '<c r="C1"><v>3</v></c><c r="B1"><f>A1+1</f><v>2</v></c>',
        ),
        PATCHED.replace(ROW_2, "") + ROW_2,  # row 2 moved behind row 3
    ],
    ids=["written cell moved before its left neighbour", "written cell moved behind its right neighbour", "row moved"],
)
def test_a_patch_that_moves_cells_or_rows_is_refused_by_both_paths(patched: str):
    quick, refusal = verdicts(ROWS, patched)
    assert quick is False
    assert refusal is not None and "order" in refusal


def test_a_written_cell_added_out_of_order_is_refused():
    writes = {**WRITES, (2, 4): CellWrite(5.0, input=True)}
    in_order = PATCHED.replace('<c r="A2"><v>4</v></c>', '<c r="A2"><v>4</v></c><c r="D2"><v>5</v></c>')
    assert verdicts(ROWS, in_order, writes) == (True, None)
    before = PATCHED.replace('<c r="A2"><v>4</v></c>', '<c r="D2"><v>5</v></c><c r="A2"><v>4</v></c>')
    quick, refusal = verdicts(ROWS, before, writes)
    assert quick is False and refusal is not None and "order" in refusal


def test_an_original_out_of_order_is_not_blamed_on_the_patch():
    """Cells already out of order in the original, and kept so, are the file's own state."""
    original = ROWS.replace('<c r="A2"><v>4</v></c>', '<c r="C2"><v>4</v></c><c r="A2"><v>6</v></c>')
    patched = PATCHED.replace('<c r="A2"><v>4</v></c>', '<c r="C2"><v>4</v></c><c r="A2"><v>6</v></c>')
    assert verdicts(original, patched)[1] is None
