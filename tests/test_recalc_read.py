"""Reading and planning: the pattern scan of plain sheets gives the parser's cells, the quick
signature of a formula tells apart what its R1C1 form does, and a workbook of vectorised
formulas is recalculated without importing `formulas`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vng_xl.ooxml.package import Package, UnsafeXml, parse_xml
from vng_xl.ooxml.sheet_read import read_part, scan_sheet
from vng_xl.ooxml.sheet_xml import FormulaCell, read_sheet
from vng_xl.recalc import groups
from vng_xl.recalc.groups import r1c1, signature

from .recalc_fixtures import CORPUS

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILES = sorted(p for d in CORPUS.parent.glob("excel-*") for p in d.rglob("*.xls[xm]")) if CORPUS.is_dir() else []
sys.path.insert(0, str(ROOT / "benchmarks"))
from budget_workbook import build_budget  # noqa: E402

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED = ["een", "twee & drie", "vier"]


def _sheet(data: str, head: str = f'<worksheet xmlns="{MAIN}">', tail: str = "</worksheet>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{head}{data}{tail}'.encode()


class _Part:
    """A package of one sheet part, noting whether the parser built a tree of it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.parsed, self.noted = data, False, False

    def read(self, name: str) -> bytes:
        return self.data

    def xml(self, name: str):
        self.parsed = True
        return parse_xml(self.data, "x.xlsx", name)

    def checked(self, name: str) -> None:
        self.noted = True


def _both(xml: bytes, shared: list[str] = SHARED, dyn: frozenset[str] = frozenset({"1"})):
    part = _Part(xml)
    cells = read_part(part, "xl/worksheets/sheet1.xml", shared, dyn)
    assert part.parsed != part.noted  # the tree, or expat's word that the part is sound
    return cells, read_sheet(parse_xml(xml), shared, dyn), scan_sheet(xml, shared, dyn), part


