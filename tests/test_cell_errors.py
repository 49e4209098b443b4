"""Errors in cells, one semantics on every path: a VNG function given bad input makes its cell an
error value, so a total over it is an error and never a number without that line; VNG_FOUT gives
the Dutch message, which names the argument.

Paths: the Python UDF through xlwings' own decorators and converters, the VBA wrapper module as
built into the workbook (read back with oletools), the headless evaluator (`vng-xl eval`), and
recalculation of a workbook (`vng-xl recalc`).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from tests.recalc_fixtures import build_xlsx
from tests.workbook_fixtures import built_workbook
from tests.xlwings_stubs import COM_ERRORS, MISSING, ComBook, call_like_excel, com_range, load_xlwings_udfs
from vng_xl.excel import udfs
from vng_xl.excel.messages import CellArea, formula_areas
from vng_xl.functions import FUNCTIONS
from vng_xl.ooxml.sheet_xml import ExcelError
from vng_xl.recalc import recalc_file
from vng_xl.recalc.engine import evaluate

COM_ERRORS_BY_TEXT = {text: code for code, text in COM_ERRORS.items()}
VALUE_ERROR = COM_ERRORS_BY_TEXT["#VALUE!"]  # what COM hands a UDF for a cell that shows #VALUE!

# (function, arguments, the argument the message must name, what it must say) — typed from the rules.
BAD = [
    ("VNG_RAMING", [100, "C", 2027], "indextype", 'onbekend indextype "C"'),
    ("VNG_RAMING", ["veel", "A", 2027], "bedrag", '"veel" is geen getal'),
    ("VNG_RAMING", [100, "A", 2040], "jaar", "valt buiten de indexen"),
    ("VNG_INDEX", ["B", 2027.5], "jaar", "geen geldig jaartal"),
    ("VNG_INDEXFACTOR", ["A", 2027, 2026], "tot_jaar", "ligt vóór van_jaar 2027"),
    ("VNG_GGU", ["kas", 2026], "post", 'onbekende post "kas"'),
    ("VNG_CONTRIBUTIE", [2025], "jaar", "ligt vóór"),
    ("VNG_PER_INWONER", [1000, 0], "inwoners", "moet groter dan 0 zijn"),
]
IDS = [f"{name}-{args}" for name, args, _, _ in BAD]


def _dutch(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).replace(".", ",")


def _english(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _call(name: str, args: list[object], dutch: bool) -> str:
    sep, show = (";", _dutch) if dutch else (",", _english)
    return f"{name}({sep.join(show(a) for a in args)})"


def _names_argument(message: str, function: str, argument: str, says: str) -> None:
    assert message.startswith(f"{function}: {argument}: "), message
    assert says in message, message


@pytest.fixture
def excel_udfs(monkeypatch: pytest.MonkeyPatch):
    """Our UDFs decorated by xlwings' own decorators, with an empty message store."""
    xl = load_xlwings_udfs(monkeypatch)
    udfs.MESSAGES.clear()
    yield {name: udfs.make_udf(fn, func=xl.xlfunc, arg=xl.xlarg) for name, fn in FUNCTIONS.items()}
    udfs.MESSAGES.clear()


def _com_args(name: str, args: list[object]) -> list[object]:
    values = [float(a) if isinstance(a, (int, float)) else a for a in args]
    return values + [MISSING] * (len(FUNCTIONS[name].args) - len(values))


# ---------------------------------------------------------------- the VBA wrapper, as built


