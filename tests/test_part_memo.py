"""Answers about a part remembered per process by its exact bytes: bounded, never an exception, and
never handed to a part whose bytes differ, even by one byte (each check still refuses what it did)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.recalc_fixtures import build_xlsx, sheet_xml
from tests.test_patch_safety import _replace_member
from vng_xl.ooxml import package as pk
from vng_xl.ooxml.part_memo import PartMemo
from vng_xl.ooxml.sheet_compare import comparable_span, same_but_values
from vng_xl.ooxml.sheet_patch import patch_sheet
from vng_xl.ooxml.sheet_read import read_part
from vng_xl.ooxml.sheet_scan import plain_sheet
from vng_xl.ooxml.sheet_xml import CellWrite, SheetRefused

ROWS = '<row r="1"><c r="A1"><v>{}</v></c><c r="B1"><f>A1+1</f><v>0</v></c></row>'


def test_a_memo_is_bounded_and_remembers_no_failure():
    memo, calls = PartMemo(entries=2, max_part=8), []

    def answer(x):
        calls.append(x)
        return x

    for data in (b"a", b"b", b"a", b"c", b"a", b"c"):
        memo.get(data, None, lambda data=data: answer(data))
    assert calls == [b"a", b"b", b"c"] and len(memo) == 2  # the one used least recently left
    memo.get(b"b", None, lambda: answer(b"b"))
    assert calls[-1] == b"b"
    memo.get(b"a" * 9, None, lambda: answer("big"))
    memo.get(b"a" * 9, None, lambda: answer("big"))
    assert calls[-2:] == ["big", "big"]  # over max_part: not remembered
    memo.get(b"a", "other key", lambda: answer("key"))
    assert calls[-1] == "key"

    def fail():
        calls.append("fail")
        raise ValueError("bad")

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get(b"d", None, fail)
    assert calls[-2:] == ["fail", "fail"]


def test_a_second_sheet_differing_in_one_byte_gets_its_own_cells(tmp_path: Path):
    first = pk.Package.open(build_xlsx(tmp_path / "a.xlsx", {"S": ROWS.format(1)}))
    second = pk.Package.open(build_xlsx(tmp_path / "b.xlsx", {"S": ROWS.format(2)}))
    part = "xl/worksheets/sheet1.xml"
    cells = read_part(first, part, [])
    assert cells.values == {(1, 1): 1.0, (1, 2): 0.0}
    cells.values[(1, 1)] = "changed by the caller"
    assert read_part(first, part, []).values == {(1, 1): 1.0, (1, 2): 0.0}  # a copy each time
    assert read_part(second, part, []).values == {(1, 1): 2.0, (1, 2): 0.0}
    assert read_part(second, part, ["x"]).values == {(1, 1): 2.0, (1, 2): 0.0}


def test_a_damaged_or_unsafe_sheet_after_a_sound_one_is_still_refused():
    good = sheet_xml(ROWS.format(1)).encode()
    write = {(1, 2): CellWrite(2.0)}
    assert plain_sheet(good) is not None and b"<v>2</v>" in patch_sheet(good, write)
    damaged = good.replace(b"</row>", b"</rov>")
    unsafe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "1">]>' + good[good.index(b"<worksheet") :]
    for bad, words in ((damaged, "not well-formed"), (unsafe, "DOCTYPE")):
        for _ in range(2):  # and again: a refusal is never remembered as an answer
            with pytest.raises(SheetRefused, match=words):
                patch_sheet(bad, write)


def test_the_comparison_of_another_original_is_not_the_first_ones():
    """A comparison that an original passed says nothing of another of the same length."""
    one, two = '<row r="1"><c r="A1"><v>1</v></c></row>', '<row r="2"><c r="B2"><f>A1+1</f><v>0</v></c></row>'
    in_order, out_of_order = (sheet_xml(rows).encode() for rows in (one + two, two + one))
    write = {(2, 2): CellWrite(2.0)}
    assert len(in_order) == len(out_of_order) and comparable_span(in_order) is not None
    assert same_but_values(in_order, in_order.replace(b"<v>0</v>", b"<v>2</v>"), write)
    assert comparable_span(out_of_order) is None  # rows out of order: not this comparison's to accept
    assert not same_but_values(out_of_order, out_of_order.replace(b"<v>0</v>", b"<v>2</v>"), write)


@pytest.mark.parametrize(
    "data, words",
    [(b"<styleSheet><numFmts></styleSheet>", "not well-formed"), (b"<!DOCTYPE x><x/>", "DOCTYPE")],
    ids=["malformed", "dtd"],
)
def test_a_damaged_member_after_a_sound_one_is_still_refused(data, words, tmp_path: Path):
    styles = b"<styleSheet/>".ljust(len(data))  # as long as the damaged one
    sound = build_xlsx(tmp_path / "a.xlsx", {"S": ROWS.format(1)}, extra_parts={"xl/styles.xml": styles})
    pk.Package.open(sound).check_members()
    damaged = _replace_member(build_xlsx(tmp_path / "b.xlsx", {"S": ROWS.format(1)}), "xl/styles.xml", data)
    for _ in range(2):
        with pytest.raises(pk.PackageError, match=words):
            pk.Package.open(damaged).check_members()


def test_each_package_gets_the_relationships_its_own_bytes_say(tmp_path: Path):
    first = pk.Package.open(build_xlsx(tmp_path / "a.xlsx", {"S": ROWS.format(1)}))
    rels = first.read("xl/_rels/workbook.xml.rels")
    other = rels.replace(b"worksheets/sheet1.xml", b"worksheets/sheetX.xml")
    second = pk.Package.open(_replace_member(tmp_path / "a.xlsx", "xl/_rels/workbook.xml.rels", other))
    assert [s.part for s in first.sheets()] == ["xl/worksheets/sheet1.xml"]
    assert second.rels("xl/workbook.xml")["rId1"][1] == "xl/worksheets/sheetX.xml" and second.sheets() == []
    assert "xl/_rels/workbook.xml.rels" in second.checked_members


def test_a_member_whose_compressed_bytes_differ_is_read_and_checked_again(tmp_path: Path):
    """A member read once is not decompressed again for the same bytes; one flipped byte of another
    package's copy (same directory entry, same CRC claimed) still fails its CRC."""
    path = build_xlsx(tmp_path / "a.xlsx", {"S": ROWS.format(1)}, extra_parts={"xl/styles.xml": b"<styleSheet/>" * 50})
    sound = pk.Package.open(path)
    assert sound.read("xl/styles.xml") == b"<styleSheet/>" * 50
    info = sound.zf.getinfo("xl/styles.xml")
    body = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data = bytearray(path.read_bytes())
    data[body] ^= 0x01
    for _ in range(2):
        with pytest.raises(pk.CorruptPackage):
            pk.Package.from_bytes(tmp_path / "b.xlsx", bytes(data)).read("xl/styles.xml")
        with pytest.raises(pk.DamagedPart):
            pk.Package.from_bytes(tmp_path / "b.xlsx", bytes(data)).check_members()
    assert pk.Package.open(path).read("xl/styles.xml") == b"<styleSheet/>" * 50


def test_a_sheet_is_parsed_once_for_reading_and_patching_and_another_again(monkeypatch):
    """The expat pass is shared by the read and the patch of the same bytes, for a big sheet too
    (the last one alone is kept); a sheet differing in one byte is parsed for itself."""
    from vng_xl.ooxml import sheet_scan

    parsed = []
    parse = sheet_scan._parse_plain
    monkeypatch.setattr(sheet_scan, "_parse_plain", lambda xml: (parsed.append(len(xml)), parse(xml))[1])
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 9000))
    big = sheet_xml(rows).encode()
    assert len(big) > sheet_scan._EXPAT.max_part
    commented = big.replace(b"<sheetData>", b"<!--x--><sheetData>")
    for sheet, plain in ((big, True), (big, True), (commented, False), (big, True)):
        assert sheet_scan.expat_pass(sheet)[1] is plain
        assert (plain_sheet(sheet) is not None) is plain
    assert parsed == [len(big), len(commented), len(big)] and len(sheet_scan._EXPAT_BIG) == 1
