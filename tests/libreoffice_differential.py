"""Our engine against LibreOffice with the VNG add-in, cell by cell, over real and generated workbooks.

Each workbook is recalculated by `vng-xl recalc` and by LibreOffice (opened, every formula
recalculated); every formula cell must agree within 1e-9 relative, or be covered by a cause in
EXPECTED_DIFFERENCES. A cause says which program departs from Excel, judged by the value Excel
itself cached in the file. Used by tests/test_libreoffice_differential.py (a fixed subset, in CI)
and benchmarks/differential_libreoffice.py (every file).
"""

from __future__ import annotations

import math
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import column_index_from_string

from tests.recalc_fixtures import CORPUS
from tests.workbook_fixtures import built_workbook
from vng_xl.libreoffice.live import LiveOffice
from vng_xl.libreoffice.names import copy_for_libreoffice
from vng_xl.ooxml.package import PackageError
from vng_xl.ooxml.sheet_xml import ExcelError
from vng_xl.recalc import recalc_file
from vng_xl.recalc.libreoffice_engine import formula_cells

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from budget_workbook import build_budget  # noqa: E402

CORPUS_ROOT = CORPUS.parent  # excel-saved/ and excel-formulas/
OFFICIAL = "official workbook"
REL_TOL = 1e-9

#: Files too slow for CI (seconds per engine on a 2-core machine); the full run takes them too.
SLOW = {
    "excel-formulas/pycel/tests_fixtures_yearfrac.xlsx",  # 2,737 formulas: ~30 s ours, ~10 s LibreOffice
    "excel-formulas/xlcalculator/tests_resources_BASES.xlsx",  # 3,046 formulas: ~30 s / ~8 s
    "excel-formulas/xlcalculator/tests_resources_reader.xlsm",  # ~20 s / ~55 s
    "excel-formulas/pycel/tests_fixtures_logical.xlsx",  # ~4 s / ~2 s
    "excel-formulas/pycel/tests_fixtures_text.xlsx",  # ~4 s / ~1.5 s
}

#: Files our engine refuses as a whole (LibreOffice opens them): why.
REFUSED: dict[str, str] = {}


@dataclass(frozen=True)
class Cause:
    """Why LibreOffice and our engine differ in some cells; `departs`: which one differs from Excel's own value."""

    departs: str  # "LibreOffice", "our engine" or "both"
    why: str
    cells: dict[str, tuple[str, ...]]  # file -> ranges ("Sheet!A1:B9"; "Sheet!*" for a whole sheet)


