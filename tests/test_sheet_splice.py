"""Splicing cached values into a sheet's bytes changes nothing: the same bytes as the general patch,
and its check on the bytes (sheet_compare.same_but_values) accepts no patch the element-by-element
check refuses: each wrong patch below is refused by the new check and by the old one."""

from __future__ import annotations

import math
import random
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.recalc_fixtures import CORPUS, sheet_xml
from vng_xl.ooxml import sheet_compare, sheet_patch, sheet_splice, sheet_verify
from vng_xl.ooxml.sheet_xml import CellWrite, ExcelError, SheetRefused
from vng_xl.recalc.workbook import WorkbookEvaluation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from budget_workbook import build_budget  # noqa: E402

from vng_xl.ooxml.package import Package  # noqa: E402

ROWS = (
    '<row r="1" spans="1:4"><c r="A1"><v>1</v></c><c r="B1" s="1"><f>A1+1</f><v>0</v></c>'
    '<c r="C1" s="2" t="inlineStr"><is><t>tekst</t></is></c><c r="D1" t="str"><f>C1</f><v>oud</v></c></row>'
    '<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">B1*2</f><v>0</v></c><c r="B2"><v>7</v></c></row>'
    '<row r="3"><c r="A3"><f t="shared" si="0"/><v>0</v></c><c r="B3"><f>B2</f><v>7</v></c></row>'
)
WRITES = {(1, 2): CellWrite(2.0), (1, 4): CellWrite("tekst"), (2, 1): CellWrite(4.0)}
GOOD = (
    ROWS.replace("<f>A1+1</f><v>0</v>", "<f>A1+1</f><v>2</v>")
    .replace('<c r="D1" t="str"><f>C1</f><v>oud</v>', '<c r="D1" t="str"><f>C1</f><v>tekst</v>')
    .replace("B1*2</f><v>0</v>", "B1*2</f><v>4</v>")
)


def general_patch(xml: bytes, writes, monkeypatch) -> bytes:
    """The patch as the expat walk and the element-by-element check make it."""
    with monkeypatch.context() as m:
        m.setattr(sheet_patch, "splice_values", lambda *a: None)
        m.setattr(sheet_patch, "patch_plain", lambda *a: None)
        m.setattr(sheet_verify, "same_but_writes", lambda *a: False)
        return sheet_patch.patch_sheet(xml, writes)


def spliced(xml: bytes, writes) -> bytes | None:
    out = sheet_splice.splice_values(xml, writes, sheet_patch.value_parts, sheet_patch._dimension_edit)
    return None if out is None else out[0]


def test_the_splice_writes_what_the_general_patch_writes(monkeypatch):
    xml = sheet_xml(ROWS).encode()
    assert spliced(xml, WRITES) == sheet_xml(GOOD).encode()
    assert sheet_patch.patch_sheet(xml, WRITES) == general_patch(xml, WRITES, monkeypatch) == sheet_xml(GOOD).encode()


@pytest.fixture(scope="module")
def budget(tmp_path_factory) -> Path:
    return build_budget(tmp_path_factory.mktemp("budget") / "begroting.xlsx", 300)


def test_the_budget_is_spliced_to_the_bytes_of_the_general_patch(budget: Path, monkeypatch):
    pkg = Package.open(budget)
    ev = WorkbookEvaluation(pkg)
    ev.run()
    [(part, writes)] = [(i.part, ev.writes[i.name]) for i in ev.sheets if len(ev.writes.get(i.name, {})) > 1000]
    xml = pkg.read(part)
    calls = []
    monkeypatch.setattr(sheet_patch, "verify_patch", lambda *a: calls.append(a))
    fast = spliced(xml, writes)
    assert fast is not None and sheet_compare.same_but_values(xml, fast, writes)
    assert sheet_patch.patch_sheet(xml, writes) == fast and calls == []  # the old check was not needed
    monkeypatch.undo()
    assert fast == general_patch(xml, writes, monkeypatch)
    pkg.close()


def test_the_corpus_is_spliced_where_it_can_be(monkeypatch):
    taken = 0
    for path in sorted(CORPUS.glob("*.xls*")):
        pkg = Package.open(path)
        ev = WorkbookEvaluation(pkg)
        ev.run()
        for info in ev.sheets:
            writes = dict(ev.writes.get(info.name, {}))
            for f in ev.cells[info.name].formulas[:50]:  # also a new value in formula cells already right
                writes.setdefault((f.row, f.col), CellWrite(12.5))
            if not writes:
                continue
            xml = pkg.read(info.part)
            fast = spliced(xml, writes)
            if fast is not None:
                taken += 1
                assert sheet_compare.same_but_values(xml, fast, writes), path.name
                assert fast == general_patch(xml, writes, monkeypatch), path.name
        pkg.close()
    if not list(CORPUS.glob("*.xls*")):
        pytest.skip(f"no corpus at {CORPUS}")
    assert taken > 0


