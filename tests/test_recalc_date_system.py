"""Dates in a workbook's own date system (1900 or 1904), and which cached numbers count as unchanged.

Expected serial numbers are typed from Microsoft's "Date systems in Excel" page (5 July 2011 is 40729
in the 1900 date system and 39267 in the 1904 one; 1 January 1900 is day 1 there, 1 January 1904 day
0 here) and its note that the 1900 system counts 29 February 1900, which did not exist (day 60).
"""

from __future__ import annotations

import gc
import math
import threading
import weakref
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tests.recalc_fixtures import build_xlsx, sheet_xml
from tests.test_recalc_excel_functions import evaluated, rows
from tests.test_recalc_excel_workbook_functions import DATE_CELLS, in_1904
from vng_xl.ooxml.package import Package, write_cells
from vng_xl.ooxml.sheet_read import scan_sheet
from vng_xl.ooxml.sheet_xml import excel_serial, read_sheet, same_value, typed_value
from vng_xl.recalc import recalc_file
from vng_xl.recalc.evaluation import _changed
from vng_xl.recalc.libreoffice_engine import formula_cells
from vng_xl.recalc.workbook import WorkbookEvaluation

INF, NAN = math.inf, math.nan
ISO_DATE = '<c r="A1" t="d"><v>2011-07-05T00:00:00Z</v></c>'  # a cell of type date: ISO 8601 text


def sheet_part(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


# ---------------------------------------------------------------- serial numbers


def test_a_date_as_a_serial_in_either_date_system():
    assert excel_serial(date(2011, 7, 5)) == 40729.0
    assert excel_serial(date(2011, 7, 5), date1904=True) == 39267.0
    assert excel_serial(datetime(2011, 7, 5, 18), date1904=True) == 39267.75
    assert excel_serial(date(1904, 1, 1), date1904=True) == 0.0


def test_the_first_days_of_the_1900_system_count_29_february_1900():
    assert excel_serial(date(1899, 12, 31)) == 0.0  # day 0, which Excel shows as 0 January 1900
    assert excel_serial(date(1900, 1, 1)) == 1.0
    assert excel_serial(date(1900, 2, 28)) == 59.0
    assert excel_serial(datetime(1900, 2, 28, 12)) == 59.5
    assert excel_serial(date(1900, 3, 1)) == 61.0


@pytest.mark.parametrize(("day", "date1904"), [(date(1899, 12, 30), False), (date(1903, 12, 31), True)])
def test_a_date_before_the_first_day_of_its_system_is_refused(day, date1904):
    with pytest.raises(ValueError, match="before the first date"):
        excel_serial(day, date1904=date1904)


def test_a_date_cell_read_in_its_workbooks_date_system():
    assert typed_value("d", "2011-07-05T00:00:00Z", []) == 40729.0
    assert typed_value("d", "2011-07-05T00:00:00Z", [], date1904=True) == 39267.0


@pytest.mark.parametrize("date1904", [False, True])
def test_both_sheet_readers_read_a_date_cell_in_the_workbooks_system(date1904):
    xml = sheet_xml(f'<row r="1">{ISO_DATE}</row>').encode()
    expected = 39267.0 if date1904 else 40729.0
    assert scan_sheet(xml, [], date1904=date1904).values == {(1, 1): expected}
    assert read_sheet(etree.fromstring(xml), [], date1904=date1904).values == {(1, 1): expected}


def test_a_date_cell_in_a_1904_workbook(tmp_path):
    cells = {"A1": ISO_DATE, "B1": "=A1+0", "B2": "=YEAR(A1)", "B3": "=DAY(A1)"}
    ev = evaluated(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(cells)})))
    assert ev.issues == []
    assert [ev.values["S"][(r, 2)] for r in (1, 2, 3)] == [39267.0, 2011.0, 5.0]


def test_a_date_cell_in_a_1900_workbook(tmp_path):
    cells = {"A1": ISO_DATE, "B1": "=A1+0", "B2": "=YEAR(A1)"}
    ev = evaluated(build_xlsx(tmp_path / "d.xlsx", {"S": rows(cells)}))
    assert [ev.values["S"][(r, 2)] for r in (1, 2)] == [40729.0, 2011.0]


@pytest.mark.parametrize(("date1904", "expected"), [(False, 40729.0), (True, 39267.0)])
def test_the_libreoffice_engine_reads_a_cached_date_in_the_workbooks_system(tmp_path, date1904, expected):
    """The cached value it compares LibreOffice's result with: a date 1,462 days off would count as changed."""
    cached = '<c r="B1" t="d"><f>A1+0</f><v>2011-07-05T00:00:00Z</v></c>'
    src = build_xlsx(tmp_path / "d.xlsx", {"S": rows({"A1": ISO_DATE, "B1": cached})})
    assert formula_cells(in_1904(src) if date1904 else src) == {"S": {"B1": expected}}


