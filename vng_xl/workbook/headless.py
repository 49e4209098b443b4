"""The refresh's headless target: reads a workbook file and writes through the project's lossless writer.

Writing goes through vng_xl.workbook.package.write_cells, which changes only the cells it is given
(for formula cells the cached value) and keeps every other part of the file: VBA, button, charts.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path

import openpyxl

from vng_xl.ooxml.package import check_target, write_cells
from vng_xl.workbook.content import CellValue


class HeadlessTarget:
    """A workbook file on disk; `dst` (default: the file itself) receives the refreshed workbook."""

    how = "vng-xl refresh (zonder Excel)"

    def __init__(self, src: Path, dst: Path | None = None, user: str | None = None) -> None:
        self.src = Path(src)
        self.dst = Path(dst) if dst is not None else self.src
        self.user = user or _user()
        self._book = None

    def _workbook(self):
        if self._book is None:
            self._book = openpyxl.load_workbook(self.src, read_only=True, data_only=True)
        return self._book

    def read(self, sheet: str, ref: str) -> list[list[CellValue]]:
        """The cached values of a block, as any reader sees them."""
        ws = self._workbook()[sheet]
        return [[c.value for c in row] for row in ws[ref]]

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self._workbook().sheetnames

    def write(
        self, values: Mapping[str, Mapping[str, CellValue]], results: Mapping[str, Mapping[str, CellValue]]
    ) -> None:
        """One atomic write of plain values and formulas' cached results."""
        self.close()
        check_target(self.dst)
        updates: dict[str, dict[str, CellValue]] = {}
        for part in (results, values):
            for sheet, cells in part.items():
                updates.setdefault(sheet, {}).update(cells)
        write_cells(self.src, self.dst, updates)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
