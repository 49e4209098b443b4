"""A formula group's results are stored and counted at once (over numpy columns when old and new
are numbers): the same writes and the same count of changed values as storing cell by cell."""

from __future__ import annotations

import math
from collections import defaultdict
from types import SimpleNamespace

from vng_xl.ooxml.sheet_xml import CellWrite, ExcelError
from vng_xl.recalc.evaluation import Evaluation

ULP = 2.0**-52
# (cached, computed, changed?): a few ulps are no change (sheet_xml.same_value), NaN always is.
FLOATS = [
    (1.0, 1.0, False),
    (1.0, 1.0 + 4 * ULP, False),
    (1.0, 1.0 + 6 * ULP, True),
    (41394714.30072, 41394714.30072 * (1 + 2 * ULP), False),
    (0.0, -0.0, False),
    (0.0, 5e-324, True),
    (0.0, 2.5, True),
    (math.nan, math.nan, True),
    (1.0, math.nan, True),
    (math.inf, math.inf, False),
    (math.inf, -math.inf, True),  # opposite infinities are no few ulps apart (same_value)
    (1e308, -1e308, True),
    (-7.5, -7.5, False),
]
MIXED = [
    (None, 1.0, True),
    (None, None, False),
    (1.0, None, True),
    (True, 1.0, True),
    (1.0, True, True),
    (True, True, False),
    ("a", "a", False),
    ("a", "b", True),
    (None, "", True),
    (ExcelError("#N/A"), ExcelError("#N/A"), False),
    (ExcelError("#N/A"), ExcelError("#DIV/0!"), True),
    (2.0, 2.0, False),
    (2.0, 2.0 + 2 * ULP, False),
    (2.0, 3.0, True),
]


def workbook(cases: list[tuple]) -> SimpleNamespace:
    original = {(r, 3): old for r, (old, _, _) in enumerate(cases, 2) if old is not None}
    ev = SimpleNamespace(values={"S": dict(original)}, original={"S": original}, writes=defaultdict(dict), changed=0)
    ev.writes["S"][(2, 3)] = CellWrite(cases[0][1], "C2:C3", True)  # an earlier write: its ref and input flag stay
    return ev


def stored(cases: list[tuple], at_once: bool) -> SimpleNamespace:
    ev = workbook(cases)
    positions = [(r, 3) for r in range(2, 2 + len(cases))]
    results = [new for _, new, _ in cases]
    if at_once:
        Evaluation._store_many(ev, "S", positions, results)
    else:
        for (row, col), value in zip(positions, results):
            Evaluation._store(ev, "S", row, col, value)
    return ev


def test_a_group_stored_at_once_writes_and_counts_what_cell_by_cell_does() -> None:
    for cases in (FLOATS, MIXED):
        expected = {r for r, (_, _, changed) in enumerate(cases, 2) if changed}
        one, many = stored(cases, False), stored(cases, True)
        assert many.changed == one.changed == len(expected)
        assert {r for r, _ in many.writes["S"]} == expected | {2}
        assert repr(many.writes["S"]) == repr(one.writes["S"])  # repr: NaN is not equal to itself
        assert repr(many.values["S"]) == repr(one.values["S"])
