"""Recalculating one workbook: right values (Excel's cached ones, hand-computed ones), nothing else touched."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from tests.recalc_fixtures import CORPUS, build_xlsx, members, raw_members
from vng_xl.ooxml.package import Package
from vng_xl.ooxml.sheet_xml import ExcelError, read_sheet
from vng_xl.recalc import recalc_file

REL_TOL = 1e-9  # as formulas' own test suite compares with Excel's cached values


def cached_values(path: Path) -> dict[tuple[str, int, int], object]:
    """Every cell's value as stored in the file, read with the package reader."""
    pkg = Package.open(path, check_lock=False)
    shared = pkg.shared_strings()
    out = {}
    for s in pkg.sheets():
        for (r, c), v in read_sheet(pkg.xml(s.part), shared).values.items():
            out[(s.name, r, c)] = v
    return out


def formula_cells(path: Path) -> set[tuple[str, int, int]]:
    pkg = Package.open(path, check_lock=False)
    shared = pkg.shared_strings()
    return {(s.name, f.row, f.col) for s in pkg.sheets() for f in read_sheet(pkg.xml(s.part), shared).formulas}


def close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return type(a) is type(b) and a == b


# Files whose cached values Excel did not compute: XlsxWriter wrote 0 and set fullCalcOnLoad, so
# Excel recalculates on opening. The right value is worked out by hand instead.
HAND_VALUES = {
    # AVERAGE(TIMEVALUE(B1:B2)) with B1 = B2 = "12:00": noon is half a day.
    "dynamic_array01.xlsx": {("Sheet1", 1, 1): 0.5},
}
# Files with formulas the evaluator does not compute: reported, kept. (None in the corpus.)
UNSUPPORTED: dict[str, int] = {}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xls*")))
def test_corpus_recalc_keeps_everything_but_cached_values(name: str, tmp_path: Path):
    src = CORPUS / name
    out = tmp_path / name
    outcome = recalc_file(src, out)
    before, after = cached_values(src), cached_values(out)
    formulas = formula_cells(src)
    expected = dict(before)
    expected.update(HAND_VALUES.get(name, {}))
    wrong = {k: (after.get(k), expected[k]) for k in expected if not close(after.get(k), expected[k])}
    assert wrong == {}
    assert set(after) == set(before)
    assert outcome.formula_cells == len(formulas)
    assert outcome.changed == len(HAND_VALUES.get(name, {}))
    assert len(outcome.errors) == UNSUPPORTED.get(name, 0)
    if not outcome.changed:
        assert out.read_bytes() == src.read_bytes()  # nothing to recalculate: identical file
    else:
        raw_before, raw_after = raw_members(src), raw_members(out)
        changed = [n for n in raw_before if raw_before[n] != raw_after[n]]
        assert changed == ["xl/worksheets/sheet1.xml"]
        # in the sheet, only the <v> of the recalculated cell differs
        old = members(src)["xl/worksheets/sheet1.xml"].decode()
        new = members(out)["xl/worksheets/sheet1.xml"].decode()
        assert new == old.replace("AVERAGE(TIMEVALUE(B1:B2))</f><v>0</v>", "AVERAGE(TIMEVALUE(B1:B2))</f><v>0.5</v>")


def test_corpus_table_references_computed(tmp_path: Path):
    """table10: this-row sums and SUBTOTALs in the totals row, through structured references."""
    outcome = recalc_file(CORPUS / "table10.xlsx", tmp_path / "t.xlsx")
    assert outcome.status == "ok" and outcome.formula_cells == 10 and outcome.errors == []


TABLE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="Posten" '
    'displayName="Posten" ref="A1:C4" totalsRowCount="1"><autoFilter ref="A1:C3"/><tableColumns count="3">'
    '<tableColumn id="1" name="Post"/><tableColumn id="2" name="Bedrag" totalsRowFunction="sum"/>'
    '<tableColumn id="3" name="Dubbel"/></tableColumns></table>'
)
SHEET_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" '
    'Target="../tables/table1.xml"/></Relationships>'
)


