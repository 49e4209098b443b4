"""Recalculating real Excel-saved workbooks gives Excel's own values (tests/corpus_agreement.py).

(a) At least as many formula cells agree with Excel's cached values as recorded per file (the
floor only goes up); (b) our layer never makes `formulas` worse: no cell where `formulas` alone
gives Excel's value and we do not, other than the cells of EXPECTED_WORSE, each with its cause.
The whole corpus takes minutes (`python -m tests.corpus_agreement`); the tests take a fixed subset
that covers each cause fixed so far.
"""

from __future__ import annotations

import pytest

from tests.corpus_agreement import FORMULAS_CORPUS, measure

pytestmark = pytest.mark.skipif(not FORMULAS_CORPUS.is_dir(), reason="the excel-formulas corpus is not here")

#: Formula cells agreeing with Excel, per file, as last measured (`python -m tests.corpus_agreement`).
FLOORS = {
    "formulas/test_test_files_circular.xlsx": 0,
    "formulas/test_test_files_excel.xlsx": 8,
    "formulas/test_test_files_full-range.xlsx": 3,
    "formulas/test_test_files_test_link.xlsx": 1,
    "koala/examples_advanced.xlsx": 71,
    "koala/examples_basic.xlsx": 30,
    "koala/tests_ast_basic_evaluation.xlsx": 76,
    "koala/tests_ast_pruning.xlsx": 6,
    "koala/tests_excel_VDB.xlsx": 110,
    "koala/tests_files_EmptyCellInRange.xlsx": 14,
    "koala/tests_files_NamedRanges.xlsx": 41,
    "koala/tests_files_SharedFormula.xlsx": 21,
    "pycel/example_example.xlsx": 37,
    "pycel/tests_fixtures_basic.xlsx": 6,
    "pycel/tests_fixtures_circular.xlsx": 0,
    "pycel/tests_fixtures_date-time.xlsx": 179,
    "pycel/tests_fixtures_excelcompiler.xlsx": 109,
    "pycel/tests_fixtures_information.xlsx": 220,
    "pycel/tests_fixtures_logical.xlsx": 694,
    "pycel/tests_fixtures_lookup.xlsx": 462,
    "pycel/tests_fixtures_npv.xlsx": 33,
    "pycel/tests_fixtures_pv.xlsx": 43,
    "pycel/tests_fixtures_stats.xlsx": 298,
    "pycel/tests_fixtures_text.xlsx": 354,
    "pycel/tests_fixtures_yearfrac.xlsx": 2662,
    "xlcalculator/examples_common_use_case_use_case_01.xlsm": 81,
    "xlcalculator/tests_resources_ABS.xlsx": 1,
    "xlcalculator/tests_resources_ACOS.xlsx": 3,
    "xlcalculator/tests_resources_ASIN.xlsx": 4,
    "xlcalculator/tests_resources_ATAN.xlsx": 3,
    "xlcalculator/tests_resources_ATAN2.xlsx": 4,
    "xlcalculator/tests_resources_BASES.xlsx": 3046,
    "xlcalculator/tests_resources_CEILING.xlsx": 8,
    "xlcalculator/tests_resources_CONCAT.xlsx": 6,
    "xlcalculator/tests_resources_CONCATENATE.xlsx": 1,
    "xlcalculator/tests_resources_COS.xlsx": 3,
    "xlcalculator/tests_resources_COSH.xlsx": 2,
    "xlcalculator/tests_resources_COUNT.xlsx": 3,
    "xlcalculator/tests_resources_COUNTA.xlsx": 6,
    "xlcalculator/tests_resources_DATE.xlsx": 24,
    "xlcalculator/tests_resources_DATEDIF.xlsx": 6,
    "xlcalculator/tests_resources_DAY.xlsx": 1,
    "xlcalculator/tests_resources_DAYS.xlsx": 1,
    "xlcalculator/tests_resources_EDATE.xlsx": 4,
    "xlcalculator/tests_resources_EOMONTH.xlsx": 3,
    "xlcalculator/tests_resources_EXACT.xlsx": 4,
    "xlcalculator/tests_resources_FIND.xlsx": 6,
    "xlcalculator/tests_resources_IF.xlsx": 5,
    "xlcalculator/tests_resources_INT.xlsx": 1,
    "xlcalculator/tests_resources_LEN.xlsx": 3,
    "xlcalculator/tests_resources_LN.xlsx": 2,
    "xlcalculator/tests_resources_MAX.xlsx": 2,
    "xlcalculator/tests_resources_MID.xlsx": 3,
    "xlcalculator/tests_resources_MIN.xlsx": 2,
    "xlcalculator/tests_resources_MOD.xlsx": 4,
    "xlcalculator/tests_resources_MONTH.xlsx": 1,
    "xlcalculator/tests_resources_NOT.xlsx": 2,
    "xlcalculator/tests_resources_NPV.xlsx": 2,
    "xlcalculator/tests_resources_PMT.xlsx": 3,
    "xlcalculator/tests_resources_POWER.xlsx": 3,
    "xlcalculator/tests_resources_RIGHT.xlsx": 2,
    "xlcalculator/tests_resources_ROUND.xlsx": 7,
    "xlcalculator/tests_resources_ROUNDDOWN.xlsx": 5,
    "xlcalculator/tests_resources_ROUNDUP.xlsx": 5,
    "xlcalculator/tests_resources_SLN.xlsx": 1,
    "xlcalculator/tests_resources_SUM.xlsx": 1,
    "xlcalculator/tests_resources_SUMIFS.xlsx": 1,
    "xlcalculator/tests_resources_SUMPRODUCT.xlsx": 1,
    "xlcalculator/tests_resources_VLOOKUP.xlsx": 2,
    "xlcalculator/tests_resources_XNPV.xlsx": 1,
    "xlcalculator/tests_resources_YEAR.xlsx": 2,
    "xlcalculator/tests_resources_YEARFRAC.xlsx": 3,
    "xlcalculator/tests_resources_addition.xlsx": 3,
    "xlcalculator/tests_resources_average.xlsx": 1,
    "xlcalculator/tests_resources_choose.xlsx": 4,
    "xlcalculator/tests_resources_division.xlsx": 2,
    "xlcalculator/tests_resources_double_minus.xlsx": 3,
    "xlcalculator/tests_resources_model_compiler_and_evaluate.xlsx": 1,
    "xlcalculator/tests_resources_multiplication.xlsx": 4,
    "xlcalculator/tests_resources_reader.xlsm": 16465,
    "xlcalculator/tests_resources_subtraction.xlsx": 3,
}
#: The files whose floor the tests check (seconds each): one or more per cause fixed.
FLOOR_FILES = [
    "koala/examples_basic.xlsx",  # implicit intersection
    "koala/examples_advanced.xlsx",
    "koala/tests_files_SharedFormula.xlsx",
    "pycel/tests_fixtures_information.xlsx",  # a name the workbook lacks: #NAME?
    "pycel/tests_fixtures_logical.xlsx",  # IF, IFERROR, IFNA over arrays
    "pycel/tests_fixtures_lookup.xlsx",  # <f ca="1"/> in array formulas
    "pycel/tests_fixtures_stats.xlsx",
    "pycel/tests_fixtures_text.xlsx",
    "xlcalculator/tests_resources_reader.xlsm",  # an array formula over a whole row
    "xlcalculator/tests_resources_IF.xlsx",
    "xlcalculator/tests_resources_double_minus.xlsx",  # --x as two minus signs
    "xlcalculator/tests_resources_BASES.xlsx",  # the base conversions
]

