"""The Vernieuwen button's entry point in Excel: hands the calling workbook to the shared refresh code.

Runs only inside Excel, called by the macro in macros/Vernieuwen.bas through xlwings' RunPython.
For debugging outside the button: `xw.Book("vng_begroting_2026.xlsm").set_mock_caller()` first.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping

import xlwings as xw

from vng_xl.workbook.content import CellValue, a1
from vng_xl.workbook.positions import STATUS
from vng_xl.workbook.refresh import RefreshResult, layout_of, refresh

# The protection the build gives each sheet (see vng_xl.workbook.build), restored after writing.
PROTECTION = {
    "DrawingObjects": True,
    "Contents": True,
    "Scenarios": True,
    "AllowFormattingColumns": True,
    "AllowFormattingRows": True,
}


class XlwingsTarget:
    """An open workbook in Excel."""

    how = "Excel, knop Vernieuwen"

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        try:
            self.user = str(book.app.api.UserName) or getpass.getuser()
        except Exception:  # noqa: BLE001 - the user name is a nicety
            self.user = getpass.getuser()

    def read(self, sheet: str, ref: str) -> list[list[CellValue]]:
        return self.book.sheets[sheet].range(ref).options(ndim=2).value

    def has_sheet(self, sheet: str) -> bool:
        return sheet in [s.name for s in self.book.sheets]

    def write(
        self, values: Mapping[str, Mapping[str, CellValue]], results: Mapping[str, Mapping[str, CellValue]]
    ) -> None:
        """Write the plain cells; Excel recalculates the formulas (`results` are what it will show)."""
        app = self.book.app
        app.screen_updating = False
        try:
            for sheet_name, cells in values.items():
                sheet = self.book.sheets[sheet_name]
                protected = bool(sheet.api.ProtectContents)
                if protected:
                    sheet.api.Unprotect()
                try:
                    for ref, value in cells.items():
                        sheet.range(ref).value = value
                finally:
                    if protected:
                        sheet.api.Protect(**PROTECTION)
            app.calculate()
        finally:
            app.screen_updating = True


def vernieuwen() -> RefreshResult:
    """Refresh the workbook that called: parameters in, figures, Controle and herkomst out."""
    book = xw.Book.caller()
    target = XlwingsTarget(book)
    try:
        return refresh(target)
    except Exception as exc:  # noqa: BLE001 - a button must report, never crash
        status = f"Vernieuwen mislukt door een interne fout ({type(exc).__name__}: {exc}); meld dit aan de beheerder."
        target.write({_parameters_sheet(target): {a1(*STATUS): status}}, {})
        return RefreshResult(False, status)


def _parameters_sheet(target: XlwingsTarget) -> str:
    """The Parameters sheet's name from the workbook's own layout; the default name if even that fails."""
    try:
        return layout_of(target).blad("parameters")
    except Exception:  # noqa: BLE001 - reporting an internal error must not fail itself
        return "Parameters"
