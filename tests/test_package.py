"""The OOXML package reader/writer: values written where asked, every other byte kept, bad input refused."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import CORPUS, build_xlsx, members, raw_members, sheet_xml
from vng_xl.errors import WriteFailed
from vng_xl.ooxml import package as pk
from vng_xl.ooxml.package import Package, write_cells

SHEET = (
    '<row r="1" spans="1:3"><c r="A1" s="1"><v>10</v></c><c r="C1" t="s"><v>0</v></c></row>'
    '<row r="3" spans="1:2"><c r="A3"><f>A1*2</f><v>20</v></c><c r="B3" t="str"><f>C1&amp;"!"</f><v>hi!</v></c></row>'
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build_xlsx(
        tmp_path / "book.xlsx",
        {"Data": SHEET, "Other": '<row r="1"><c r="A1"><v>1</v></c></row>'},
        shared_strings=["hi"],
    )


def read_back(path: Path, sheet: str = "Data") -> dict[str, object]:
    """Values as openpyxl (an independent reader) sees them, formulas as text."""
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def cached(path: Path, sheet: str = "Data") -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_write_values_into_plain_formula_and_missing_cells(book: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    write_cells(
        book,
        out,
        {"Data": {"A1": 12.5, "A3": 25, "B3": "yo & <co>", "D2": "new", "B1": True, "A5": datetime(2026, 1, 2, 12)}},
    )
    assert read_back(out) == {
        "A1": 12.5,
        "C1": "hi",
        "D2": "new",
        "B1": True,
        "A3": "=A1*2",
        "B3": '=C1&"!"',
        "A5": 46024.5,  # 2 Jan 2026 12:00 as Excel's serial number (no date style on the cell)
    }
    assert cached(out)["A3"] == 25 and cached(out)["B3"] == "yo & <co>"


def test_style_kept_and_none_clears_value(book: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    write_cells(book, out, {"Data": {"A1": None}})
    xml = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A1" s="1"/>' in xml


def test_untouched_members_keep_their_compressed_bytes(book: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    write_cells(book, out, {"Data": {"A1": 1}})
    before, after = raw_members(book), raw_members(out)
    assert list(before) == list(after)  # same members, same order
    assert [n for n in before if before[n] != after[n]] == ["xl/worksheets/sheet1.xml"]


def test_untouched_sheet_xml_outside_written_cells_is_byte_identical(book: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    write_cells(book, out, {"Data": {"A3": 99}})
    old = members(book)["xl/worksheets/sheet1.xml"].decode()
    new = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert new == old.replace('<c r="A3"><f>A1*2</f><v>20</v></c>', '<c r="A3"><f>A1*2</f><v>99</v></c>')


@pytest.mark.parametrize(
    ("value", "expected_cell"),
    [
        (3.0, '<c r="A3"><f>A1*2</f><v>3</v></c>'),
        (0.1 + 0.2, '<c r="A3"><f>A1*2</f><v>0.30000000000000004</v></c>'),
        ("x", '<c r="A3" t="str"><f>A1*2</f><v>x</v></c>'),
        ("", '<c r="A3" t="str"><f>A1*2</f><v></v></c>'),
        (False, '<c r="A3" t="b"><f>A1*2</f><v>0</v></c>'),
        (pk.ExcelError("#DIV/0!"), '<c r="A3" t="e"><f>A1*2</f><v>#DIV/0!</v></c>'),
        (float("nan"), '<c r="A3" t="e"><f>A1*2</f><v>#NUM!</v></c>'),
        ("a\x01b", '<c r="A3" t="str"><f>A1*2</f><v>a_x0001_b</v></c>'),
    ],
)
def test_cached_value_encodings(book: Path, tmp_path: Path, value, expected_cell):
    out = tmp_path / "out.xlsx"
    write_cells(book, out, {"Data": {"A3": value}})
    assert expected_cell in members(out)["xl/worksheets/sheet1.xml"].decode()


def test_string_into_formula_cell_with_type_fixes_t(book: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    write_cells(book, out, {"Data": {"B3": 4.0}})
    assert '<c r="B3"><f>C1&amp;"!"</f><v>4</v></c>' in members(out)["xl/worksheets/sheet1.xml"].decode()


def test_new_rows_and_cells_in_order(tmp_path: Path):
    src = build_xlsx(tmp_path / "b.xlsx", {"S": sheet_xml('<row r="2"><c r="B2"><v>1</v></c></row>', dimension="B2")})
    out = tmp_path / "o.xlsx"
    write_cells(src, out, {"S": {"A2": 1, "C2": 2, "A1": 3, "B4": 4}})
    xml = members(out)["xl/worksheets/sheet1.xml"].decode()
    assert (
        '<row r="1" spans="1:1"><c r="A1"><v>3</v></c></row><row r="2"><c r="A2"><v>1</v></c>'
        '<c r="B2"><v>1</v></c><c r="C2"><v>2</v></c></row>'
        '<row r="4" spans="2:2"><c r="B4"><v>4</v></c></row>'
    ) in xml
    assert '<dimension ref="A1:C4"/>' in xml
    assert cached(out, "S") == {"A1": 3, "A2": 1, "B2": 1, "C2": 2, "B4": 4}


def test_empty_sheet_data(tmp_path: Path):
    from tests.recalc_fixtures import MAIN

    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    src = build_xlsx(tmp_path / "b.xlsx", {"S": xml})
    write_cells(src, tmp_path / "o.xlsx", {"S": {"B2": "x"}})
    assert cached(tmp_path / "o.xlsx", "S") == {"B2": "x"}


def test_in_place_and_no_update_gives_identical_file(book: Path, tmp_path: Path):
    copy = tmp_path / "copy.xlsx"
    write_cells(book, copy, {})
    assert copy.read_bytes() == book.read_bytes()
    write_cells(copy, copy, {"Data": {"A1": 7}})
    assert cached(copy)["A1"] == 7
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


def test_unknown_sheet(book: Path, tmp_path: Path):
    with pytest.raises(pk.UnknownSheet, match="Nope"):
        write_cells(book, tmp_path / "o.xlsx", {"Nope": {"A1": 1}})


def test_sheet_names_are_case_insensitive(book: Path, tmp_path: Path):
    write_cells(book, tmp_path / "o.xlsx", {"DATA": {"A1": 3}})
    assert cached(tmp_path / "o.xlsx")["A1"] == 3


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xls*")))
def test_corpus_files_roundtrip(name: str, tmp_path: Path):
    """Every Excel-saved file: open, write one cell, and all other members keep their bytes."""
    src = CORPUS / name
    pkg = Package.open(src)
    sheet = pkg.sheets()[0]
    out = tmp_path / name
    write_cells(src, out, {sheet.name: {"Z100": 1}})
    before, after = raw_members(src), raw_members(out)
    assert list(before) == list(after)
    assert [n for n in before if before[n] != after[n]] == [sheet.part]
    ws = openpyxl.load_workbook(out, data_only=True)[sheet.name]
    assert ws["Z100"].value == 1


# ---------------------------------------------------------------- bad input


def _zip_with(tmp_path: Path, name: str, entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for k, v in entries.items():
            zf.writestr(k, v)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


def make_not_zip(tmp_path, book):
    p = tmp_path / "notes.xlsx"
    p.write_text("just text, not a workbook")
    return p


def make_truncated(tmp_path, book):
    p = tmp_path / "truncated.xlsx"
    p.write_bytes(book.read_bytes()[: book.stat().st_size // 2])
    return p


def make_crc_broken(tmp_path, book):
    data = bytearray(book.read_bytes())
    info = zipfile.ZipFile(book).getinfo("xl/worksheets/sheet1.xml")
    n = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    e = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + n + e
    data[start + 5] ^= 0xFF
    p = tmp_path / "crc.xlsx"
    p.write_bytes(bytes(data))
    return p


def make_encrypted(tmp_path, book):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(book, "rb") as fh:
        OOXMLFile(fh).encrypt("geheim", out)
    p = tmp_path / "encrypted.xlsx"
    p.write_bytes(out.getvalue())
    assert msoffcrypto  # the encrypted file is an OLE container
    return p


def make_xls(tmp_path, book):
    p = tmp_path / "legacy.xls"
    p.write_bytes(pk.OLE_MAGIC + bytes(504) + b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00")
    return p


def make_lock_file(tmp_path, book):
    p = tmp_path / "~$book.xlsx"
    p.write_bytes(b"\x0bJan Jansen" + bytes(150))
    return p


def make_open_in_excel(tmp_path, book):
    (book.parent / ("~$" + book.name)).write_bytes(b"\x0bJan Jansen" + bytes(150))
    return book


def make_zip_bomb(tmp_path, book):
    entries = members(book)
    entries["xl/worksheets/sheet1.xml"] = b"<a/>" + b" " * (3 * 2**20)  # a ratio of about 1000:1
    return _zip_with(tmp_path, "bomb.xlsx", entries)


def make_entity_attack(tmp_path, book):
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    entries = members(book)
    entries["xl/worksheets/sheet1.xml"] = lol
    return _zip_with(tmp_path, "lol.xlsx", entries)


def make_external_entity(tmp_path, book):
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>'
    )
    entries = members(book)
    entries["xl/worksheets/sheet1.xml"] = xxe
    return _zip_with(tmp_path, "xxe.xlsx", entries)


def make_plain_zip(tmp_path, book):
    return _zip_with(tmp_path, "photos.xlsx", {"a.txt": b"hello"})


BAD_INPUTS = [
    ("not a zip", make_not_zip, pk.NotAZipFile, "not a zip"),
    ("truncated zip", make_truncated, pk.CorruptPackage, "corrupt or truncated"),
    ("member fails CRC", make_crc_broken, pk.CorruptPackage, "corrupt or truncated"),
    ("encrypted workbook", make_encrypted, pk.EncryptedWorkbook, "encrypted"),
    ("legacy .xls", make_xls, pk.LegacyXlsWorkbook, "legacy .xls"),
    ("Excel lock file", make_lock_file, pk.LockFile, "lock file"),
    ("open in Excel", make_open_in_excel, pk.WorkbookInUse, "open in Excel"),
    ("zip bomb", make_zip_bomb, pk.ZipBombSuspected, "zip bomb"),
    ("entity expansion", make_entity_attack, pk.UnsafeXml, "unsafe"),
    ("external entity", make_external_entity, pk.UnsafeXml, "unsafe"),
    ("zip but not a workbook", make_plain_zip, pk.NotAWorkbook, "not a spreadsheet"),
]


@pytest.mark.parametrize(("case", "make", "error", "words"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_refused_with_named_reason(case, make, error, words, book: Path, tmp_path: Path):
    bad = make(tmp_path, book)
    out = tmp_path / "out" / "result.xlsx"
    out.parent.mkdir()
    with pytest.raises(error) as info:
        Package.open(bad)
        write_cells(bad, out, {"Data": {"A1": 1}})
    message = str(info.value)
    assert message.startswith(bad.name + ":") and words in message
    assert "\n" not in message
    assert list(out.parent.iterdir()) == []  # nothing half written


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files and folders")
def test_read_only_target(book: Path, tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(WriteFailed, match="read-only"):
            write_cells(book, folder / "out.xlsx", {"Data": {"A1": 1}})
    finally:
        folder.chmod(0o700)


def test_read_only_target_file(book: Path, tmp_path: Path, monkeypatch):
    """A read-only output file is refused before any work (os.access decides, also for root)."""
    target = tmp_path / "target.xlsx"
    shutil.copy(book, target)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target else real_access(p, mode))
    with pytest.raises(WriteFailed, match="file is read-only"):
        write_cells(book, target, {"Data": {"A1": 1}})
    assert target.read_bytes() == book.read_bytes()


def test_failure_while_writing_leaves_no_temp_file(book: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "o.xlsx"

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pk.Package, "_write_to", boom)
    with pytest.raises(KeyboardInterrupt):
        write_cells(book, out, {"Data": {"A1": 1}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
