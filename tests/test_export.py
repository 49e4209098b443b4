"""The values-only copy: formulas become their cached values, VBA goes, everything else stays."""

from __future__ import annotations

import csv
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from vng_xl.cli import main
from vng_xl.export.values import ExportError, export_values, render_pdf
from vng_xl.libreoffice.runner import convert
from vng_xl.ooxml.package import PackageError


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> Path:
    """A small macro workbook with what the official one has: formulas with values, a chart, names, VBA."""
    folder = tmp_path_factory.mktemp("bron")
    vba = folder / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # stands in for a VBA project
    path = folder / "werkmap.xlsm"
    wb = xlsxwriter.Workbook(path)
    wb.add_vba_project(str(vba))
    euro = wb.add_format({"num_format": "#,##0", "bold": True})
    ws = wb.add_worksheet("Kernorganisatie")
    ws.set_column("A:A", 40)
    ws.write_row("A1", ["Regel", "2025", "2026"])
    ws.write("A2", "Salarissen")
    ws.write_number("B2", 39059724, euro)
    ws.write_formula("C2", '=VNG_RAMING(B2,"A",2026)', euro, 39840918.48)
    ws.write("A3", "Overige baten")
    ws.write_number("B3", -607000, euro)
    ws.write_formula("C3", "=B3*1.024", euro, -621568)
    ws.write_formula("C4", "=SUM(C2:C3)", euro, 39219350.48)
    ws.write_formula("D2", '=IF(C2>0,"positief","negatief")', None, "positief")
    ws.write_formula("D3", "=C3<0", None, True)
    ws.write_formula("D4", "=1/0", None, "#DIV/0!")
    ws.write_array_formula("E2:E3", "{=B2:B3*2}", None, 78119448)
    ws.write("E3", 0)  # xlsxwriter writes the other cells of an array range as values
    ws.write_dynamic_array_formula("F2:F2", "=_xlfn.SINGLE(B2)", None, 39059724)
    ws.merge_range("A6:C6", "Herkomst: vng_xl, Kadernota 2026", wb.add_format({"italic": True}))
    ws.insert_button("H2", {"macro": "Vernieuwen", "caption": "Vernieuwen"})
    wb.define_name("Salarissen2026", "=Kernorganisatie!$C$2")
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {"name": "Raming", "categories": "=Kernorganisatie!$A$2:$A$3", "values": "=Kernorganisatie!$C$2:$C$3"}
    )
    ws.insert_chart("A8", chart)
    t = wb.add_worksheet("Tabel")
    t.add_table(
        "A1:C3",
        {
            "data": [[1, 2], [3, 4]],
            "columns": [{"header": "a"}, {"header": "b"}, {"header": "som", "formula": "=[@a]+[@b]"}],
        },
    )
    t.write_formula("C2", "=[@a]+[@b]", None, 3)
    t.write_formula("C3", "=[@a]+[@b]", None, 7)
    wb.close()
    return path


