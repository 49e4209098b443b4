"""The workbook prints as a document to hand over: A4, header and footer, page x of y, no empty pages.

LibreOffice prints the built workbook in a Dutch profile; each PDF page names its sheet in the header,
so the pages per sheet can be counted. The page setup itself is read back with openpyxl.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.test_workbook_build import SHEETS
from tests.workbook_fixtures import built_workbook, copy_of
from vng_xl.libreoffice.runner import DUTCH_LOCALE, convert
from vng_xl.sources.gemeenten import Gemeente
from vng_xl.workbook.werkmap import schrijf_gemeenten

TITLE = "VNG Kadernota 2026: meerjarenraming 2026-2029"
VISIBLE = tuple(SHEETS[:-1])  # every sheet but the hidden xlwings.conf


def pdf_pages(workbook: Path, folder: Path) -> list[str]:
    """The text of each page of the workbook printed to PDF by LibreOffice (nl-NL)."""
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("pdftotext/pdfinfo (poppler-utils) are not installed")
    (pdf,) = convert(workbook, "pdf", folder, settings=DUTCH_LOCALE)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    pages = []
    for p in range(1, n + 1):
        cmd = ["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(pdf), "-"]
        pages.append(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return pages


def sheet_of(page: str) -> str:
    """The sheet a page belongs to, from the header's "Blad <name>"."""
    m = re.search(r"Blad (.+?)\s*$", page.splitlines()[0] if page.strip() else "")
    return m.group(1) if m else ""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return pdf_pages(built_workbook(), tmp_path_factory.mktemp("print"))


@pytest.mark.libreoffice
def test_pages_per_sheet(pages: list[str]) -> None:
    counts = {name: sum(sheet_of(p) == name for p in pages) for name in VISIBLE}
    # One page each; the Controle's ~160 rows on a few; an empty Gemeenten list on one page.
    assert {k: v for k, v in counts.items() if k != "Controle"} == {k: 1 for k in VISIBLE if k != "Controle"}
    assert 2 <= counts["Controle"] <= 5
    assert sum(counts.values()) == len(pages)  # every page is one of the visible sheets


@pytest.mark.libreoffice
def test_header_and_footer_on_every_page(pages: list[str]) -> None:
    for i, page in enumerate(pages, start=1):
        assert TITLE in page.splitlines()[0]
        assert f"pagina {i} van {len(pages)}" in page
        assert "vng_xl " in page and "stand van de cijfers: blad Overzicht" in page
        assert re.search(r"Afgedrukt op \d{2}-\d{2}-\d{4}", page)  # the Dutch date of printing


@pytest.mark.libreoffice
def test_no_empty_page_and_headings_repeated(pages: list[str]) -> None:
    for page in pages:
        body = [line for line in page.splitlines()[1:-1] if line.strip()]
        assert len(body) >= 3, page
    for page in (p for p in pages if sheet_of(p) == "Controle"):
        assert re.search(r"Tabel\s+Regel\s+Jaar\s+Berekend\s+Gepubliceerd", page)  # print titles
        assert "Verklaring" in page  # the explanation column is on the page


@pytest.mark.libreoffice
def test_controle_explanations_printed_whole(pages: list[str]) -> None:
    text = " ".join(" ".join(p.split()) for p in pages if sheet_of(p) == "Controle")
    assert "in plaats van B (prijsontwikkeling, 2,2%)" in text


def test_page_setup_of_every_visible_sheet() -> None:
    wb = openpyxl.load_workbook(built_workbook())
    for name in VISIBLE:
        ws = wb[name]
        assert ws.page_setup.paperSize == 9, name  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), name
        assert ws.oddHeader.left.text == TITLE and ws.oddHeader.right.text == "Blad &A", name
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text, name
        assert ws.print_area, name
    assert wb["Controle"].print_title_rows == "$6:$6"
    assert wb["Gemeenten"].print_area == "'Gemeenten'!$A$1:$D$13"  # an empty list: the headings and one row


def test_print_area_follows_a_written_list(tmp_path: Path) -> None:
    path = copy_of(built_workbook(), tmp_path)
    lijst = [Gemeente(f"GM{i:04d}", f"Gemeente {i}", 1000.0 + i) for i in range(1, 121)]
    schrijf_gemeenten(path, lijst)
    ws = openpyxl.load_workbook(path)["Gemeenten"]
    assert ws.print_area == "'Gemeenten'!$A$1:$D$132"  # headings in row 12, the 120th municipality in row 132
    assert ws["B132"].value == "Gemeente 120"