def table_book(path: Path, hidden: bool = False) -> Path:
    from tests.recalc_fixtures import sheet_xml

    hide = ' hidden="1"' if hidden else ""
    rows = (
        f'<row r="1">{v("A1", "Post")}{v("B1", "Bedrag")}{v("C1", "Dubbel")}'
        f"{f('E1', 'SUM(Posten[Bedrag])')}</row>"
        f'<row r="2">{v("A2", "a")}{v("B2", 10)}{f("C2", "Posten[[#This Row],[Bedrag]]*2")}'
        f"{f('E2', 'COUNTA(Posten[#Headers])')}</row>"
        f'<row r="3"{hide}>{v("A3", "b")}{v("B3", 20)}{f("C3", "Posten[[#This Row],[Bedrag]]*2")}'
        f"{f('E3', 'SUM(Posten)')}</row>"
        f'<row r="4">{f("B4", "SUBTOTAL(109,Posten[Bedrag])")}{f("E4", "ROWS(Posten[#All])")}</row>'
    )
    xml = sheet_xml(rows, extra='<tableParts count="1"><tablePart r:id="rId1"/></tableParts>')
    parts = {"xl/tables/table1.xml": TABLE.encode(), "xl/worksheets/_rels/sheet1.xml.rels": SHEET_RELS.encode()}
    return build_xlsx(path, {"S": xml}, extra_parts=parts)


def test_structured_references(tmp_path: Path):
    outcome = recalc_file(table_book(tmp_path / "b.xlsx"), tmp_path / "o.xlsx")
    assert outcome.status == "ok"
    got = {ref: value_at(tmp_path / "o.xlsx", "S", ref) for ref in ("C2", "C3", "B4", "E1", "E2", "E3", "E4")}
    # Bedrag 10 and 20: doubled 20 and 40; totals 30; three headers; all data 10+20+20+40; four rows.
    assert got == {"C2": 20, "C3": 40, "B4": 30, "E1": 30, "E2": 3, "E3": 90, "E4": 4}


def test_subtotal_over_hidden_rows_reported(tmp_path: Path):
    outcome = recalc_file(table_book(tmp_path / "b.xlsx", hidden=True), tmp_path / "o.xlsx")
    assert [(e.cell, e.reason) for e in outcome.errors] == [
        ("B4", "SUBTOTAL over hidden or filtered rows"),
        ("E4", "depends on S!B4, which cannot be computed"),  # its area holds B4
    ]


def value_at(path: Path, sheet: str, ref: str):
    return openpyxl.load_workbook(path, data_only=True)[sheet][ref].value


def f(ref: str, formula: str, cached: str = "0", t: str = "", extra: str = "") -> str:
    """A formula cell as Excel writes it."""
    t_attr = f' t="{t}"' if t else ""
    return f'<c r="{ref}"{t_attr}{extra}><f>{formula}</f><v>{cached}</v></c>'


def v(ref: str, value) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def test_vng_formulas_and_dependents_across_sheets_and_names(tmp_path: Path):
    # Salarissen (index A) 39,059,724 in 2025 -> 2027: x 1.020 x 1.039 = 41,394,714.30 (DOMAIN.md).
    invoer = f'<row r="1">{v("A1", 39059724)}{v("B1", "A")}{v("C1", 2027)}</row>'
    raming = (
        f'<row r="1">{f("A1", "VNG_RAMING(Invoer!A1,Invoer!B1,Invoer!C1)")}'
        f"{f('B1', 'ROUND(A1,0)')}{f('C1', 'Bedrag*2')}{f('D1', 'B1-Invoer!A1')}</row>"
    )
    src = build_xlsx(tmp_path / "b.xlsx", {"Invoer": invoer, "Raming": raming}, names={"Bedrag": "Raming!$B$1"})
    out = tmp_path / "o.xlsx"
    outcome = recalc_file(src, out)
    assert outcome.status == "ok" and outcome.formula_cells == 4 and outcome.changed == 4
    assert value_at(out, "Raming", "A1") == pytest.approx(39059724 * 1.020 * 1.039, rel=1e-12)
    assert value_at(out, "Raming", "B1") == 41394714
    assert value_at(out, "Raming", "C1") == 82789428
    assert value_at(out, "Raming", "D1") == 41394714 - 39059724
    # a changed input, applied and recalculated in one write
    again = recalc_file(out, tmp_path / "o2.xlsx", {"Invoer": {"B1": "B", "C1": 2026}})
    assert again.changed == 4  # formula cells whose value changed (the inputs are not counted)
    assert value_at(tmp_path / "o2.xlsx", "Raming", "B1") == round(39059724 * 1.024)
    assert value_at(tmp_path / "o2.xlsx", "Invoer", "B1") == "B"