def test_a_date_written_into_a_1904_workbook(tmp_path):
    src = in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows({"A1": 1.0, "B1": "=A1+0", "B2": "=YEAR(A1)"})}))
    outcome = recalc_file(src, tmp_path / "out.xlsx", {"S": {"A1": date(2011, 7, 5)}})
    assert outcome.errors == []
    xml = sheet_part(tmp_path / "out.xlsx")
    assert '<c r="A1"><v>39267</v></c>' in xml
    assert "<v>39267</v>" in xml.split('r="B1"')[1][:60] and "<v>2011</v>" in xml.split('r="B2"')[1][:60]


def test_a_date_written_into_a_1900_workbook(tmp_path):
    src = build_xlsx(tmp_path / "d.xlsx", {"S": rows({"A1": 1.0, "B1": "=A1+0"})})
    recalc_file(src, tmp_path / "out.xlsx", {"S": {"A1": date(2011, 7, 5)}})
    assert '<c r="A1"><v>40729</v></c>' in sheet_part(tmp_path / "out.xlsx")


def test_a_date_written_by_write_cells_into_a_1904_workbook(tmp_path):
    src = in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows({"A1": 1.0})}))
    write_cells(src, tmp_path / "out.xlsx", {"S": {"A1": datetime(2011, 7, 5, 12)}})
    assert '<c r="A1"><v>39267.5</v></c>' in sheet_part(tmp_path / "out.xlsx")


def test_a_date_the_workbook_cannot_hold_is_refused_and_nothing_written(tmp_path):
    src = in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows({"A1": 1.0, "B1": "=A1+0"})}))
    with pytest.raises(ValueError, match="before the first date"):
        recalc_file(src, tmp_path / "out.xlsx", {"S": {"A1": date(1903, 12, 31)}})
    with pytest.raises(ValueError, match="before the first date"):
        write_cells(src, tmp_path / "out2.xlsx", {"S": {"A1": date(1903, 12, 31)}})
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "out2.xlsx").exists()


# ---------------------------------------------------------------- two workbooks in one process


def _years(ev: WorkbookEvaluation) -> list[object]:
    return [ev.values["S"][(r, 2)] for r in (1, 2, 4, 10)]  # DATE(2011,7,5), YEAR, DAY, DATE(1904,1,1)


