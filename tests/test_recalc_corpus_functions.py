"""Every cell of the excel-formulas corpus whose formula uses one of the Excel functions we add
(vng_xl.recalc.excel_functions) gives the value Excel cached in it.

The finder reads each formula that calls one of them and computes it from the values Excel cached
in its input cells: formulas of the same shape (`DEC2BIN(A5,B4)`, `DEC2BIN(C7,D7)`) are compiled
once, so the 2,700 cells of the base-conversion file take a second, not half a minute. A formula
with ranges, names or other sheets goes through a whole-workbook evaluation of its file instead.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from tests.recalc_fixtures import SHARED
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import cell_ref, parse_ref, read_sheet, same_value
from vng_xl.recalc import engine
from vng_xl.recalc.excel_functions import EXCEL_FUNCTIONS
from vng_xl.recalc.references import shift_formula
from vng_xl.recalc.workbook import WorkbookEvaluation

FORMULAS_CORPUS = SHARED / "corpus" / "excel-formulas"
NAMES = frozenset(EXCEL_FUNCTIONS)
_CALL = re.compile(r"(?:_xlfn\.)?([A-Z][A-Z0-9.]*)\(", re.I)
_CELL = re.compile(r"(?<![A-Za-z0-9_.:!$])\$?([A-Z]{1,3})\$?(\d+)(?![0-9A-Za-z_(:!])")
_SIMPLE = re.compile(r"^[^:!\[\]{}]*$")
_STRING = re.compile(r'("(?:[^"]|"")*")')

_TEXT_FILE = "pycel/tests_fixtures_text.xlsx"
_STILL = {
    # TEXT on format codes outside the plain forms, left to formulas' own TEXT, which differs:
    "elapsed time ([h] [m] [s]) of text, negative or past 9999": "TextDates!C2 C3 C4 C12 C13 C18 C22 C26",
    "an invalid time typed as text: Excel #VALUE!, formulas #NUM!": "TextDates!C14 C15 C17 C21 C25 C29 C28",
    "a time typed as text (minutes over 59): formulas reads today's date into it": (
        "TextDates!C30 C31 C32 C33 C34 C35 C36 C37 C38 C39 C40 C41 C42 C43 C44 C45 C47"
    ),
    "sections with unquoted letters, @ or a * fill": (
        "TextDates!C5 C6 C7 C8 C9 TextNumbers!C3 C7 C8 C9 C10 C11 C12 C17 C18 C19 C63"
    ),
}


def _still() -> dict[tuple[str, str, str], str]:
    out, sheet = {}, ""
    for cause, cells in _STILL.items():
        for item in cells.split():
            sheet, _, cell = item.rpartition("!") if "!" in item else (sheet, "", item)
            out[(_TEXT_FILE, sheet, cell)] = cause
    return out


#: Corpus cells using our functions that still differ from Excel, with the cause.
STILL_DIFFERENT: dict[tuple[str, str, str], str] = _still()


def _ours(text: str) -> set[str]:
    return {m.upper().removeprefix("_XLFN.") for m in _CALL.findall(text)} & NAMES


def _corpus_files() -> list[str]:
    """The corpus files whose sheets mention one of our functions (a byte search, then exact)."""
    if not FORMULAS_CORPUS.is_dir():
        return []
    probe = re.compile(rb"<f[^>]*>[^<]*\b(?:" + b"|".join(re.escape(n.encode()) for n in NAMES) + rb")\(", re.I)
    found = []
    for path in sorted(FORMULAS_CORPUS.rglob("*.xls*")):
        with zipfile.ZipFile(path) as zf:
            if any(probe.search(zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/")):
                found.append(str(path.relative_to(FORMULAS_CORPUS)))
    return found


def _formula_cells(pkg: Package):
    """(sheet, row, col, text, values of the sheet) for every formula of one cell using our functions."""
    shared, dyn = pkg.shared_strings(), pkg.dynamic_array_cm()
    for info in pkg.sheets():
        sc = read_sheet(pkg.xml(info.part), shared, dyn)
        masters = {f.si: f for f in sc.formulas if f.kind == "shared" and f.text}
        for f in sc.formulas:
            text = f.text
            if f.kind == "shared" and not text:
                m = masters[f.si]
                text = shift_formula(m.text, f.row - m.row, f.col - m.col)
            elif f.kind not in ("normal", "shared") and not (f.kind == "array" and f.ref == cell_ref(f.row, f.col)):
                continue  # an array formula of one cell (Excel 365 writes most formulas so) gives its value
            if _ours(text):
                yield info.name, f.row, f.col, text, sc.values


def _from_cached_inputs(text: str, values: dict) -> object | None:
    """The formula's value from the cached values of its input cells, or None when not that simple."""
    if not _SIMPLE.match(_STRING.sub('""', text)):
        return None
    refs: list[str] = []

    def canonical(m: re.Match) -> str:
        ref = m.group(1) + m.group(2)
        if ref not in refs:
            refs.append(ref)
        return f"A{refs.index(ref) + 1}"

    shape = "".join(part if i % 2 else _CELL.sub(canonical, part) for i, part in enumerate(_STRING.split(text)))
    compiled = engine.compile_formula(shape)
    if not all(re.fullmatch(r"A\d+", name) for name in compiled.inputs):
        return None  # a defined name
    args = [engine.to_formulas(values.get(parse_ref(refs[int(name[1:]) - 1]))) for name in compiled.inputs]
    result, _ = engine.call(compiled, args)
    return engine.result_block(result)[0][0]


