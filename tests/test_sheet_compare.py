"""The check on spliced bytes (sheet_compare.same_but_values) compares whole columns of pieces and
reads numbers and texts back all at once: each wrong patch below, of the kinds such a check could
miss (a value in the wrong cell, cells dropped, swapped or moved, a number or text that reads back
as something else), is refused by it, by verify_patch and by the element-by-element checks."""

from __future__ import annotations

import random
import re

import pytest

from tests.recalc_fixtures import sheet_xml
from tests.test_sheet_splice import _checks, spliced
from vng_xl.ooxml import sheet_compare, sheet_patch, sheet_splice
from vng_xl.ooxml.sheet_xml import CellWrite, ExcelError

ROWS = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"><f>A1+1</f><v>0</v></c><c r="C1"><f>A1*0</f><v>0</v></c>'
    '<c r="D1" t="str"><f>"x"</f><v>x</v></c><c r="E1" t="str"><f>"y"</f><v>y</v></c></row>'
    '<row r="2" spans="1:5"><c r="A2"><f>A1</f><v>0</v></c><c r="B2"><f>B1</f><v>0</v></c>'
    '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D2"><f>A1</f><v>3</v></c><c r="E2"><f>D1</f></c></row>'
)
# B1 and A2 get numbers, D1 and E1 texts (E1 with entities), C2 none, E2 a number where there was none.
WRITES = {
    (1, 2): CellWrite(2.0),
    (2, 1): CellWrite(0.1),
    (1, 4): CellWrite("nieuw"),
    (1, 5): CellWrite("a&b <c>"),
    (2, 3): CellWrite(None),
    (2, 5): CellWrite(1e16),
}
GOOD = (
    ROWS.replace("<f>A1+1</f><v>0</v>", "<f>A1+1</f><v>2</v>")
    .replace("<f>A1</f><v>0</v>", "<f>A1</f><v>0.1</v>")
    .replace("<v>x</v>", "<v>nieuw</v>")
    .replace("<v>y</v>", "<v>a&amp;b &lt;c&gt;</v>")
    .replace('<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', '<c r="C2"><f>1/0</f></c>')
    .replace("<f>D1</f></c>", "<f>D1</f><v>1E+16</v></c>")
)


def test_the_good_patch_passes_and_the_splice_writes_it_too():
    assert _checks(ROWS, GOOD, WRITES) == (True, None, False)
    out = spliced(sheet_xml(ROWS).encode(), WRITES)
    assert out == sheet_xml(GOOD.replace("1E+16", "1e+16")).encode()
    assert sheet_compare.same_but_values(sheet_xml(ROWS).encode(), out, WRITES)


@pytest.mark.parametrize(
    "patched, what",
    [
        (GOOD.replace("<f>A1*0</f><v>0</v>", "<f>A1*0</f><v>2</v>"), "a value also in a cell not written, same text"),
        (
            GOOD.replace("<f>A1+1</f><v>2</v>", "<f>A1+1</f><v>0</v>").replace(
                "<f>A1*0</f><v>0</v>", "<f>A1*0</f><v>2</v>"
            ),
            "a value written into the neighbour of the cell meant, whose old text was the same",
        ),
        (GOOD.replace('<c r="A2"><f>A1</f><v>0.1</v></c>', ""), "a written cell dropped"),
        (GOOD.replace('<c r="D2"><f>A1</f><v>3</v></c>', ""), "a formula cell not written dropped"),
        (GOOD.replace('<c r="B1" s="1">', '<c r="B1">').replace('<c r="C1">', '<c r="C1" s="1">'), "a style moved"),
        (GOOD.replace("<v>2</v>", "<v>2.0000000000000004</v>"), "a number that reads back as the next float"),
        (GOOD.replace("<v>0.1</v>", "<v>0.10000000000000002</v>"), "0.1 read back as another float"),
        (GOOD.replace("<v>2</v>", "<v>2_0</v>"), "a number Python reads but a spreadsheet does not"),
        (GOOD.replace("<v>1E+16</v>", "<v>inf</v>"), "inf for a number"),
        (GOOD.replace("<v>a&amp;b &lt;c&gt;</v>", "<v>a&amp;b &lt;d&gt;</v>"), "text with entities, wrong"),
        (GOOD.replace("<v>a&amp;b &lt;c&gt;</v>", "<v>a&amp;amp;b &lt;c&gt;</v>"), "text with an entity twice escaped"),
        (
            GOOD.replace("<v>nieuw</v>", "<v>a&amp;b &lt;c&gt;</v>", 1).replace(
                "<v>a&amp;b &lt;c&gt;</v></c></row>", "<v>nieuw</v></c></row>"
            ),
            "two texts swapped",
        ),
        (
            GOOD.replace('<c r="C2"><f>1/0</f></c>', '<c r="C2"><f>1/0</f><v>0</v></c>'),
            "a <v> left where none is meant",
        ),
        (GOOD.replace("<f>D1</f><v>1E+16</v></c>", "<f>D1</f></c>"), "a value not written where one was meant"),
        (GOOD.replace('<c r="D1" t="str">', '<c r="D1">'), "text written without t=str"),
        (GOOD.replace("</c></row>", '</c><c r="F2"><f>1</f><v>1</v></c></row>', 1), "a formula cell added"),
    ],
)
def test_a_wrong_patch_is_refused_by_the_new_check_and_the_old(patched: str, what: str):
    quick, refusal, old_refuses = _checks(ROWS, patched, WRITES)
    assert quick is False, what
    assert refusal is not None, what
    assert old_refuses, what