# Causes of cells where `formulas` alone gives Excel's value and we do not.
CIRCULAR = (
    "a circular reference: Excel iterates (calcPr iterate), formulas alone solves it the same way; we"
    " report it and keep the cached value, since iteration can settle on a value Excel would not"
)
TREND_SHAPE = (
    "formulas' TREND gives a column for a row of new x's: we spill that column as a dynamic array,"
    " which Excel's own values block (#SPILL!); formulas alone pours it into Excel's area row-wise"
)
CHOOSE_BROADCAST = (
    "formulas' CHOOSE repeats the chosen value over the size of every other argument (B1:D1): the"
    " spill is blocked by B1; formulas alone keeps only the first value in Excel's one-cell area"
)

ODD_REFERENCES = (
    "SUM(...,'!\"'!A1,IFERROR(BROKEN,0)): a sheet named !\" (formulas hands its name on unquoted) and a"
    " name into a workbook that is not there; we refuse the cell rather than guess"
)

EXPECTED_WORSE: dict[str, dict[str, str]] = {
    "formulas/test_test_files_full-range.xlsx": {"DATA!B5": ODD_REFERENCES},
    "pycel/tests_fixtures_circular.xlsx": dict.fromkeys(
        ["SHEET1!B1", "SHEET1!B2", "SHEET1!A6", "SHEET1!B6", "SHEET1!B8", "SHEET1!B10"], CIRCULAR
    ),
    "formulas/test_test_files_circular.xlsx": dict.fromkeys(
        [f"DATA!{c}{r}" for r in (6, 10, 12, 16) for c in "BCDE"] + ["DATA!C14", "DATA!D14", "DATA!C15"], CIRCULAR
    ),
    "pycel/tests_fixtures_stats.xlsx": dict.fromkeys(
        [f"STATS!{c}{r}" for r in (3, 4, 8, 17, 19, 22, 23, 26) for c in "EF"] + ["STATS!F6", "STATS!F15", "STATS!F29"],
        TREND_SHAPE,
    ),
    "xlcalculator/tests_resources_choose.xlsx": {"SHEET1!A1": CHOOSE_BROADCAST},
}

#: Files compared with `formulas` alone in the tests (each a few seconds in both engines).
AGAINST_FORMULAS = [
    "formulas/test_test_files_circular.xlsx",
    "koala/examples_advanced.xlsx",
    "koala/examples_basic.xlsx",
    "koala/tests_files_SharedFormula.xlsx",
    "pycel/tests_fixtures_circular.xlsx",
    "pycel/tests_fixtures_information.xlsx",
    "pycel/tests_fixtures_stats.xlsx",
    "xlcalculator/tests_resources_IF.xlsx",
    "xlcalculator/tests_resources_choose.xlsx",
]


def _ref(key: tuple[str, int, int]) -> str:
    from openpyxl.utils import get_column_letter

    return f"{key[0]}!{get_column_letter(key[2])}{key[1]}"


@pytest.mark.parametrize("name", FLOOR_FILES)
def test_agreement_with_excel_is_at_least_the_floor(name: str):
    result = measure(FORMULAS_CORPUS / name, with_formulas=False)
    assert result.tally(result.ours)["agree"] >= FLOORS[name]


@pytest.mark.parametrize("name", AGAINST_FORMULAS)
def test_our_layer_never_makes_formulas_worse(name: str):
    result = measure(FORMULAS_CORPUS / name)
    expected = EXPECTED_WORSE.get(name, {})
    worse = [_ref(k) for k in result.worse()]
    assert [cell for cell in worse if cell not in expected] == []
    assert sorted(set(expected) - set(worse)) == []  # a cause fixed: take its cells out of the table