@pytest.mark.skipif(not FORMULAS_CORPUS.is_dir(), reason="the excel-formulas corpus is not here")
@pytest.mark.parametrize("name", _corpus_files())
def test_corpus_cells_using_our_functions_match_excel(name: str):
    engine.ensure_vng_functions()
    pkg = Package.open(FORMULAS_CORPUS / name, check_lock=False)
    try:
        cells = list(_formula_cells(pkg))
        got, rest = {}, []
        for sheet, r, c, text, values in cells:
            v = _from_cached_inputs(text, values)
            (rest.append((sheet, r, c)) if v is None else got.__setitem__((sheet, r, c), v))
        if rest:
            ev = WorkbookEvaluation(pkg)
            ev.run()
            failed = {(i.sheet, i.cell): i.reason for i in ev.issues}
            for sheet, r, c in rest:
                got[(sheet, r, c)] = failed.get((sheet, cell_ref(r, c)), ev.values[sheet].get((r, c)))
    finally:
        pkg.close()
    cached = {(s, r, c): values.get((r, c)) for s, r, c, _, values in cells}
    differ = {
        (name, s, cell_ref(r, c)): f"Excel {cached[(s, r, c)]!r}, ours {v!r}"
        for (s, r, c), v in got.items()
        if not same_value(cached[(s, r, c)], v)
    }
    assert cells, "the finder found no cell"
    assert differ.keys() == {k for k in STILL_DIFFERENT if k[0] == name}, differ


def test_the_finder_finds_the_base_conversions():
    """The corpus holds Excel's results for every base conversion: the finder must reach them."""
    if not FORMULAS_CORPUS.is_dir():
        pytest.skip("the excel-formulas corpus is not here")
    assert "xlcalculator/tests_resources_BASES.xlsx" in _corpus_files()
    pkg = Package.open(FORMULAS_CORPUS / "xlcalculator/tests_resources_BASES.xlsx", check_lock=False)
    try:
        used = set().union(*(_ours(text) for *_, text, _ in _formula_cells(pkg)))
    finally:
        pkg.close()
    assert {f"{a}2{b}" for a in ("BIN", "OCT", "DEC", "HEX") for b in ("BIN", "OCT", "DEC", "HEX") if a != b} <= used