def _built_vba() -> dict[str, str]:
    parser = VBA_Parser(str(built_workbook()))
    try:
        return {Path(n).stem: code.replace("\r\n", "\n") for _, _, n, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def built_vba() -> dict[str, str]:
    return _built_vba()


def _marker(modules: dict[str, str]) -> str:
    """The text the built workbook's VBA turns into #VALUE!, read from its source."""
    m = re.search(r'^Private Const MELDING As String = "((?:[^"]|"")*)"$', modules["VngCelfout"], re.M)
    assert m, "VngCelfout declares no MELDING"
    return m.group(1).replace('""', '"')


def test_built_workbook_turns_a_message_into_an_error_value(built_vba):
    source = built_vba["VngCelfout"]
    # every element of the result that is a message becomes CVErr(xlErrValue); other values pass
    assert "If IsMelding(uitkomst(i, j)) Then uitkomst(i, j) = CVErr(xlErrValue)" in source
    assert "ElseIf IsMelding(uitkomst) Then\n        uitkomst = CVErr(xlErrValue)" in source
    assert "IsMelding = (Left$(waarde, Len(MELDING)) = MELDING)" in source
    wrappers = built_vba["xlwings_udfs"]
    for fn in FUNCTIONS.values():
        block = wrappers[wrappers.index(f"Function {fn.name}(") :]
        block = block[: block.index("End Function")]
        if fn.message:
            assert "CVErr" not in block
        else:
            assert f"{fn.name} = VngCelwaarde({fn.name})" in block
            assert f"failed:\n    {fn.name} = CVErr(xlErrValue)" in block


# ---------------------------------------------------------------- Excel: UDF through xlwings, then VBA


@pytest.mark.parametrize(("name", "args", "argument", "says"), BAD, ids=IDS)
def test_excel_bad_input_is_an_error_value_and_vng_fout_names_the_argument(
    excel_udfs, built_vba, name, args, argument, says
):
    cell = com_range("Kosten", 7, 4)
    [[returned]] = call_like_excel(excel_udfs[name], *_com_args(name, args), caller=cell)
    # What the wrapper gets back starts with the built VBA's marker, so the cell becomes #VALUE!.
    assert isinstance(returned, str) and returned.startswith(_marker(built_vba))
    # The cell shows #VALUE! (COM hands VNG_FOUT the error code); its message names the argument.
    shown = com_range("Kosten", 7, 4, ((VALUE_ERROR,),))
    [[message]] = call_like_excel(excel_udfs["VNG_FOUT"], shown, caller=com_range("Kosten", 7, 9))
    _names_argument(message, name, argument, says)
    # Nested in the same formula (VNG_FOUT gets the value, not a reference): the calling cell's message.
    [[nested]] = call_like_excel(excel_udfs["VNG_FOUT"], VALUE_ERROR, caller=cell)
    assert nested == message
    # One semantics: the headless evaluator gives the same message.
    assert evaluate(f"=VNG_FOUT({_call(name, args, dutch=True)})", dutch=True).value == message


def test_excel_message_goes_when_the_input_is_put_right(excel_udfs):
    cell = com_range("Kosten", 7, 4)
    call_like_excel(excel_udfs["VNG_RAMING"], *_com_args("VNG_RAMING", [100, "C", 2027]), caller=cell)
    [[value]] = call_like_excel(excel_udfs["VNG_RAMING"], *_com_args("VNG_RAMING", [100, "A", 2027]), caller=cell)
    assert value == pytest.approx(100 * 1.020 * 1.039)  # Indexaties: A 2026 2,0%, 2027 3,9%
    shown = com_range("Kosten", 7, 4, ((VALUE_ERROR,),))  # say the cell still showed #VALUE! for another reason
    [[message]] = call_like_excel(excel_udfs["VNG_FOUT"], shown, caller=com_range("Kosten", 7, 9))
    assert message.startswith("#WAARDE!: geen melding van een VNG-functie")


def test_excel_vng_fout_is_empty_for_a_figure_and_finds_the_error_in_a_block(excel_udfs):
    [[empty]] = call_like_excel(excel_udfs["VNG_FOUT"], com_range("K", 3, 2, ((5.0,),)), caller=com_range("K", 1, 1))
    assert empty == ""
    call_like_excel(excel_udfs["VNG_GGU"], *_com_args("VNG_GGU", ["kas", 2026]), caller=com_range("K", 4, 3))
    block = com_range("K", 3, 2, ((5.0, 6.0), (7.0, VALUE_ERROR)))  # B3:C4, the error in C4
    [[message]] = call_like_excel(excel_udfs["VNG_FOUT"], block, caller=com_range("K", 1, 1))
    _names_argument(message, "VNG_GGU", "post", 'onbekende post "kas"')


def test_excel_two_functions_in_one_formula_keep_the_failing_ones_message(excel_udfs):
    cell = com_range("K", 2, 2)
    call_like_excel(excel_udfs["VNG_RAMING"], *_com_args("VNG_RAMING", [100, "C", 2027]), caller=cell)
    call_like_excel(excel_udfs["VNG_INDEX"], *_com_args("VNG_INDEX", ["A", 2027]), caller=cell)
    [[message]] = call_like_excel(excel_udfs["VNG_FOUT"], VALUE_ERROR, caller=cell)
    _names_argument(message, "VNG_RAMING", "indextype", 'onbekend indextype "C"')


@pytest.mark.parametrize(("name", "args", "argument", "says"), BAD, ids=IDS)
def test_excel_vng_fout_of_a_total_follows_its_references(excel_udfs, name, args, argument, says):
    """A total shows #VALUE! because of a line: VNG_FOUT of the total (or of a total of totals,
    on another sheet) gives that line's message, as headless recalculation does."""
    bad = (VALUE_ERROR, "=" + _call(name, args, dutch=False))
    book = ComBook(
        cells={
            "Kosten": {
                (5, 4): (105.978, '=VNG_RAMING(100,"A",2027)'),
                (6, 4): bad,
                (7, 4): (200.0, ""),
                (8, 4): (VALUE_ERROR, "=SUM(D5:D7)"),
                (8, 5): (VALUE_ERROR, "=D8*2"),
                (8, 6): (COM_ERRORS_BY_TEXT["#DIV/0!"], "=1/0"),
            },
            "Overzicht": {(2, 2): (VALUE_ERROR, "='Kosten'!$E$8+SUM(Kosten!F1:F2)")},
        }
    )
    call_like_excel(excel_udfs[name], *_com_args(name, args), caller=book.range("Kosten", 6, 4))
    fout = excel_udfs["VNG_FOUT"]
    for sheet, row, col in (("Kosten", 6, 4), ("Kosten", 8, 4), ("Kosten", 8, 5), ("Overzicht", 2, 2)):
        [[message]] = call_like_excel(fout, book.range(sheet, row, col), caller=book.range("Overzicht", 9, 9))
        _names_argument(message, name, argument, says)
    [[other]] = call_like_excel(fout, book.range("Kosten", 8, 6), caller=book.range("Overzicht", 9, 9))
    assert other.startswith("#DEEL/0!: geen melding van een VNG-functie")
    [[good]] = call_like_excel(fout, book.range("Kosten", 5, 4), caller=book.range("Overzicht", 9, 9))
    assert good == ""


def test_formula_areas_reads_references_not_strings_names_or_functions():
    areas = formula_areas(
        '=SUM($B$5:D7)+\'Kosten 2026\'!A1+Blad2!C3-LOG10(2)+VNG_GGU("A1",Indexen)&"B2:B3"',
        "vng.xlsm",
        "Raming",
    )
    assert areas == [
        CellArea("vng.xlsm", "Raming", 5, 2, 3, 3),
        CellArea("vng.xlsm", "Kosten 2026", 1, 1),
        CellArea("vng.xlsm", "Blad2", 3, 3),
    ]
    assert formula_areas("=[1]Blad1!A1+'[Other.xlsx]Blad1'!B2", "vng.xlsm", "S") == []


# ---------------------------------------------------------------- headless: vng-xl eval


@pytest.mark.parametrize(("name", "args", "argument", "says"), BAD, ids=IDS)
def test_headless_total_over_a_bad_input_is_an_error(name, args, argument, says):
    nl, en = _call(name, args, dutch=True), _call(name, args, dutch=False)
    totals = [(f"=SOM({nl};1)", True), (f"=GEMIDDELDE({nl};1)", True), (f"={nl}+1", True)]
    totals += [(f"=SUBTOTAL(9,{en},1)", False), (f"=SUMPRODUCT({en},1)", False)]
    for total, dutch in totals:
        result = evaluate(total, dutch=dutch)
        assert result.value == ExcelError("#VALUE!"), total
        [msg] = result.messages
        _names_argument(f"{msg.function}: {msg.nl}", name, argument, says)


# ---------------------------------------------------------------- headless: recalculating a workbook


def _formula(ref: str, text: str) -> str:
    return f'<c r="{ref}"><f>{text.replace(chr(34), "&quot;")}</f><v>0</v></c>'


@pytest.mark.parametrize(("name", "args", "argument", "says"), BAD, ids=IDS)
def test_recalc_total_over_a_bad_line_is_an_error(tmp_path: Path, name, args, argument, says):
    """Three lines, the middle one bad, and totals under them: never the sum of the two good lines."""
    lines = [_call("VNG_RAMING", [100, "A", 2027], False), _call(name, args, False), "200"]
    rows = "".join(f'<row r="{r}">{_formula(f"A{r}", text)}</row>' for r, text in enumerate(lines, start=1))
    rows += f'<row r="4">{_formula("A4", "SUM(A1:A3)")}{_formula("B4", "VNG_FOUT(A2)")}</row>'
    rows += f'<row r="5">{_formula("A5", "AVERAGE(A1:A3)")}{_formula("B5", "VNG_FOUT(A1)")}</row>'
    rows += f'<row r="6">{_formula("A6", "A4*2")}{_formula("B6", "VNG_FOUT(A6)")}</row>'
    src = build_xlsx(tmp_path / "in.xlsx", {"S": rows})
    outcome = recalc_file(src, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert sheet["A1"].value == pytest.approx(100 * 1.020 * 1.039)  # the good line is computed
    assert sheet["A2"].value == "#VALUE!"
    assert sheet["A4"].value == "#VALUE!"  # the total, not 100 * 1,0598 + 200
    assert sheet["A5"].value == "#VALUE!"
    _names_argument(sheet["B4"].value, name, argument, says)
    assert sheet["B5"].value is None  # VNG_FOUT of a good line: empty text
    assert sheet["A6"].value == "#VALUE!"
    assert sheet["B6"].value == sheet["B4"].value  # of a total of a total: the line's message, as in Excel
    # The report names the bad cell and the totals it reaches, in English and in Dutch.
    by_cell = {issue.cell: issue for issue in outcome.error_values}
    assert {"A2", "A4", "A5"} <= set(by_cell)
    _names_argument(by_cell["A2"].reason_nl, name, argument, says)
    assert by_cell["A4"].reason_nl == by_cell["A2"].reason_nl
    # and the terminal line of `vng-xl recalc` says so, in English
    assert f"cells show #VALUE! from bad input to a VNG function (first: S!A2: {name}: " in outcome.summary()


def test_excel_vng_fout_never_shows_a_traceback():
    fn = FUNCTIONS["VNG_FOUT"]
    broken = type(fn)(fn.name, fn.help, fn.args, fn.examples, lambda cel: 1 / 0, fn.message)
    assert udfs.make_udf(broken)(None) == "interne fout in VNG_FOUT (ZeroDivisionError); meld dit aan de beheerder"
