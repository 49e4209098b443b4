"""Discrepancies are marked where the figure is: on the computed sheets, not only on the Controle."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests import kadernota_figures as kf
from tests.workbook_fixtures import built_workbook


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
        assert re.fullmatch(rf"AND\(ISNUMBER\({re.escape(own)}\),ABS\({re.escape(own)}-Gepubliceerd!\$.+\)>.+", formula)
    # Salarissen 2026 is compared too (and not marked: within rounding).
    assert cell_of(kern, "Salarissen", 2026) in rules