def test_vng_error_becomes_value_error_with_message(tmp_path: Path):
    src = build_xlsx(
        tmp_path / "b.xlsx",
        {"S": f'<row r="1">{f("A1", "VNG_RAMING(100,&quot;X&quot;,2027)")}{f("B1", "IFERROR(A1,-1)")}</row>'},
    )
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert value_at(tmp_path / "o.xlsx", "S", "A1") == "#VALUE!"
    assert value_at(tmp_path / "o.xlsx", "S", "B1") == -1
    assert outcome.status == "ok"
    [msg] = outcome.error_values
    assert msg.cell == "A1" and 'unknown index type "X"' in msg.reason and "onbekend indextype" in msg.reason_nl


def test_shared_formulas(tmp_path: Path):
    rows = "".join(
        f'<row r="{r}">{v(f"A{r}", r)}'
        + (
            f'<c r="B{r}"><f t="shared" ref="B1:B4" si="0">A1*10+$A$1</f><v>0</v></c>'
            if r == 1
            else f'<c r="B{r}"><f t="shared" si="0"/><v>0</v></c>'
        )
        + "</row>"
        for r in range(1, 5)
    )
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows})
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert outcome.changed == 4
    assert [value_at(tmp_path / "o.xlsx", "S", f"B{r}") for r in range(1, 5)] == [11, 21, 31, 41]
    assert '<f t="shared" si="0"/><v>41</v>' in members(tmp_path / "o.xlsx")["xl/worksheets/sheet1.xml"].decode()


def test_legacy_array_formula_fills_its_area(tmp_path: Path):
    rows = (
        f'<row r="1">{v("A1", 1)}{v("B1", 2)}'
        '<c r="C1"><f t="array" ref="C1:C3">TRANSPOSE(A1:B1)*3</f><v>0</v></c></row>'
        '<row r="2"><c r="C2"><v>0</v></c></row><row r="3"><c r="C3"><v>0</v></c></row>'
    )
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows})
    recalc_file(src, tmp_path / "o.xlsx")
    got = [value_at(tmp_path / "o.xlsx", "S", f"C{r}") for r in (1, 2, 3)]
    assert got == [3, 6, "#N/A"]  # Excel pads an area larger than the result with #N/A