EXPECTED_DIFFERENCES = (
    Cause(
        "both",
        'Two files computed since the empty <f ca="1"/> of a volatile array formula\'s cells is no formula of '
        "its own: lookups over mixed types and INDEX/OFFSET with out-of-range arguments, where LibreOffice gives "
        "Err:502 and formulas' INDEX/LOOKUP/HLOOKUP depart from Excel (tests/corpus_agreement.py measures them "
        "against Excel); circular references, which LibreOffice reports (Err:522) and we keep as cached",
        {
            "excel-formulas/pycel/tests_fixtures_lookup.xlsx": ("Lookup!*", "LookupBlanks!*", "Offset!*", "Index!*"),
            "excel-formulas/formulas/test_test_files_circular.xlsx": ("DATA!D9", "DATA!D11"),
        },
    ),
    Cause(
        "LibreOffice",
        "LibreOffice answers an invalid argument with an error code of its own where Excel has an Excel error: "
        "Err:502 for #NUM! or #N/A (CEILING(2;-2), YEARFRAC with a basis outside 0-4), Err:504 for ISEVEN/ISODD "
        "of a text or logical value (#VALUE!)",
        {
            "excel-formulas/xlcalculator/tests_resources_CEILING.xlsx": ("Sheet1!A9",),
            "excel-formulas/pycel/tests_fixtures_yearfrac.xlsx": ("YEARFRAC!K3:T7", "YEARFRAC!K9:T9"),
            "excel-formulas/pycel/tests_fixtures_information.xlsx": (
                "Information!E2",
                "Information!J2",
                "Information!E14:E18",
                "Information!J14:J18",
                "Information!E22",
                "Information!J22",
            ),
        },
    ),
    Cause(
        "LibreOffice",
        'LibreOffice 7.4 reads an error typed into a cell of an .xlsx (t="e") as the next one in Excel\'s list '
        "(#DIV/0! as #NUM!, #NUM! as #NAME?, ... #NULL! as #N/A), so a formula over it passes on the wrong error",
        {
            "excel-formulas/pycel/tests_fixtures_logical.xlsx": ("Logical!C3:D8", "Logical!G3:G8", "Logical!I3:I8"),
            "excel-formulas/pycel/tests_fixtures_text.xlsx": ("All!D3:D8",),
        },
    ),
    Cause(
        "LibreOffice",
        "LibreOffice 7.4 does not resolve these structured references to an Excel table (#NAME?, Err:507): "
        "a bare [Column] in the totals row, [#This Row], [#All], [#Headers]",
        {
            "excel-saved/table10.xlsx": ("Sheet1!D6:K6",),
            "excel-formulas/pycel/tests_fixtures_excelcompiler.xlsx": ("sref!B3:B7", "sref!F4"),
        },
    ),
    Cause(
        "LibreOffice",
        "LibreOffice has no logical type (TRUE is the number 1) and turns a text holding a number into that "
        'number, where Excel keeps them apart: ISNUMBER(TRUE), SWITCH(TRUE;1;...), NOT("1"), IF("1";...), '
        'CONCAT(TRUE) as "1", EDATE(366;FALSE)',
        {
            "excel-formulas/pycel/tests_fixtures_information.xlsx": ("Information!I17:I18",),
            "excel-formulas/pycel/tests_fixtures_logical.xlsx": (
                "Logical!E14:E15",
                "Logical!D37:E38",
                "Logical!N37:O38",
                "Switch!C28:C29",
                "Switch!C32",
                "Switch!C37:C40",
                "Switch!D16:G18",
            ),
            "excel-formulas/pycel/tests_fixtures_text.xlsx": ("All!B16:O18",),
        },
    ),
    Cause(
        "LibreOffice",
        "Dates: LibreOffice's day 0 is 30 December 1899 and it accepts negative serial numbers and texts as "
        "dates and times, where Excel's day 0 is '0 January 1900' and it refuses those (#NUM!, #VALUE!); "
        "DATE adds 1900 to a year below 1900 in Excel only and refuses a year past 9999",
        {
            "excel-formulas/pycel/tests_fixtures_date-time.xlsx": (
                "Sheet1!B9:P9",  # DAY of an empty cell and of serials 0, 1, -1
                "Sheet1!K12:P14",  # EDATE, EOMONTH of a logical or negative argument
                "Sheet1!P16:P17",
                "Sheet1!B17:O17",  # MONTH
                "Sheet1!P21",
                "Sheet1!B23:R23",  # TIMEVALUE of a number; of "1.25" ours gives 0 (Excel #VALUE!, Calc Err:502)
                "Sheet1!P25",
                "Sheet1!B29:P29",  # YEAR
            ),
            "excel-formulas/xlcalculator/tests_resources_DATE.xlsx": ("Sheet1!A12:A14", "Sheet1!A25:F25"),
        },
    ),
    Cause(
        "LibreOffice",
        "NPV with a text and a logical among its values: Excel skips both, LibreOffice counts TRUE as 1 "
        "(and so do the differences with the NPV next to them)",
        {"excel-formulas/pycel/tests_fixtures_npv.xlsx": ("NPV!A9:B9", "NPV!D9:E9")},
    ),
    Cause(
        "both",
        "A difference of two nearly equal numbers keeps few significant digits, and each program's rounding "
        "shows beyond 1e-9 relative: LibreOffice rounds a subtraction to about 15 significant digits of its "
        "operands and to 0 when they are equal to that precision (rtl::math::approxSub), our engine subtracts "
        "in plain IEEE doubles (the Controle's differences between computed and published figures)",
        {
            OFFICIAL: ("Controle!F7:F149",),
            "excel-formulas/pycel/tests_fixtures_npv.xlsx": ("NPV!D2:E3",),
        },
    ),
    Cause(
        "both",
        "TEXT with Excel's number and date format codes: our engine lacks many ([h], conditional and text "
        "sections, fractions; #VALUE! or another text), LibreOffice renders others its own way (a format "
        "of only optional digits '#.###' without Excel's trailing point)",
        {
            "excel-formulas/pycel/tests_fixtures_text.xlsx": (
                "All!L2:L21",
                "TextDates!C2:C49",
                "TextNumbers!C3:C67",
            ),
        },
    ),
    Cause(
        "both",
        "The base conversions (BIN2OCT, DEC2BIN, HEX2DEC, ...): LibreOffice gives Err:502 where Excel gives "
        "#NUM!; our engine refuses the places argument in many cases (#VALUE!) where Excel pads the result",
        {"excel-formulas/xlcalculator/tests_resources_BASES.xlsx": ("*",)},
    ),
    Cause(
        "both",
        "Regression functions (TREND, LINEST, SLOPE): our engine does not spill their dynamic-array results "
        "(#SPILL!, or values where Excel left cells empty); LibreOffice gives Err:502 or #VALUE! for ranges "
        "of unequal size where Excel gives #N/A, and differs in the last digits of LINEST",
        {"excel-formulas/pycel/tests_fixtures_stats.xlsx": ("Stats!*", "LinestArrayExp!*", "Trend!*")},
    ),
    Cause(
        "our engine",
        "CHOOSE returning a range as a dynamic array: our engine does not spill it (#SPILL!) and leaves values "
        "in the cells Excel left empty",
        {"excel-formulas/xlcalculator/tests_resources_choose.xlsx": ("Sheet1!A1", "Sheet1!B2:C2")},
    ),
    Cause(
        "our engine",
        "VDB with a fractional period or the no_switch argument: our engine gives #VALUE!; in two cells "
        "LibreOffice's VDB also differs from Excel's in the fourth digit",
        {"excel-formulas/koala/tests_excel_VDB.xlsx": ("Sheet1!F16", "Sheet1!J16", "Sheet1!F23:F25", "Sheet1!D37")},
    ),
    Cause(
        "our engine",
        "YEARFRAC: our engine departs from Excel for basis 0 (the US 30/360 end-of-month rule) and basis 1 "
        "(actual/actual over several years), and gives #NUM! where Excel gives #VALUE! for a basis that is "
        "no number (LibreOffice: Err:502)",
        {
            "excel-formulas/pycel/tests_fixtures_yearfrac.xlsx": (
                "YEARFRAC!C6:D7",
                "YEARFRAC!D227:D281",
                "YEARFRAC!K8:T8",
            )
        },
    ),
)


