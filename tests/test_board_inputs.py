"""The inputs as a board reads them: one fill per kind of input, data validation, editable sources, herkomst.

The bounds are typed here from what a controller may enter (not taken from the package): the
workbook's data validation and `vng-xl refresh --set` must both hold exactly these.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.cell_range import MultiCellRange

from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main

#: cell -> (Excel's validation type, operator, formula1, formula2) as the built workbook must hold it.
VALIDATIONS = {
    ("Parameters", "C7"): ("decimal", "between", "-0.1", "0.2"),  # index A 2026
    ("Parameters", "F8"): ("decimal", "between", "-0.1", "0.2"),  # index B 2029
    ("Parameters", "C41"): ("decimal", "between", "-0.1", "0.2"),  # an index set's A
    ("Parameters", "B11"): ("decimal", "between", "0", "0.1"),  # ingroei
    ("Parameters", "B12"): ("decimal", "between", "-0.25", "0.25"),  # ontwikkeling 2025
    ("Parameters", "C17"): ("decimal", "between", "0", "0.25"),  # overbegroting 2027
    ("Parameters", "B15"): ("decimal", "greaterThanOrEqual", "0", None),  # huidig fonds
    ("Parameters", "B20"): ("whole", "greaterThanOrEqual", "1", None),  # inwoners
    ("Parameters", "B6"): ("whole", "between", "2000", "2100"),  # a year of the indexes
    ("Parameters", "E16"): ("whole", "between", "2000", "2100"),  # a year of the overbegroting
    ("Kernorganisatie", "C5"): ("decimal", "between", "-1000000000", "1000000000"),
    ("Kernorganisatie", "B16"): ("list", None, '"A,B"', None),
    ("Fonds GGU", "D6"): ("decimal", "greaterThanOrEqual", "0", None),
    ("Gemeenten", "C13"): ("whole", "greaterThanOrEqual", "1", None),
    ("Gemeenten", "B4"): ("whole", "between", "2000", "2100"),
}
#: (--set target, just inside a bound, just outside it).
BOUNDS = [
    ("Parameters!C7", "-10%", "-10,01%"),
    ("Parameters!C7", "20%", "20,01%"),
    ("Parameters!B11", "0%", "-0,01%"),
    ("Parameters!B11", "10%", "10,01%"),
    ("Parameters!B12", "-25%", "-25,01%"),
    ("Parameters!B12", "25%", "25,01%"),
    ("Parameters!C17", "0%", "-0,01%"),
    ("Parameters!C17", "25%", "25,01%"),
    ("Parameters!B15", "0", "-0,001"),
    ("Fonds GGU!D6", "0", "-1"),
    ("Parameters!B20", "1", "0"),
    ("Kernorganisatie!C5", "-1.000.000.000", "-1.000.000.001"),
    ("Kernorganisatie!C5", "1.000.000.000", "1.000.000.001"),
    ("Kernorganisatie!B5", "B", "C"),
]
#: Year bounds: a year the bounds allow may still be refused by the model (the years follow each
#: other), but never by the bound.
YEAR_BOUNDS = [("Parameters!B6", "2000", "1999"), ("Gemeenten!B4", "2100", "2101")]


def _validation(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in MultiCellRange(str(dv.sqref))]
    assert len(found) == 1, (ws.title, cell, found)
    return found[0]


def _fill(ws, cell: str) -> str:
    return ws[cell].fill.fgColor.rgb


# Finding: no data validation anywhere.
@pytest.mark.parametrize(("where", "rule"), VALIDATIONS.items(), ids=lambda v: "!".join(v) if len(v) == 2 else "")
def test_inputs_carry_data_validation_with_dutch_messages(where, rule) -> None:
    ws = openpyxl.load_workbook(built_workbook())[where[0]]
    dv = _validation(ws, where[1])
    operator = dv.operator or ("between" if dv.type != "list" else None)  # "between" is the file's default
    assert (dv.type, operator, dv.formula1, dv.formula2) == rule
    assert dv.errorTitle == "Ongeldige invoer" and dv.showErrorMessage and dv.errorStyle in (None, "stop")
    assert dv.error.startswith("Verwacht ") and dv.error.endswith("De cel is niet gewijzigd.")
    assert dv.showInputMessage and dv.prompt.startswith("Vul ") and len(dv.promptTitle) <= 32


def test_every_number_input_has_a_validation_and_no_other_cell_does() -> None:
    wb = openpyxl.load_workbook(built_workbook())
    for ws in wb.worksheets:
        covered = MultiCellRange(" ".join(str(dv.sqref) for dv in ws.data_validations.dataValidation))
        for row in ws.iter_rows():
            for c in row:
                if c.coordinate in covered:
                    assert not c.protection.locked, (ws.title, c.coordinate)
                elif not c.protection.locked and isinstance(c.value, (int, float)):
                    raise AssertionError(f"{ws.title}!{c.coordinate} is a number input without validation")


def _refresh(tmp_path: Path, setting: str) -> tuple[int, Path]:
    tmp_path.mkdir()
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    code = main(["refresh", str(src), "-o", str(out), "--set", setting])
    return code, out


@pytest.mark.parametrize("side", ["lower", "upper"])
def test_set_accepts_values_just_inside_the_bounds(tmp_path, capsys, side) -> None:
    """All lower (or all upper) bounds at once: one refresh, which writes the workbook."""
    inside = [f"{cell}={value}" for cell, value, _ in BOUNDS if (_is_lower(cell, value)) == (side == "lower")]
    assert len(inside) >= 5
    out = tmp_path / "uit.xlsm"
    code = main(["refresh", str(copy_of(built_workbook(), tmp_path)), "-o", str(out), *_sets(inside)])
    assert code == 0, capsys.readouterr().err
    assert out.exists()


def _is_lower(cell: str, value: str) -> bool:
    """Whether (cell, value) is the lower of the cell's bounds (a cell with one bound counts as lower)."""
    values = [v for c, v, _ in BOUNDS if c == cell]
    return len(values) == 1 or value == values[0]


