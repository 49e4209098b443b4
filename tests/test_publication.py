"""The publication copy of the official workbook: values only, marked as such, printed in Dutch notation.

Expected figures are typed from the Kadernota (tests/kadernota_figures.py) or written out here as the
document prints them; the copy is read back with openpyxl and its PDF with pdftotext.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.workbook_fixtures import built_workbook
from vng_xl.export.values import export_values, render_pdf
from vng_xl.workbook.layout import INVOERSOORTEN, read_layout

LINE = "Publicatieversie: alleen waarden"


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publicatie") / "vng_begroting_2026.xlsx"
    export_values(built_workbook(), out)
    return out


def _texts(ws) -> list[tuple[str, str]]:
    return [(c.coordinate, c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_every_sheet_is_protected_and_has_no_unlocked_cell(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    for ws in wb:
        assert ws.protection.sheet, ws.title
        unlocked = [c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False]
        assert unlocked == [], (ws.title, unlocked[:5])
        assert not ws.data_validations.dataValidation, ws.title


def test_no_input_colour_is_left(copy: Path) -> None:
    opmaak = read_layout().opmaak
    fills = {opmaak[soort.kleur].lstrip("#").upper() for soort in INVOERSOORTEN.values()} - {"FFFFFF"}
    font = opmaak["invoer_tekst"].lstrip("#").upper()
    as_built = openpyxl.load_workbook(built_workbook())["Parameters"]["C7"]  # index A 2025, an input
    assert as_built.protection.locked is False and str(as_built.fill.fgColor.rgb).upper()[-6:] in fills
    wb = openpyxl.load_workbook(copy)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert not (c.fill.fill_type and str(c.fill.fgColor.rgb).upper()[-6:] in fills), (ws.title, c)
                assert not (c.font.color is not None and str(c.font.color.rgb).upper().endswith(font)), (ws.title, c)


def test_marked_as_publication_without_refresh_instructions(copy: Path) -> None:
    wb = openpyxl.load_workbook(copy)
    front = wb.sheetnames[0]
    assert front == "Overzicht"
    for name in (front, "Parameters"):
        assert any(v.startswith(LINE) for _, v in _texts(wb[name])), name
    for ws in wb:
        for ref, value in _texts(ws):
            assert "klik Vernieuwen" not in value and "Gele cellen" not in value, (ws.title, ref, value)
            assert "daarna: Vernieuwen" not in value and "Wijzig een set" not in value, (ws.title, ref, value)
        if ws.sheet_state == "visible":
            assert ws.oddHeader.center.text == LINE, ws.title  # on every printed page
    assert "Aanwijzingen" not in wb.defined_names  # the live workbook's list of instruction cells is gone


def test_no_button_and_no_vba(copy: Path) -> None:
    with zipfile.ZipFile(built_workbook()) as z:
        assert any('ObjectType="Button"' in z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        vml = [z.read(n).decode() for n in names if n.endswith(".vml")]
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert not any("vba" in n.lower() for n in names)
    assert not any("Button" in v or "FmlaMacro" in v for v in vml)
    assert vml  # the comments' drawing stays
    assert all("<f>" not in s and "<f " not in s for s in sheets)


def test_figures_stay_as_built(copy: Path) -> None:
    built = openpyxl.load_workbook(built_workbook(), data_only=True)
    wb = openpyxl.load_workbook(copy)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert built[ws.title][c.coordinate].value == c.value


@pytest.mark.libreoffice
def test_the_pdf_prints_dutch_notation(copy: Path, tmp_path: Path) -> None:
    if not shutil.which("pdftotext") or not shutil.which("pdffonts"):
        pytest.skip("pdftotext/pdffonts (poppler-utils) are not installed")
    pdf = render_pdf(copy, tmp_path / "kopie.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    # As the Kadernota prints them: Salarissen 2025, index A 2025, the per-inwoner figure 2026 (Controle).
    for figure in ("39.059.724", "4,40%", "€ 4,644", "(1.449)"):
        assert figure in text, figure
    for english in ("39,059,724", "4.40%", "€ 4.644", "(1,449)"):
        assert english not in text, english
    assert LINE in text
    # Printed in Carlito, Calibri's metric twin, so the page breaks are Excel's (.ci/run installs it).
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert names and all(n.startswith("Carlito") for n in names), names
