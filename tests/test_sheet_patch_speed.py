"""The quick ways of writing and checking a sheet change nothing: the one-pass patch gives the very
bytes of the general patch, and the whole-sheet check accepts no patch the element-by-element check
refuses (each wrong patch below is refused by both)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from tests.recalc_fixtures import CORPUS, build_xlsx, patch_verdicts, sheet_xml
from vng_xl.ooxml import sheet_patch, sheet_scan, sheet_verify
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import CellWrite, SheetRefused, parse_ref
from vng_xl.recalc import recalc_file
from vng_xl.recalc.workbook import WorkbookEvaluation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from budget_workbook import build_budget  # noqa: E402


def general_patch(xml: bytes, writes, monkeypatch) -> bytes:
    """The patch as the expat walk and the element-by-element check make it."""
    with monkeypatch.context() as m:
        m.setattr(sheet_patch, "splice_values", lambda *a: None)
        m.setattr(sheet_patch, "patch_plain", lambda *a: None)
        m.setattr(sheet_verify, "same_but_writes", lambda *a: False)
        return sheet_patch.patch_sheet(xml, writes)


def quick_taken(xml: bytes, writes) -> bool:
    pending: dict[int, dict] = {}
    for (r, c), w in writes.items():
        pending.setdefault(r, {})[c] = w
    return sheet_scan.patch_plain(xml, pending, sheet_patch._render_cell) is not None


def sheet_writes(path: Path) -> list[tuple[bytes, dict]]:
    """Each sheet of a workbook with the cached values a recalculation would write into it."""
    pkg = Package.open(path)
    try:
        ev = WorkbookEvaluation(pkg)
        ev.run()
        out = []
        for info in ev.sheets:
            writes = dict(ev.writes.get(info.name, {}))
            for f in ev.cells[info.name].formulas[:50]:  # also a new value in formula cells already right
                writes.setdefault((f.row, f.col), CellWrite(12.5))
            if writes:
                out.append((pkg.read(info.part), writes))
        return out
    finally:
        pkg.close()


@pytest.fixture(scope="module")
def budget(tmp_path_factory) -> Path:
    return build_budget(tmp_path_factory.mktemp("budget") / "begroting.xlsx", 300)


def test_budget_one_pass_patch_is_the_general_patch(budget: Path, monkeypatch):
    [(xml, writes)] = [(x, w) for x, w in sheet_writes(budget) if len(w) > 1000]
    assert quick_taken(xml, writes)
    assert sheet_patch.patch_sheet(xml, writes) == general_patch(xml, writes, monkeypatch)


def test_budget_recalc_writes_the_same_file_either_way(budget: Path, tmp_path: Path, monkeypatch):
    quick = recalc_file(budget, tmp_path / "quick.xlsx")
    monkeypatch.setattr(sheet_patch, "splice_values", lambda *a: None)
    monkeypatch.setattr(sheet_patch, "patch_plain", lambda *a: None)
    monkeypatch.setattr(sheet_verify, "same_but_writes", lambda *a: False)
    general = recalc_file(budget, tmp_path / "general.xlsx")
    assert quick.changed == general.changed == 300 * 5 + 5
    assert (tmp_path / "quick.xlsx").read_bytes() == (tmp_path / "general.xlsx").read_bytes()


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xls*")))
def test_corpus_one_pass_patch_is_the_general_patch(name: str, monkeypatch):
    for xml, writes in sheet_writes(CORPUS / name):
        assert sheet_patch.patch_sheet(xml, writes) == general_patch(xml, writes, monkeypatch)


def test_the_corpus_mostly_takes_the_one_pass_patch():
    taken = [quick_taken(xml, w) for p in sorted(CORPUS.glob("*.xls*")) for xml, w in sheet_writes(p)]
    if not taken:
        pytest.skip(f"no corpus at {CORPUS}")
    assert sum(taken) >= len(taken) // 2


ROWS = (
    '<row r="1" spans="1:3"><c r="A1"><v>1</v></c><c r="B1" s="1"><f>A1+1</f><v>0</v></c>'
    '<c r="C1" t="inlineStr"><is><t>tekst</t></is></c></row>'
    '<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">B1*2</f><v>0</v></c></row>'
    '<row r="3"><c r="A3"><f t="shared" si="0"/><v>0</v></c></row>'
)


@pytest.mark.parametrize(
    "rows, why",
    [
        (f"<!-- {ROWS} -->{ROWS}", "a comment past the root"),
        (ROWS.replace("<f>A1+1</f>", "<f><![CDATA[A1+1]]></f>"), "CDATA"),
        (ROWS.replace('<row r="1"', '<row xmlns:q="urn:q" r="1"'), "a namespace declared inside"),
        (ROWS.replace("<t>tekst</t>", "<r><t>rijke</t></r><r><t> tekst</t></r>"), "rich text"),
        (ROWS.replace('<v>0</v></c></row><row r="3">', '<v>0</v>\n</c></row><row r="3">'), "space in a cell"),
    ],
)
def test_sheets_not_plain_go_the_general_way_to_the_same_bytes(rows: str, why: str, monkeypatch):
    xml = sheet_xml(rows).encode()
    writes = {(1, 2): CellWrite(2.0), (2, 1): CellWrite(4.0), (3, 1): CellWrite(4.0)}
    assert not quick_taken(xml, writes), why
    assert sheet_patch.patch_sheet(xml, writes) == general_patch(xml, writes, monkeypatch)


def test_a_new_cell_or_row_goes_the_general_way():
    xml = sheet_xml(ROWS).encode()
    assert quick_taken(xml, {(1, 2): CellWrite(2.0)})
    assert not quick_taken(xml, {(1, 4): CellWrite(2.0)})  # no D1 yet
    assert not quick_taken(xml, {(7, 1): CellWrite(2.0)})  # no row 7 yet


@pytest.mark.parametrize(
    "rows, message",
    [
        ('<row r="2"><c r="A2"><f>1</f><v>0</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>', "row 1 after"),
        ('<row r="1"><c r="B1"><f>1</f><v>0</v></c><c r="A1"><v>1</v></c></row>', "out of order"),
        ('<row r="1"><c r="A2"><f>1</f><v>0</v></c></row>', "cell in row 1"),
    ],
)
def test_damaged_sheets_are_refused_alike(rows: str, message: str, monkeypatch):
    xml = sheet_xml(rows).encode()
    writes = {parse_ref(rows.split('"')[3]): CellWrite(2.0)}
    with pytest.raises(SheetRefused, match=message) as quick:
        sheet_patch.patch_sheet(xml, writes)
    with pytest.raises(SheetRefused) as general:
        general_patch(xml, writes, monkeypatch)
    assert str(quick.value) == str(general.value)


# ---------------------------------------------------------------- the whole-sheet check

GOOD = ROWS.replace('<v>0</v></c><c r="C1"', '<v>2</v></c><c r="C1"')
WRITES = {(1, 2): CellWrite(2.0)}


def check(original: str, patched: str, writes=WRITES) -> tuple[bool, str | None]:
    """(the whole-sheet check's verdict, the element-by-element check's refusal or None)."""
    return patch_verdicts(original, patched, writes)


def test_a_right_patch_passes_both_checks():
    assert check(ROWS, GOOD) == (True, None)
    spaced = ROWS.replace('<v>0</v></c><c r="C1"', '<v>0</v>\n</c><c r="C1"')
    assert check(spaced, GOOD) == (True, None)  # whitespace inside a written cell is the value's


@pytest.mark.parametrize(
    "patched",
    [
        GOOD.replace("<v>1</v>", "<v>5</v>"),  # an unwritten cell's value
        GOOD.replace('<c r="A1">', '<c r="A1" t="n">'),  # an unwritten cell's t=
        GOOD.replace("<v>2</v>", "<v>3</v>"),  # the written cell reads back wrong
        GOOD.replace("<f>A1+1</f>", "<f>A1+2</f>"),  # the written cell's formula
        GOOD.replace('<c r="B1" s="1">', '<c r="B1" s="2">'),  # the written cell's style
        GOOD.replace("<t>tekst</t>", "<t>Tekst</t>"),  # an inline string not written
        GOOD.replace('spans="1:3"', 'spans="1:3" ht="20"'),  # a written row's attributes
        GOOD.replace('<row r="2">', '<row r="2" spans="1:1">'),  # an unwritten row's spans
        GOOD.replace('si="0"/>', 'si="1"/>'),  # a shared formula not written
        GOOD.replace('<c r="C1"', '<c r="D1"><v>1</v></c><c r="C1"'),  # a cell added
        GOOD.replace('<c r="C1" t="inlineStr"><is><t>tekst</t></is></c>', ""),  # a cell dropped
        GOOD + '<row r="4"><c r="A4"><v>1</v></c></row>',  # a row added
        GOOD.replace('<row r="3"><c r="A3"><f t="shared" si="0"/><v>0</v></c></row>', ""),  # a row dropped
        GOOD.replace('<c r="A3">', '<c r="A3">\n'),  # whitespace inside an unwritten cell
    ],
)
def test_a_wrong_patch_is_refused_by_both_checks(patched: str):
    quick, refusal = check(ROWS, patched)
    assert quick is False and refusal is not None


def test_a_write_into_a_cell_that_holds_no_formula_is_refused_by_both():
    patched = GOOD.replace('<c r="A1"><v>1</v></c>', '<c r="A1"><v>9</v></c>')
    quick, refusal = check(ROWS, patched, {**WRITES, (1, 1): CellWrite(9.0)})
    assert quick is False and "not a formula cell" in refusal
    assert check(ROWS, patched, {**WRITES, (1, 1): CellWrite(9.0, input=True)}) == (True, None)


def test_a_damaged_original_is_left_to_the_element_check():
    twice = ROWS.replace('<c r="C1"', '<c r="B1"><v>1</v></c><c r="C1"')
    quick, refusal = check(twice, twice.replace('<v>0</v></c><c r="B1"', '<v>2</v></c><c r="B1"'))
    assert quick is False and "twice" in refusal


def test_the_budget_is_checked_in_one_pass(budget: Path, monkeypatch):
    calls = []
    monkeypatch.setattr(sheet_verify, "check_each_element", lambda *a: calls.append(a))
    recalc_file(budget, budget.with_name("out.xlsx"))
    assert calls == []
    with zipfile.ZipFile(budget.with_name("out.xlsx")) as zf:
        assert zf.testzip() is None


def test_a_sheet_built_here_recalculates_through_the_quick_path(tmp_path: Path):
    src = build_xlsx(tmp_path / "b.xlsx", {"S": ROWS})
    outcome = recalc_file(src, tmp_path / "out.xlsx")
    assert outcome.status == "ok" and outcome.changed == 2  # B1 = 2, A2 = B1*2 = 4; A3 = B2*2 stays 0
    assert sheet_xml(GOOD.replace('si="0">B1*2</f><v>0</v>', 'si="0">B1*2</f><v>4</v>')).encode() == (
        zipfile.ZipFile(tmp_path / "out.xlsx").read("xl/worksheets/sheet1.xml")
    )
