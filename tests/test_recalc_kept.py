"""What the evaluator keeps per process between workbooks (a batch of a template's copies): a column's
runs, a group formula's parse, VNG_RAMING's factor table. Each is keyed on all its answer depends on,
stays within its bound, and a second, different input never gets the first one's answer."""

from __future__ import annotations

import re
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest

from tests.recalc_fixtures import build_xlsx
from tests.test_recalc_excel_functions import evaluated
from vng_xl.model.indexen import Indexen
from vng_xl.ooxml.sheet_xml import CellWrite, ExcelError, same_value
from vng_xl.recalc import evaluation, groups, workbook


def cells(rows: dict[int, str]) -> list[tuple]:
    """A column's candidate cells (row, col, text, kind) in column B."""
    return [(r, 2, text, "normal") for r, text in rows.items()]


def spans(found: list[groups.Group], loose: list) -> list[tuple[int, int]]:
    return sorted([(g.first, g.last) for g in found] + [(c[0], c[0]) for c in loose])


def test_a_column_with_another_text_or_row_is_not_given_the_kept_runs():
    filled = {1: "A1*2", 2: "A2*2", 3: "A3*2"}
    assert spans(*groups.runs("S", 2, cells(filled))) == [(1, 3)]
    assert spans(*groups.runs("S", 2, cells({1: "A1*2", 2: "A2*3", 3: "A3*2"}))) == [(1, 1), (2, 2), (3, 3)]
    assert spans(*groups.runs("S", 2, cells({1: "A1*2", 2: "A2*2", 4: "A3*2"}))) == [(1, 2), (4, 4)]
    assert spans(*groups.runs("S", 2, cells(filled))) == [(1, 3)]


@pytest.mark.parametrize("bound, value", [("_KEPT_CHARS", 40), ("_KEPT_ALL", 7), ("_KEPT_COLUMNS", 2)])
def test_kept_runs_stay_within_their_bound(monkeypatch, bound: str, value: int):
    monkeypatch.setattr(groups, "_SPANS", {})
    monkeypatch.setattr(groups, "_kept", [0, 0])
    monkeypatch.setattr(groups, bound, value)
    monkeypatch.setattr(groups, "_KEPT_CELLS", 3)
    for n in range(1, 30):
        groups.runs("S", 2, cells({r: f"A{r}*{n}" for r in (1, 2, 3)}))
        kept = {"_KEPT_CHARS": sum(len(t) for _, texts in groups._SPANS for t in texts)}
        kept |= {"_KEPT_ALL": sum(len(rows) for rows, _ in groups._SPANS), "_KEPT_COLUMNS": len(groups._SPANS)}
        assert 0 < kept[bound] <= value
    groups._SPANS.clear()
    groups.runs("S", 2, cells({r: f"A{r}*2" for r in (1, 2, 3, 4)}))  # past _KEPT_CELLS: not kept
    assert groups._SPANS == {}


def test_one_formula_text_at_other_rows_reads_its_own_rows(tmp_path: Path):
    # B1:B2 and C5:C6 hold the same first text A1*2: C5 reads A1, C6 reads A2, not A5 and A6
    rows = [
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1*2</f><v>0</v></c></row>',
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*2</f><v>0</v></c></row>',
        '<row r="5"><c r="A5"><v>50</v></c><c r="C5"><f>A1*2</f><v>0</v></c></row>',
        '<row r="6"><c r="A6"><v>60</v></c><c r="C6"><f>A2*2</f><v>0</v></c></row>',
    ]
    ev = evaluated(build_xlsx(tmp_path / "rows.xlsx", {"S": "".join(rows)}))
    assert set(ev.groups) == {("group", "S", 2, 1), ("group", "S", 3, 5)}
    assert [ev.values["S"][p] for p in ((1, 2), (2, 2), (5, 3), (6, 3))] == [2.0, 4.0, 2.0, 4.0]


def test_a_parse_kept_from_one_workbook_reads_no_sheet_another_lacks(tmp_path: Path):
    formulas = "".join(f'<row r="{r}"><c r="B{r}"><f>Other!A{r}*2</f><v>7</v></c></row>' for r in (1, 2, 3))
    other = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in (1, 2, 3))
    first = evaluated(build_xlsx(tmp_path / "both.xlsx", {"S": formulas, "Other": other}))
    assert [first.values["S"][(r, 2)] for r in (1, 2, 3)] == [2.0, 4.0, 6.0]
    assert first.issues == []
    second = evaluated(build_xlsx(tmp_path / "one.xlsx", {"S": formulas}))
    assert second.groups == {}
    assert [(i.cell, "OTHER" in i.reason.upper()) for i in second.issues] == [("B1", True), ("B2", True), ("B3", True)]
    assert [second.values["S"][(r, 2)] for r in (1, 2, 3)] == [7.0, 7.0, 7.0]  # the cached values kept


@pytest.mark.parametrize("bound, value", [("_PARSED_CHARS", 30), ("_PARSED_FORMULAS", 3)])
def test_kept_parses_stay_within_their_bound(monkeypatch, bound: str, value: int):
    monkeypatch.setattr(groups, "_PARSED", {})
    monkeypatch.setattr(groups, "_parsed_chars", [0])
    monkeypatch.setattr(groups, bound, value)
    for n in range(1, 40):
        assert groups._parsed(f"A1*{n}") is not None
        kept = {"_PARSED_CHARS": sum(map(len, groups._PARSED)), "_PARSED_FORMULAS": len(groups._PARSED)}
        assert 0 < kept[bound] <= value
    assert groups._parsed("FOO(A1)") is None  # not vectorisable, and kept so
    assert groups._PARSED["FOO(A1)"] is None


