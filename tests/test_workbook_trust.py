"""The official workbook's Scenario, Gemeenten and Controle explanations, and its values-only copy."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.workbook_fixtures import built_workbook, cached_values, copy_of
from vng_xl.cli import main
from vng_xl.export.values import export_values
from vng_xl.recalc import recalc_file
from vng_xl.sources.gemeenten import BadGemeenten, Gemeente
from vng_xl.workbook.gemeenten_sheet import FIRST, MAX_GEMEENTEN, gemeenten_updates
from vng_xl.workbook.scenario_sheet import NAME_ROW, SETS_ROW, YEAR_ROW

LIJST = "Gemeentecode;Gemeentenaam;Inwoners\nGM0001;Aastad;10.000\nGM0002;Beedorp;20000\nGM0003;Ceeveen;30000\n"


def _row(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise KeyError(label)


def _scenario(wb, label: str, first_col: int) -> list[float]:
    ws = wb["Scenario"]
    r = _row(ws, label)
    return [ws.cell(r, first_col + i).value for i in range(4)]


def test_parameters_hold_the_index_sets_side_by_side():
    wb = cached_values(built_workbook())
    par = wb["Parameters"]
    assert par.cell(SETS_ROW + 1, 2).value == "CAO 2026 +1 procentpunt"
    assert par.cell(SETS_ROW + 3, 3).value == pytest.approx(0.030)  # A 2026 of set 1
    names = openpyxl.load_workbook(built_workbook()).defined_names
    assert "Indexset1" in names and "Indexset2" in names


def test_scenario_sheet_shows_each_set_from_the_vng_functions():
    path = built_workbook()
    wb = cached_values(path)
    ws = wb["Scenario"]
    assert ws.cell(NAME_ROW + 1, 2).value == "Kadernota (CPB CEP 2025)"
    assert ws.cell(NAME_ROW + 1, 7).value == "CAO 2026 +1 procentpunt"
    assert [ws.cell(YEAR_ROW + 1, 2 + i).value for i in range(4)] == [2026, 2027, 2028, 2029]
    # The Kadernota's set gives the published figures.
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 2) == pytest.approx(
        [0.021, 0.036, 0.036, 0.036]
    )
    assert [round(v) for v in _scenario(wb, "Fonds GGU: indexatie (€ 1.000)", 2)] == [1723, 3016, 3125, 3237]
    assert [round(v) for v in _scenario(wb, "Fonds GGU: herprioritering (€ 1.000)", 2)] == [-465, -916, -1399, -1449]
    # CAO +1 point in 2026: 2.9% (0.8169 × 3.0% + 0.1831 × 2.4% = 2.89%), Salarissen 39,059,724 × 1.03.
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 7)[0] == pytest.approx(0.029)
    assert round(_scenario(wb, "Salarissen (€)", 7)[0]) == 40231516
    formula = openpyxl.load_workbook(path)["Scenario"].cell(_row(ws, "Salarissen (€)"), 7).value
    assert formula.startswith("=VNG_RAMING(") and formula.endswith(",Indexset1)")


def test_recalculation_reproduces_the_scenario_and_follows_an_edited_set(tmp_path):
    src = built_workbook()
    same = recalc_file(src, tmp_path / "zelfde.xlsm")
    assert same.ok, same.summary()
    before, after = cached_values(src)["Scenario"], cached_values(tmp_path / "zelfde.xlsm")["Scenario"]
    for row in before.iter_rows(min_row=YEAR_ROW + 2, max_row=YEAR_ROW + 6, min_col=2):
        for cell in row:
            if isinstance(cell.value, float):
                assert after[cell.coordinate].value == pytest.approx(cell.value, rel=1e-9)
    # What-if: index A 2026 of set 1 to 5%. The A lines (Salarissen, Dekking Uren, Doorbelasting Salarissen)
    # are 27,862,428 of 34,106,607: 0.8169 × 5% + 0.1831 × 2.4% = 4.52% -> 4.5%.
    a2026 = openpyxl.utils.get_column_letter(3) + str(SETS_ROW + 3)
    edited = recalc_file(src, tmp_path / "cao.xlsm", {"Parameters": {a2026: 0.05}})
    assert edited.ok, edited.summary()
    wb = cached_values(tmp_path / "cao.xlsm")
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 7)[0] == pytest.approx(0.045)
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 2)[0] == pytest.approx(0.021)


def test_controle_sheet_explains_the_discrepancies():
    ws = cached_values(built_workbook())["Controle"]
    header = _row(ws, "Tabel")
    rows = {(r[0], r[1], r[2]): r[8] for r in ws.iter_rows(min_row=header + 1, max_col=9, values_only=True) if r[0]}
    act = rows[("Kosten kernorganisatie", "Activiteitskosten", 2028)]
    assert "in 2027 index A (loonontwikkeling, 3,9%) is gebruikt in plaats van B" in act
    assert (
        "afgerond op hele euro's"
        in rows[("Kosten kernorganisatie", "Doorbelasting Salarissen Gelieerde instellingen", 2027)]
    )
    assert "Activiteitskosten de verklaarde waarde" in rows[("Kosten kernorganisatie", "Totaal", 2029)]
    assert rows[("Kosten kernorganisatie", "Salarissen", 2027)] is None


def test_controle_command_on_the_workbook(capsys):
    assert main(["controle", str(built_workbook())]) == 1
    out = capsys.readouterr().out
    assert "Activiteitskosten" in out and "index A (loonontwikkeling, 3,9%)" in out


def test_controle_command_reads_the_workbooks_own_figures(tmp_path, capsys):
    # A published figure changed in the workbook is what the command compares with.
    path = copy_of(built_workbook(), tmp_path)
    ws = cached_values(path)["Gepubliceerd"]
    r = _row(ws, "Salarissen")
    main(["refresh", str(path)])  # keep the workbook consistent before editing it
    from vng_xl.ooxml.package import write_cells

    write_cells(path, path, {"Gepubliceerd": {f"D{r}": 41394714 + 7}})  # 2027
    capsys.readouterr()
    assert main(["controle", str(path)]) == 1
    out = capsys.readouterr().out
    assert "41.394.721" in out and "geen van de onderzochte vergissingen" in out


def test_gemeenten_sheet_is_empty_after_a_build():
    ws = cached_values(built_workbook())["Gemeenten"]
    assert ws.cell(FIRST + 1, 1).value is None
    assert ws["B5"].value == pytest.approx(83_778_155)  # bijdrage leden 2026 in euros


def test_gemeenten_command_writes_the_list_into_the_workbook(tmp_path, capsys):
    csv = tmp_path / "gemeenten.csv"
    csv.write_text(LIJST, encoding="utf-8")
    out = tmp_path / "met_gemeenten.xlsm"
    assert main(["gemeenten", str(csv), "--werkmap", str(built_workbook()), "-o", str(out), "--bron", "test"]) == 0
    wb = cached_values(out)
    ws = wb["Gemeenten"]
    # 83,778,155 / 60,000 = 1,396.30258 -> 1,396.303 per inwoner; bills 13,963,030 etc.; 25 over.
    assert ws["B7"].value == pytest.approx(1396.303)
    assert [ws.cell(FIRST + 1 + i, 4).value for i in range(3)] == [13963030, 27926060, 41889090]
    assert ws["B9"].value == pytest.approx(25)
    assert ws["B10"].value == "test"
    # Excel's own formulas (here the headless recalculation) give the same bill.
    again = recalc_file(out, tmp_path / "herberekend.xlsm")
    assert again.ok, again.summary()
    ws2 = cached_values(tmp_path / "herberekend.xlsm")["Gemeenten"]
    assert ws2["B9"].value == pytest.approx(25)
    assert ws2.cell(FIRST + 3, 4).value == pytest.approx(41889090)
    # The rest of the workbook is untouched: VBA still there.
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_a_list_longer_than_the_sheet_is_refused():
    many = [Gemeente(f"GM{i:04d}", f"G{i}", 1) for i in range(MAX_GEMEENTEN + 1)]
    with pytest.raises(BadGemeenten, match="room for 400"):
        gemeenten_updates(many, 1000.0, 2026)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "vng_begroting_2026.xlsx"
    export_values(built_workbook(), out)
    return out


def test_export_of_the_built_workbook_keeps_every_value(export):
    src = cached_values(built_workbook())
    copy = openpyxl.load_workbook(export)
    assert copy.sheetnames == src.sheetnames
    n = 0
    for ws in src:
        # The cells that tell a user what to do (the sheet's local name Aanwijzingen) get the copy's own line.
        name = ws.defined_names.get("Aanwijzingen")
        marked = {ref.replace("$", "") for _, ref in name.destinations} if name else set()
        for row in ws.iter_rows():
            for cell in row:
                other = copy[ws.title][cell.coordinate]
                assert other.data_type != "f"
                if cell.coordinate in marked:
                    assert other.value.startswith("Publicatieversie: alleen waarden"), (ws.title, cell.coordinate)
                elif cell.value not in (None, ""):
                    assert other.value == cell.value, (ws.title, cell.coordinate)
                    n += 1
    assert n > 1000
    assert set(copy.defined_names) == set(openpyxl.load_workbook(built_workbook()).defined_names)
    with zipfile.ZipFile(export) as z, zipfile.ZipFile(built_workbook()) as y:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert charts == sorted(n for n in y.namelist() if n.startswith("xl/charts/chart"))
        assert not [n for n in z.namelist() if "vba" in n.lower()]


@pytest.mark.libreoffice
def test_libreoffice_renders_the_export_to_pdf(export, tmp_path):
    assert main(["export", str(built_workbook()), str(tmp_path / "kopie.xlsx"), "--pdf"]) == 0
    pdf = tmp_path / "kopie.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Scenario" in text and "Herkomst" in text and "Activiteitskosten" in text


def test_headless_refresh_follows_an_index_set_edited_in_the_workbook(tmp_path):
    from vng_xl.ooxml.package import write_cells

    path = copy_of(built_workbook(), tmp_path)
    a2026 = f"C{SETS_ROW + 3}"
    write_cells(path, path, {"Parameters": {a2026: 0.05, f"B{SETS_ROW + 1}": "CAO 5%"}})
    assert main(["refresh", str(path)]) == 0
    wb = cached_values(path)
    # 0.8169 × 5% + 0.1831 × 2.4% = 4.52% -> 4.5%; the Kadernota's own column stays at 2.1%.
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 7)[0] == pytest.approx(0.045)
    assert _scenario(wb, "Contributiestijging excl. ingroei (indexatie)", 2)[0] == pytest.approx(0.021)
    assert wb["Scenario"].cell(NAME_ROW + 1, 7).value == "CAO 5%"
    assert wb["Parameters"][a2026].value == 0.05


def test_headless_refresh_reports_a_broken_index_set(tmp_path, capsys):
    from vng_xl.ooxml.package import write_cells

    path = copy_of(built_workbook(), tmp_path)
    write_cells(path, path, {"Parameters": {f"D{SETS_ROW + 9}": "veel"}})  # set 2, index B 2027
    assert main(["refresh", str(path)]) == 2  # bad input
    captured = capsys.readouterr()
    assert "Indexset 2" in captured.err and captured.out == ""


def test_gemeenten_into_a_workbook_without_the_sheet_is_refused(tmp_path):
    from vng_xl.workbook.build import build, default_builders
    from vng_xl.workbook.gemeenten_sheet import gemeenten_sheet
    from vng_xl.workbook.werkmap import schrijf_gemeenten

    path = tmp_path / "oud.xlsm"
    build(path, builders=[b for b in default_builders() if b is not gemeenten_sheet])
    with pytest.raises(BadGemeenten, match="has no sheet Gemeenten"):
        schrijf_gemeenten(path, [Gemeente("GM0001", "A", 1)])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["controle", "{tmp}/weg.xlsm"], "weg.xlsm: no such file or folder"),
        (["gemeenten", "{csv}", "--werkmap", "{tmp}/weg.xlsm"], "weg.xlsm: no such file or folder"),
        (["gemeenten", "{csv}", "--werkmap", "{wb}", "-o", "{tmp}/geen/uit.xlsm"], "does not exist"),
    ],
)
def test_workbook_commands_refuse_clearly(tmp_path, capsys, argv, message):
    csv = tmp_path / "g.csv"
    csv.write_text(LIJST, encoding="utf-8")
    assert main([a.format(tmp=tmp_path, csv=csv, wb=built_workbook()) for a in argv]) == 3  # a file problem
    assert message in capsys.readouterr().err