def test_two_workbooks_of_different_date_systems_in_interleaved_threads(tmp_path):
    paths = {
        True: in_1904(build_xlsx(tmp_path / "d1904.xlsx", {"S": rows(DATE_CELLS)})),
        False: build_xlsx(tmp_path / "d1900.xlsx", {"S": rows(DATE_CELLS)}),
    }
    expected = {True: [39267.0, 2011.0, 5.0, 0.0], False: [40729.0, 2007.0, 4.0, 1462.0]}
    built, ran, got, failures = threading.Barrier(2), threading.Barrier(2), {}, []

    def work(date1904: bool) -> None:
        try:
            for _ in range(3):
                pkg = Package.open(paths[date1904], check_lock=False)
                try:
                    ev = WorkbookEvaluation(pkg)
                    built.wait(timeout=60)  # both built before either runs
                    ev.run()
                    ran.wait(timeout=60)
                finally:
                    pkg.close()
                got.setdefault(date1904, []).append(_years(ev))
        except Exception as exc:  # reported below, in the test's own thread
            failures.append(exc)
            built.abort()
            ran.abort()

    threads = [threading.Thread(target=work, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert got == {flag: [expected[flag]] * 3 for flag in (True, False)}


def test_a_workbook_built_in_one_thread_and_run_in_another(tmp_path):
    first = Package.open(in_1904(build_xlsx(tmp_path / "d.xlsx", {"S": rows(DATE_CELLS)})), check_lock=False)
    second = Package.open(build_xlsx(tmp_path / "e.xlsx", {"S": rows(DATE_CELLS)}), check_lock=False)
    try:
        evs = [WorkbookEvaluation(first), WorkbookEvaluation(second)]  # the 1900 one built last
        threads = [threading.Thread(target=ev.run) for ev in evs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        first.close()
        second.close()
    assert _years(evs[0]) == [39267.0, 2011.0, 5.0, 0.0]
    assert _years(evs[1]) == [40729.0, 2007.0, 4.0, 1462.0]


# ---------------------------------------------------------------- unchanged cached numbers


@pytest.mark.parametrize(
    ("old", "new"),
    [(INF, -INF), (-INF, INF), (INF, 1.7e308), (1.7e308, INF), (-INF, -1.7e308), (INF, NAN), (NAN, NAN), (NAN, 1.0)],
)
def test_numbers_a_reader_tells_apart_are_written(old, new):
    assert not same_value(old, new)
    assert _changed([old, 1.0], [new, 1.0]) == [0]


@pytest.mark.parametrize(("old", "new"), [(INF, INF), (-INF, -INF), (0.0, -0.0), (1.0, 1.0 + 2**-52), (3, 3.0)])
def test_numbers_a_reader_takes_as_the_same_are_not_written(old, new):
    assert same_value(old, new)


_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([INF, -INF, NAN, 0.0, -0.0, 1.0, 1.0 + 2**-52, 1.7e308]),
)


@given(st.lists(st.tuples(_NUMBERS, _NUMBERS), min_size=2, max_size=8))
def test_the_bulk_comparison_agrees_with_same_value(pairs):
    olds, news = [p[0] for p in pairs], [p[1] for p in pairs]
    assert _changed(olds, news) == [i for i, (o, n) in enumerate(pairs) if not same_value(o, n)]


# ---------------------------------------------------------------- the workbook's facts, indexed once


class _CountingNodes(dict):
    """The evaluation's nodes, counting how often all of them are gone through."""

    scans = 0

    def values(self):
        type(self).scans += 1
        return super().values()


def _node_scans(tmp_path: Path, cells: dict[str, object]) -> int:
    pkg = Package.open(build_xlsx(tmp_path / f"n{len(cells)}.xlsx", {"S": rows(cells)}), check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.nodes = _CountingNodes(ev.nodes)
        _CountingNodes.scans = 0
        ev.run()
    finally:
        pkg.close()
    assert ev.issues == []
    assert all(ev.values["S"][(r, 3)] is (r == 1) for r in range(1, 21) if (r, 3) in ev.values["S"])
    return _CountingNodes.scans


def test_isformula_of_a_constant_cell_does_not_go_through_every_formula(tmp_path):
    array = '<c r="A1"><f t="array" ref="A1:A2">B1:B2*2</f><v>0</v></c>'
    base = {"A1": array, "A2": '<c r="A2"><v>0</v></c>', "C1": "=_xlfn.ISFORMULA(A2)"}
    one = {**base, "C2": "=_xlfn.ISFORMULA(D2)"}
    many = {**base, **{f"C{r}": f"=_xlfn.ISFORMULA(D{r})" for r in range(2, 21)}}
    many.update({f"D{r}": float(r) for r in range(2, 21)})
    assert _node_scans(tmp_path, many) == _node_scans(tmp_path, one)


def test_the_defined_names_are_read_once_per_workbook(tmp_path):
    from vng_xl.recalc import excel_workbook

    path = build_xlsx(
        tmp_path / "n.xlsx",
        {"S": rows({"A1": 1.0, "B1": "=_xlfn.LET(_xlpm.x, A1, _xlpm.x+1)"})},
        names={"Rate": "S!$A$1"},
    )
    pkg = Package.open(path, check_lock=False)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
        assert excel_workbook.defined_names() == frozenset({"RATE"})
        assert excel_workbook.defined_names() is excel_workbook.defined_names()
        facts = excel_workbook.facts()
        excel_workbook.bind(ev)  # bound again, as at the start of a run: the same facts, indexed once
        assert excel_workbook.facts() is facts
    finally:
        pkg.close()
    gone = weakref.ref(ev)
    del ev, facts
    gc.collect()
    assert gone() is None  # the facts bound do not keep a finished evaluation alive


def test_isformula_of_a_spilled_cell_is_still_declined(tmp_path):
    anchor = '<c r="A1" cm="1"><f t="array" ref="A1:A3">_xlfn.SEQUENCE(3)</f><v>1</v></c>'
    cells = {"A1": anchor, "A2": 2.0, "A3": 3.0, "C1": "=_xlfn.ISFORMULA(A3)", "C2": "=_xlfn.ISFORMULA(A4)"}
    path = build_xlsx(tmp_path / "s.xlsx", {"S": rows(cells)}, dynamic=True)
    ev = evaluated(path)
    assert {i.cell: i.reason for i in ev.issues} == {"C1": "ISFORMULA of a cell a dynamic array spills into"}
    assert ev.values["S"][(2, 3)] is False
