"""The built workbook read back with openpyxl and as raw parts: sheets, names, formulas, values, locks."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests import kadernota_figures as doc
from tests.workbook_fixtures import built_workbook, cached_values, members
from vng_xl.cli import main
from vng_xl.workbook.build import build

SHEETS = [
    "Overzicht",
    "Parameters",
    "Kernorganisatie",
    "Fonds GGU",
    "Gepubliceerd",
    "Scenario",
    "Gemeenten",
    "Controle",
    "xlwings.conf",
]


@pytest.fixture(scope="module")
def values() -> openpyxl.Workbook:
    return cached_values(built_workbook())


@pytest.fixture(scope="module")
def formulas() -> openpyxl.Workbook:
    return openpyxl.load_workbook(built_workbook())


def _rows_by_label(ws, label_col: int = 1) -> dict[str, int]:
    return {row[label_col - 1].value: row[0].row for row in ws.iter_rows() if isinstance(row[0].value, str)}


def test_two_builds_are_identical(tmp_path: Path) -> None:
    again = tmp_path / "again.xlsm"
    build(again)
    assert again.read_bytes() == built_workbook().read_bytes()


def test_sheets_in_order_and_conf_hidden(formulas: openpyxl.Workbook) -> None:
    assert formulas.sheetnames == SHEETS
    assert formulas["xlwings.conf"].sheet_state == "hidden"
    assert all(formulas[name].sheet_state == "visible" for name in SHEETS[:-1])


def test_conf_sheet_names_the_udf_module(values: openpyxl.Workbook) -> None:
    ws = values["xlwings.conf"]
    settings = {}
    for row in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if row[0] is None:
            break  # xlwings reads from A1 down to the first empty cell
        settings[row[0]] = row[1]
    assert settings["UDF Modules"] == "vng_xl.excel.udfs"
    assert "Interpreter_Win" not in settings  # the interpreter comes from the user's own configuration


def test_defined_names(formulas: openpyxl.Workbook) -> None:
    names = formulas.defined_names
    expected = {
        "Indexen": "Parameters!$B$6:$F$8",
        "Ingroei": "Parameters!$B$11",
        "GGU_Fonds": "Parameters!$B$15",
        "Overbegroting": "Parameters!$B$16:$E$17",
        "Inwoners": "Parameters!$B$20",
    }
    for name, ref in expected.items():
        assert names[name].attr_text == ref
    for name in [
        "Kernorganisatie_Raming",
        "Contributie",
        "GGU_Begroting",
        "GGU_Dekking",
        "GGU_Per_inwoner",
        "Gepubliceerd",
        "Controle",
        "Herkomst",
        "Status",
    ]:
        assert name in names


def test_parameters_hold_the_documents_indexaties(values: openpyxl.Workbook) -> None:
    ws = values["Parameters"]
    for i, year in enumerate(doc.YEARS):
        col = 2 + i
        assert ws.cell(6, col).value == year
        assert ws.cell(7, col).value == pytest.approx(doc.INDEXATIES[year][0])
        assert ws.cell(8, col).value == pytest.approx(doc.INDEXATIES[year][1])
    assert ws["B11"].value == pytest.approx(doc.INGROEI)
    assert ws["B15"].value == doc.GGU["fonds"][0]
    assert "CPB" in ws["G7"].value
    # The Kadernota does not state its population count, so the workbook ships none: an empty input.
    assert ws["B20"].value is None


def test_kernorganisatie_formulas_take_the_parameters(formulas: openpyxl.Workbook) -> None:
    ws = formulas["Kernorganisatie"]
    rows = _rows_by_label(ws)
    r = rows["Salarissen"]
    assert ws.cell(r, 5).value == f"=VNG_RAMING($C{r},$B{r},E$4,$C$4,Indexen)"
    assert ws.cell(rows["Totaal"], 4).value == f"=SUM(D5:D{rows['Activiteitskosten']})"
    assert re.fullmatch(
        r"=ROUND\(\w+,3\)\+\w+",
        ws.cell(rows["Contributie stijging incl. loon- en prijsontwikkeling"], 5).value,
    )


@pytest.mark.parametrize("line", list(doc.KERNORGANISATIE))
def test_kernorganisatie_values_are_the_documents(values: openpyxl.Workbook, line: str) -> None:
    ws = values["Kernorganisatie"]
    r = _rows_by_label(ws)[line]
    typ, *amounts = doc.KERNORGANISATIE[line]
    assert ws.cell(r, 2).value == typ
    for i, year in enumerate(doc.YEARS):
        shown = round(ws.cell(r, 3 + i).value)
        if (line, year) in doc.NOT_REPRODUCED_LINES:
            assert shown != amounts[i]
        else:
            assert shown == amounts[i], (line, year)


def test_totals_and_contributie(values: openpyxl.Workbook) -> None:
    ws = values["Kernorganisatie"]
    rows = _rows_by_label(ws)
    for label, published in [
        ("Totaal", doc.TOTAAL),
        ("Kosten 'Kernorganisatie'", doc.KOSTEN_KERNORGANISATIE),
        ("Totaal doorbelasting van kosten en overige baten", doc.TOTAAL_DOORBELASTING),
    ]:
        for i, year in enumerate(doc.YEARS):
            value = ws.cell(rows[label], 3 + i).value
            off = year in doc.NOT_REPRODUCED_TOTALS and label != "Totaal doorbelasting van kosten en overige baten"
            tolerance = 20_000 if off else 1  # Activiteitskosten: about 19,000 below the printed figure
            assert abs(value - published[i]) <= tolerance, (label, year)
    stijging = rows["Contributie stijging incl. loon- en prijsontwikkeling"]
    for i, year in enumerate(doc.YEARS):
        assert ws.cell(stijging, 3 + i).value == pytest.approx(doc.CONTRIBUTIESTIJGING[i]), year


def test_fonds_ggu_values_are_the_documents(values: openpyxl.Workbook) -> None:
    ws = values["Fonds GGU"]
    rows = _rows_by_label(ws)
    for nr, (structureel, ontwikkeling, *amounts) in doc.GGU_HOOFDSTUKKEN.items():
        r = next(row for label, row in rows.items() if label.startswith(f"{nr}. "))
        assert (ws.cell(r, 3).value, ws.cell(r, 4).value) == (structureel, ontwikkeling)
        assert [round(ws.cell(r, 5 + i).value) for i in range(4)] == list(amounts)
    for label, post in [
        ("Totaal", "basisbegroting"),
        ("Herprioritering (verlagen overbegroting)", "herprioritering"),
        ("Totaal Begroting", "begroting"),
        ("Huidig fonds (stand vorig boekjaar)", "fonds"),
        ("Indexatie", "indexatie"),
        ("Bijdrage leden", "bijdrage"),
        ("Overbegroting", "overbegroting"),
        ("Totaal Dekking", "dekking"),
    ]:
        assert [round(ws.cell(rows[label], 5 + i).value) for i in range(4)] == list(doc.GGU[post]), label
    # Until the user enters the number of inhabitants, the bijdrage per inwoner is empty and asks for it.
    per_inwoner = rows["Bijdrage leden per inwoner (€)"]
    assert ws.cell(per_inwoner, 5).value in ("", None)
    assert ws.cell(per_inwoner + 1, 1).value.startswith("Vul het aantal inwoners in op het blad Parameters")


def test_every_formula_cell_has_a_cached_value() -> None:
    for name, data in members(built_workbook()).items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        for cell in re.findall(rb"<c [^>]*>(.*?)</c>", data):
            if b"<f" in cell:
                assert b"<v>" in cell, (name, cell[:120])


def test_gepubliceerd_is_plain_values(formulas: openpyxl.Workbook) -> None:
    ws = formulas["Gepubliceerd"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    numbers = {c.value for c in cells if isinstance(c.value, (int, float))}
    assert {34813716, 38721203, 85454, 93156, 4.644} <= numbers


def test_controle_marks_exactly_the_real_discrepancies(values: openpyxl.Workbook) -> None:
    ws = values["Controle"]
    verdicts = {}
    for row in ws.iter_rows(min_row=7, values_only=True):
        if row[7] is not None:
            verdicts[(row[1], row[2])] = row[7]
    off = {k for k, v in verdicts.items() if v == "AFWIJKING"}
    # Activiteitskosten 2027-2029 and the totals that contain it; the one-euro differences of the
    # Doorbelasting Salarissen are rounding.
    expected = {("Activiteitskosten", y) for y in (2027, 2028, 2029)}
    expected |= {(t, y) for t in ("Totaal", "Kosten 'Kernorganisatie'") for y in doc.NOT_REPRODUCED_TOTALS}
    assert off == expected
    assert verdicts[("Doorbelasting Salarissen Gelieerde instellingen", 2027)] == "binnen afronding"
    assert len(verdicts) > 100
    assert ws["C5"].value == len(expected)  # the summary count


def test_controle_formulas_point_at_the_sheets(formulas: openpyxl.Workbook) -> None:
    ws = formulas["Controle"]
    assert ws["D7"].value.startswith("=IF(ISNUMBER(Kernorganisatie!$")
    assert ws["E7"].value.startswith("=Gepubliceerd!$")
    assert ws["F7"].value == '=IF(ISNUMBER(D7),D7-E7,"")'
    assert ws["H7"].value.startswith("=IF(ISNUMBER(D7),IF(ABS(F7)<=G7")


def test_protection_only_inputs_unlocked(formulas: openpyxl.Workbook) -> None:
    for name in SHEETS[:-1]:
        ws = formulas[name]
        assert ws.protection.sheet, name
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
        if name == "Parameters":
            assert {"B6", "F8", "B11", "B12", "B15", "E17", "B20", "G20", "B21"} <= unlocked
            assert "B3" not in unlocked and "B24" not in unlocked  # status and herkomst are written by refresh
        if name == "Kernorganisatie":
            assert {"B5", "C5", "C11", "B14", "C16"} <= unlocked
            assert not {"D5", "E5", "C12", "C18"} & unlocked
        if name in ("Controle", "Gepubliceerd"):
            assert not unlocked


def test_input_cells_look_like_inputs(formulas: openpyxl.Workbook) -> None:
    ws = formulas["Kernorganisatie"]
    assert ws["C5"].fill.fgColor.rgb.endswith("E2EFDA")  # a fact from the document: the "gegeven" fill
    assert not ws["D5"].fill.fgColor.rgb.endswith("E2EFDA")


def test_dutch_number_formats(formulas: openpyxl.Workbook) -> None:
    assert formulas["Kernorganisatie"]["E5"].number_format == "#,##0;-#,##0;0"
    assert formulas["Fonds GGU"]["E13"].number_format == '#,##0;(#,##0);"-"'
    assert formulas["Kernorganisatie"]["D21"].number_format == "0.0%"
    assert formulas["Parameters"]["B7"].number_format == "0.00%"


def test_button_charts_and_vba_parts() -> None:
    parts = members(built_workbook())
    assert "xl/vbaProject.bin" in parts
    assert b"macroEnabled" in parts["[Content_Types].xml"]
    vml = b"".join(v for k, v in parts.items() if k.startswith("xl/drawings/vmlDrawing"))
    assert b"<x:FmlaMacro>[0]!Vernieuwen</x:FmlaMacro>" in vml  # the button runs the macro
    assert b">Vernieuwen<" in vml  # and says so
    charts = [k for k in parts if re.fullmatch(r"xl/charts/chart\d+\.xml", k)]
    assert len(charts) == 3
    titles = b"".join(parts[k] for k in charts)
    assert b"Meerjarenraming kosten kernorganisatie" in titles and b"begroting en dekking" in titles
    assert b"per indexset" in titles  # the Scenario sheet's
    assert b"fullCalcOnLoad" not in parts["xl/workbook.xml"]


def test_cli_build_prints_where_and_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "wb.xlsm"
    assert main(["build", str(out)]) == 0
    text = capsys.readouterr().out
    assert str(out.resolve()) in text and "Excel" in text
    assert out.read_bytes() == built_workbook().read_bytes()


def test_table_formula_variant(tmp_path: Path) -> None:
    """`vorm = "tabel"`: one array formula per table or row, with every cell's cached value."""
    from vng_xl.workbook.layout import DEFAULT_LAYOUT

    layout = tmp_path / "tabel.toml"
    layout.write_text(DEFAULT_LAYOUT.read_text(encoding="utf-8").replace('vorm = "cel"', 'vorm = "tabel"'))
    out = tmp_path / "tabel.xlsm"
    build(out, layout)
    ws = openpyxl.load_workbook(out)["Kernorganisatie"]
    anchor = ws["D5"].value
    assert isinstance(anchor, openpyxl.worksheet.formula.ArrayFormula)
    assert anchor.ref == "D5:G11" and anchor.text == "=VNG_RAMING(C5:C11,B5:B11,$D$4:$G$4,$C$4,Indexen)"
    values = cached_values(out)["Kernorganisatie"]
    assert round(values["G5"].value) == doc.KERNORGANISATIE["Salarissen"][5]
    assert round(values["E10"].value) == doc.KERNORGANISATIE["Dekking Uren"][3]
