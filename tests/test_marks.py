"""Discrepancies marked where the figure is, and a Controle that knows which parameters it compares."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests import kadernota_figures as kf
from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main


@pytest.fixture(scope="module")
def kern() -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(built_workbook())["Kernorganisatie"]


def cell_of(ws, label: str, year: int) -> str:
    """The cell of a line (the last row with that label: Kosten 'Kernorganisatie' is also the heading) and year."""
    row = max(c.row for c in ws["A"] if c.value == label)
    col = next(c.column_letter for c in ws[4] if isinstance(c.value, int) and c.value == year)
    return f"{col}{row}"


def not_reproduced(ws) -> set[str]:
    """The eleven figures of the Kadernota the stated rules do not reproduce, typed from the document."""
    cells = {cell_of(ws, line, year) for line, year in kf.NOT_REPRODUCED_LINES}
    for year in kf.NOT_REPRODUCED_TOTALS:
        cells |= {cell_of(ws, "Totaal", year), cell_of(ws, "Kosten 'Kernorganisatie'", year)}
    return cells


def test_the_eleven_figures_carry_a_note_with_the_published_figure(kern) -> None:
    noted = {c.coordinate: c.comment.text for row in kern.iter_rows() for c in row if c.comment}
    assert set(noted) == not_reproduced(kern)
    assert "1.150.473" in noted[cell_of(kern, "Activiteitskosten", 2027)]  # the document's figure, Dutch notation
    assert "blad Controle" in noted[cell_of(kern, "Totaal", 2029)]


def test_every_figure_is_compared_with_its_published_cell_by_a_conditional_format(kern) -> None:
    rules = {}
    for cf in kern.conditional_formatting:
        for rule in cf.rules:
            rules[str(cf.sqref)] = rule.formula[0]
    for cell in not_reproduced(kern):
        formula = rules[cell]
        own = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", cell)
        o = re.escape(own)
        pattern = rf"AND\(Controle!\$H\$3=\"ja\",ISNUMBER\({o}\),ABS\({o}-Gepubliceerd!\$.+\)>.+"
        assert re.fullmatch(pattern, formula), formula
    # Salarissen 2026 is compared too (and not marked: within rounding).
    assert cell_of(kern, "Salarissen", 2026) in rules


# A Controle that knows what it compares: other parameters are no discrepancies of the document.


def test_other_parameters_are_named_and_not_reported_as_discrepancies(tmp_path) -> None:
    src = copy_of(built_workbook(), tmp_path)
    out = tmp_path / "uit.xlsm"
    assert main(["refresh", str(src), "-o", str(out), "--set", "Parameters!C7=0,03"]) == 0
    wb = cached_values(out)
    controle = wb["Controle"]
    verdicts = [controle.cell(r, 8).value for r in range(7, controle.max_row + 1)]
    assert "AFWIJKING" not in verdicts and "andere invoer" in verdicts
    assert controle["C5"].value == 0  # the Afwijkingen count
    assert controle["H3"].value == "nee"
    melding = controle["E4"].value
    assert "alleen voor de parameterset van de Kadernota" in melding and "index A 2026: 3,00%" in melding
    assert "index A 2026: 3,00%" in wb["Parameters"]["B29"].value  # the herkomst's parameter set
    assert not any(controle.cell(r, 9).value for r in range(7, controle.max_row + 1))  # no slip explanations
    assert "de vergelijking geldt niet" in " ".join(str(c.value) for c in wb["Overzicht"]["A"] if c.value)


def test_the_kadernotas_own_parameters_are_checked_as_before() -> None:
    controle = cached_values(built_workbook())["Controle"]
    assert controle["H3"].value == "ja"
    verdicts = [controle.cell(r, 8).value for r in range(7, controle.max_row + 1)]
    assert verdicts.count("AFWIJKING") == 9 and "andere invoer" not in verdicts  # 9 beyond rounding


def test_marks_on_the_computed_sheets_hold_for_the_kadernotas_parameters_only(kern) -> None:
    for cf in kern.conditional_formatting:
        for rule in cf.rules:
            assert rule.formula[0].startswith('AND(Controle!$H$3="ja",'), rule.formula[0]
