"""Empty cells and mixed columns in the vector evaluator: where the per-cell evaluator gives an empty
cell a plain meaning (0 in arithmetic and against a number, "" against text and in `&`, 0 as IF's
result and as a whole value), and where IF computes each branch only on the rows that take it
(ISNUMBER telling numbers from the rest), a group stays vectorised and gives exactly the per-cell
values; elsewhere it falls back to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx
from tests.test_recalc_groups import differences, evaluation, sheet

NUMBERS = [2.345, None, -1.0, None, 0.0, 4.0]  # with empty cells
TEXTS = ["a", None, "", "B", None, "c"]
BOOLS = [True, None, False, None, True, False]
EMPTY = [None] * 6
MIXED = [1.25, "x", None, True, -2.5, ""]


def _cell(ref: str, v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, float):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>'


def _book(tmp_path: Path, column: list, formula: str) -> Path:
    """A{r}: the column; B{r}: the formula; C1 holds 1.5 and C2 is empty."""
    rows = []
    for r, v in enumerate(column, start=1):
        text = formula.format(r=r).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        row = _cell(f"A{r}", v) + f'<c r="B{r}"><f>{text}</f><v>0</v></c>'
        if r == 1:
            row += '<c r="C1"><v>1.5</v></c>'
        rows.append(row)
    return build_xlsx(tmp_path / "e.xlsx", {"S": sheet(rows)})


@pytest.mark.parametrize(
    "column, formula, vectorised",
    [
        (NUMBERS, 'IF(A{r}="","",ROUND($C$1*A{r},2))', True),
        (NUMBERS, "A{r}*2+1", True),
        (NUMBERS, "-A{r}", True),  # an empty cell negated: -0, as the per-cell evaluator has it
        (NUMBERS, "A{r}%", True),
        (NUMBERS, "ABS(A{r})-ROUND(A{r},1)", True),
        (NUMBERS, "2^A{r}", True),
        (NUMBERS, "A{r}", True),  # an empty cell as the whole value: 0
        (NUMBERS, "IF(A{r},1,2)", True),
        (NUMBERS, "IF(A{r}>0,A{r},-1)", True),
        (NUMBERS, 'IF(A{r}<>"",A{r},"leeg")', True),
        (NUMBERS, "A{r}=0", True),
        (NUMBERS, "A{r}<1", True),
        (NUMBERS, "ROUND(2.5,A{r})", True),
        (NUMBERS, "SUM(A{r}*2)", True),
        (NUMBERS, "$C$2*A{r}+$C$1", True),  # an empty cell by absolute reference
        (NUMBERS, 'IF($C$2="",A{r},0)', True),
        (TEXTS, 'A{r}=""', True),
        (TEXTS, '""=A{r}', True),
        (TEXTS, 'A{r}<"b"', True),
        (TEXTS, 'A{r}&"x"', True),
        (TEXTS, "A{r}&A{r}", True),
        (TEXTS, "IF(1,A{r},2)", True),  # text where there is text, 0 where the cell is empty
        (TEXTS, "A{r}", True),
        (BOOLS, "IF(A{r},1,2)", True),
        (BOOLS, "IF(TRUE,A{r})", True),
        (EMPTY, "A{r}+1", True),
        (EMPTY, 'A{r}=""', True),
        (EMPTY, "A{r}=0", True),
        (NUMBERS, 'A{r}="x"', True),  # a number never equals text
        (MIXED, "ISNUMBER(A{r})", True),
        (MIXED, 'IF(ISNUMBER(A{r}),A{r}*2,"")', True),  # each branch on its own rows only
        (MIXED, "IF(ISNUMBER(A{r}),ROUND(A{r},0),A{r})", True),
        (MIXED, "A{r}", True),
        (MIXED, "IF(1,A{r},0)", True),
        (NUMBERS, 'IF(A{r}>1,A{r}*2,IF(A{r}<0,-A{r},"klein"))', True),
        (NUMBERS, 'IF(ISNUMBER(A{r}),A{r}+$C$1,"leeg")', True),
        # where an empty cell has no plain meaning here, the cells go one by one
        (NUMBERS, "MIN(A{r},3)", False),  # MIN skips an empty cell it is given by reference
        (NUMBERS, "MAX(A{r},-5)", False),
        (NUMBERS, "1/A{r}", False),
        (NUMBERS, 'A{r}&"x"', False),
        (BOOLS, "A{r}=FALSE", False),
        (BOOLS, 'A{r}=""', False),
        (TEXTS, "A{r}=0", False),
        (TEXTS, "A{r}*2", False),
        (NUMBERS, "A{r}=$C$2", False),
        (MIXED, "A{r}+1", False),
        (MIXED, 'A{r}=""', False),
        (TEXTS, 'IF(A{r}="a",1/0,2)', False),  # #DIV/0! on the row that takes it
        (NUMBERS, 'IF(A{r}>0,1,"x"*2)', False),
    ],
)
def test_empty_cells_in_vectors_equal_cell_by_cell(tmp_path: Path, monkeypatch, column, formula, vectorised):
    book = _book(tmp_path, column, formula)
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {}
    got = [grouped.values["S"].get((r, 2)) for r in range(1, 7)]
    want = [cells.values["S"].get((r, 2)) for r in range(1, 7)]
    assert [(type(a), a) for a in got] == [(type(b), b) for b in want]  # also -0.0 against 0.0
    assert [str(a) for a in got] == [str(b) for b in want]
    assert (grouped._engine is None) == vectorised  # the per-cell evaluator is loaded only when needed


def test_the_official_workbooks_share_column_by_hand(tmp_path: Path, monkeypatch):
    """IF(C="","",ROUND($B$7*C,2)) over amounts with empty lines: "" on the empty lines, the rounded
    share elsewhere (1.5 × 2.345 = 3.5175 → 3.52; 1.5 × -1 = -1.5; 0; 6), without the per-cell evaluator."""
    book = _book(tmp_path, NUMBERS, 'IF(A{r}="","",ROUND($C$1*A{r},2))')
    ev = evaluation(book, True, monkeypatch)
    assert [ev.values["S"].get((r, 2)) for r in range(1, 7)] == [3.52, "", -1.5, "", 0.0, 6.0]
    assert ev._engine is None


@pytest.mark.parametrize("formula", ["A0+1", "XFE1+1", "A1048577"])
def test_a_reference_outside_the_sheet_is_no_empty_cell(tmp_path: Path, monkeypatch, formula):
    """A cell that is not on the sheet is refused cell by cell, not read as an empty one."""
    rows = [f'<c r="A1"><v>1</v></c><c r="B1"><f>{formula}</f><v>0</v></c>']
    book = build_xlsx(tmp_path / "o.xlsx", {"S": sheet(rows)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert [i.cell for i in grouped.issues] == [i.cell for i in cells.issues] == ["B1"]
    assert grouped.groups == {}


def test_a_group_that_reads_past_the_last_row_goes_cell_by_cell(tmp_path: Path, monkeypatch):
    """B1048575:B1048576 read the row below: the last one's reference is not on the sheet."""
    last = 1_048_576
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r + 1}+1</f><v>0</v></c></row>'
        for r in (last - 1, last)
    )
    book = build_xlsx(tmp_path / "l.xlsx", {"S": rows})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {}
    assert [i.cell for i in grouped.issues] == [i.cell for i in cells.issues] == [f"B{last}"]
    assert grouped.values["S"][(last - 1, 2)] == last + 1.0
