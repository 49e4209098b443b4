"""The refresh's headless target: a workbook file read once into memory and written through the one writer.

Writing goes through vng_xl.ooxml.package, which changes only the cells it is given (for formula cells
the cached value) and keeps every other part of the file: VBA, button, charts. The write is refused when
the file changed on disk since it was read, so no one else's change is lost.
"""

from __future__ import annotations

import getpass
import io
from collections.abc import Mapping
from pathlib import Path

import openpyxl

from vng_xl.ooxml.package import Package, cell_replacements
from vng_xl.ooxml.writer import Snapshot, Write, read_file
from vng_xl.workbook.content import CellValue


class HeadlessTarget:
    """A workbook file; `dst` (default: the file itself) receives the refreshed workbook.

    `data` is the workbook's bytes when the caller has read (and perhaps changed) them already, and
    `session` the caller's locked write of dst (vng_xl.ooxml.writer.writing); without one the write
    takes its own lock and checks that the file is still what this target read.
    """

    how = "vng-xl refresh (zonder Excel)"

    def __init__(
        self,
        src: Path,
        dst: Path | None = None,
        user: str | None = None,
        *,
        data: bytes | None = None,
        session: Write | None = None,
    ) -> None:
        self.src = Path(src)
        self.dst = Path(dst) if dst is not None else self.src
        self.user = user or _user()
        self.session = session
        self._data = data
        self._snapshot: Snapshot | None = None
        self._book = None

    def _bytes(self) -> bytes:
        if self._data is None:
            self._data, self._snapshot = read_file(self.src)
        return self._data

    def _workbook(self):
        if self._book is None:
            self._book = openpyxl.load_workbook(io.BytesIO(self._bytes()), read_only=True, data_only=True)
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
        """One write of plain values and formulas' cached results, into the workbook as read."""
        self.close()
        updates: dict[str, dict[str, CellValue]] = {}
        for part in (results, values):
            for sheet, cells in part.items():
                updates.setdefault(sheet, {}).update(cells)
        pkg = Package.from_bytes(self.src, self._bytes(), self._snapshot)
        try:
            pkg.write(self.dst, cell_replacements(pkg, updates), session=self.session)
        finally:
            pkg.close()

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