def _values():
    rng = random.Random(12)
    floats = [rng.uniform(-1e9, 1e9) for _ in range(100)]
    floats += [rng.random() * 10.0 ** rng.randint(-300, 300) for _ in range(100)]
    floats += [0.0, -0.0, 1.0, -1.0, 1e16, 1e22, 5e-324, 1.7976931348623157e308, 0.1, 2.5, 100.0]
    floats += [math.inf, -math.inf, math.nan]
    texts = ["", "hoog", " rand ", "a&b", "<x>", "]]>", "regel\nregel", "tab\t", "cr\r", "_x0041_", "a_b"]
    texts += ["é", "€ 5", "\x01"]
    return (
        floats
        + texts
        + [1, -7, 10**20, True, False, None, ExcelError("#DIV/0!"), ExcelError("#N/A")]
        + [
            date(2026, 1, 1),
            datetime(2026, 1, 1, 12, 30),
        ]
    )


@pytest.mark.parametrize("value", _values(), ids=repr)
def test_a_cached_value_is_rendered_as_the_general_patch_renders_it(value, monkeypatch):
    t, v = sheet_patch.value_parts(value, True)
    assert sheet_splice.cached_value_xml(value, sheet_patch.value_parts) == ((b' t="' + t + b'"') if t else b"", v)
    xml = sheet_xml(
        '<row r="1"><c r="A1" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1"><f>1</f></c></row>'
    ).encode()
    writes = {(1, 1): CellWrite(value), (1, 2): CellWrite(value)}
    out = spliced(xml, writes)
    assert out == general_patch(xml, writes, monkeypatch)
    assert sheet_compare.same_but_values(xml, out, writes)


def _checks(original: str, patched: str, writes=WRITES) -> tuple[bool, str | None, bool]:
    """(the new check's verdict, verify_patch's refusal or None, whether the old checks refuse too)."""
    old_xml, new_xml = sheet_xml(original).encode(), sheet_xml(patched).encode()
    quick = sheet_compare.same_but_values(old_xml, new_xml, writes)
    try:
        sheet_verify.verify_patch(old_xml, new_xml, writes)
        refusal = None
    except SheetRefused as exc:
        refusal = str(exc)
    try:  # the old checks on their own: the whole-tree comparison, then element by element
        old, new = sheet_verify._parse(old_xml, "original"), sheet_verify._parse(new_xml, "patched")
        old_quick = sheet_verify.same_but_writes(old, new, writes)
        old, new = sheet_verify._parse(old_xml, "original"), sheet_verify._parse(new_xml, "patched")
        sheet_verify.check_each_element(old, new, writes)
        old_refuses = False
    except SheetRefused:
        old_quick, old_refuses = False, True
    return quick, refusal, old_refuses and not old_quick


def test_a_right_patch_passes_the_new_check():
    assert _checks(ROWS, GOOD) == (True, None, False)


