"""The refresh's headless target: reads a workbook file and writes through the project's lossless writer.

Writing goes through vng_xl.workbook.package.write_cells, which changes only the cells it is given
(for formula cells the cached value) and keeps every other part of the file: VBA, button, charts.
"""

from __future__ import annotations

import getpass
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import openpyxl

from vng_xl.errors import MissingSheet
from vng_xl.ooxml.package import CorruptPackage, Package, check_target, write_cells
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
            Package.open(self.src, check_lock=False).close()  # a damaged file: PackageError naming it
            self._book = openpyxl.load_workbook(self.src, read_only=True, data_only=True)
        return self._book

    def read(self, sheet: str, ref: str) -> list[list[CellValue]]:
        """The cached values of a block, as any reader sees them; a missing sheet raises MissingSheet."""
        try:
            book = self._workbook()
            if sheet not in book.sheetnames:
                raise MissingSheet(file=self.src.name, sheet=sheet)
            return [[c.value for c in row] for row in book[sheet][ref]]
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a part fails its CRC or is cut short
            raise CorruptPackage(self.src, str(exc)) from None
        except (ValueError, TypeError, IndexError) as exc:  # the reader's word for a malformed sheet
            raise CorruptPackage(self.src, f"sheet {sheet}: {exc}") from None

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
        try:
            write_cells(self.src, self.dst, updates)
        except ValueError as exc:  # a malformed sheet the patcher cannot place a cell in
            raise CorruptPackage(self.src, str(exc)) from None

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
