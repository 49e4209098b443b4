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
