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


def call_like_excel(udf, *com_args):
    """Call a UDF as xlwings' call_udf does: COM values -> converters -> function -> converters -> COM.

    A range arrives from COM as a tuple of row tuples; a left-out optional argument as the COM
    "missing" marker. Returns what Excel would receive.
    """
    import xlwings
    from xlwings import conversion

    xlwings.engines.engines_by_name.setdefault("excel", ExcelEngineStandIn())
    info = udf.__xlfunc__
    args = []
    for i, value in enumerate(com_args):
        arg_info = info["args"][i]
        if isinstance(value, int) and value == MISSING:
            args.append(arg_info.get("optional", None))
        else:
            args.append(conversion.read(None, value, arg_info["options"]))
    return conversion.write(udf(*args), None, info["ret"]["options"])


MISSING = -2147352572  # what COM passes for a left-out optional argument
COM_ERRORS = {-2146826246: "#N/A", -2146826281: "#DIV/0!", -2146826273: "#VALUE!"}  # cell errors via COM
