"""LET, FORMULATEXT/ISFORMULA, SHEET/SHEETS, the spill reference A1#, the 1904 date system, and three
comparisons Excel makes its own way (issue 12), against Excel's documented results.

Expected values are typed from Microsoft's function reference (support.microsoft.com: the LET,
FORMULATEXT, ISFORMULA, SHEET, SHEETS pages and "Date systems in Excel") or follow from the rule
that page states; none is computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import cell_ref, parse_ref
from vng_xl.recalc.engine import FormulaUnsupported, evaluate
from vng_xl.recalc.workbook import WorkbookEvaluation


def value(formula: str) -> object:
    return evaluate(formula).value


def _cell(ref: str, v: object) -> str:
    if isinstance(v, str) and v.startswith("="):
        return f'<c r="{ref}"><f>{escape(v[1:])}</f><v>0</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
    return f'<c r="{ref}"><v>{v!r}</v></c>'


def rows(cells: dict[str, object]) -> str:
    by_row: dict[int, list[tuple[int, str]]] = {}
    for ref, v in cells.items():
        r, c = parse_ref(ref)
        by_row.setdefault(r, []).append((c, v if isinstance(v, str) and v.startswith("<c ") else _cell(ref, v)))
    return "".join(f'<row r="{r}">' + "".join(x for _, x in sorted(cs)) + "</row>" for r, cs in sorted(by_row.items()))


def evaluated(path: Path) -> WorkbookEvaluation:
    pkg = Package.open(path, check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
    finally:
        pkg.close()
    return ev


def book(tmp_path: Path, cells: dict[str, object], **kw) -> tuple[dict[str, object], dict[str, str]]:
    """A one-sheet workbook evaluated: its values by cell, and the reasons of cells not computed."""
    ev = evaluated(build_xlsx(tmp_path / "f.xlsx", {"S": rows(cells)}, **kw))
    issues = {i.cell: i.reason for i in ev.issues}
    return {cell_ref(r, c): v for (r, c), v in ev.values["S"].items()}, issues


# ---------------------------------------------------------------- LET


def test_let_microsoft_example_1():
    # "=LET(x, 5, SUM(x, 1))": returns 6 (the LET page, example 1)
    assert value("LET(x, 5, SUM(x, 1))") == 6.0
    assert value("_xlfn.LET(_xlpm.x, 5, SUM(_xlpm.x, 1))") == 6.0  # as a file stores it


def test_let_names_in_order_and_nested():
    assert value("LET(total, 10, rate, 0.5, total*rate)") == 5.0  # a later pair uses an earlier name
    assert value("LET(x, 1, LET(y, x+1, y)+x)") == 3.0  # an inner LET sees the outer name
    assert value("LET(x, 1, x+LET(x, 2, x)*10)") == 21.0  # the inner x shadows the outer one inside only
    assert value("LET(x, 1, LET(y, x, x, 5, y+x))") == 6.0  # y took the outer x before the inner x existed
    assert value("1+LET(x, 2, x*3)+LET(y, 1, y)") == 8.0  # LET inside a larger formula
    assert value('LET(x, "LET(", x)') == "LET("


def test_let_value_computed_once():
    # x is one random number: x-x is 0 only when RAND() runs once
    assert all(value("LET(x, RAND(), x-x)") == 0.0 for _ in range(5))


@pytest.mark.parametrize(
    "formula",
    [
        "LET(c, 1, c)",  # the LET page: "c" conflicts with R1C1 references
        "LET(r, 1, r)",
        "LET(R1C1, 1, R1C1)",
        "LET(x1, 1, x1)",  # a cell reference
        "LET(XFD1, 1, XFD1)",
        "LET(1x, 1, 1)",  # must start with a letter
        "LET(x, 1, x, 2, x)",  # a name twice
        "LET(x, 1)",  # no calculation
    ],
)
def test_let_invalid_names_refused(formula):
    with pytest.raises(FormulaUnsupported):
        evaluate(formula)


def test_let_valid_names_next_to_references():
    assert value("LET(a, 2, a*a)") == 4.0  # the LET page: "a" is valid
    assert value("LET(XFE1, 3, XFE1)") == 3.0  # past column XFD: no reference


def test_let_in_a_workbook(tmp_path):
    got, issues = book(
        tmp_path,
        {
            "A1": 4.0,
            "A2": 6.0,
            "B1": "=_xlfn.LET(_xlpm.v,A1:A2,SUM(_xlpm.v)*2)",
            "B2": "=_xlfn.LET(_xlpm.rate,A1,A2*_xlpm.rate)",
            "B3": "=_xlfn.LET(_xlpm.Kosten,1,_xlpm.Kosten+1)",
        },
        names={"Kosten": "S!$A$1"},
    )
    assert got["B1"] == 20.0 and got["B2"] == 24.0
    assert "KOSTEN is also a defined name" in issues["B3"]  # shadows a defined name: reported, not guessed
    assert got["B3"] == 0.0  # the cached value kept