def test_dynamic_array_spills_and_updates_ref(tmp_path: Path):
    rows = (
        f'<row r="1">{v("A1", 1)}<c r="B1" cm="1"><f t="array" ref="B1:B2">A1:A3*2</f><v>0</v></c></row>'
        f'<row r="2">{v("A2", 2)}<c r="B2"><v>0</v></c></row><row r="3">{v("A3", 3)}</row>'
        f'<row r="4">{f("C4", "SUM(B1:B3)")}</row>'
    )
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows}, dynamic=True)
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert outcome.status == "ok"
    assert [value_at(tmp_path / "o.xlsx", "S", f"B{r}") for r in (1, 2, 3)] == [2, 4, 6]
    assert value_at(tmp_path / "o.xlsx", "S", "C4") == 12
    xml = members(tmp_path / "o.xlsx")["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="B1" cm="1"><f t="array" ref="B1:B3">A1:A3*2</f><v>2</v></c>' in xml


def test_spill_blocked_gives_spill_error(tmp_path: Path):
    rows = (
        f'<row r="1">{v("A1", 1)}<c r="B1" cm="1"><f t="array" ref="B1">A1:A2*2</f><v>2</v></c></row>'
        f'<row r="2">{v("A2", 2)}{v("B2", "in the way")}</row>'
    )
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows}, dynamic=True)
    recalc_file(src, tmp_path / "o.xlsx")
    assert value_at(tmp_path / "o.xlsx", "S", "B1") == "#SPILL!"
    assert value_at(tmp_path / "o.xlsx", "S", "B2") == "in the way"


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("OFFSET(A1,1,0)", "OFFSET makes references at run time"),
        ("INDIRECT(B1)", "INDIRECT makes references at run time"),
        ("Table1[Col]", "structured (table) references"),
        ("FOOBAR(1)", "function FOOBAR is not supported"),
        ("C1+1", "circular reference"),
        ("[1]Sheet1!A1", "external"),
    ],
)
def test_what_cannot_be_computed_is_reported_and_kept(formula: str, reason: str, tmp_path: Path):
    rows = f'<row r="1">{v("A1", 5)}{f("B1", "A1*2", "10")}{f("C1", formula, "123")}{f("D1", "C1+1", "124")}</row>'
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows})
    out = tmp_path / "o.xlsx"
    outcome = recalc_file(src, out)
    assert outcome.status == "incomplete"
    by_cell = {e.cell: e.reason for e in outcome.errors}
    assert reason.lower() in by_cell["C1"].lower()
    assert by_cell["D1"] == "depends on S!C1, which cannot be computed" or "circular" in by_cell["D1"]
    assert value_at(out, "S", "C1") == 123 and value_at(out, "S", "D1") == 124  # kept as they were
    assert out.read_bytes() == src.read_bytes()  # B1 is already right, so nothing changed


def test_update_of_a_formula_cell_is_refused(tmp_path: Path):
    src = build_xlsx(tmp_path / "b.xlsx", {"S": f'<row r="1">{f("A1", "1+1", "2")}</row>'})
    with pytest.raises(ValueError, match="holds a formula"):
        recalc_file(src, tmp_path / "o.xlsx", {"S": {"A1": 3}})


def test_scoped_names_and_constant_names(tmp_path: Path):
    from tests.recalc_fixtures import MAIN, REL  # noqa: F401

    rows = f'<row r="1">{v("A1", 4)}{f("B1", "Rate*A1")}{f("C1", "Half+0")}</row>'
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows}, names={"Rate": "0.25", "Half": "S!$A$1/2"})
    recalc_file(src, tmp_path / "o.xlsx")
    assert value_at(tmp_path / "o.xlsx", "S", "B1") == 1
    assert value_at(tmp_path / "o.xlsx", "S", "C1") == 2


def test_error_values_round_trip(tmp_path: Path):
    rows = f'<row r="1">{f("A1", "1/0")}{f("B1", "ISERROR(A1)", "0", "b")}</row>'
    src = build_xlsx(tmp_path / "b.xlsx", {"S": rows})
    outcome = recalc_file(src, tmp_path / "o.xlsx")
    assert outcome.changed == 2
    vals = cached_values(tmp_path / "o.xlsx")
    assert vals[("S", 1, 1)] == ExcelError("#DIV/0!") and vals[("S", 1, 2)] is True


def test_official_workbook_recalculates_completely(tmp_path: Path):
    """The official workbook: every formula computable headlessly, and a published figure comes out."""
    build = pytest.importorskip("vng_xl.workbook.build")
    src = tmp_path / "official.xlsm"
    build.build(src)
    outcome = recalc_file(src, tmp_path / "out.xlsm")
    assert outcome.status == "ok" and outcome.errors == [] and outcome.error_values == []
    assert outcome.formula_cells > 500
    vals = cached_values(tmp_path / "out.xlsm")
    assert round(vals[("Kernorganisatie", 18, 4)]) == 34813716  # Kosten kernorganisatie 2026, as published
    raw_before, raw_after = raw_members(src), raw_members(tmp_path / "out.xlsm")
    assert raw_before["xl/vbaProject.bin"] == raw_after["xl/vbaProject.bin"]