@pytest.mark.parametrize(
    "patched, what",
    [
        (
            GOOD.replace(
                '<c r="A2"><f>A1</f><v>0.1</v></c><c r="B2"><f>B1</f><v>0</v></c>',
                '<c r="B2"><f>B1</f><v>0</v></c><c r="A2"><f>A1</f><v>0.1</v></c>',
            ),
            "two cells swapped",
        ),
        (
            GOOD.replace('<row r="2" spans="1:5">', '<row r="2">').replace('<row r="1">', '<row r="1" spans="1:5">'),
            "spans moved",
        ),
        (GOOD.replace("<v>2</v>", "<v> 2</v>"), "a number with a space"),
        (GOOD.replace('<c r="C2"><f>1/0</f></c>', '<c r="C2" t="e"><f>1/0</f></c>'), "a t= left where none is meant"),
        (GOOD.replace('<c r="B1" s="1">', '<c r="B1" s="1" t="n">'), "a t= where none was"),
        (GOOD.replace('<c r="A1"><v>1</v></c>', '<c r="A1"><v>1</v></c> '), "one byte between cells"),
    ],
)
def test_a_patch_in_doubt_is_left_to_the_general_check(patched: str, what: str):
    """Bytes the element-by-element check takes as reading the same (or, for cells out of order,
    does not look at) are no bytes the splice writes: the new check leaves them to it."""
    quick, _, _ = _checks(ROWS, patched, WRITES)
    assert quick is False, what


@pytest.mark.parametrize(
    "inside",
    [
        "<!-- x -->",
        "<?pi x?>",
        '<c r="B1" xmlns="urn:x"><v>1</v></c>',
        '<c r="B1"><f t="array" ref="B1">1</f><v>1</v></c>',
    ],
)
def test_sheet_data_with_a_comment_or_the_like_is_not_compared(inside: str):
    """A comment, processing instruction, namespace declaration or array formula in sheetData is no
    sheet this comparison judges, also when its rare characters (`!`, `?`) occur before it."""
    plain = '<row r="1"><c r="A1" t="str"><f>Blad2!A1&amp;"?"</f><v>wat?!</v></c></row>'
    assert sheet_compare.comparable_span(sheet_xml(plain).encode()) is not None
    other = plain.replace("</c></row>", "</c>" + inside + "</row>")
    assert sheet_compare.comparable_span(sheet_xml(other).encode()) is None