def _sets(items: list[str]) -> list[str]:
    return [a for s in items for a in ("--set", s)]


@pytest.mark.parametrize(("cell", "inside", "outside"), BOUNDS)
def test_set_refuses_a_value_just_outside_a_bound(tmp_path, capsys, cell, inside, outside) -> None:
    code, out = _refresh(tmp_path / "w", f"{cell}={outside}")
    err = capsys.readouterr().err
    assert code == 2 and not out.exists(), err
    assert f"--set {cell}={outside}: " in err and "nothing was written" in err


@pytest.mark.parametrize(("cell", "inside", "outside"), YEAR_BOUNDS)
def test_set_bounds_a_year(tmp_path, capsys, cell, inside, outside) -> None:
    _refresh(tmp_path / "in", f"{cell}={inside}")  # the model may refuse it, the bound does not
    assert "expected a year from 2000 to 2100" not in capsys.readouterr().err
    code, out = _refresh(tmp_path / "uit", f"{cell}={outside}")
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"--set {cell}={outside}: expected a year from 2000 to 2100; nothing was written" in err


# Finding: Parameters showed policy inputs, facts and the raming's years all in one yellow.
def test_each_kind_of_input_has_its_own_fill_and_the_legends_show_it() -> None:
    wb = openpyxl.load_workbook(built_workbook())
    par, ovz = wb["Parameters"], wb["Overzicht"]
    legend = {par.cell(4, c).value: _fill(par, par.cell(4, c).coordinate) for c in range(2, 8) if par.cell(4, c).value}
    assert set(legend) == {"Beleidskeuze", "Gegeven", "Indeling", "Toelichting"}
    assert len(set(legend.values())) == 4
    kinds = {
        "Beleidskeuze": ["C7", "F8", "B11", "C17", "C41"],  # indexes, ingroei, overbegroting, an index set
        "Gegeven": ["B12", "B15", "B20"],  # ontwikkeling 2025 (stated), huidig fonds, inwoners
        "Indeling": ["B6", "E16", "B35"],  # the years
        "Toelichting": ["G7", "B21", "B34"],  # a source, the peildatum, an index set's name
    }
    for kind, cells in kinds.items():
        for cell in cells:
            assert _fill(par, cell) == legend[kind], (kind, cell)
            assert not par[cell].protection.locked, cell
    assert _fill(wb["Kernorganisatie"], "C5") == legend["Gegeven"]
    assert _fill(wb["Kernorganisatie"], "B5") == legend["Indeling"]
    assert _fill(wb["Fonds GGU"], "C6") == legend["Gegeven"]
    samples = {c.value: _fill(ovz, c.coordinate) for row in ovz.iter_rows(min_col=2, max_col=2) for c in row if c.value}
    assert {k: samples.get(k) for k in legend} == legend  # the Overzicht's legend of cell colours


# Finding: the sources of the inputs were locked.
@pytest.mark.parametrize("cell", ["G7", "G11", "G12", "G15", "G17", "G20"])
def test_sources_are_editable_inputs(cell) -> None:
    ws = openpyxl.load_workbook(built_workbook())["Parameters"]
    assert isinstance(ws[cell].value, str) if cell != "G20" else True
    assert not ws[cell].protection.locked


def test_an_edited_source_is_kept_and_the_index_source_reaches_the_herkomst(tmp_path, capsys) -> None:
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    code = main(
        ["refresh", str(src), "-o", str(out), "--set", "Parameters!G7=CPB CEP 2025", "--set", "Parameters!G11=ALV 2024"]
    )
    assert code == 0, capsys.readouterr().err
    ws = cached_values(out)["Parameters"]
    assert (ws["G7"].value, ws["G8"].value, ws["G11"].value) == ("CPB CEP 2025", "CPB CEP 2025", "ALV 2024")
    assert ws["A30"].value == "Bron van de indexen" and ws["B30"].value == "CPB CEP 2025"


# Finding: the herkomst did not name the inputs that differ from the Kadernota's.
def test_herkomst_names_every_input_that_differs(tmp_path, capsys) -> None:
    assert cached_values(built_workbook())["Parameters"]["B32"].value.startswith("geen")
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    sets = ["Parameters!C7=3%", "Parameters!D7=4%", "Parameters!E7=4%", "Parameters!F7=4%", "Parameters!B11=2%"]
    assert main(["refresh", str(src), "-o", str(out), *[a for s in sets for a in ("--set", s)]]) == 0
    ws = cached_values(out)["Parameters"]
    assert ws["A32"].value == "Afwijkend van de Kadernota"
    assert ws["B32"].value == (
        "index A 2026: 3,00% (Kadernota: 2,00%); index A 2027: 4,00% (Kadernota: 3,90%); "
        "index A 2028: 4,00% (Kadernota: 3,90%); index A 2029: 4,00% (Kadernota: 3,90%); "
        "ingroei: 2,0% (Kadernota: 1,0%)"
    )
    assert ws["A34"].value == "Indexset 1: naam"  # the index sets stay where they were