@pytest.mark.parametrize(
    "patched, what",
    [
        (GOOD.replace('<c r="A1"><v>1</v>', '<c r="A1"><v>5</v>'), "a constant cell's value"),
        (GOOD.replace('<c r="B2"><v>7</v>', '<c r="B2"><v>7.5</v>'), "a constant cell in a row written"),
        (GOOD.replace('<c r="C1" s="2" t="inlineStr">', '<c r="C1" t="inlineStr">'), "an attribute dropped"),
        (GOOD.replace('<c r="C1" s="2" t="inlineStr">', '<c r="C1" t="inlineStr" s="2">'), "attributes reordered"),
        (GOOD.replace('<c r="B1" s="1">', '<c r="B1">'), "a written cell's style dropped"),
        (GOOD.replace('<c r="B2"><v>7</v></c>', ""), "a cell dropped"),
        (GOOD.replace('<c r="B2"><v>7</v></c>', '<c r="B2"><v>7</v></c><c r="C2"><v>1</v></c>'), "a cell added"),
        (GOOD.replace("<is><t>tekst</t></is>", "<is><t>tekst</t><t/></is>"), "an element added"),
        (GOOD + '<row r="4"><c r="A4"><v>1</v></c></row>', "a row added"),
        (GOOD.replace("<f>A1+1</f><v>2</v>", "<f>A1+1</f><v>3</v>"), "a written cell's wrong value"),
        (GOOD.replace("<f>A1+1</f><v>2</v>", "<f>A1+1</f>"), "a written cell's value dropped"),
        (GOOD.replace('<c r="B1" s="1"><f>', '<c r="B1" s="1" t="str"><f>'), 't="str" for a number'),
        (GOOD.replace('<c r="D1" t="str">', '<c r="D1">'), "a number type for text"),
        (GOOD.replace("<v>tekst</v>", "<v>Tekst</v>"), "a written text wrong"),
        (GOOD.replace("<v>tekst</v>", "<v>a&b</v>"), "a written text not well-formed"),
        (GOOD.replace("<f>A1+1</f>", "<f>A1+2</f>"), "a written cell's formula"),
        (GOOD.replace('si="0"/>', 'si="1"/>'), "a formula not written"),
        (GOOD.replace("<f>B2</f><v>7</v>", "<f>B2</f><v>8</v>"), "a formula cell in another row"),
        (GOOD.replace('<c r="B3"><f>B2</f>', '<c r="B3" t="str"><f>B2</f>'), "t= of a cell not written"),
        (GOOD.replace('<row r="3">', '<row r="3" ht="20">'), "a row's attributes"),
        (GOOD.replace('<c r="A3">', '<c r="A3">\n'), "whitespace inside a cell not written"),
        (
            GOOD.replace("<f>A1+1</f><v>2</v>", "<f>A1+1</f><v>4</v>").replace("B1*2</f><v>4</v>", "B1*2</f><v>2</v>"),
            "two written values swapped",
        ),
    ],
)
def test_a_wrong_patch_is_refused_by_the_new_check_and_the_old(patched: str, what: str):
    quick, refusal, old_refuses = _checks(ROWS, patched)
    assert quick is False, what
    assert refusal is not None, what  # verify_patch refuses it: nothing is written
    assert old_refuses, what  # the old checks alone refuse it too


def test_a_wrong_splice_is_not_written(monkeypatch):
    xml = sheet_xml(ROWS).encode()
    wrong = sheet_xml(GOOD.replace('<c r="A1"><v>1</v>', '<c r="A1"><v>5</v>')).encode()
    monkeypatch.setattr(sheet_patch, "splice_values", lambda *a: (wrong, None))
    assert sheet_patch.patch_sheet(xml, WRITES) == sheet_xml(GOOD).encode()  # the general way wrote it


@pytest.mark.parametrize(
    "rows, why",
    [
        (ROWS.replace('<c r="B2"><v>7</v></c>', '<c r="B2"><v>7</v></c><c r="B2"><v>8</v></c>'), "a cell twice"),
        (ROWS.replace('<c r="B3">', '<c r="B4">'), "a cell in another row"),
        (ROWS.replace('<c r="B2"><v>7</v></c>', ""), "fine: fewer cells"),
        (ROWS.replace('<row r="3">', '<row r="3" spans="1:2">'), "fine: another row attribute"),
        (ROWS.replace('<c r="A2"><f t="shared" ref="A2:A3" si="0">', '<c r="A2"><f t="array" ref="A2:Z">'), "array"),
        (ROWS.replace('<c r="B2"><v>7</v></c>', '<c r="C2"><v>7</v></c><c r="B2"><v>7</v></c>'), "out of order"),
    ],
)
def test_a_damaged_or_unusual_sheet_ends_as_the_general_patch_ends(rows: str, why: str, monkeypatch):
    xml = sheet_xml(rows).encode()
    try:
        quick = sheet_patch.patch_sheet(xml, WRITES)
    except SheetRefused as exc:
        quick = str(exc)
    try:
        general = general_patch(xml, WRITES, monkeypatch)
    except SheetRefused as exc:
        general = str(exc)
    assert quick == general, why


def test_text_where_a_number_was_written_is_a_refusal_not_an_internal_error():
    """The element-by-element check raised ValueError (an internal error) for a written cell whose
    <v> holds text without t="str"; it refuses it now."""
    patched = GOOD.replace('<c r="D1" t="str">', '<c r="D1">')
    with pytest.raises(SheetRefused, match="D1.*does not read back"):
        sheet_verify.verify_patch(sheet_xml(ROWS).encode(), sheet_xml(patched).encode(), WRITES)


def test_the_formula_cells_of_a_sheet_print_without_the_sheet():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1+1</f><v>0</v></c></row>' for r in range(1, 3001))
    xml = sheet_xml(rows).encode()
    start, end = xml.index(b"<sheetData>"), xml.index(b"</sheetData>")
    cells = sheet_splice.formula_cells(xml, start, end, {(1, 1): CellWrite(2.0)})
    assert repr(cells) == f"FormulaCells(start={start}, end={end})"
