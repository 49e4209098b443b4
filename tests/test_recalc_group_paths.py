"""Formula groups kept as row ranges (no Node per cell) give what the cell-by-cell evaluator gives,
on every path: read by a total or a part of it, feeding another group, going cell by cell with a
failed cell, in a cycle, beside an array formula; and the runs are the ones the R1C1 form makes."""

from __future__ import annotations

import pytest

from tests.recalc_fixtures import build_xlsx
from tests.test_recalc_groups import differences, evaluation, sheet
from tests.test_recalc_read import TRICKY
from vng_xl.ooxml.package import DamagedPart, Package
from vng_xl.ooxml.sheet_xml import ExcelError
from vng_xl.recalc import groups
from vng_xl.recalc.groups import r1c1, signature
from vng_xl.recalc.workbook import WorkbookEvaluation


def _cells(r: int, columns: dict[str, str]) -> str:
    """One row: a number in A, then each column's formula (or value) with {r} filled in."""
    out = f'<c r="A{r}"><v>{r}</v></c>'
    for col, formula in columns.items():
        text = formula.format(r=r, p=r - 1)
        out += (
            f'<c r="{col}{r}"><v>{text[1:]}</v></c>'
            if text.startswith("#")
            else f'<c r="{col}{r}"><f>{text}</f><v>0</v></c>'
        )
    return out


def _book(tmp_path, rows: list[dict[str, str]]):
    return build_xlsx(tmp_path / "g.xlsx", {"S": sheet([_cells(r, cols) for r, cols in enumerate(rows, start=1)])})


def _both(tmp_path, monkeypatch, rows):
    book = _book(tmp_path, rows)
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert cells.groups == {}
    assert differences(grouped, cells) == {}
    assert grouped.issues == cells.issues
    assert grouped.formula_cells == cells.formula_cells
    assert grouped.changed == cells.changed
    assert {s: dict(w) for s, w in grouped.writes.items()} == {s: dict(w) for s, w in cells.writes.items()}
    return grouped, cells


def test_group_read_by_a_total_and_by_part_of_it(tmp_path, monkeypatch):
    rows = [{"B": "A{r}*2"} for _ in range(6)]
    rows[0].update(C="SUM(B1:B6)", D="SUM(B3:B4)", E="B5+1", F='COUNTIF(B2:B5,">4")')
    grouped, _ = _both(tmp_path, monkeypatch, rows)
    group = grouped.groups[("group", "S", 2, 1)]
    assert (group.first, group.last) == (1, 6) and group.deps == set()
    assert ("cell", "S", 3, 2) not in grouped.nodes  # no Node for a member
    values = grouped.values["S"]
    assert (values[(1, 3)], values[(1, 4)], values[(1, 5)], values[(1, 6)]) == (42.0, 14.0, 11.0, 3)


def test_group_feeding_another_group(tmp_path, monkeypatch):
    """C reads B, D a range over C that grows with the row ($C$1:C1 is one cell on the first row only)."""
    rows = [{"B": "A{r}*2", "C": "B{r}+A{r}", "D": "SUM($C$1:C{r})"} for _ in range(5)]
    grouped, _ = _both(tmp_path, monkeypatch, rows)
    assert ("group", "S", 2, 1) in grouped.groups and ("group", "S", 3, 1) in grouped.groups
    assert grouped.groups[("group", "S", 3, 1)].deps == {("group", "S", 2, 1)}
    assert [grouped.values["S"][(r, 4)] for r in range(1, 6)] == [3.0, 9.0, 18.0, 30.0, 45.0]


def test_group_that_goes_cell_by_cell_fails_only_the_cell_that_must(tmp_path, monkeypatch):
    """B reads A, whose third cell cannot be computed: B goes cell by cell, only B3 fails, and of the
    totals only the one over B3 fails (with B3 named)."""
    rows = [{"B": "A{r}*2", "C": "{r}+1"} for _ in range(5)]
    for r in range(5):
        rows[r] = {"A": "NOSUCHFUNCTION(1)" if r == 2 else f"#{r + 1}", **rows[r]}
    rows[0].update(D="SUM(B1:B2)", E="SUM(B4:B5)", F="SUM(B1:B5)")
    grouped, _ = _both(tmp_path, monkeypatch, rows)
    failed = {(i.cell, i.reason) for i in grouped.issues}
    assert ("B3", "depends on S!A3, which cannot be computed") in failed
    assert ("F1", "depends on S!B3, which cannot be computed") in failed
    assert {c for c, _ in failed} == {"A3", "B3", "F1"}
    assert grouped.values["S"][(1, 4)] == 6.0 and grouped.values["S"][(1, 5)] == 18.0