def _in(ref: str, pattern: str) -> bool:
    """Whether "Sheet!B5" lies in "Sheet!A1:C9", "Sheet!B5", "Sheet!*" or "*"."""
    if pattern == "*":
        return True
    sheet, cell = ref.split("!")
    psheet, area = pattern.split("!")
    if sheet != psheet:
        return False
    if area == "*":
        return True
    first, _, last = area.partition(":")
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
    c1, r1 = re.fullmatch(r"([A-Z]+)(\d+)", first).groups()  # type: ignore[union-attr]
    c2, r2 = re.fullmatch(r"([A-Z]+)(\d+)", last or first).groups()  # type: ignore[union-attr]
    c = column_index_from_string(col)
    return column_index_from_string(c1) <= c <= column_index_from_string(c2) and int(r1) <= int(row) <= int(r2)


def cause_of(name: str, ref: str) -> Cause | None:
    return next((c for c in EXPECTED_DIFFERENCES if any(_in(ref, p) for p in c.cells.get(name, ()))), None)


def corpus_files() -> list[str]:
    """Every workbook of the shared corpus, by its name under the corpus root."""
    return sorted(str(p.relative_to(CORPUS_ROOT)) for p in CORPUS_ROOT.rglob("*.xls[xm]"))


def generated(folder: Path) -> dict[str, Path]:
    """The official workbook and the generated budgets, by name."""
    return {
        OFFICIAL: built_workbook(),
        "budget of 10 lines": build_budget(folder / "budget10.xlsx", 10),
        "budget of 60 lines": build_budget(folder / "budget60.xlsx", 60),
    }


