"""Writes that cannot corrupt a workbook: the sheet patch is found by parsing, checked before it is
written, and a damaged or DTD-carrying package is refused instead of passed on."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from tests.recalc_fixtures import MAIN, build_xlsx, members, sheet_xml
from vng_xl.cli import main
from vng_xl.ooxml import package as pk
from vng_xl.ooxml.package import write_cells
from vng_xl.ooxml.sheet_xml import read_sheet
from vng_xl.recalc import recalc_file

SHEET = "xl/worksheets/sheet1.xml"


def cached(path: Path, sheet: str = "S") -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def without_values(xml: bytes, refs: set[str]) -> bytes:
    """The sheet in canonical form with the cached value (and t=) of the given cells taken out."""
    root = etree.fromstring(xml)
    for c in root.iter(f"{{{MAIN}}}c"):
        if c.get("r") in refs:
            for v in c.findall(f"{{{MAIN}}}v"):
                c.remove(v)
            c.attrib.pop("t", None)
    return etree.tostring(root, method="c14n")


def assert_only_values_changed(src: Path, out: Path, refs: set[str]) -> None:
    before, after = members(src)[SHEET], members(out)[SHEET]
    assert without_values(after, refs) == without_values(before, refs)
    refs_seen = [c.get("r") for c in etree.fromstring(after).iter(f"{{{MAIN}}}c")]
    assert len(refs_seen) == len(set(refs_seen))  # no cell twice


# ---------------------------------------------------------------- finding 4: the patch


def test_cdata_holding_an_end_tag(tmp_path: Path):
    rows = '<row r="1"><c r="A1"><f><![CDATA[LEN("</c>")]]></f><v>0</v></c><c r="B1"><f>1+1</f><v>0</v></c></row>'
    src = build_xlsx(tmp_path / "cdata.xlsx", {"S": rows})
    out = tmp_path / "out.xlsx"
    outcome = recalc_file(src, out)
    assert outcome.status == "ok" and outcome.changed == 2
    assert cached(out) == {"A1": 4, "B1": 2}
    assert_only_values_changed(src, out, {"A1", "B1"})


def test_a_commented_out_copy_of_a_row_is_not_the_row(tmp_path: Path):
    real = '<row r="1"><c r="A1"><f>1+1</f><v>0</v></c></row>'
    src = build_xlsx(tmp_path / "comment.xlsx", {"S": f"<!-- {real} -->{real}"})
    out = tmp_path / "out.xlsx"
    outcome = recalc_file(src, out)
    assert outcome.changed == 1
    assert cached(out) == {"A1": 2}
    assert b"<!-- " + real.encode() + b" -->" in members(out)[SHEET]  # the comment as it was


def test_greater_than_inside_attributes(tmp_path: Path):
    rows = (
        '<row r="1" spans="1:2" x14ac:note="a>b"><c r="A1" x14ac:note="x>y"><f>1+1</f><v>0</v></c></row>'
        '<row r="2" x14ac:note="&lt;row r=&quot;2&quot;>"><c r="A2"><v>5</v></c></row>'
    )
    xml = sheet_xml(rows).replace("<worksheet ", '<worksheet xmlns:x14ac="urn:example:x14ac" ')
    src = build_xlsx(tmp_path / "gt.xlsx", {"S": xml})
    out = tmp_path / "out.xlsx"
    recalc_file(src, out)
    write_cells(out, out, {"S": {"B2": 7}})
    assert cached(out) == {"A1": 2, "A2": 5, "B2": 7}
    after = etree.fromstring(members(out)[SHEET])
    assert [r.get("r") for r in after.iter(f"{{{MAIN}}}row")] == ["1", "2"]
    assert after.find(f".//{{{MAIN}}}c[@r='A1']").get("{urn:example:x14ac}note") == "x>y"


def test_a_row_that_disagrees_with_its_cells_is_refused(tmp_path: Path):
    rows = '<row r="1"><c r="A2"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>'
    src = build_xlsx(tmp_path / "rows.xlsx", {"S": rows})
    out = tmp_path / "out.xlsx"
    with pytest.raises(pk.DamagedPart) as info:
        write_cells(src, out, {"S": {"A2": 9}})
    assert "damaged" in str(info.value) and SHEET in str(info.value) and "A2" in str(info.value)
    assert not out.exists()


def test_rows_out_of_order_are_refused(tmp_path: Path):
    rows = '<row r="2"><c r="A2"><f>1+1</f><v>0</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>'
    src = build_xlsx(tmp_path / "twice.xlsx", {"S": rows})
    with pytest.raises(pk.DamagedPart, match="row 2"):
        recalc_file(src, tmp_path / "out.xlsx")


def test_an_array_formula_not_anchored_at_its_cell_is_refused(tmp_path: Path, capsys):
    rows = (
        '<row r="1"><c r="A1"><v>5</v></c><c r="B1"><v>7</v></c></row>'
        '<row r="2"><c r="B2"><f t="array" ref="A1:B1">1+1</f><v>2</v></c></row>'
    )
    src = build_xlsx(tmp_path / "array.xlsx", {"S": rows})
    out = tmp_path / "out"
    assert main(["recalc", str(src), "--out", str(out), "--jobs", "1"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("FAILED array.xlsx: damaged") and "B2" in line and "A1:B1" in line
    assert list(out.iterdir()) == []


def test_a_formula_inside_another_array_area_is_refused(tmp_path: Path):
    rows = '<row r="1"><c r="A1"><f t="array" ref="A1:B1">{1,2}</f><v>1</v></c><c r="B1"><f>3+4</f><v>2</v></c></row>'
    src = build_xlsx(tmp_path / "overlap.xlsx", {"S": rows})
    with pytest.raises(pk.DamagedPart, match="B1"):
        recalc_file(src, tmp_path / "out.xlsx")


def test_a_carriage_return_survives(tmp_path: Path):
    src = build_xlsx(tmp_path / "cr.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></c></row>'})
    out = tmp_path / "out.xlsx"
    write_cells(src, out, {"S": {"A1": "regel 1\r\nregel 2"}})
    assert b"regel 1_x000D_\nregel 2" in members(out)[SHEET]  # as Excel writes a CR (a bare CR reads as LF)
    pkg = pk.Package.open(out)
    assert read_sheet(pkg.xml(SHEET), []).values[(1, 1)] == "regel 1\r\nregel 2"
    pkg.close()


def test_the_check_refuses_a_patch_that_touches_another_cell(tmp_path: Path, monkeypatch):
    """The patched sheet is checked against the original: a patch that changed more is not written."""
    from vng_xl.ooxml import sheet_patch

    src = build_xlsx(tmp_path / "b.xlsx", {"S": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'})
    real = sheet_patch._render_cell

    def sloppy(xml, cell, write):  # a writer bug: the cell next to it gets the value too
        out = real(xml, cell, write)
        return out + b'<c r="C1"><v>3</v></c>' if cell.col == 1 else out

    monkeypatch.setattr(sheet_patch, "_render_cell", sloppy)
    out = tmp_path / "out.xlsx"
    with pytest.raises(pk.UnverifiedPatch, match="row 1"):
        write_cells(src, out, {"S": {"A1": 5}})
    assert not out.exists()


# ---------------------------------------------------------------- finding 8 and trust 8: what is passed on


def _replace_member(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[name] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
    path.write_bytes(buf.getvalue())
    return path


def _book(tmp_path: Path, name: str = "b.xlsx") -> Path:
    return build_xlsx(
        tmp_path / name, {"S": '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>0</v></c></row>'}
    )


STYLES_WITH_DTD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE styleSheet [<!ENTITY e "boo">]>'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">'
    b'<numFmt numFmtId="164" formatCode="&e;"/></numFmts></styleSheet>'
)


def test_a_dtd_in_a_part_not_parsed_is_refused(tmp_path: Path):
    src = _replace_member(_book(tmp_path), "xl/styles.xml", STYLES_WITH_DTD)
    out = tmp_path / "out.xlsx"
    with pytest.raises(pk.UnsafeXml, match="xl/styles.xml"):
        recalc_file(src, out)
    with pytest.raises(pk.UnsafeXml, match="xl/styles.xml"):
        write_cells(src, out, {"S": {"A1": 2}})
    assert not out.exists()


def test_export_refuses_a_dtd_instead_of_writing_broken_xml(tmp_path: Path, capsys):
    src = _replace_member(_book(tmp_path), "xl/styles.xml", STYLES_WITH_DTD)
    out = tmp_path / "copy.xlsx"
    assert main(["export", str(src), str(out)]) == 3  # a file problem
    err = capsys.readouterr().err
    assert "xl/styles.xml" in err and "DOCTYPE" in err
    assert not out.exists()


def _break_crc(path: Path, name: str) -> Path:
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(name)
    n = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    e = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    data[info.header_offset + 30 + n + e + 3] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_recalc_reports_a_member_with_a_bad_crc_as_damaged(tmp_path: Path, capsys):
    src = _break_crc(_book(tmp_path), "xl/styles.xml")
    out = tmp_path / "out"
    assert main(["recalc", str(src), "--out", str(out), "--jobs", "1"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("FAILED b.xlsx: damaged") and "xl/styles.xml" in line
    assert list(out.iterdir()) == []


def test_recalc_reports_malformed_xml_in_a_part_it_does_not_rewrite(tmp_path: Path):
    src = _replace_member(_book(tmp_path), "xl/styles.xml", b"<styleSheet><numFmts></styleSheet>")
    with pytest.raises(pk.DamagedPart, match="xl/styles.xml: not well-formed"):
        recalc_file(src, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
