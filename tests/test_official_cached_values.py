"""The cached values `vng-xl build` writes are what the workbook's own formulas give.

Excel shows cached values until it recalculates, and readers that do not recalculate show nothing
else: a cached figure that its formula would not give is a silently wrong number. Recalculating a
fresh build may differ only in representation: a formula whose result is "" is stored without a
type (the writer's way of storing an empty text result), and the model's sums in another order
than the formulas' differ in the last bits (a few units in the last place of the amounts).
"""

from __future__ import annotations

import math

import pytest

from tests.test_recalc_excel_functions import evaluated as recalculated
from tests.workbook_fixtures import built_workbook
from vng_xl.recalc.workbook import WorkbookEvaluation

# A few units in the last place of amounts of tens of millions, and of their differences
ABS_TOL = 1e-6
REL_TOL = 1e-12


@pytest.fixture(scope="module")
def evaluated() -> WorkbookEvaluation:
    return recalculated(built_workbook())


def _agrees(cached: object, computed: object) -> bool:
    if cached is None:  # stored without a value: only an empty text result may be
        return computed == ""
    if type(cached) is float and type(computed) is float:
        return math.isclose(cached, computed, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(cached) is type(computed) and cached == computed


def test_every_formula_of_a_fresh_build_is_computed(evaluated):
    assert evaluated.issues == [] and evaluated.error_values == []
    assert evaluated.formula_cells > 1000


def test_the_cached_values_of_a_fresh_build_are_what_its_formulas_give(evaluated):
    wrong = {}
    for (kind, sheet, row, col), node in evaluated.nodes.items():
        if kind != "cell" or node.output is None:
            continue
        cached, computed = evaluated.original[sheet].get((row, col)), evaluated.values[sheet].get((row, col))
        if not _agrees(cached, computed):
            wrong[(sheet, row, col)] = (cached, computed, node.text)
    assert wrong == {}
