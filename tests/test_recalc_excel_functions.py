"""Excel functions added to the headless evaluator, against Excel's own results.

Expected values are the examples of Microsoft's function reference (support.microsoft.com, one
table per function), the Windows-1252 code chart for CHAR, or Excel's cached values in the
excel-formulas corpus (test_recalc_corpus_functions.py); none is computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.recalc_fixtures import build_xlsx
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import ExcelError, cell_ref, parse_ref
from vng_xl.recalc.engine import evaluate
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
    """The sheetData rows of {"A1": value, "=formula" or a ready <c> element}, in order."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for ref, v in cells.items():
        r, c = parse_ref(ref)
        by_row.setdefault(r, []).append((c, v if isinstance(v, str) and v.startswith("<c ") else _cell(ref, v)))
    return "".join(f'<row r="{r}">' + "".join(x for _, x in sorted(cs)) + "</row>" for r, cs in sorted(by_row.items()))


def evaluated(path: Path) -> WorkbookEvaluation:
    """The workbook at path, recalculated."""
    pkg = Package.open(path, check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
    finally:
        pkg.close()
    return ev


def sheet_values(tmp_path: Path, cells: dict[str, object]) -> dict[str, object]:
    """Evaluate a one-sheet workbook given as {"A1": value or "=formula"}; the values by cell."""
    ev = evaluated(build_xlsx(tmp_path / "f.xlsx", {"S": rows(cells)}))
    assert ev.issues == []
    return {cell_ref(r, c): v for (r, c), v in ev.values["S"].items()}


def err(code: str) -> ExcelError:
    return ExcelError(code)


# ---------------------------------------------------------------- bases


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=DEC2BIN(9,4)", "1001"),
        ("=DEC2BIN(-100)", "1110011100"),
        ("=DEC2HEX(100,4)", "0064"),
        ("=DEC2HEX(-54)", "FFFFFFFFCA"),
        ("=DEC2HEX(28)", "1C"),
        ("=DEC2HEX(64,1)", err("#NUM!")),
        ("=DEC2OCT(58,3)", "072"),
        ("=DEC2OCT(-100)", "7777777634"),
        ('=HEX2BIN("F",8)', "00001111"),
        ('=HEX2BIN("B7")', "10110111"),
        ('=HEX2BIN("FFFFFFFFFF")', "1111111111"),
        ('=HEX2DEC("A5")', 165.0),
        ('=HEX2DEC("FFFFFFFF5B")', -165.0),
        ('=HEX2DEC("3DA408B9")', 1034160313.0),
        ('=HEX2OCT("F",3)', "017"),
        ('=HEX2OCT("FFFFFFFF00")', "7777777400"),
        ("=BIN2DEC(1100100)", 100.0),
        ("=BIN2DEC(1111111111)", -1.0),
        ("=BIN2HEX(11111011,4)", "00FB"),
        ("=BIN2HEX(1110)", "E"),
        ("=BIN2HEX(1111111111)", "FFFFFFFFFF"),
        ("=BIN2OCT(1001,3)", "011"),
        ("=BIN2OCT(1100100)", "144"),
        ("=OCT2BIN(3,3)", "011"),
        ("=OCT2BIN(7777777000)", "1000000000"),
        ("=OCT2DEC(54)", 44.0),
        ("=OCT2DEC(7777777533)", -165.0),
        ("=OCT2HEX(100,4)", "0040"),
        ("=OCT2HEX(7777777533)", "FFFFFFFF5B"),
        ("=BASE(7,2)", "111"),
        ("=BASE(100,16)", "64"),
        ("=BASE(15,2,10)", "0000001111"),
    ],
)
def test_base_conversions_as_microsofts_examples(formula: str, expected: object):
    assert value(formula) == expected