def test_many_right_numbers_and_one_wrong_one_is_refused():
    """Numbers are read back all at once: one wrong value among many is still found."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}"><f>1</f><v>0</v></c><c r="B{r}" t="str"><f>"a"</f><v>a</v></c></row>'
        for r in range(1, 301)
    )
    writes = {(r, 1): CellWrite(r / 7) for r in range(1, 301)} | {(r, 2): CellWrite(f"t{r}") for r in range(1, 301)}
    xml = sheet_xml(cells).encode()
    out = spliced(xml, writes)
    assert sheet_compare.same_but_values(xml, out, writes)
    wrong = out.replace(repr(150 / 7).encode(), repr(151 / 7).encode())
    assert wrong != out and not sheet_compare.same_but_values(xml, wrong, writes)
    swapped = out.replace(b"<v>t150<", b"<v>X<").replace(b"<v>t151<", b"<v>t150<").replace(b"<v>X<", b"<v>t151<")
    assert swapped != out and not sheet_compare.same_but_values(xml, swapped, writes)


def test_an_infinite_value_is_not_taken_as_a_huge_number():
    """A non-finite result is written as #NUM!; `1e999` (read as inf by Python, as an overflow by a
    spreadsheet) for it was taken as reading back right; it is refused now."""
    xml = sheet_xml('<row r="1"><c r="A1"><f>1</f><v>0</v></c></row>').encode()
    writes = {(1, 1): CellWrite(float("inf"))}
    assert not sheet_compare.same_but_values(xml, xml.replace(b"<v>0</v>", b"<v>1e999</v>"), writes)
    out = spliced(xml, writes)
    assert b'<c r="A1" t="e"><f>1</f><v>#NUM!</v></c>' in out and sheet_compare.same_but_values(xml, out, writes)


@pytest.mark.parametrize(
    "rows, accepted",
    [
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c></row><row r="2"/><row r="3"><c r="A3"><v>1</v></c></row>', True),
        ('<row r="1"/><row r="2"><c r="A2"><f>1</f><v>0</v></c></row><row r="4" ht="9"/>', True),
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c><c r="B2"><v>1</v></c></row>', False),
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c><c r="A1"><v>1</v></c></row>', False),
        ('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><f>1</f><v>0</v></c></row>', False),
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c><c s="1" r="B1"><v>1</v></c></row>', False),
        ('<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><f>1</f><v>0</v></c></row>', False),
        ('<row r="1"/><row r="1"><c r="A1"><f>1</f><v>0</v></c></row>', False),
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c></row><row spans="1:1" r="2"><c r="A2"><v>1</v></c></row>', False),
        ('<row r="1"><c r="A1"><f>1</f><v>0</v></c><c r="A01"><v>1</v></c></row>', False),
    ],
)
def test_rows_and_cells_out_of_order_or_in_doubt_are_not_taken(rows: str, accepted: bool):
    xml = sheet_xml(rows).encode()
    row = int(re.search(r'<c r="A([0-9]+)"><f>', rows)[1])
    writes = {(row, 1): CellWrite(5.0)}
    out = xml.replace(b"<f>1</f><v>0</v>", b"<f>1</f><v>5</v>")
    assert sheet_compare.same_but_values(xml, out, writes) is accepted
    if accepted:
        assert spliced(xml, writes) == out


def test_values_of_every_kind_are_read_back_in_one_sheet():
    values = [
        2.5,
        -0.0,
        1e-300,
        "hoog",
        "é",
        "a_x0041_",
        " rand ",
        True,
        False,
        ExcelError("#N/A"),
        None,
        7,
        float("nan"),
    ]
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1</f><v>0</v></c></row>' for r in range(1, len(values) + 1))
    xml = sheet_xml(rows).encode()
    writes = {(r, 1): CellWrite(v) for r, v in enumerate(values, start=1)}
    out = spliced(xml, writes)
    assert sheet_compare.same_but_values(xml, out, writes)
    assert out == sheet_patch.patch_sheet(xml, writes)
    for r, value in enumerate(values, start=1):  # each value changed alone is refused
        other = dict(writes)
        other[(r, 1)] = CellWrite("anders" if value != "anders" else 1.0)
        assert not sheet_compare.same_but_values(xml, out, other), value


def test_numbers_are_read_back_all_at_once_as_the_number_grammar_reads_each():
    """The bulk read-back takes exactly the texts that _NUMBER takes and float() reads as the value."""
    rng = random.Random(3)
    texts = ["1", "-1", "1.", ".5", "-.5", "1e5", "1E+05", "1e-5", "+1", "1e", "e1", ".", "-", "", "1.2.3", "--1"]
    texts += ["".join(rng.choice("0123456789.eE+-") for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    for text in texts:
        raw = text.encode()
        try:
            value = float(raw)
        except ValueError:
            value = 1.0
        expected = sheet_compare._NUMBER.fullmatch(raw) is not None and float(raw) == value
        got = sheet_compare._numbers_read_back([None], [b"<v>" + raw + b"</v></c>"], [0], [value])
        assert got is expected, text
    many = [repr(rng.uniform(-1e6, 1e6)).encode() for _ in range(50)]
    elements = [b"<v>" + t + b"</v></c>" for t in many]
    assert sheet_compare._numbers_read_back([None] * 50, elements, list(range(50)), [float(t) for t in many])
    for bad in (
        [b"</c>"] + elements[1:],
        elements[:49] + [b"<v>1 </v></c>"],
        [b"<v>" + many[1] + b"</v></c>"] + elements[1:],
    ):
        assert not sheet_compare._numbers_read_back([None] * 50, bad, list(range(50)), [float(t) for t in many])
    assert not sheet_compare._numbers_read_back(
        [b' t="n"'] + [None] * 49, elements, list(range(50)), [float(t) for t in many]
    )


def test_formula_cells_found_for_another_sheet_or_other_writes_are_found_again():
    xml = sheet_xml(ROWS).encode()
    out, cells = sheet_splice.splice_values(xml, WRITES, sheet_patch.value_parts, sheet_patch._dimension_edit)
    assert sheet_compare.same_but_values(xml, out, WRITES, cells)
    other = xml.replace(b'<c r="A1"><v>1</v>', b'<c r="A1"><v>5</v>')  # another original
    assert not sheet_compare.same_but_values(other, out, WRITES, cells)
    assert sheet_compare.same_but_values(
        other, out.replace(b'<c r="A1"><v>1</v>', b'<c r="A1"><v>5</v>'), WRITES, cells
    )
    more = dict(WRITES) | {(2, 4): CellWrite(9.0)}  # D2 was not written
    assert not sheet_compare.same_but_values(xml, out, more, cells)
