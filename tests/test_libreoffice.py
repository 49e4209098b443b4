"""LibreOffice opens the built workbook headless and prints it to PDF: a sound file showing its figures.

LibreOffice cannot run the VNG functions; what it prints are the cached values every reader sees.
It runs with a fresh profile set to the Dutch locale, so amounts print as the Kadernota prints them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.workbook_fixtures import built_workbook
from vng_xl.libreoffice.runner import DUTCH_LOCALE, convert

pytestmark = pytest.mark.libreoffice


def to_pdf(workbook: Path, folder: Path) -> Path:
    """Convert in a throw-away profile set to the Dutch locale; returns the PDF."""
    (pdf,) = convert(workbook, "pdf", folder, settings=DUTCH_LOCALE)
    return pdf


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("lo")
    pdf = to_pdf(built_workbook(), folder)
    assert pdf.is_file()
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def test_no_error_values(pdf_text: str) -> None:
    for error in ("#WAARDE!", "#VALUE!", "#NAAM?", "#NAME?", "Err:", "#REF!", "#VERW!"):
        assert error not in pdf_text


@pytest.mark.parametrize(
    "figure",
    [
        "39.840.918",  # Salarissen 2026
        "34.813.716",  # Kosten 'Kernorganisatie' 2026
        "-10.552.186",  # Dekking Uren 2026: negative amounts with a minus, as the document
        "3,1%",  # contributiestijging 2026
        "85.919",  # Fonds GGU basisbegroting 2026
        "(1.449)",  # herprioritering 2029, in brackets as the document
        "94.087",  # Totaal Dekking 2029
        "Vul het aantal inwoners in",  # the bijdrage per inwoner waits for a population count
        "AFWIJKING",  # the Controle shows the real discrepancies
    ],
)
def test_key_figures_are_printed(pdf_text: str, figure: str) -> None:
    assert figure in pdf_text


def test_every_visible_sheet_is_printed(pdf_text: str) -> None:
    for title in [
        "Parameters van de meerjarenraming",
        "Kosten kernorganisatie (bedragen in euro's)",
        "Fonds GGU: meerjarig perspectief",
        "Gepubliceerd: de cijfers",
        "Controle: berekend tegen",
    ]:
        assert title in pdf_text
    assert "UDF Modules" not in pdf_text  # the conf sheet is hidden
