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
from tests.test_recalc_excel_functions import evaluated, rows, value
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import ExcelError, cell_ref
from vng_xl.recalc.engine import FormulaUnsupported, evaluate
from vng_xl.recalc.workbook import WorkbookEvaluation


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


# ---------------------------------------------------------------- FORMULATEXT, ISFORMULA


def test_formulatext_and_isformula_microsoft_examples(tmp_path):
    got, issues = book(
        tmp_path,
        {
            # FORMULATEXT page: A2 holds =TODAY(); =FORMULATEXT(A2) gives the text "=TODAY()"
            "A2": "=TODAY()",
            "C2": "=_xlfn.FORMULATEXT(A2)",
            # ISFORMULA page: =TODAY() TRUE, 7 FALSE, Hello, world! FALSE, =3/0 TRUE
            "A3": 7.0,
            "A4": "Hello, world!",
            "A5": "=3/0",
            "B2": "=_xlfn.ISFORMULA(A2)",
            "B3": "=_xlfn.ISFORMULA(A3)",
            "B4": "=_xlfn.ISFORMULA(A4)",
            "B5": "=_xlfn.ISFORMULA(A5)",
        },
    )
    assert issues == {}
    assert got["C2"] == "=TODAY()"
    assert [got[f"B{r}"] for r in range(2, 6)] == [True, False, False, True]


def test_formulatext_as_the_formula_bar_shows_it(tmp_path):
    got, issues = book(
        tmp_path,
        {
            "A1": 5.0,
            "A2": "=_xlfn.LET(_xlpm.x, A1, _xlpm.x+1)",  # file prefixes dropped, spaces kept
            "A3": '=IF(A1>1,"_xlfn.keep",ROW())',  # ROW() stays ROW(), the text stays as typed
            "B1": "=_xlfn.FORMULATEXT(A1)",  # no formula: #N/A (FORMULATEXT page)
            "B2": "=_xlfn.FORMULATEXT(A2)",
            "B3": "=_xlfn.FORMULATEXT(A3)",
            "B4": "=_xlfn.FORMULATEXT(A2:A3)",  # a range: its top-left cell (FORMULATEXT page)
            "B5": "=_xlfn.FORMULATEXT(Z99)",  # an empty cell
        },
    )
    assert issues == {}
    assert got["B1"] == ExcelError("#N/A") and got["B5"] == ExcelError("#N/A")
    assert got["B2"] == got["B4"] == "=LET(x, A1, x+1)"
    assert got["B3"] == '=IF(A1>1,"_xlfn.keep",ROW())'


def test_formulatext_of_a_shared_formula_follower(tmp_path):
    master = '<c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>0</v></c>'
    got, issues = book(
        tmp_path,
        {
            "A1": master,
            "A2": '<c r="A2"><f t="shared" si="0"/><v>0</v></c>',
            "A3": '<c r="A3"><f t="shared" si="0"/><v>0</v></c>',
            "C1": "=_xlfn.FORMULATEXT(A3)",
            "C2": "=_xlfn.ISFORMULA(A2)",
        },
    )
    assert issues == {}
    assert got["C1"] == "=B3*2" and got["C2"] is True


def test_isformula_inside_an_array_formula(tmp_path):
    array = '<c r="A1"><f t="array" ref="A1:A2">B1:B2*2</f><v>0</v></c>'
    got, issues = book(tmp_path, {"A1": array, "A2": '<c r="A2"><v>0</v></c>', "C1": "=_xlfn.ISFORMULA(A2)"})
    assert issues == {} and got["C1"] is True


# ---------------------------------------------------------------- SHEET, SHEETS

_CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet"
_CHARTSHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr/>'
    '<sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'
)


