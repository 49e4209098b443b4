"""`--engine excel`: the same recalculation through a hidden Excel instance (Windows, macOS).

Thin on purpose: Excel opens the file with macros disabled, calculates fully, and saves to dst;
the outcome is counted the same way as the headless engine's. Excel rewrites the whole package
when it saves, so the byte-for-byte guarantees of the headless engine do not apply here.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from vng_xl.ooxml.package import CellValue, Package
from vng_xl.ooxml.writer import write_file
from vng_xl.recalc import CellIssue, RecalcOutcome

MSO_AUTOMATION_SECURITY_FORCE_DISABLE = 3  # never run a workbook's VBA
_app = None


class ExcelUnavailable(RuntimeError):
    """--engine excel where there is no Excel (Linux, or Excel not installed)."""


def excel_available() -> bool:
    """Whether this machine can run Excel through xlwings at all."""
    return sys.platform in ("win32", "darwin")


def _excel():
    """One hidden Excel instance per process, closed at exit."""
    global _app
    if _app is None:
        if not excel_available():
            raise ExcelUnavailable("--engine excel needs Microsoft Excel (Windows or macOS)")
        import xlwings as xw

        _app = xw.App(visible=False, add_book=False)
        _app.display_alerts = False
        _app.screen_updating = False
        _app.api.AutomationSecurity = MSO_AUTOMATION_SECURITY_FORCE_DISABLE
        atexit.register(_app.quit)
    return _app


def _formula_values(book) -> dict[tuple[str, str], object]:
    out = {}
    for sheet in book.sheets:
        used = sheet.used_range
        formulas, values = used.formula, used.value
        if not isinstance(formulas, (list, tuple)) or not formulas or not isinstance(formulas[0], (list, tuple)):
            formulas, values = [[formulas]], [[values]]
        for i, row in enumerate(formulas):
            for j, f in enumerate(row):
                if isinstance(f, str) and f.startswith("="):
                    cell = used[i, j].address.replace("$", "")
                    out[(sheet.name, cell)] = values[i][j]
    return out


def recalc_file_excel(
    src: Path,
    dst: Path,
    updates: Mapping[str, Mapping[str, CellValue]] | None = None,
    *,
    backup: Path | None = None,
) -> RecalcOutcome:
    """Recalculate a workbook in Excel and save it to dst (same contract as vng_xl.recalc.recalc_file).

    Excel works on a private copy; the result goes to dst through the one writer, refused when dst
    is src and changed meanwhile."""
    start = time.perf_counter()
    src, dst = Path(src), Path(dst)
    pkg = Package.open(src)  # the same refusals for bad input as the headless engine
    pkg.close()
    folder = Path(tempfile.mkdtemp(prefix="vng-excel-"))
    try:
        work = folder / src.name
        work.write_bytes(pkg.data)
        book = _excel().books.open(str(work), update_links=False, read_only=False)
        try:
            before = _formula_values(book)
            for sheet, cells in (updates or {}).items():
                for ref, value in cells.items():
                    book.sheets[sheet].range(ref).value = value
            book.app.api.CalculateFull()
            after = _formula_values(book)
            book.save()
        finally:
            book.close()
        write_file(dst, work.read_bytes(), expected=pkg.snapshot, backup=backup)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    errors = [CellIssue(s, c, str(v)) for (s, c), v in after.items() if isinstance(v, str) and v.startswith("#")]
    return RecalcOutcome(
        path=str(src),
        output=str(dst),
        formula_cells=len(after),
        changed=sum(1 for k, v in after.items() if before.get(k) != v),
        error_values=errors,
        seconds=round(time.perf_counter() - start, 4),
    )