def test_places_from_a_cell_as_excel_cached_them(tmp_path: Path):
    """Excel's values from the corpus file xlcalculator/tests_resources_BASES.xlsx, sheet places-dec2."""
    got = sheet_values(
        tmp_path,
        {
            "A1": 101,
            "B1": 0,
            "C1": 7,
            "D1": 10,
            "E1": 11,
            "A2": -11,
            "A3": "E",
            "F1": "=DEC2BIN(A1,B1)",
            "G1": "=DEC2BIN(A1,C1)",
            "H1": "=DEC2BIN(A1,D1)",
            "I1": "=DEC2BIN(A1,E1)",
            "F2": "=DEC2BIN(A2,B1)",
            "G2": "=DEC2BIN(A2,C1)",
            "H2": "=DEC2HEX(A2,D1)",
            "F3": "=DEC2OCT(A3,B1)",
            "G3": "=DEC2OCT(A3,C1)",
        },
    )
    assert [got[c] for c in ("F1", "G1", "H1", "I1")] == [err("#NUM!"), "1100101", "0001100101", err("#NUM!")]
    assert [got[c] for c in ("F2", "G2", "H2")] == [err("#NUM!"), "1111110101", "FFFFFFFFF5"]
    assert [got["F3"], got["G3"]] == [err("#NUM!"), err("#VALUE!")]


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=QUOTIENT(5,2)", 2.0),
        ("=QUOTIENT(4.5,3.1)", 1.0),
        ("=QUOTIENT(-10,3)", -3.0),
        ("=QUOTIENT(1,0)", err("#DIV/0!")),
        ("=COMBIN(8,2)", 28.0),
        ("=COMBIN(2,8)", err("#NUM!")),
        ("=COMBIN(1030,515)", err("#NUM!")),
        ("=ROUND(2.15,1)", 2.2),
        ("=ROUND(2.149,1)", 2.1),
        ("=ROUND(-1.475,2)", -1.48),
        ("=ROUND(21.5,-1)", 20.0),
        ("=ROUND(626.3,-3)", 1000.0),
        ("=ROUND(1.98,-1)", 0.0),
        ("=ROUND(-50.55,-2)", -100.0),
        ("=ROUNDUP(3.2,0)", 4.0),
        ("=ROUNDUP(76.9,0)", 77.0),
        ("=ROUNDUP(3.14159,3)", 3.142),
        ("=ROUNDUP(-3.14159,1)", -3.2),
        ("=ROUNDUP(31415.92654,-2)", 31500.0),
        ("=ROUNDDOWN(3.2,0)", 3.0),
        ("=ROUNDDOWN(76.9,0)", 76.0),
        ("=ROUNDDOWN(3.14159,3)", 3.141),
        ("=ROUNDDOWN(-3.14159,1)", -3.1),
        ("=ROUNDDOWN(31415.92654,-2)", 31400.0),
        ("=TRUNC(8.9)", 8.0),
        ("=TRUNC(-8.9)", -8.0),
        ("=TRUNC(0.45)", 0.0),
        # digits far beyond a double's: the number itself, or 0 to the left (and at once)
        ("=TRUNC(1E+100,1E+50)", 1e100),
        ("=ROUND(1.5,1E+300)", 1.5),
        ("=ROUND(123,-1E+300)", 0.0),
        ("=ROUNDDOWN(2.5,1E+20)", 2.5),
    ],
)
def test_numbers_as_microsofts_examples(formula: str, expected: object):
    assert value(formula) == expected


def test_sequence_spills_its_array():
    assert value("=SEQUENCE(4,5)") == [[float(5 * r + c + 1) for c in range(5)] for r in range(4)]
    assert value("=SEQUENCE(3,1,10,-5)") == [[10.0], [5.0], [0.0]]
    assert value("=SEQUENCE(0)") == err("#CALC!")


@pytest.mark.parametrize(
    ("code", "char"),
    [(65, "A"), (33, "!"), (128, "\u20ac"), (150, "\u2013"), (153, "\u2122"), (233, "\u00e9"), (255, "\u00ff")],
)
def test_char_is_windows_1252(code: int, char: str):
    assert value(f"=CHAR({code})") == char
    assert value(f'=CODE("{char}")') == float(code)


def test_char_out_of_range():
    assert value("=CHAR(0)") == err("#VALUE!")
    assert value("=CHAR(256)") == err("#VALUE!")


# ---------------------------------------------------------------- conditions


def _fruit(tmp_path: Path, formulas: dict[str, str]) -> dict[str, object]:
    """COUNTIF's documentation example: A2:A5 fruit, B2:B5 numbers."""
    cells = {"A2": "apples", "A3": "oranges", "A4": "peaches", "A5": "apples", "B2": 32, "B3": 54, "B4": 75, "B5": 86}
    return sheet_values(tmp_path, {**cells, **formulas})


