"""The refresh's headless target: a workbook file read once into memory and written through the one writer.

Cells are read with openpyxl (numbers, dates and booleans typed as any reader sees them), their text
from the package's own sheet reader: openpyxl decodes the escape of a literal `_xHHHH_`
(`_x005F_xHHHH_`) wrongly, so a name holding one would come back changed.

Writing goes through vng_xl.ooxml.package, which changes only the cells it is given (for formula cells
the cached value) and keeps every other part of the file: VBA, button, charts. The write is refused when
the file changed on disk since it was read, so no one else's change is lost.
"""

from __future__ import annotations

import getpass
import io
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl

from vng_xl.errors import MissingSheet
from vng_xl.ooxml.package import CorruptPackage, Package, cell_replacements
from vng_xl.ooxml.sheet_read import read_part
from vng_xl.ooxml.sheet_xml import ExcelError, parse_area
from vng_xl.ooxml.writer import Snapshot, Write, read_file
from vng_xl.workbook.content import CellValue


class HeadlessTarget:
    """A workbook file; `dst` (default: the file itself) receives the refreshed workbook.

    `data` is the workbook's bytes when the caller has read (and perhaps changed) them already, and
    `session` the caller's locked write of dst (vng_xl.ooxml.writer.writing); without one the write
    takes its own lock and checks that the file is still what this target read.
    """

    how = "Vernieuwen zonder Excel (opdrachtregel)"

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
        self._pkg: Package | None = None
        self._strings: list[str] | None = None  # the shared string table, decoded
        self._texts: dict[str, dict[tuple[int, int], object]] = {}

    def _bytes(self) -> bytes:
        if self._data is None:
            self._data, self._snapshot = read_file(self.src)
        return self._data

    def _workbook(self):
        if self._book is None:
            self._pkg = Package.from_bytes(self.src, self._bytes())  # a damaged file: PackageError naming it
            self._book = openpyxl.load_workbook(io.BytesIO(self._bytes()), read_only=True, data_only=True)
        return self._book

    def read(self, sheet: str, ref: str) -> list[list[CellValue]]:
        """The cached values of a block, as any reader sees them; a missing sheet raises MissingSheet."""
        try:
            book = self._workbook()
            if sheet not in book.sheetnames:
                raise MissingSheet(file=self.src.name, sheet=sheet)
            rows = [[c.value for c in row] for row in book[sheet][ref]]
            return _with_texts(rows, parse_area(ref)[:2], self._sheet_values(sheet))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a part fails its CRC or is cut short
            raise CorruptPackage(self.src, str(exc)) from None
        except (ValueError, TypeError, IndexError) as exc:  # the reader's word for a malformed sheet
            raise CorruptPackage(self.src, f"sheet {sheet}: {exc}") from None

    def _sheet_values(self, sheet: str) -> dict[tuple[int, int], object]:
        """The sheet's cell values as the package's reader decodes them, read once per sheet."""
        if sheet not in self._texts:
            pkg = self._pkg
            part = next((s.part for s in pkg.sheets() if s.name == sheet), None)
            if part is None:  # a sheet openpyxl reads but the package does not list (not a worksheet)
                self._texts[sheet] = {}
            else:
                if self._strings is None:
                    self._strings = pkg.shared_strings()
                self._texts[sheet] = read_part(pkg, part, self._strings).values
        return self._texts[sheet]

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self._workbook().sheetnames

    def write(
        self,
        values: Mapping[str, Mapping[str, CellValue]],
        results: Mapping[str, Mapping[str, CellValue]],
        more: Callable[[Package], Mapping[str, bytes]] | None = None,
    ) -> None:
        """One write of plain values and formulas' cached results, into the workbook as read.

        `more` gives further patched parts of the package for the same write (a moved print area).
        """
        self.close()
        updates: dict[str, dict[str, CellValue]] = {}
        for part in (results, values):
            for sheet, cells in part.items():
                updates.setdefault(sheet, {}).update(cells)
        pkg = Package.from_bytes(self.src, self._bytes(), self._snapshot)
        try:
            replacements = cell_replacements(pkg, updates)
            if more is not None:
                replacements.update(more(pkg))
            pkg.write(self.dst, replacements, session=self.session)
        except ValueError as exc:  # a malformed sheet the patcher cannot place a cell in
            raise CorruptPackage(self.src, str(exc)) from None
        finally:
            pkg.close()

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None
        if self._pkg is not None:
            self._pkg.close()
            self._pkg = None
        self._strings, self._texts = None, {}


def _with_texts(
    rows: list[list[CellValue]], origin: tuple[int, int], decoded: Mapping[tuple[int, int], object]
) -> list[list[CellValue]]:
    """The block with each text openpyxl read replaced by the same cell's text as the package decodes it
    (an error value, such as #DIV/0!, stays as openpyxl gives it)."""
    top, left = origin
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str):
                text = decoded.get((top + i, left + j))
                if isinstance(text, str) and not isinstance(text, ExcelError):
                    row[j] = text
    return rows


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
