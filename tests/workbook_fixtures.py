"""The official workbook, built once per test run into a temporary folder, and ways to read it back."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import openpyxl

from vng_xl.workbook.build import build


@cache
def built_workbook() -> Path:
    """Build the workbook with the repository's layout and macros (once per run)."""
    folder = Path(tempfile.mkdtemp(prefix="vng_wb_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "vng_begroting_2026.xlsm"
    build(path)
    return path


def copy_of(path: Path, folder: Path, name: str = "kopie.xlsm") -> Path:
    """A copy to change, so the shared build stays as built."""
    dst = folder / name
    shutil.copyfile(path, dst)
    return dst


def cached_values(path: Path) -> openpyxl.Workbook:
    """The values a reader that does not recalculate sees."""
    return openpyxl.load_workbook(path, data_only=True)


def members(path: Path) -> dict[str, bytes]:
    """Every part of the package by name."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}
