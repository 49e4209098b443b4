"""Causes found by the corpus measurement (tests/corpus_agreement.py), each in a tiny workbook: the
value Excel gives, which the evaluator gave differently or refused."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import ExcelError, parse_ref
from vng_xl.recalc.engine import evaluate
from vng_xl.recalc.workbook import WorkbookEvaluation


def evaluated(tmp_path: Path, sheets: dict[str, str], dynamic: bool = False, **kw) -> WorkbookEvaluation:
    """The workbook built from these <row> elements, recalculated (nothing written)."""
    pkg = Package.open(build_xlsx(tmp_path / "w.xlsx", sheets, dynamic=dynamic, **kw), check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
    finally:
        pkg.close()
    return ev


def test_volatile_array_formula_cells_are_part_of_its_area(tmp_path: Path):
    """Excel writes `<f ca="1"/>` in every cell of an array formula with a volatile function."""
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="array" ref="B1:B2" ca="1">A1:A2*2+RAND()*0</f>'
        '<v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c><c r="B2"><f ca="1"/><v>6</v></c></row>'
    )
    ev = evaluated(tmp_path, {"S": rows})
    assert ev.issues == []
    assert (ev.values["S"][(1, 2)], ev.values["S"][(2, 2)]) == (2.0, 6.0)


def test_array_formula_over_a_whole_row_spans_the_whole_row(tmp_path: Path):
    """=S!1:1 as a dynamic array fills all 16,384 columns; the empty cells give 0."""
    source = '<row r="1"><c r="A1"><v>5</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row>'
    target = '<row r="1"><c r="A1" cm="1"><f t="array" ref="A1:XFD1">S!1:1</f><v>5</v></c></row>'
    ev = evaluated(tmp_path, {"S": source, "T": target}, dynamic=True)
    assert ev.issues == []
    row = ev.values["T"]
    assert (row[(1, 1)], row[(1, 2)], row[(1, 3)], row[(1, 16384)]) == (5.0, "x", 0.0, 0.0)
    assert len(row) == 16384


def rows_of(cells: dict[str, object]) -> str:
    """<row> elements for {"A1": 1, "B2": "=A1+1"}: numbers as values, "=..." as formulas."""
    by_row: dict[int, list[str]] = {}
    for ref, v in sorted(cells.items(), key=lambda kv: (int(kv[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), kv[0])):
        body = f"<f>{escape(v[1:])}</f><v>0</v>" if isinstance(v, str) and v.startswith("=") else f"<v>{v}</v>"
        by_row.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(f'<c r="{ref}">{body}</c>')
    return "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(by_row.items()))


def shown(value: object) -> object:
    return str(value) if isinstance(value, ExcelError) else value


@pytest.mark.parametrize(
    "formula, cell, expected",
    [
        ("A1:A3+B1:B3", "D2", 22.0),  # each range gives the cell in the formula's row
        ("Liste*100+B2:B4", "D2", 220.0),  # ranges at different places: each its own cell of row 2
        ("A1:A3+B1:B3", "D5", "#VALUE!"),  # row 5 crosses neither range
        ("IF(C1>1,A1:A3,0)", "D3", 3.0),  # through a function: the element in the formula's row
        ("SUM(A1:A3)*B1:B3", "D3", 180.0),  # SUM still sees the whole range
        ("{1,2,3}*2", "D1", 2.0),  # an array no range gives: its first value
    ],
)
def test_implicit_intersection_in_ordinary_formulas(tmp_path: Path, formula: str, cell: str, expected):
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": 10, "B2": 20, "B3": 30, "B4": 40, "C1": 5, cell: "=" + formula}
    ev = evaluated(tmp_path, {"S": rows_of(cells)}, names={"Liste": "S!$A$1:$A$3"})
    assert ev.issues == []
    assert shown(ev.values["S"][parse_ref(cell)]) == expected


def test_array_formula_over_ranges_of_unequal_sizes(tmp_path: Path):
    """{=IFERROR(G4:G7/H4:H7,G12:G13)}: four rows; where the division fails, G12:G13 has rows 1-2 only."""
    cells = {"G4": 1, "G5": 2, "G6": 3, "G7": 4, "H4": 1, "H5": 0, "H6": 0, "H7": 2, "G12": 7, "G13": 8}
    rows = rows_of(cells).replace(
        '<row r="4">', '<row r="4"><c r="J4"><f t="array" ref="J4:J7">IFERROR(G4:G7/H4:H7,G12:G13)</f><v>0</v></c>'
    )
    ev = evaluated(tmp_path, {"S": rows})
    assert ev.issues == []
    assert [shown(ev.values["S"].get((r, 10))) for r in range(4, 8)] == [1.0, 8.0, "#N/A", 2.0]


@pytest.mark.parametrize(
    "formula, expected",
    [
        ("{1;2;3;4}+{10;20}", [[11.0], [22.0], ["#N/A"], ["#N/A"]]),  # past the shorter array: #N/A
        ("{1;2;3}+{10,20}", [[11.0, 21.0], [12.0, 22.0], [13.0, 23.0]]),  # a row and a column: a table
        ("{1,2;3,4}*{1,2,3}", [[1.0, 4.0, "#N/A"], [3.0, 8.0, "#N/A"]]),  # the single row repeats down
        ("IF({TRUE;FALSE;TRUE},{1;2;3},{7;8})", [[1.0], [8.0], [3.0]]),
        ("IFS({TRUE;FALSE;FALSE},{1;2},{FALSE;TRUE},{5;6;7})", [[1.0], [6.0], ["#N/A"]]),
    ],
)
def test_unequal_arrays_combine_as_in_excel(formula: str, expected: list):
    block = evaluate(formula).block
    assert [[shown(v) for v in row] for row in block] == expected


def test_a_name_the_workbook_does_not_define_is_a_name_error(tmp_path: Path):
    """Excel keeps `=na` (a mistyped NA()) as the error #NAME?; what depends on it is computed on."""
    cells = {"A1": "=na", "B1": "=ISERROR(A1)", "C1": "=IFERROR(NoSuchName*2,7)"}
    ev = evaluated(tmp_path, {"S": rows_of(cells)})
    assert ev.issues == []
    assert [shown(ev.values["S"][(1, c)]) for c in (1, 2, 3)] == ["#NAME?", True, 7.0]


def test_array_formula_over_whole_columns_reads_empty_cells_past_the_used_ones(tmp_path: Path):
    """{=S!A:A*2} over T!B1:B5 with S!A used to row 3: rows 4 and 5 read empty cells, so 0 (not #N/A)."""
    target = '<row r="1"><c r="B1"><f t="array" ref="B1:B5">S!A:A*2</f><v>2</v></c></row>'
    ev = evaluated(tmp_path, {"S": rows_of({"A1": 1, "A2": 2, "A3": 3}), "T": target})
    assert ev.issues == []
    assert [shown(ev.values["T"].get((r, 2))) for r in range(1, 6)] == [2.0, 4.0, 6.0, 0.0, 0.0]
