"""The workbook as a board reads it: formulas by name, charts that neither exaggerate nor rename."""

from __future__ import annotations

import re

import openpyxl
from lxml import etree

from tests.workbook_fixtures import built_workbook, cached_values, members

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
#: A block of cells written out ($E$5:$H$12): what a defined name should stand for in a formula.
RANGE = re.compile(r"\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+")


def _charts() -> dict[str, etree._Element]:
    return {
        name: etree.fromstring(data)
        for name, data in members(built_workbook()).items()
        if name.startswith("xl/charts/chart")
    }


# Finding: the Fonds GGU formulas took raw ranges where defined names exist.
def test_fonds_ggu_formulas_take_the_defined_names() -> None:
    ws = openpyxl.load_workbook(built_workbook())["Fonds GGU"]
    formulas = [c.value for row in ws.iter_rows() for c in row if str(c.value).startswith("=VNG_GGU(")]
    assert len(formulas) >= 7 * 4
    for formula in formulas:
        assert formula.endswith(",GGU_Fonds,Overbegroting,GGU_Hoofdstukken,GGU_Indexatie,Indexen)"), formula
        assert not RANGE.search(formula), formula


def test_the_names_the_fonds_ggu_formulas_take_are_defined() -> None:
    names = openpyxl.load_workbook(built_workbook()).defined_names
    assert names["GGU_Hoofdstukken"].attr_text == "'Fonds GGU'!$B$5:$D$11"
    assert names["GGU_Indexatie"].attr_text.startswith("'Fonds GGU'!$E$")


# Finding: a value axis that starts above zero makes a small gap look large; legends said other
# words than the rows they show.
def test_every_chart_starts_its_value_axis_at_zero() -> None:
    charts = _charts()
    assert len(charts) == 3  # Kernorganisatie, Fonds GGU, Scenario
    for name, chart in charts.items():
        (axis,) = chart.iter(f"{C}valAx")
        assert axis.find(f"{C}scaling/{C}min").get("val") == "0", name


def test_every_series_is_named_by_a_cell_of_its_own_sheet() -> None:
    values = cached_values(built_workbook())
    seen = 0
    for name, chart in _charts().items():
        for ser in chart.iter(f"{C}ser"):
            ref = ser.find(f"{C}tx/{C}strRef/{C}f")
            assert ref is not None, f"{name}: a series with a typed name"
            label_sheet, label_cell = ref.text.rsplit("!", 1)
            val_sheet, val_range = ser.find(f"{C}val/{C}numRef/{C}f").text.rsplit("!", 1)
            assert label_sheet == val_sheet, name
            sheet = values[label_sheet.strip("'")]
            label = sheet[label_cell.replace("$", "")].value
            assert isinstance(label, str) and label, (name, ref.text)
            first = val_range.replace("$", "").split(":")[0]
            if label_cell.replace("$", "").startswith("A"):  # a row's label: the same row as its values
                assert re.sub(r"\D", "", label_cell) == re.sub(r"\D", "", first), (name, label)
            seen += 1
    assert seen == 2 + 3 + 3  # two series on Kernorganisatie, three on Fonds GGU, one per set on Scenario


def test_the_fonds_ggu_legend_names_its_rows() -> None:
    values = cached_values(built_workbook())
    chart = next(c for c in _charts().values() if "Fonds GGU" in etree.tostring(c, encoding="unicode"))
    labels = [
        values["Fonds GGU"][ser.find(f"{C}tx/{C}strRef/{C}f").text.split("!")[1].replace("$", "")].value
        for ser in chart.iter(f"{C}ser")
    ]
    assert labels == ["Totaal", "Bijdrage leden", "Totaal Dekking"]
