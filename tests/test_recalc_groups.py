"""Formula groups: a formula filled down a column computed over whole columns gives exactly what the
cell-by-cell evaluator gives, and what Excel cached; whatever the vectors cannot do goes cell by cell."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.recalc_fixtures import CORPUS, build_xlsx
from vng_xl.ooxml.package import Package, PackageError
from vng_xl.ooxml.sheet_xml import ExcelError
from vng_xl.recalc import groups, recalc_file
from vng_xl.recalc.workbook import WorkbookEvaluation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from budget_workbook import INDEX, build_budget  # noqa: E402

REL_TOL = 1e-9


def evaluation(path: Path, grouped: bool, monkeypatch) -> WorkbookEvaluation:
    with monkeypatch.context() as m:
        if not grouped:
            m.setattr(groups, "MIN_CELLS", 10**9)
        pkg = Package.open(path, check_lock=False)
        try:
            ev = WorkbookEvaluation(pkg)
            ev.run()
        finally:
            pkg.close()
    return ev


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def differences(a: WorkbookEvaluation, b: WorkbookEvaluation) -> dict:
    out = {}
    for sheet, values in a.values.items():
        other = b.values[sheet]
        for pos in set(values) | set(other):
            if not same(values.get(pos), other.get(pos)):
                out[(sheet, pos)] = (values.get(pos), other.get(pos))
    return out


@pytest.mark.parametrize("native", [False, True])
def test_budget_grouped_equals_cell_by_cell(tmp_path: Path, monkeypatch, native: bool):
    book = build_budget(tmp_path / "b.xlsx", 60, native=native)
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert len(grouped.groups) == 10 and cells.groups == {}  # one per formula column, one per total
    assert differences(grouped, cells) == {}
    assert grouped.issues == cells.issues == []
    assert grouped.formula_cells == cells.formula_cells == 60 * 5 + 5


def test_budget_projection_is_the_index_applied(tmp_path: Path, monkeypatch):
    """VNG_RAMING over the column agrees with amount × (1 + index 2026) × (1 + index 2027) on every line."""
    book = build_budget(tmp_path / "b.xlsx", 30)
    values = evaluation(book, True, monkeypatch).values["Begroting"]
    for r in range(2, 32):
        i2026, i2027 = INDEX[values[(r, 2)]]
        expected = values[(r, 3)] * (1 + i2026) * (1 + i2027)
        assert math.isclose(values[(r, 4)], expected, rel_tol=1e-12)
        assert values[(r, 8)] == values[(r, 1)]
        assert values[(r, 7)] == ("hoog" if values[(r, 6)] > 50000 else "normaal")


def sheet(rows: list[str]) -> str:
    return "".join(f'<row r="{i}">{cells}</row>' for i, cells in enumerate(rows, start=1))


def test_shared_formula_group_gives_excel_cached_values(tmp_path: Path, monkeypatch):
    cached = [3, 4, 6, 7, 9]  # ROUND(r*1.5, 0) + 1: Excel rounds 1.5, 4.5 and 7.5 up
    first = '<f t="shared" ref="B1:B5" si="0">ROUND(A1*1.5,0)+$A$1</f>'
    other = '<f t="shared" si="0"/>'
    rows = [
        f'<c r="A{r}"><v>{r}</v></c><c r="B{r}">{first if r == 1 else other}<v>{v}</v></c>'
        for r, v in enumerate(cached, start=1)
    ]
    book = build_xlsx(tmp_path / "s.xlsx", {"S": sheet(rows)})
    ev = evaluation(book, True, monkeypatch)
    assert list(ev.groups) == [("group", "S", 2, 1)]
    assert [ev.values["S"][(r, 2)] for r in range(1, 6)] == [float(v) for v in cached]
    assert ev.changed == 0


@pytest.mark.parametrize(
    "inputs, formula, expected",
    [
        # an empty cell: the per-cell evaluator's 0, not the vectors'
        (["1", None, "3"], "A{r}*2", [2.0, 0.0, 6.0]),
        # a division by zero on one line: #DIV/0! there only
        (["1", "0", "4"], "1/A{r}", [1.0, ExcelError("#DIV/0!"), 0.25]),
        # text among numbers
        (["1", "x", "2"], "A{r}+1", [2.0, ExcelError("#VALUE!"), 3.0]),
        # a running total reads its own group
        (["1", "2", "3"], "A{r}+B{p}", [1.0, 3.0, 6.0]),
    ],
)
def test_what_vectors_cannot_do_goes_cell_by_cell(tmp_path: Path, monkeypatch, inputs, formula, expected):
    rows = []
    for r, v in enumerate(inputs, start=1):
        a = (
            ""
            if v is None
            else (
                f'<c r="A{r}"><v>{v}</v></c>'
                if v[0].isdigit()
                else f'<c r="A{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            )
        )
        f = formula.format(r=r, p=r - 1).replace("B0", "0")
        rows.append(a + f'<c r="B{r}"><f>{f}</f><v>0</v></c>')
    book = build_xlsx(tmp_path / "f.xlsx", {"S": sheet(rows)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    grouped_cells = {m for g in grouped.groups.values() for m in g.members}
    # a running total: only its first line (A1+0, a formula of its own) is vectorised, as a single cell
    assert grouped_cells == ({("cell", "S", 1, 2)} if "{p}" in formula else {("cell", "S", r, 2) for r in (1, 2, 3)})
    assert [grouped.values["S"].get((r, 2)) for r in range(1, 4)] == expected
    assert differences(grouped, cells) == {}


def test_failed_cell_in_a_group_stops_only_its_dependents(tmp_path: Path, monkeypatch):
    """A group that falls back keeps per-cell precision: C2 depends on the unsupported B2 only."""
    rows = [
        f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>{"NOSUCHFUNCTION(A2)" if r == 2 else f"A{r}*2"}</f><v>0</v></c>'
        f'<c r="C{r}"><f>B{r}+1</f><v>0</v></c>'
        for r in range(1, 5)
    ]
    book = build_xlsx(tmp_path / "g.xlsx", {"S": sheet(rows)})
    ev = evaluation(book, True, monkeypatch)
    values = ev.values["S"]
    assert [values[(r, 3)] for r in (1, 3, 4)] == [3.0, 7.0, 9.0]
    assert sorted(i.cell for i in ev.issues) == ["B2", "C2"]


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xls*")))
def test_corpus_grouped_equals_cell_by_cell(name: str, tmp_path: Path, monkeypatch):
    src = CORPUS / name
    grouped, cells = evaluation(src, True, monkeypatch), evaluation(src, False, monkeypatch)
    assert differences(grouped, cells) == {}
    assert grouped.issues == cells.issues


def test_recalc_file_of_a_grouped_budget_writes_every_cell(tmp_path: Path):
    book = build_budget(tmp_path / "b.xlsx", 40)
    outcome = recalc_file(book, tmp_path / "o.xlsx")
    assert outcome.status == "ok" and outcome.formula_cells == 205 and outcome.changed == 205


def test_groups_reading_each_other_row_by_row_go_cell_by_cell(tmp_path: Path, monkeypatch):
    """B reads C on its row, C reads B on the row above: no cycle between cells, one between groups."""
    rows = [
        f'<c r="B{r}"><f>C{r}*2</f><v>0</v></c>'
        + ('<c r="C1"><v>1</v></c>' if r == 1 else f'<c r="C{r}"><f>B{r - 1}+1</f><v>0</v></c>')
        for r in range(1, 5)
    ]
    book = build_xlsx(tmp_path / "c.xlsx", {"S": sheet(rows)})
    ev = evaluation(book, True, monkeypatch)
    values = ev.values["S"]
    assert [values[(r, 2)] for r in range(1, 5)] == [2.0, 6.0, 14.0, 30.0]
    assert [values[(r, 3)] for r in range(1, 5)] == [1.0, 3.0, 7.0, 15.0]
    assert ev.issues == []


FORMULAS_CORPUS = CORPUS.parent / "excel-formulas"
# Files of other formula engines' test data in which formula groups form.
WITH_GROUPS = [
    "formulas/test_test_files_circular.xlsx",
    "koala/examples_advanced.xlsx",
    "koala/tests_excel_VDB.xlsx",
    "koala/tests_files_NamedRanges.xlsx",
    "koala/tests_files_SharedFormula.xlsx",
    "pycel/example_example.xlsx",
    "pycel/tests_fixtures_excelcompiler.xlsx",
    "pycel/tests_fixtures_logical.xlsx",
    "pycel/tests_fixtures_lookup.xlsx",
    "pycel/tests_fixtures_npv.xlsx",
    "pycel/tests_fixtures_stats.xlsx",
    "xlcalculator/examples_common_use_case_use_case_01.xlsm",
    "xlcalculator/tests_resources_BASES.xlsx",
]


@pytest.mark.skipif(not FORMULAS_CORPUS.is_dir(), reason="the excel-formulas corpus is not here")
@pytest.mark.parametrize("name", WITH_GROUPS)
def test_formulas_corpus_grouped_equals_cell_by_cell(name: str, monkeypatch):
    src = FORMULAS_CORPUS / name
    try:
        cells = evaluation(src, False, monkeypatch)
    except PackageError as exc:  # a file refused as a whole is refused the same way with groups
        with pytest.raises(type(exc)):
            evaluation(src, True, monkeypatch)
        return
    grouped = evaluation(src, True, monkeypatch)
    assert differences(grouped, cells) == {}
    assert grouped.issues == cells.issues


@pytest.mark.parametrize(
    "formula",
    [
        'A{r}&"' + "x" * 8_200 + '"',  # past Excel's 8,192 characters
        "ABS(" * 65 + "A{r}" + ")" * 65,  # past 64 levels of nested functions
    ],
)
def test_formulas_near_excels_limits_are_not_grouped(tmp_path: Path, monkeypatch, formula: str):
    """The per-cell evaluator is where formula limits are checked: such formulas never form a group."""
    rows = [
        f'<c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>{escape(formula.format(r=r))}</f><v>0</v></c>' for r in (1, 2, 3)
    ]
    book = build_xlsx(tmp_path / "l.xlsx", {"S": sheet(rows)})
    pkg = Package.open(book, check_lock=False)
    try:
        assert WorkbookEvaluation(pkg).groups == {}
    finally:
        pkg.close()


def test_text_past_excels_cap_goes_cell_by_cell(tmp_path: Path, monkeypatch):
    long = "x" * 20_000
    rows = [
        f'<c r="A{r}" t="inlineStr"><is><t>{long}</t></is></c><c r="B{r}"><f>A{r}&amp;A{r}</f><v>0</v></c>'
        for r in (1, 2, 3)
    ]
    book = build_xlsx(tmp_path / "t.xlsx", {"S": sheet(rows)})
    grouped, cells = evaluation(book, True, monkeypatch), evaluation(book, False, monkeypatch)
    assert len(grouped.groups) == 1
    assert differences(grouped, cells) == {}