def test_group_with_text_in_its_inputs_falls_back_to_cells(tmp_path, monkeypatch):
    body = [_cells(r, {"B": "A{r}+1"}) for r in range(1, 5)]
    body[1] = '<c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><f>A2+1</f><v>0</v></c>'
    body[0] += '<c r="C1"><f>SUM(B1:B4)</f><v>0</v></c>'
    book = build_xlsx(tmp_path / "t.xlsx", {"S": sheet(body)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {} and grouped.issues == cells.issues
    assert ("cell", "S", 2, 2) in grouped.nodes  # made when the group went cell by cell
    assert grouped.values["S"][(2, 2)] == ExcelError("#VALUE!") and grouped.values["S"][(1, 3)] == ExcelError("#VALUE!")


def test_cycle_through_a_group(tmp_path, monkeypatch):
    """B reads C1, C1 totals B: every cell of the cycle is reported, as cell by cell, and a group
    reading the cycle's group goes with it."""
    rows = [{"B": "A{r}+$C$1", "D": "B{r}*2"} for _ in range(4)]
    rows[0]["C"] = "SUM(B1:B2)"
    grouped, _ = _both(tmp_path, monkeypatch, rows)
    reasons = {i.cell: i.reason for i in grouped.issues}
    assert reasons["C1"] == "circular reference" and "B4" in reasons and "D4" in reasons


def test_cycle_not_through_the_part_of_a_group_read(tmp_path, monkeypatch):
    """C1 totals B1:B2 of a group; B5 reads C1. Cell by cell that is no cycle; as one group it is, so the
    group goes cell by cell and nothing is reported."""
    rows = [{"B": "A{r}*2"} for _ in range(4)] + [{"B": "C1+1"}]
    rows[0]["C"] = "SUM(B1:B2)"
    rows[0]["D"] = "B5*2"
    grouped, _ = _both(tmp_path, monkeypatch, rows)
    assert grouped.issues == [] and grouped.values["S"][(1, 4)] == 14.0


def test_array_formula_beside_a_group(tmp_path, monkeypatch):
    rows = [{"B": "A{r}*2"} for _ in range(3)]
    body = [_cells(r, cols) for r, cols in enumerate(rows, start=1)]
    body[0] += (
        '<c r="C1"><f t="array" ref="C1:C3">B1:B3+A1:A3</f><v>0</v></c><c r="D1"><f>SUM(C1:C3,B1:B3)</f><v>0</v></c>'
    )
    body[1] += '<c r="C2"><v>0</v></c>'
    body[2] += '<c r="C3"><v>0</v></c>'
    book = build_xlsx(tmp_path / "a.xlsx", {"S": sheet(body)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {} and grouped.issues == cells.issues == []
    assert [grouped.values["S"][(r, 3)] for r in (1, 2, 3)] == [3.0, 6.0, 9.0] and grouped.values["S"][(1, 4)] == 30.0


def test_array_area_over_a_group_is_refused_naming_the_first_cell(tmp_path, monkeypatch):
    body = [_cells(r, {"B": "A{r}*2"}) for r in range(1, 6)]
    body[0] = body[0].replace('<c r="A1"><v>1</v></c>', '<c r="A1"><f t="array" ref="A1:B4">1</f><v>1</v></c>')
    book = build_xlsx(tmp_path / "d.xlsx", {"S": sheet(body)})
    messages = []
    for grouped in (True, False):
        with monkeypatch.context() as m:
            if not grouped:
                m.setattr(groups, "MIN_CELLS", 10**9)
            pkg = Package.open(book, check_lock=False)
            with pytest.raises(DamagedPart) as exc:
                WorkbookEvaluation(pkg)
            pkg.close()
            messages.append(str(exc.value))
    assert messages[0] == messages[1] and "cell B1:" in messages[0]


@pytest.mark.parametrize("rows", [(2, 3), (2, 2), (3, 2), (1, 3), (2, 9_999_990)])
def test_the_predicted_text_is_a_filled_down_formula(rows):
    """Where the text the first formula predicts for a row is the cell's, their R1C1 forms agree;
    the runs so found are the runs of equal signatures."""
    ra, rb = rows
    for a in TRICKY:
        fill = groups._template(a, ra)
        predicted = fill(rb, rb + 1)
        if predicted is not None:
            assert r1c1(predicted[0], rb) == r1c1(a, ra), (a, predicted)
        for b in TRICKY:
            if predicted is not None and predicted[0] == b:
                assert signature(a, ra) == signature(b, rb)
    cells = [(r, 2, t, "normal") for r, t in enumerate(["A1*2", "A2*2", "A3*3", "A4*3", "A05*3", "A6*3", "$A$1"], 1)]
    found, loose = groups.runs("S", 2, cells)
    assert [(g.first, g.last) for g in found] == [(1, 2), (3, 6), (7, 7)] and loose == []


SHARED_MASTERS = [
    *TRICKY,
    "A1*2+$B$1",
    "SUM($A$1:A1)",
    "a1+1",
    "A01+1",
    "SUM(1:1)+A1",
    "SUM($1:$2)+A1",
    "SUM(A:A)+B1",
    "XFD1+1",
    "IF(A1>0,\"A1\",'My S'!B1)",
    "A1048570+1",
]


@pytest.mark.parametrize("dc", [0, 1])
def test_shared_formula_texts_are_what_shift_formula_gives(dc):
    """The cells that only name a shared formula get their texts from one shift and a fill; where
    that is not exactly shift_formula's text for every cell, they go one by one (None)."""
    from vng_xl.ooxml.sheet_xml import FormulaCell
    from vng_xl.recalc.references import shift_formula
    from vng_xl.recalc.workbook import _shared_texts

    taken = 0
    for text in SHARED_MASTERS:
        master = FormulaCell(1, 2, text, "shared", "B1:C9", "0", False)
        cells = [FormulaCell(r, 2 + dc, "", "shared", None, "0", False) for r in range(2 - dc, 10)]
        texts = _shared_texts(master, cells)
        if texts is not None:
            taken += 1
            assert texts == [shift_formula(text, f.row - 1, dc) for f in cells], text
    assert taken > 10
    moving = FormulaCell(1, 2, "SUM(1:1)", "shared", None, "0", False)
    assert _shared_texts(moving, cells) is None  # a row range that moves: one by one


def test_shared_formula_block_grouped_equals_cell_by_cell(tmp_path, monkeypatch):
    """A shared formula filled down two columns, a total over part of it, and a shared formula
    with a row range (cell by cell)."""
    body = []
    for r in range(1, 7):
        row = f'<c r="A{r}"><v>{r}</v></c>'
        if r == 1:
            row += '<c r="B1"><f t="shared" ref="B1:C6" si="0">A1*2+$A$1</f><v>0</v></c>'
            row += '<c r="C1"><f t="shared" si="0"/><v>0</v></c>'
            row += '<c r="D1"><f t="shared" ref="D1:D6" si="1">SUM(1:1)+A1</f><v>0</v></c>'
            row += '<c r="E1"><f>SUM(C2:C4)</f><v>0</v></c>'
        else:
            row += f'<c r="B{r}"><f t="shared" si="0"/><v>0</v></c><c r="C{r}"><f t="shared" si="0"/><v>0</v></c>'
            row += f'<c r="D{r}"><f t="shared" si="1"/><v>0</v></c>'
        body.append(row)
    book = build_xlsx(tmp_path / "s.xlsx", {"S": sheet(body)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert differences(grouped, cells) == {} and grouped.issues == cells.issues
    assert grouped.formula_cells == cells.formula_cells == 19
    assert {(g.first, g.last) for k, g in grouped.groups.items() if k[2] in (2, 3)} == {(1, 6)}
    assert ("cell", "S", 4, 3) not in grouped.nodes
    values = grouped.values["S"]
    # B = A*2+$A$1 = 2r+1; C is B's formula moved right, B*2+$A$1 = 4r+3
    assert [values[(r, 3)] for r in (1, 2, 6)] == [7.0, 11.0, 27.0]
    assert values[(1, 5)] == 11.0 + 15.0 + 19.0