@pytest.fixture(scope="module")
def copy(xlsm, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kopie") / "werkmap.xlsx"
    export_values(xlsm, out)
    return out


def test_no_formula_is_left_and_values_are_the_cached_ones(copy):
    wb = openpyxl.load_workbook(copy)
    ws = wb["Kernorganisatie"]
    formulas = [c.coordinate for s in wb for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert ws["C2"].value == 39840918.48
    assert ws["C3"].value == -621568
    assert ws["C4"].value == 39219350.48
    assert ws["D2"].value == "positief"
    assert ws["D3"].value is True
    assert ws["D4"].value == "#DIV/0!"
    assert ws["E2"].value == 78119448
    assert ws["F2"].value == 39059724
    assert wb["Tabel"]["C3"].value == 7


def test_formats_names_merges_and_herkomst_survive(copy):
    wb = openpyxl.load_workbook(copy)
    ws = wb["Kernorganisatie"]
    assert wb.sheetnames == ["Kernorganisatie", "Tabel"]
    assert ws["C2"].number_format == "#,##0" and ws["C2"].font.b
    assert ws.column_dimensions["A"].width == pytest.approx(40, abs=1)
    assert "A6:C6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A6"].value == "Herkomst: vng_xl, Kadernota 2026"
    assert wb.defined_names["Salarissen2026"].attr_text == "Kernorganisatie!$C$2"


def test_vba_is_gone_and_the_package_is_a_plain_xlsx(copy, xlsm):
    with zipfile.ZipFile(xlsm) as z:
        assert "xl/vbaProject.bin" in z.namelist()
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        vml = [z.read(n).decode() for n in names if n.endswith(".vml")]
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert z.testzip() is None
    assert names[0] == "[Content_Types].xml"
    assert not any("vba" in n.lower() for n in names)
    assert "macroEnabled" not in types and "vbaProject" not in types
    assert "spreadsheetml.sheet.main+xml" in types
    assert "vbaProject" not in rels
    # The button goes, and the drawing that held only the button with it.
    assert vml == [] and "legacyDrawing" not in sheet
    assert not any(n.endswith(".rels") and b"vmlDrawing" in z_read for n, z_read in _parts(copy).items())
    assert "<f" not in sheet and ' cm="' not in sheet


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_charts_and_drawings_are_kept(copy, xlsm):
    with zipfile.ZipFile(xlsm) as a, zipfile.ZipFile(copy) as b:
        for part in (
            "xl/charts/chart1.xml",
            "xl/drawings/drawing1.xml",
            "xl/styles.xml",
            "xl/tables/table1.xml",
        ):
            assert part in b.namelist()
        assert a.read("xl/charts/chart1.xml") == b.read("xl/charts/chart1.xml")
        assert a.read("xl/styles.xml") == b.read("xl/styles.xml")
        assert b"calculatedColumnFormula" not in b.read("xl/tables/table1.xml")
    wb = openpyxl.load_workbook(copy)
    assert len(wb["Kernorganisatie"]._charts) == 1


def test_oletools_finds_no_macros(copy, xlsm):
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(copy))
    try:
        assert not parser.detect_vba_macros()
    finally:
        parser.close()


def test_a_formula_without_a_cached_value_is_refused(tmp_path):
    path = tmp_path / "leeg.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Blad").write_formula("A1", "=1+1")
    wb.close()
    # xlsxwriter writes <v>0</v> by default; take the value out as an unrecalculated workbook has none.
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<v>0</v>", b""))
    with pytest.raises(ExportError, match="1 formulas without a computed value \\(Blad!A1\\)"):
        export_values(path, tmp_path / "uit.xlsx")
    report = export_values(path, tmp_path / "uit.xlsx", allow_missing=True)
    assert report.zonder_waarde == ["Blad!A1"]
    assert openpyxl.load_workbook(tmp_path / "uit.xlsx")["Blad"]["A1"].value is None


def _rewrite(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, change(data) if info.filename == part else data)


@pytest.mark.parametrize(
    ("src", "dst", "message"),
    [
        ("werkmap.xlsm", "uit.xlsm", "the copy must be an .xlsx file"),
        ("geen.xlsm", "uit.xlsx", "not an .xlsx/.xlsm workbook"),  # a PackageError (exit 3) since the one error tree
    ],
)
def test_bad_arguments_are_refused(tmp_path, xlsm, src, dst, message):
    source = xlsm if src == "werkmap.xlsm" else tmp_path / src
    if src != "werkmap.xlsm":
        source.write_text("geen zip")
    with pytest.raises((ExportError, PackageError), match=message):
        export_values(source, tmp_path / dst)


def test_the_copy_does_not_overwrite_the_original(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet()
    wb.close()
    with pytest.raises(ExportError, match="must not overwrite"):
        export_values(path, path)


def test_cli_export(xlsm, tmp_path, capsys):
    out = tmp_path / "kopie.xlsx"
    assert main(["export", str(xlsm), str(out)]) == 0
    assert "formulas replaced by their values" in capsys.readouterr().out
    assert out.exists()


@pytest.mark.libreoffice
def test_libreoffice_reads_the_copy(copy, tmp_path):
    convert(copy, "csv", tmp_path)
    rows = list(csv.reader((tmp_path / "werkmap.csv").open(encoding="utf-8", errors="replace")))
    assert rows[1][0] == "Salarissen"
    assert rows[1][3] == "positief"
    assert rows[2][2].replace(",", "").replace(".", "") in ("-621568", "621568")


@pytest.mark.libreoffice
def test_pdf_rendering(copy, tmp_path):
    pdf = render_pdf(copy, tmp_path / "werkmap.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Salarissen" in text and "Herkomst" in text