def with_chart_sheet(path: Path, before: str) -> Path:
    """The workbook with a chart sheet "Grafiek" put in the sheet order before the sheet `before`."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    wb = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = wb.replace(
        f'<sheet name="{before}"', '<sheet name="Grafiek" sheetId="99" r:id="rId99"/>' + f'<sheet name="{before}"'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{_CHART_REL}" Target="chartsheets/sheet1.xml"/></Relationships>',
    ).encode()
    parts["xl/chartsheets/sheet1.xml"] = _CHARTSHEET.encode()
    ct = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = ct.replace(
        "</Types>",
        '<Override PartName="/xl/chartsheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.chartsheet+xml"/></Types>',
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


SHEET_FORMULAS = {
    "A1": "=_xlfn.SHEET(QSalesByRegion)",  # SHEET page: the sheet of a workbook-scoped name: 2
    "A2": '=_xlfn.SHEET("Stuff")',  # SHEET page: the sheet named Stuff: 3
    "A3": "=_xlfn.SHEET(Hi_Temps)",  # SHEET page: a name scoped to another sheet: #NAME?
    "A4": '=_xlfn.SHEET("badSheetName")',  # SHEET page: #N/A
    "A5": "=_xlfn.SHEET()",  # the formula's own sheet
    "A6": "=_xlfn.SHEETS()",  # SHEETS page: all sheets of the workbook
    "A7": "=_xlfn.SHEETS(Stuff!A1:B2)",  # a reference on one sheet: 1
    "A8": "=_xlfn.SHEET(Stuff!B2)",
}


def _sheets_book(tmp_path: Path, chart_before: str | None) -> WorkbookEvaluation:
    path = build_xlsx(
        tmp_path / "s.xlsx",
        {"Blad1": rows(SHEET_FORMULAS), "Sales": rows({"B2": 1.0}), "Stuff": rows({"B2": 2.0})},
        names={"QSalesByRegion": "Sales!$B$2:$E$5"},
    )
    wb = path.read_bytes()
    assert b"Hi_Temps" not in wb
    if chart_before:
        with_chart_sheet(path, chart_before)
    return evaluated(path)


def test_sheet_microsoft_examples(tmp_path):
    ev = _sheets_book(tmp_path, None)
    got = {cell_ref(r, c): v for (r, c), v in ev.values["Blad1"].items()}
    assert ev.issues == []
    assert got["A1"] == 2.0 and got["A2"] == 3.0 and got["A8"] == 3.0
    assert got["A3"] == ExcelError("#NAME?") and got["A4"] == ExcelError("#N/A")
    assert got["A5"] == 1.0 and got["A6"] == 3.0 and got["A7"] == 1.0


def test_sheet_counts_chart_sheets_in_workbook_order(tmp_path):
    # SHEET page: "all worksheets (visible, hidden, or very hidden) in addition to all other sheet types
    # (macro, chart, or dialog sheets)"
    ev = _sheets_book(tmp_path, "Stuff")  # Blad1, Sales, Grafiek (a chart sheet), Stuff
    got = {cell_ref(r, c): v for (r, c), v in ev.values["Blad1"].items()}
    assert ev.issues == []
    assert got["A2"] == 4.0 and got["A8"] == 4.0 and got["A6"] == 4.0
    assert got["A1"] == 2.0 and got["A5"] == 1.0


# ---------------------------------------------------------------- the spill reference A1#


def _dynamic(ref: str, area: str, formula: str) -> str:
    return f'<c r="{ref}" cm="1"><f t="array" ref="{area}">{escape(formula)}</f><v>0</v></c>'


def test_spill_reference_reads_the_whole_spilled_area(tmp_path):
    # "Spilled range operator" page: E2# is the whole range the formula in E2 spills into; here the
    # file's ref= (B1:B2) is smaller than the spill the anchor computes (B1:B3)
    got, issues = book(
        tmp_path,
        {
            "A1": 1.0,
            "A2": 2.0,
            "A3": 3.0,
            "B1": _dynamic("B1", "B1:B2", "A1:A3*2"),
            "C1": "=SUM(_xlfn.ANCHORARRAY(B1))",
            "C2": "=ROWS(_xlfn.ANCHORARRAY(B1))",
            "C3": "=COUNT(S!B1#)",
            "D1": _dynamic("D1", "D1", "_xlfn.ANCHORARRAY(B1)+1"),
        },
        dynamic=True,
    )
    assert issues == {}
    assert [got["B1"], got["B2"], got["B3"]] == [2.0, 4.0, 6.0]
    assert got["C1"] == 12.0 and got["C2"] == 3.0 and got["C3"] == 3.0
    assert [got["D1"], got["D2"], got["D3"]] == [3.0, 5.0, 7.0]


def test_spill_reference_to_a_blocked_spill_or_no_dynamic_formula(tmp_path):
    got, issues = book(
        tmp_path,
        {
            "A1": 1.0,
            "A2": 2.0,
            "B1": _dynamic("B1", "B1", "A1:A2*2"),
            "B2": "in the way",  # the spill is blocked: B1 shows #SPILL!
            "C1": "=SUM(_xlfn.ANCHORARRAY(B1))",
            "C2": "=SUM(_xlfn.ANCHORARRAY(A1))",  # A1 holds a number, not a dynamic-array formula
        },
        dynamic=True,
    )
    assert got["B1"] == ExcelError("#SPILL!") and got["C1"] == ExcelError("#REF!")
    assert "no dynamic-array formula" in issues["C2"]


def test_rows_and_columns_of_an_array():
    # ROWS page: =ROWS({1,2,3;4,5,6}) gives 2; COLUMNS page: =COLUMNS({1,2,3;4,5,6}) gives 3
    assert value("ROWS({1,2,3;4,5,6})") == 2.0
    assert value("COLUMNS({1,2,3;4,5,6})") == 3.0


# ---------------------------------------------------------------- --x, ISNUMBER, SWITCH


def test_double_minus_makes_numbers():
    # Excel applies each sign: --TRUE is 1, so SUMPRODUCT counts the matches (as Excel cached 6 in
    # koala/tests_files_SharedFormula.xlsx Shared_formula!N10 for SUMPRODUCT(--(L16:L19=L17),N16:N19))
    assert value('SUMPRODUCT(--({"A";1;1;1}=1),{2;2;2;2})') == 6.0
    assert value("--TRUE") == 1.0 and value('--"1"') == 1.0 and value("-+-TRUE") == 1.0
    assert value("+TRUE") is True  # a unary plus alone changes nothing
    assert value('--"A"') == ExcelError("#VALUE!")


def test_isnumber_of_a_text_is_false():
    # IS functions page: "in the formula ISNUMBER("19"), "19" is not converted from a text value to a
    # number value, and the ISNUMBER function returns FALSE"; =ISNUMBER(A5) with 330.92 in A5: TRUE
    assert value('ISNUMBER("19")') is False
    assert value("ISNUMBER(330.92)") is True
    assert value("ISNUMBER(TRUE)") is False


@pytest.mark.parametrize(
    "formula, expected",
    [
        # SWITCH page: A2 = 2, A3 = 99, A4 = 99, A5 = 2, A6 = 3
        ('SWITCH(2,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "Monday"),
        ('SWITCH(99,1,"Sunday",2,"Monday",3,"Tuesday")', ExcelError("#N/A")),
        ('SWITCH(99,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "No match"),
        ('SWITCH(2,1,"Sunday",7,"Saturday","weekday")', "weekday"),
        ('SWITCH(3,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "Tuesday"),
        # compared as Excel's = compares: texts regardless of case, different types never equal
        ('SWITCH("a","A","match","none")', "match"),
        ('SWITCH(1,TRUE,"match","none")', "none"),
        ('SWITCH(1,"1","match","none")', "none"),
    ],
)
def test_switch(formula, expected):
    assert value(formula) == expected


# ---------------------------------------------------------------- the 1904 date system


def in_1904(path: Path) -> Path:
    """The workbook switched to the 1904 date system (<workbookPr date1904="1"/>), as Excel writes it."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