def _plain(value: object) -> object:
    if isinstance(value, bool):  # LibreOffice has no logical type
        return float(value)
    if isinstance(value, ExcelError):
        return str(value)
    return value


def same(ours: object, theirs: object) -> bool:
    ours = _plain(ours)
    if ours in (None, "") and theirs in (None, ""):
        return True
    if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)):
        return math.isclose(ours, theirs, rel_tol=REL_TOL)
    return ours == theirs


@dataclass
class Compared:
    """One workbook: its formula cells compared, those our engine could not compute, and the differences."""

    cells: int = 0
    not_computed: int = 0
    refused: str = ""
    differences: dict[str, tuple[object, object]] | None = None


def compare(office: LiveOffice, files: dict[str, Path], work: Path) -> dict[str, Compared]:
    """Recalculate each file with our engine and in LibreOffice (`office`); the comparison per file."""
    out: dict[str, Compared] = {}
    for i, (name, path) in enumerate(files.items()):
        ours = work / f"ours{i}{path.suffix}"
        try:
            outcome = recalc_file(path, ours)
        except PackageError as exc:
            out[name] = Compared(refused=str(exc))
            continue
        mine = {f"{s}!{r}": v for s, cells in formula_cells(ours).items() for r, v in cells.items()}
        skipped = {f"{e.sheet}!{e.cell}" for e in outcome.errors}  # kept Excel's cached value
        if not mine:  # no formula: nothing to compare, no need to open it in LibreOffice
            out[name] = Compared(differences={})
            continue
        copy = work / f"lo{i}{path.suffix}"
        copy_for_libreoffice(path, copy)
        doc = office.open(copy)
        try:
            office.calculate(doc)
            theirs = office.cells(doc)
        finally:
            office.close_document(doc)
        differences = {}
        for ref, value in mine.items():
            if ref in skipped:
                continue
            cell = theirs.get(ref)
            lo = None if cell is None else cell.get("value", cell.get("text"))
            if not same(value, lo):
                differences[ref] = (_plain(value), lo)
        out[name] = Compared(cells=len(mine), not_computed=len(skipped & mine.keys()), differences=differences)
    return out


def unexplained(results: dict[str, Compared]) -> dict[str, dict[str, tuple[object, object]]]:
    """Differences no cause covers, per file."""
    found = {}
    for name, result in results.items():
        rest = {ref: d for ref, d in (result.differences or {}).items() if cause_of(name, ref) is None}
        if rest:
            found[name] = rest
    return found


def unused(results: dict[str, Compared]) -> list[tuple[str, str]]:
    """(cause, file) entries for files in `results` that no difference needs any more."""
    stale = []
    for cause in EXPECTED_DIFFERENCES:
        for name in cause.cells:
            if name in results and not any(cause_of(name, ref) is cause for ref in results[name].differences or {}):
                stale.append((cause.why[:60], name))
    return stale


def run(names: list[str], folder: Path | None = None) -> dict[str, Compared]:
    """Compare the named corpus files and the generated workbooks in one LibreOffice."""
    work = Path(folder or tempfile.mkdtemp(prefix="vng-xl-diff-"))
    try:
        files = {name: CORPUS_ROOT / name for name in names} | generated(work)
        with LiveOffice(work / "profile") as office:
            return compare(office, files, work)
    finally:
        if folder is None:
            shutil.rmtree(work, ignore_errors=True)