def test_countif_as_microsofts_examples(tmp_path: Path):
    f = {
        "D1": '=COUNTIF(A2:A5,"apples")',
        "D2": "=COUNTIF(A2:A5,A4)",
        "D3": "=COUNTIF(A2:A5,A2)+COUNTIF(A2:A5,A3)",
        "D4": '=COUNTIF(B2:B5,">55")',
        "D5": '=COUNTIF(B2:B5,"<>"&B4)',
        "D6": '=COUNTIF(B2:B5,">=32")-COUNTIF(B2:B5,">85")',
        "D7": '=COUNTIF(A2:A5,"*")',
        "D8": '=COUNTIF(A2:A5,"?????es")',
    }
    got = _fruit(tmp_path, f)
    assert [got[f"D{i}"] for i in range(1, 9)] == [2.0, 1.0, 3.0, 2.0, 3.0, 3.0, 4.0, 2.0]


def test_sumif_as_microsofts_examples(tmp_path: Path):
    cells = {f"A{i + 2}": v for i, v in enumerate([100000, 200000, 300000, 400000])}
    cells |= {f"B{i + 2}": v for i, v in enumerate([7000, 14000, 21000, 28000])}
    cells |= {"C2": 250000}
    kinds = ["Vegetables", "Vegetables", "Fruits", None, "Vegetables", "Fruits"]
    foods = ["Tomatoes", "Celery", "Oranges", "Butter", "Carrots", "Apples"]
    for i, (k, f, n) in enumerate(zip(kinds, foods, [2300, 5500, 800, 400, 4200, 1200])):
        if k:
            cells[f"E{i + 2}"] = k
        cells[f"F{i + 2}"], cells[f"G{i + 2}"] = f, n
    f = {
        "J1": '=SUMIF(A2:A5,">160000",B2:B5)',
        "J2": '=SUMIF(A2:A5,">160000")',
        "J3": "=SUMIF(A2:A5,300000,B2:B5)",
        "J4": '=SUMIF(A2:A5,">"&C2,B2:B5)',
        "J5": '=SUMIF(E2:E7,"Fruits",G2:G7)',
        "J6": '=SUMIF(E2:E7,"Vegetables",G2:G7)',
        "J7": '=SUMIF(F2:F7,"*es",G2:G7)',
        "J8": '=SUMIF(E2:E7,"",G2:G7)',
    }
    got = sheet_values(tmp_path, {**cells, **f})
    assert [got[f"J{i}"] for i in range(1, 9)] == [63000.0, 900000.0, 21000.0, 49000.0, 2000.0, 12000.0, 4300.0, 400.0]


def test_sumifs_as_microsofts_examples(tmp_path: Path):
    qty = [5, 4, 15, 3, 22, 12, 10, 33]
    product = ["Apples", "Apples", "Artichokes", "Artichokes", "Bananas", "Bananas", "Carrots", "Carrots"]
    cells = {}
    for i, (q, p) in enumerate(zip(qty, product)):
        cells[f"A{i + 2}"], cells[f"B{i + 2}"], cells[f"C{i + 2}"] = q, p, ("Tom" if i % 2 == 0 else "Sarah")
    f = {
        "E1": '=SUMIFS(A2:A9,B2:B9,"=A*",C2:C9,"Tom")',
        "E2": '=SUMIFS(A2:A9,B2:B9,"<>Bananas",C2:C9,"Tom")',
        "E3": '=COUNTIFS(B2:B9,"=A*",C2:C9,"Tom")',
        "E4": '=AVERAGEIFS(A2:A9,B2:B9,"=A*",C2:C9,"Tom")',
        "E5": '=MAXIFS(A2:A9,C2:C9,"Sarah")',
        "E6": '=MINIFS(A2:A9,C2:C9,"Sarah")',
    }
    got = sheet_values(tmp_path, {**cells, **f})
    # SUMIFS from its documentation; the others are the same rows counted by hand (5 and 15; 4..33)
    assert [got[f"E{i}"] for i in range(1, 7)] == [20.0, 30.0, 2.0, 10.0, 33.0, 3.0]