DATE_CELLS = {
    "A1": 39267.0,  # "Date systems in Excel": July 5, 2011 is 39267 in the 1904 system, 40729 in the 1900 one
    "B1": "=DATE(2011,7,5)",
    "B2": "=YEAR(A1)",
    "B3": "=MONTH(A1)",
    "B4": "=DAY(A1)",
    "B5": '=TEXT(A1,"yyyy-mm-dd")',
    "B6": '=DATEVALUE("2011-07-05")',
    "B7": '=VALUE("2011-07-05")',
    "B8": "=EDATE(A1,1)",  # 5 August 2011: 31 days on
    "B9": "=EOMONTH(A1,0)",  # 31 July 2011: 26 days on
    "B10": "=DATE(1904,1,1)",  # the 1904 system's day 0
    "B11": "=DATE(1903,12,31)",  # before it: no date
    "B12": "=WEEKDAY(DATE(1904,1,1))",  # a Friday: 6
    "B13": "=DATE(9999,12,31)",  # the system's last day: 2957003
    "B14": '=TEXT(A1,"0.00")',  # a number format: no date, nothing moves
    "B15": "=YEAR(A2)",  # an empty cell is day 0
}


def test_the_1904_date_system(tmp_path):
    ev = evaluated(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(DATE_CELLS)})))
    got = {cell_ref(r, c): v for (r, c), v in ev.values["S"].items()}
    assert ev.issues == []
    assert [got["B1"], got["B6"], got["B7"]] == [39267.0, 39267.0, 39267.0]
    assert [got["B2"], got["B3"], got["B4"], got["B5"]] == [2011.0, 7.0, 5.0, "2011-07-05"]
    assert got["B8"] == 39267.0 + 31 and got["B9"] == 39267.0 + 26
    assert got["B10"] == 0.0 and got["B11"] == ExcelError("#NUM!") and got["B12"] == 6.0
    assert got["B13"] == 2957003.0 and got["B14"] == "39267.00" and got["B15"] == 1904.0


