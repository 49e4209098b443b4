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
    "koala/examples_basic.xlsx": 30,  # implicit intersection
    "koala/examples_advanced.xlsx": 71,
    "koala/tests_files_SharedFormula.xlsx": 20,
    "pycel/tests_fixtures_information.xlsx": 218,  # a name the workbook lacks: #NAME?
    "pycel/tests_fixtures_logical.xlsx": 692,  # IF, IFERROR, IFNA over arrays
    "pycel/tests_fixtures_lookup.xlsx": 462,  # <f ca="1"/> in array formulas
    "pycel/tests_fixtures_stats.xlsx": 298,
    "pycel/tests_fixtures_text.xlsx": 336,
    "xlcalculator/tests_resources_reader.xlsm": 16465,  # an array formula over a whole row
    "xlcalculator/tests_resources_IF.xlsx": 5,
}

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


@pytest.mark.parametrize("name", sorted(FLOORS))
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