def test_criteria_on_empty_cells(tmp_path: Path):
    """COUNTIFS's documented rule: an empty criteria cell means 0; "=" empty cells, "<>" filled ones."""
    cells = {"A1": 0, "A3": "x", "A5": 7}
    f = {
        "E1": "=COUNTIF(A1:A5,B1)",
        "E2": '=COUNTIF(A1:A5,"=")',
        "E3": '=COUNTIF(A1:A5,"<>")',
        "E4": '=COUNTIF(A1:A5,"")',
        "E5": '=COUNTIF(A1:A5,"<>x")',
    }
    got = sheet_values(tmp_path, {**cells, **f})
    assert [got[f"E{i}"] for i in range(1, 6)] == [1.0, 2.0, 3.0, 2.0, 4.0]


# ---------------------------------------------------------------- database functions

_TREES = [
    ["Tree", "Height", "Age", "Yield", "Profit"],
    ["Apple", 18, 20, 14, 105],
    ["Pear", 12, 12, 10, 96],
    ["Cherry", 13, 14, 9, 105],
    ["Apple", 14, 15, 10, 75],
    ["Pear", 9, 8, 8, 76.8],
    ["Apple", 8, 9, 6, 45],
]


def _trees(tmp_path: Path, formulas: dict[str, str]) -> dict[str, object]:
    """The database functions' documentation example: criteria A1:F3, database A4:E10."""
    cells: dict[str, object] = {}
    for c, label in enumerate(["Tree", "Height", "Age", "Yield", "Profit", "Height"]):
        cells[cell_ref(1, c + 1)] = label
    cells |= {"A2": '="=Apple"', "B2": ">10", "F2": "<16", "A3": '="=Pear"'}
    for r, row in enumerate(_TREES):
        for c, v in enumerate(row):
            cells[cell_ref(r + 4, c + 1)] = v
    return sheet_values(tmp_path, {**cells, **formulas})


def test_database_functions_as_microsofts_examples(tmp_path: Path):
    f = {
        "H1": '=DCOUNT(A4:E10,"Age",A1:F2)',
        "H2": '=DCOUNTA(A4:E10,"Profit",A1:F2)',
        "H3": '=DMAX(A4:E10,"Profit",A1:A3)',
        "H4": '=DMIN(A4:E10,"Profit",A1:B2)',
        "H5": '=DSUM(A4:E10,"Profit",A1:A2)',
        "H6": '=DSUM(A4:E10,"Profit",A1:F2)',
        "H7": '=DPRODUCT(A4:E10,"Yield",A1:F2)',
        "H8": '=DAVERAGE(A4:E10,"Yield",A1:B2)',
        "H9": "=DAVERAGE(A4:E10,3,A4:E10)",
        "H10": '=DSTDEV(A4:E10,"Yield",A1:A3)',
        "H11": '=DSTDEVP(A4:E10,"Yield",A1:A3)',
        "H12": '=DVAR(A4:E10,"Yield",A1:A3)',
        "H13": '=DVARP(A4:E10,"Yield",A1:A3)',
        "H14": '=DGET(A4:E10,"Yield",A1:A3)',
    }
    got = _trees(tmp_path, f)
    assert [got[f"H{i}"] for i in range(1, 10)] == [1.0, 1.0, 105.0, 75.0, 225.0, 75.0, 10.0, 12.0, 13.0]
    assert [round(got[f"H{i}"], 5) for i in range(10, 14)] == [2.96648, 2.65330, 8.8, 7.04]
    assert got["H14"] == err("#NUM!")


# ---------------------------------------------------------------- AGGREGATE


def test_aggregate_as_microsofts_examples(tmp_path: Path):
    a = ["#DIV/0!", 72, 30, "#NUM!", 31, 96, 32, 81, 33, 53, 34]
    b = [82, 65, 95, 63, 53, 71, 55, 83, 100, 91, 89]
    cells: dict[str, object] = {}
    for i, (x, y) in enumerate(zip(a, b), start=1):
        cells[f"A{i}"] = "=1/0" if x == "#DIV/0!" else "=SQRT(-1)" if x == "#NUM!" else x
        cells[f"B{i}"] = y
    f = {
        "D1": "=AGGREGATE(4,6,A1:A11)",
        "D2": "=AGGREGATE(14,6,A1:A11,3)",
        "D3": "=AGGREGATE(15,6,A1:A11)",
        "D4": "=AGGREGATE(12,6,A1:A11,B1:B11)",
        "D5": "=AGGREGATE(9,4,A1:A11)",
    }
    got = sheet_values(tmp_path, {**cells, **f})
    assert [got[f"D{i}"] for i in range(1, 6)] == [96.0, 72.0, err("#VALUE!"), 68.0, err("#DIV/0!")]