def test_the_1900_date_system_is_unchanged_next_to_it(tmp_path):
    # the same formulas, compiled once, in a 1900 workbook after a 1904 one (and back)
    evaluated(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(DATE_CELLS)})))
    ev = evaluated(build_xlsx(tmp_path / "e.xlsx", {"S": rows(DATE_CELLS)}))
    got = {cell_ref(r, c): v for (r, c), v in ev.values["S"].items()}
    assert [got["B1"], got["B6"], got["B7"]] == [40729.0, 40729.0, 40729.0]
    assert [got["B2"], got["B3"], got["B4"], got["B5"]] == [2007.0, 7.0, 4.0, "2007-07-04"]  # 39267 in 1900
    assert got["B10"] == 1462.0 and got["B13"] == 2958465.0 and got["B15"] == 1900.0
    assert value("DATE(2011,7,5)") == 40729.0  # no workbook: the 1900 system


def test_a_date_criterion_counts_in_the_1904_system(tmp_path):
    # 5 July 2011 is 39267 in the 1904 system; 1 January 2011 is 39082 there and 40544 in the 1900 one
    cells = {"A1": 39267.0, "B1": '=COUNTIF(A1:A1,">1/1/2011")', "B2": '=SUMIF(A1:A1,"<1/1/2011")'}
    ev = evaluated(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(cells)})))
    assert ev.issues == []
    assert ev.values["S"][(1, 2)] == 1.0 and ev.values["S"][(2, 2)] == 0.0


def test_a_1904_workbook_run_after_another_was_read_keeps_its_dates(tmp_path):
    pkg = Package.open(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(DATE_CELLS)})), check_lock=False)
    try:
        first = WorkbookEvaluation(pkg)
        evaluated(build_xlsx(tmp_path / "e.xlsx", {"S": rows(DATE_CELLS)}))  # a 1900 workbook meanwhile
        first.run()
    finally:
        pkg.close()
    got = {cell_ref(r, c): v for (r, c), v in first.values["S"].items()}
    assert [got["B2"], got["B3"], got["B4"], got["B5"]] == [2011.0, 7.0, 5.0, "2011-07-05"]
    assert got["B8"] == 39267.0 + 31 and got["B10"] == 0.0


def test_a_formula_without_a_workbook_after_a_1904_one(tmp_path):
    ev = evaluated(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(DATE_CELLS)})))
    assert ev.values["S"][(1, 2)] == 39267.0
    assert value("DATE(2011,7,5)") == 40729.0  # vng-xl eval: the 1900 system
