"""Causes found by the corpus measurement (tests/corpus_agreement.py), each in a tiny workbook: the
value Excel gives, which the evaluator gave differently or refused."""

from __future__ import annotations

from pathlib import Path

from tests.recalc_fixtures import build_xlsx
from vng_xl.ooxml.package import Package
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