SERIES = Indexen(np.array([2026, 2027, 2028]), np.array([[0.02, 0.03, 0.04], [0.01, 0.01, 0.01]]))


def test_factor_table_of_another_series_or_years_is_its_own():
    np.testing.assert_allclose(SERIES.factor_table(2026, np.array([2027, 2028])), [[1.03, 1.03 * 1.04], [1.01, 1.0201]])
    other = Indexen(np.array([2026, 2027, 2028]), np.array([[0.02, 0.05, 0.04], [0.01, 0.01, 0.01]]))
    np.testing.assert_allclose(other.factor_table(2026, np.array([2027, 2028])), [[1.05, 1.05 * 1.04], [1.01, 1.0201]])
    np.testing.assert_allclose(SERIES.factor_table(2026, np.array([2028])), [[1.03 * 1.04], [1.0201]])
    np.testing.assert_allclose(SERIES.factor_table(2027, np.array([2028])), [[1.04], [1.01]])
    with pytest.raises(ValueError):  # kept, so read-only
        SERIES.factor_table(2026, np.array([2027]))[0, 0] = 2.0
    np.testing.assert_allclose(SERIES.factor_table(2026, np.array([2027])), [[1.03], [1.01]])


def test_kept_factor_tables_stay_within_their_bound(monkeypatch):
    from vng_xl.model import indexen

    monkeypatch.setattr(indexen, "_FACTOR_TABLES", {})
    monkeypatch.setattr(indexen, "_KEPT_TABLES", 2)
    for years in ([2027], [2028], [2027, 2028], [2028, 2027]):
        SERIES.factor_table(2026, np.array(years))
        assert len(indexen._FACTOR_TABLES) <= 2
    SERIES.factor_table(2026, np.array([2027] * (indexen._KEPT_YEARS + 1)))  # many years at once: not kept
    assert all(len(key[-1]) <= 8 * indexen._KEPT_YEARS for key in indexen._FACTOR_TABLES)


def test_the_one_pass_check_finds_whatever_the_pattern_finds():
    # every character the pattern matches in any case, put in each place of each of its words
    letter = re.compile("[ROWCLUMNSHET]", re.I)
    alike = set(letter.findall("".join(map(chr, range(sys.maxunicode + 1)))))
    assert "\u017f" in alike  # the long s matches S
    for word in ("ROW", "COLUMN", "SHEET"):
        for i in range(len(word)):
            for ch in alike:
                text = f"A1+{word[:i]}{ch}{word[i + 1 :]}(1)"
                if workbook._SPECIAL.search(text):
                    assert workbook._any_special(["B2*2", text]), text
    assert workbook._any_special(["Tabel1[Bedrag]"])
    assert not workbook._any_special(["A1*2", "SUM(C2:C41)", 'IF(F2>50000,"hoog","normaal")'])


def test_a_sheet_with_one_special_formula_among_plain_ones(tmp_path: Path):
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f><v>0</v></c>'
        f'<c r="C{r}"><f>{"ROW()*10" if r == 2 else f"A{r}+1"}</f><v>0</v></c></row>'
        for r in (1, 2, 3)
    )
    ev = evaluated(build_xlsx(tmp_path / "row.xlsx", {"S": rows, "Plain": rows.replace("ROW()*10", "A2+1")}))
    assert [ev.values["S"][(r, c)] for r in (1, 2, 3) for c in (2, 3)] == [2.0, 2.0, 4.0, 20.0, 6.0, 4.0]
    assert [ev.values["Plain"][(r, c)] for r in (1, 2, 3) for c in (2, 3)] == [2.0, 2.0, 4.0, 3.0, 6.0, 4.0]
    assert ev.issues == []


def test_cell_writes_are_the_frozen_cell_writes():
    made = evaluation._cell_writes([1.5, "x", None, ExcelError("#N/A")])
    assert made == [CellWrite(1.5), CellWrite("x"), CellWrite(None), CellWrite(ExcelError("#N/A"))]
    assert all(type(w) is CellWrite and w.array_ref is None and w.input is False for w in made)
    with pytest.raises(FrozenInstanceError):
        made[0].value = 2.0


def test_changed_texts_by_equality_an_error_is_no_text():
    assert evaluation._changed(["a", "b", ""], ["a", "c", ""]) == [1]
    assert evaluation._changed([ExcelError("#N/A"), "x"], ["#N/A", "x"]) == [0]
    assert evaluation._changed(["#N/A", "x"], [ExcelError("#N/A"), "x"]) == [0]


SPECIAL_FLOATS = [0.0, -0.0, 1.0, 1.0 + 2**-52, 1.0 + 2**-49, 2.0, 1e308, -1e308, 5e-324]
SPECIAL_FLOATS += [float("inf"), float("-inf"), float("nan")]


@pytest.mark.parametrize("repeat", [1, evaluation._FEW + 1])  # one by one, and over numpy columns
def test_changed_floats_is_same_value_on_every_pair(repeat: int):
    pairs = [(a, b) for a in SPECIAL_FLOATS for b in SPECIAL_FLOATS] * repeat
    olds, news = [a for a, _ in pairs], [b for _, b in pairs]
    expected = [i for i, (a, b) in enumerate(pairs) if not same_value(a, b)]
    assert evaluation._changed(olds, news) == expected
    assert len(expected) % repeat == 0 and 0 < len(expected) < len(pairs)  # some pairs alike, some not
