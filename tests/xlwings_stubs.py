"""Load xlwings' Windows-only UDF module on Linux, with pywin32 stubbed, to use its own code in tests."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from unittest import mock

import pytest

WINDOWS_MODULES = (
    "pythoncom",
    "pywintypes",
    "win32api",
    "win32com",
    "win32com.client",
    "win32com.server",
    "win32com.server.util",
    "win32com.server.dispatcher",
    "win32com.server.policy",
    "win32com.client.gencache",
)


def load_xlwings_udfs(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import xlwings.udfs (its decorators and VBA generator are plain Python) with pywin32 stubbed."""
    for name in WINDOWS_MODULES:
        if name not in sys.modules:
            monkeypatch.setitem(sys.modules, name, mock.MagicMock(name=name))
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    try:
        return importlib.import_module("xlwings.udfs")
    except Exception as exc:  # pragma: no cover - depends on the installed xlwings
        pytest.skip(f"xlwings.udfs does not load here: {exc}")


class _ComValues:
    """What xlwings' Windows engine does to cell values on their way in and out (see xlwings._xlwindows)."""

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(c):
            if c == "" or c is None:
                return empty_as
            if isinstance(c, int) and c in COM_ERRORS:
                return COM_ERRORS[c] if err_to_str else None
            if number_builder is not None and isinstance(c, float):
                return number_builder(c)
            return c

        return [[clean(c) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x, date_format):
        import numpy as np

        if x is None or (isinstance(x, (float, np.floating)) and np.isnan(x)):
            return ""
        if isinstance(x, np.number):
            return float(x)
        return x


class ExcelEngineStandIn:
    """Registered as xlwings' "excel" engine so its own converters run on Linux."""

    name = "excel"
    impl = _ComValues()


def call_like_excel(udf, *com_args, caller=None):
    """Call a UDF as xlwings' call_udf does: COM values -> converters -> function -> converters -> COM.

    A range arrives from COM as a tuple of row tuples, or as an xlwings Range (see com_range) where
    the argument is read as a reference; a left-out optional argument as the COM "missing" marker.
    The reserved argument `caller` gets the calling cell, as xlwings assigns it. Returns what Excel
    would receive.
    """
    import xlwings
    from xlwings import conversion

    xlwings.engines.engines_by_name.setdefault("excel", ExcelEngineStandIn())
    info = udf.__xlfunc__
    com_args = list(com_args)
    for arg_info in info["args"]:
        if arg_info["name"] == "caller":  # the wrapper passes Nothing there; call_udf puts the caller in
            com_args += [None] * (arg_info["pos"] + 1 - len(com_args))
            com_args[arg_info["pos"]] = caller
    args = []
    for i, value in enumerate(com_args):
        arg_info = info["args"][i]
        if isinstance(value, int) and value == MISSING:
            args.append(arg_info.get("optional", None))
        elif isinstance(value, xlwings.Range) and arg_info["name"] != "caller":
            args.append(conversion.read(value, None, arg_info["options"]))
        else:
            args.append(conversion.read(None, value, arg_info["options"]))
    return conversion.write(udf(*args), None, info["ret"]["options"])


MISSING = -2147352572  # what COM passes for a left-out optional argument
COM_ERRORS = {-2146826246: "#N/A", -2146826281: "#DIV/0!", -2146826273: "#VALUE!"}  # cell errors via COM


class ComBook:
    """A workbook for ComCell: per sheet, per (row, column), a COM value and a formula ("" for none)."""

    def __init__(self, name: str = "vng.xlsm", cells: dict | None = None) -> None:
        self.name = name
        self.app = _Named("excel", engine=_ComValues(), pid=1)
        self.cells: dict[str, dict[tuple[int, int], tuple[object, str]]] = cells or {}

    def sheets(self, name: str) -> _ComSheet:
        if name not in self.cells:
            raise KeyError(name)
        return _ComSheet(name, self)

    def range(self, sheet: str, row: int, column: int, rows: int = 1, columns: int = 1):
        """An xlwings Range over these cells: what xlwings hands a UDF for a reference or as `caller`."""
        import xlwings

        return xlwings.Range(impl=ComCell(_ComSheet(sheet, self), row, column, rows, columns))


class _Named:
    def __init__(self, name: str, **attrs: object) -> None:
        self.name = name
        self.__dict__.update(attrs)


class _ComSheet:
    def __init__(self, name: str, book: ComBook) -> None:
        self.name, self.book = name, book

    def range(self, cell1: tuple[int, int], cell2: tuple[int, int] | None = None) -> ComCell:
        (r1, c1), (r2, c2) = cell1, cell2 or cell1
        return ComCell(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)


class ComCell:
    """The part of xlwings' Windows Range implementation a UDF's Range argument and `caller` use.

    Wrapped in xlwings' own `Range(impl=...)`, so our code goes through xlwings' real Range API:
    sheet and book names, row, column, shape, formula, `options(...).value` through its converters.
    Values are COM values (errors as the COM_ERRORS integers); like COM, a block gives row tuples.
    """

    max_cells_per_read = None

    def __init__(self, sheet: _ComSheet, row: int, column: int, rows: int = 1, columns: int = 1) -> None:
        self.sheet, self.row, self.column, self.shape = sheet, row, column, (rows, columns)

    def _grid(self, part: int) -> tuple:
        cells = self.sheet.book.cells.get(self.sheet.name, {})
        rows, columns = self.shape
        return tuple(
            tuple(cells.get((self.row + i, self.column + j), (None, ""))[part] for j in range(columns))
            for i in range(rows)
        )

    @property
    def raw_value(self):
        return self._grid(0)

    @property
    def formula(self):
        grid = self._grid(1)
        return grid[0][0] if self.shape == (1, 1) else grid


def com_range(sheet: str, row: int, column: int, values=((None,),), book: str = "vng.xlsm"):
    """An xlwings Range over cells that hold `values` (COM values, row tuples) and no formulas."""
    cells = {(row + i, column + j): (v, "") for i, r in enumerate(values) for j, v in enumerate(r)}
    return ComBook(book, {sheet: cells}).range(sheet, row, column, len(values), len(values[0]))