def test_aggregate_over_hidden_rows_or_nested_totals_is_reported(tmp_path: Path):
    """AGGREGATE leaves hidden rows and nested SUBTOTAL/AGGREGATE cells out; we cannot, so we say so."""
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" hidden="1"><c r="A2"><v>2</v></c></row>'
        '<row r="3"><c r="A3"><f>AGGREGATE(9,4,A1:A2)</f><v>0</v></c><c r="B3"><f>AGGREGATE(9,6,A3)</f><v>0</v></c>'
        '<c r="C3"><f>AGGREGATE(9,6,A1)</f><v>0</v></c></row>'
    )
    path = build_xlsx(tmp_path / "h.xlsx", {"S": rows})
    pkg = Package.open(path, check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
    finally:
        pkg.close()
    assert [(i.cell, i.reason) for i in ev.issues] == [
        ("A3", "AGGREGATE over hidden or filtered rows"),
        ("B3", "AGGREGATE over cells that hold SUBTOTAL or AGGREGATE themselves"),
    ]
    assert ev.values["S"][(3, 3)] == 1.0


# ---------------------------------------------------------------- TEXT


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's TEXT examples
        ('=TEXT(1234.567,"$#,##0.00")', "$1,234.57"),
        ('=TEXT(0.285,"0.0%")', "28.5%"),
        ('=TEXT(4.34,"# ?/?")', "4 1/3"),
        ('=TRIM(TEXT(0.34,"# ?/?"))', "1/3"),
        ('=TEXT(12200000,"0.00E+00")', "1.22E+07"),
        ('=TEXT(1234567898,"[<=9999999]###-####;(###) ###-####")', "(123) 456-7898"),
        ('=TEXT(1234,"0000000")', "0001234"),
        ("=TEXT(123456,\"##0° 00' 00''\")", "12° 34' 56''"),
        # Excel's cached values in the corpus file pycel/tests_fixtures_text.xlsx, sheet All, column L
        ('=TEXT(0,"#.###")', "."),
        ('=TEXT(-1,"#.###")', "-1."),
        ('=TEXT("1","#.###")', "1."),
        ('=TEXT("XYZZY","#.###")', "XYZZY"),
        ('=TEXT(TRUE,"#.###")', "TRUE"),
        ('=TEXT(-2.34,"#.###")', "-2.34"),
        ('=TEXT(36526,"#.###")', "36526."),
        # the format codes of Microsoft's "Number format codes" page, each with its documented result
        ('=TEXT(0.75,"h:mm AM/PM")', "6:00 PM"),
        ('=TEXT(12200000,"#,###,")', "12,200"),
        ('=TEXT(12200000,"0.0,,")', "12.2"),
        ('=TEXT(-5,"0;(0)")', "(5)"),
        ('=TEXT(5,"@")', "5"),
        ('=TEXT(1.5,"[h]:mm")', "36:00"),
        ('=TEXT(44927,"[$-409]mmmm d, yyyy")', "January 1, 2023"),
        ('=TEXT(44562,"dddd")', "Saturday"),
    ],
)
def test_text_format_codes(formula: str, expected: str):
    assert value(formula) == expected


def test_criteria_with_a_date_typed_as_text(tmp_path: Path):
    """COUNTIF's documented `">"&DATE(...)` form and a date typed in the text: 1 Jan 2020 is 43831."""
    cells = {"A1": 43830, "A2": 43831, "A3": 43832, "A4": 43863}
    f = {
        "C1": '=COUNTIF(A1:A4,">1/1/2020")',
        "C2": '=COUNTIF(A1:A4,">="&DATE(2020,1,1))',
        "C3": '=COUNTIF(A1:A4,"2020-01-01")',
    }
    got = sheet_values(tmp_path, {**cells, **f})
    assert [got["C1"], got["C2"], got["C3"]] == [2.0, 3.0, 1.0]