PLAIN = {
    "numbers and shared strings": '<sheetData><row r="1" spans="1:3"><c r="A1" s="1"><v>1.5</v></c>'
    '<c r="B1" t="s"><v>1</v></c><c r="C1"><v>-2E-3</v></c></row><row r="3" hidden="1"><c r="A3"><v>7</v></c></row>'
    "</sheetData>",
    "formulas of every kind": '<sheetData><row r="1"><c r="A1"><f>SUM(B1:B2)&amp;"&lt;x&gt;"</f><v>3</v></c>'
    '<c r="B1"><f t="shared" ref="B1:B3" si="0">C1*2</f><v>2</v></c></row>'
    '<row r="2"><c r="B2"><f t="shared" si="0"/><v>4</v></c><c r="C2" cm="1"><f t="array" ref="C2:C4">A1:A3</f>'
    '<v>1</v></c><c r="D2"><f ca="1"/><v>0</v></c></row></sheetData>',
    "typed values": '<sheetData><row r="1"><c r="A1" t="str"><f>"a"&amp;"b"</f><v>ab_x000D_</v></c>'
    '<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C1" t="b"><v>1</v></c><c r="D1" t="b"><v>0</v></c>'
    '<c r="E1" t="n"><v>4</v></c><c r="F1" t="d"><v>2026-01-02T12:00:00Z</v></c></row></sheetData>',
    "empty values": '<sheetData><row r="1"><c r="A1"><v/></c><c r="B1"><v></v></c><c r="C1" s="2"/>'
    '<c r="D1" t="str"><f>""</f><v></v></c><c r="E1"><f>A1</f></c><c r="F1" t="str"><f>""</f><v/></c>'
    '<c r="G1" t="e"><v/></c><c r="H1" t="b"><v/></c></row><row r="2"/></sheetData>',
    "inline strings, one run": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Post &amp; co</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c><c r="C1" t="inlineStr"><v>9</v></c>'
    '<c r="D1" t="str"><is><t>s</t></is></c><c r="E1" t="e"><is><t>e</t></is></c></row></sheetData>',
    # a text value and an inline string both: the value is the cell's, as the parser reads it
    "a text cell with a value and an inline string": '<sheetData><row r="1"><c r="A1" t="str"><v>v</v>'
    "<is><t>i</t></is></c></row></sheetData>",
    "character references": '<sheetData><row r="1"><c r="A1" t="str"><v>a&#10;b&#x41;&amp;#38;</v></c>'
    '<c r="B1"><f>"&#38;lt;"</f><v>&#49;</v></c></row></sheetData>',
    "the same cell twice, a cell outside its row": '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>'
    '<c r="B5"><v>3</v></c></row></sheetData>',
    "no cells": "<sheetData/>",
    "no rows": "<sheetData></sheetData>",
    "both common shapes and unusual cells in one row": '<sheetData><row r="1" spans="1:5" x14ac:dyDescent="0.25">'
    '<c r="A1" s="1"><v>1.5</v></c><c r="B1"><f>A1*2</f><v>3</v></c><c r="C1" t="str"><f>"x"&amp;A1</f>'
    '<v>x1.5</v></c><c r="D1" t="s"><v>0</v></c><c r="E1" s="3" t="inlineStr"><is><t>tekst</t></is></c>'
    '<c r="F1"><f>A1</f><v></v></c></row><row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*2</f><v>4</v></c>'
    "</row></sheetData>",
    "references in formula texts": '<sheetData><row r="1"><c r="A1"><f>IF(B1&gt;0,"&lt;&amp;&quot;&apos;","")</f>'
    '<v>0</v></c><c r="B1" t="str"><f>"&#x41;"&amp;"&#66;"</f><v>AB</v></c></row></sheetData>',
    "text formulas without a value": '<sheetData><row r="1"><c r="A1" t="str"><f>""</f><v/></c>'
    '<c r="B1" t="str"><f>""</f></c><c r="C1" t="str"><f>B1</f><v></v></c></row></sheetData>',
    "inline strings with escapes and references": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b</t>'
    '</is></c><c r="B1" t="inlineStr"><is><t>x &amp; y</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t></t></is></c><c r="E1" t="inlineStr"/></row></sheetData>',
    "hidden and empty rows": '<sheetData><row r="1" spans="1:1"/><row r="2" hidden="1"/><row r="3" hidden="true" '
    'ht="0" customHeight="1"><c r="A3"><v>3</v></c></row><row r="4" hidden="0"><c r="A4"><v>4</v></c></row>'
    '<row r="5"></row><row r="6" hidden="1"></row><row r="7"><c r="B7"><v>7</v></c></row><row r="8"/></sheetData>',
    "only empty rows": '<sheetData><row r="1"/><row r="2" hidden="1"/><row r="3"></row></sheetData>',
    "dynamic arrays": '<sheetData><row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3">SEQUENCE(3)</f><v>1</v></c>'
    '<c r="B1" cm="2"><f t="array" ref="B1:B2">A1:A2</f><v>1</v></c><c r="C1" cm="1" vm="1"><f>A1</f><v>1</v></c>'
    "</row></sheetData>",
    "shared formulas filled down": '<sheetData><row r="1"><c r="B1"><f t="shared" ref="B1:B4" si="0">A1*2</f>'
    '<v>2</v></c><c r="C1"><f t="shared" ref="C1:C2" si="1">B1+1</f><v>3</v></c></row><row r="2">'
    '<c r="B2"><f t="shared" si="0"/><v>4</v></c><c r="C2"><f t="shared" si="1"/><v>5</v></c></row>'
    '<row r="3"><c r="B3"><f t="shared" si="0"/><v>6</v></c></row><row r="4"><c r="B4"><f t="shared" si="0"/>'
    "<v>8</v></c></row></sheetData>",
    "numbers with blanks and references": '<sheetData><row r="1"><c r="A1"><v> </v></c><c r="B1"><v>&#49;</v></c>'
    '<c r="C1"><v> 2 </v></c><c r="D1" t="n"><v>&#51;</v></c><c r="E1"><v>1_0</v></c></row></sheetData>',
    "rows out of order, cells beyond the last value": '<sheetData><row r="5"><c r="C5"><v>1</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c><c r="Z2" s="1"/><c r="Z9" s="1"><v></v></c></row></sheetData>',
}
UNUSUAL = {
    "cells without r=": '<sheetData><row r="1"><c><v>1</v></c><c><v>2</v></c></row><row><c r="C2"><v>3</v></c></row>'
    "</sheetData>",
    "rich text": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t>b</t></r>'
    "<rPh><t>x</t></rPh></is></c></row></sheetData>",
    "white space between elements": '<sheetData>\n  <row r="1">\n    <c r="A1">\n      <v>1</v>\n    </c>\n  </row>\n'
    "</sheetData>",
    "attributes in another order": '<sheetData><row r="1"><c t="s" r="A1" s="1"><v>0</v></c></row></sheetData>',
    "a comment": '<sheetData><row r="1"><!-- x --><c r="A1"><v>1</v></c></row></sheetData>',
    "a comment after a formula with a !": '<sheetData><row r="1"><c r="A1"><f>Blad2!A1</f><v>1</v></c><!-- x -->'
    "</row></sheetData>",
    "a processing instruction after a text with a ?": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wat?</t>'
    "</is></c><?pi x?></row></sheetData>",
    "a prefixed cell": f'<sheetData><row r="1"><x:c xmlns:x="{MAIN}" r="A1"><x:v>1</x:v></x:c></row></sheetData>',
    "a cell outside any row": '<sheetData><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row></sheetData>',
    "lowercase and $ references": '<sheetData><row r="1"><c r="a1"><v>1</v></c><c r="$B$1"><v>2</v></c></row>'
    "</sheetData>",
    "carriage returns": '<sheetData><row r="1"><c r="A1" t="str"><v>a\r\nb</v></c></row></sheetData>',
    "an unknown type": '<sheetData><row r="1"><c r="A1" t="x"><v>1</v></c></row></sheetData>',
    "CDATA": '<sheetData><row r="1"><c r="A1" t="str"><v><![CDATA[<a>]]></v></c></row></sheetData>',
    "a cell after a row's end": '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><c r="A2"><v>2</v></c></sheetData>',
    "a cell after an empty row": '<sheetData><row r="1"/><c r="A2"><v>2</v></c><row r="3"><c r="A3"><v>3</v></c>'
    "</row></sheetData>",
    "a cell after an empty row with an end tag": '<sheetData><row r="1"></row><c r="A2"><v>2</v></c></sheetData>',
    "a row inside a row": '<sheetData><row r="1"><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row>'
    "</row></sheetData>",
    "a row inside a row, cells after it": '<sheetData><row r="1"><c r="A1"><v>1</v></c><row r="2"><c r="A2">'
    '<v>2</v></c></row><c r="B1"><v>3</v></c></row></sheetData>',
    "a row inside a row before its cells": '<sheetData><row r="1"><row r="2"><c r="A2"><v>2</v></c></row>'
    '<c r="B1"><v>3</v></c></row></sheetData>',
    "an empty row inside a row": '<sheetData><row r="1"><c r="A1"><v>1</v></c><row r="2"/><c r="B1"><v>3</v></c>'
    "</row></sheetData>",
    "an empty row at a row's end": '<sheetData><row r="1"><c r="A1"><v>1</v></c><row r="2"></row></row></sheetData>',
    "one row without a number": '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row spans="1:1"><c r="A2">'
    "<v>2</v></c></row></sheetData>",
    "an empty row without a number": '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row/></sheetData>',
    "an empty inline string written short": '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t/></is></c></row>'
    "</sheetData>",
    "text between the rows": '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>x<row r="2"><c r="A2"><v>2</v></c>'
    "</row></sheetData>",
    "text between the cells": '<sheetData><row r="1"><c r="A1"><v>1</v></c> <c r="B1"><v>2</v></c></row></sheetData>',
    "an unknown element in a cell": '<sheetData><row r="1"><c r="A1"><v>1</v><extLst/></c></row></sheetData>',
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_sheets_are_scanned_with_the_parsers_result(name: str) -> None:
    cells, parsed, scanned, part = _both(_sheet(PLAIN[name], f'<worksheet xmlns="{MAIN}" xmlns:x14ac="urn:x14ac">'))
    assert scanned is not None, "the scan should take this sheet"
    _same(scanned, parsed)
    assert cells == parsed
    assert not part.parsed


def _same(scanned, parsed) -> None:
    """The parser's cells, also in the same order and of the same types."""
    assert scanned == parsed
    assert list(scanned.values.items()) == list(parsed.values.items())
    assert [type(v) for v in scanned.values.values()] == [type(v) for v in parsed.values.values()]
    assert all(type(f) is FormulaCell for f in scanned.formulas)


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_sheets_go_to_the_parser(name: str) -> None:
    cells, parsed, scanned, part = _both(_sheet(UNUSUAL[name]))
    assert scanned is None
    assert cells == parsed
    assert part.parsed


def test_sheet_data_elsewhere_is_the_parsers() -> None:
    data = PLAIN["numbers and shared strings"]
    prefixed = data.replace("<sheetData>", "<x:sheetData>").replace("</sheetData>", "</x:sheetData>")
    first_of_two = _sheet(prefixed + data, f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}">')
    for xml in (
        _sheet(data, '<worksheet xmlns="urn:other">'),  # not the main namespace: no cells
        _sheet(data, "<worksheet>"),
        _sheet(prefixed, f'<worksheet xmlns="urn:other" xmlns:x="{MAIN}">'),  # the prefixed one is it
        first_of_two,
        _sheet(f"<sheetPr>{data}</sheetPr>"),  # not a child of the root: no cells
        _sheet(f'<sheetPr a=">"/><!-- x -->{data}'),
    ):
        cells, parsed, _, part = _both(xml)
        assert cells == parsed and part.parsed
    assert _both(first_of_two)[1].values


@pytest.mark.parametrize(
    "xml",
    [
        b'<!DOCTYPE worksheet [<!ENTITY a "b">]><worksheet xmlns="' + MAIN.encode() + b'"><sheetData/></worksheet>',
        _sheet('<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'),  # not well-formed
        _sheet('<sheetData><row r="1"><c r="A1"><v>&bad;</v></c></row></sheetData>'),
        _sheet('<sheetData><row r="1"><x:c r="A1"><v>1</v></x:c></row></sheetData>'),  # an unbound prefix
    ],
)
def test_bad_sheets_are_refused_as_the_parser_refuses_them(xml: bytes) -> None:
    with pytest.raises(UnsafeXml) as parser:
        parse_xml(xml, "x.xlsx", "xl/worksheets/sheet1.xml")
    with pytest.raises(UnsafeXml) as ours:
        read_part(_Part(xml), "xl/worksheets/sheet1.xml", [])
    assert str(ours.value) == str(parser.value)


def test_a_missing_shared_string_is_refused_alike() -> None:
    xml = _sheet('<sheetData><row r="1"><c r="A1" t="s"><v>9</v></c></row></sheetData>')
    with pytest.raises(ValueError, match="cell A1 refers to shared string '9'"):
        scan_sheet(xml, SHARED)
    with pytest.raises(ValueError, match="cell A1 refers to shared string '9'"):
        read_sheet(parse_xml(xml), SHARED)


@pytest.mark.parametrize(
    "cells",
    [
        '<c r="A1" t="s"><v>9</v></c><c r="B1"><v>x</v></c>',
        '<c r="A1"><v>x</v></c><c r="B1" t="s"><v>9</v></c>',
        '<c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></c><c r="C1"><v>1,5</v></c>'
        '<c r="D1" t="d"><v>gisteren</v></c>',
        '<c r="A1"><v>1</v></c><c r="B1" t="d"><v>gisteren</v></c><c r="C1"><v>1,5</v></c>',
    ],
)
def test_the_first_bad_value_is_refused_as_the_parser_refuses_it(cells: str) -> None:
    xml = _sheet(f'<sheetData><row r="1">{cells}</row></sheetData>')
    with pytest.raises(ValueError) as parser:
        read_sheet(parse_xml(xml), SHARED)
    with pytest.raises(ValueError) as ours:
        scan_sheet(xml, SHARED)
    assert str(ours.value) == str(parser.value)


def test_cells_past_the_sheets_edge_go_to_the_parser() -> None:
    assert scan_sheet(_sheet('<sheetData><row r="x1"><c r="A1"><v>1</v></c></row></sheetData>'), []) is None
    for ref in ("A0", "XFE1", "A1048577"):
        assert scan_sheet(_sheet(f'<sheetData><row r="1"><c r="{ref}"><v>1</v></c></row></sheetData>'), []) is None


def _sheets_of(path: Path):
    pkg = Package.open(path, check_lock=False)
    try:
        shared, dyn = pkg.shared_strings(), pkg.dynamic_array_cm()
        for info in pkg.sheets():
            data = pkg.read(info.part)
            yield info.part, data, pkg.xml(info.part), shared, dyn
    finally:
        pkg.close()


@pytest.mark.skipif(not CORPUS_FILES, reason="the corpus is not beside the checkout")
def test_corpus_sheets_read_alike() -> None:
    scanned = 0
    for path in CORPUS_FILES:
        for part, data, root, shared, dyn in _sheets_of(path):
            want = read_sheet(root, shared, dyn)
            got = scan_sheet(data, shared, dyn)
            scanned += got is not None
            if got is not None:
                _same(got, want)
            assert read_part(_Part(data), part, shared, dyn) == want, f"{path.name} {part}"
    assert scanned > len(CORPUS_FILES) // 2  # Excel's own files are plain: most take the quick way


@pytest.mark.parametrize("native", [False, True])
def test_budget_sheets_are_scanned_alike(tmp_path: Path, native: bool) -> None:
    for part, data, root, shared, dyn in _sheets_of(build_budget(tmp_path / "b.xlsx", 30, native=native)):
        got = scan_sheet(data, shared, dyn)
        assert got is not None, part
        _same(got, read_sheet(root, shared, dyn))


FORMULAS = [
    "A2",
    "$A2",
    "A$2",
    "$A$2",
    "A3",
    "B2",
    "A2+1",
    "A2+2",
    '"A2"&B2',
    '"A3"&B3',
    "'Blad 2'!A2",
    "Blad2!A2",
    "SUM(A1:A2)",
    "SUM(A2:A3)",
    "SUM($A$1:A2)",
    "SUM(A$1:A2)",
    "LOG10(A2)",
    "ROUND(D2*1.02,2)",
    "ROUND(D3*1.02,2)",
    'IF(F2>50000,"hoog","normaal")',
    "VNG_RAMING($C2,$B2,D$1)",
    "VNG_RAMING($C3,$B3,D$1)",
    "VNG_RAMING($C2,$B2,D$2)",
    "A2*A3",
    "A3*A4",
    "A2 A3",
    "A02",
    "A2:A2",
    "",
]


def test_signature_tells_apart_what_r1c1_does() -> None:
    pairs = 0
    for a in FORMULAS:
        for b in FORMULAS:
            for ra, rb in ((2, 2), (2, 3), (3, 2), (2, 10)):
                assert (signature(a, ra) == signature(b, rb)) == (r1c1(a, ra) == r1c1(b, rb)), (a, ra, b, rb)
                pairs += signature(a, ra) == signature(b, rb) and a != b
    assert pairs > 0  # some different texts are one formula filled down


_LAZY = """
import sys, xlsxwriter
from pathlib import Path
path, extra = Path(sys.argv[1]), sys.argv[2] == "countif"
wb = xlsxwriter.Workbook(str(path))
ws = wb.add_worksheet("Begroting")
ix = wb.add_worksheet("Indexen")
for i in range(40):
    r = i + 2
    ws.write_row(r - 1, 0, [f"post {i}", "AB"[i % 2], 1000.0 * (i + 1)])
    ws.write_formula(r - 1, 3, f'=$C{r}*(1+IF($B{r}="A",Indexen!$B$1,Indexen!$B$2))', None, 0)
    ws.write_formula(r - 1, 4, f"=D{r}-C{r}", None, 0)
    ws.write_formula(r - 1, 5, f'=IF(E{r}>1000,"hoog","normaal")', None, "")
if extra:
    ws.write_formula(0, 7, '=COUNTIF(F2:F41,"hoog")', None, 0)
ix.write_column(0, 1, [0.03, 0.05])
wb.close()
from vng_xl.recalc import recalc_file
outcome = recalc_file(path, path.with_name("out.xlsx"))
assert outcome.ok, outcome.summary()
from vng_xl.recalc.workbook import WorkbookEvaluation
from vng_xl.ooxml.package import Package
seen = "formulas" in sys.modules
pkg = Package.open(path.with_name("out.xlsx"))
ev = WorkbookEvaluation(pkg)
values = ev.values["Begroting"]
pkg.close()
print(seen, values.get((1, 8)), values[(41, 5)], values[(41, 6)])
"""


@pytest.mark.parametrize("countif", [False, True])
def test_vectorised_formulas_need_no_formulas_package(tmp_path: Path, countif: bool) -> None:
    run = subprocess.run(
        [sys.executable, "-c", _LAZY, str(tmp_path / "in.xlsx"), "countif" if countif else "-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen, count, last, label = run.stdout.split()
    # Line i has 1000 (i + 1) and 3 % on it (type A, even i) or 5 % (type B, odd i).
    hoog = sum(1 for i in range(40) if 1000.0 * (i + 1) * (0.05 if i % 2 else 0.03) > 1000)
    assert seen == "False"  # COUNTIF with a text criterion is vectorised too
    assert count == (f"{float(hoog)}" if countif else "None")
    assert float(last) == pytest.approx(40_000 * 0.05)
    assert label == "hoog"


TRICKY = [
    '"A2"&A2',
    '"A3"&A3',
    "'A2'!A2",
    "'A3'!A3",
    "'Blad 2'!B7+B$7",
    "'Blad 2'!B8+B$7",
    "'Blad 2'!B8+B$8",
    "TAX2023*A2",
    "TAX2024*A3",
    "LOG10(A2)+A2",
    "LOG10(A3)+A3",
    "A9999999+A2",
    "A10000000+A3",
    "A12345678+A2",
    "A12345678+A3",
    "A12345679+A3",
    "A1.5+A2",
    "A1.5+A3",
    "1E5+A2",
    "1E5+A3",
    "$A$2+A2",
    "$A$2+A3",
    "$A$3+A3",
    "A2:A$9",
    "A3:A$9",
    "A3:A$10",
    'A2&"A2"',
    'A3&"A2"',
    'A2&"A#"',
    'A#&"A2"',
    "ABCD2+A2",
    "ABCD3+A3",
    "_A2+A2",
    "_A3+A3",
    "A2!B2",
    "A2",
    "A02",
    "A002",
]


def test_signature_agrees_with_r1c1_on_tricky_pairs() -> None:
    """The cheap signature (runs of digits around a text worked out once) against the R1C1 form:
    strings and sheet names holding refs, names that look like refs, rows past the sheet, $-mixes."""
    groups._RELATIVE.clear()  # which runs are rows is worked out per text around them: from these texts first
    equal = 0
    for a in TRICKY:
        for b in TRICKY:
            for ra, rb in ((2, 2), (2, 3), (3, 2), (1, 3)):
                same = r1c1(a, ra) == r1c1(b, rb)
                assert (signature(a, ra) == signature(b, rb)) == same, (a, ra, b, rb)
                equal += same and a != b
    assert equal > 10  # many different texts are one formula filled down
    assert signature("A9999999+A2", 2) != signature("A10000000+A3", 3)  # a run of 8 digits is no row
    assert signature('"A2"&A2', 2) != signature('"A3"&A3', 3)  # a string is text, not a reference
