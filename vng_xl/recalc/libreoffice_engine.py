"""`--engine libreoffice`: LibreOffice with the VNG add-in computes the workbooks, our writer stores the values.

One headless LibreOffice serves the whole batch. It reads a copy in which every VNG call carries
the add-in's name (LibreOffice 7.4 does not map the Excel names, vng_xl.libreoffice.names); the
original package then gets only new cached values for its formula cells (write_cells), so VBA,
buttons and charts stay byte-identical. A result LibreOffice cannot express as an Excel value
(its own error codes such as Err:502) keeps the cached value and is reported.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from vng_xl.errors import VngError
from vng_xl.libreoffice import session
from vng_xl.libreoffice.addin import IDENTIFIER, build_oxt
from vng_xl.libreoffice.names import copy_for_libreoffice
from vng_xl.ooxml.package import CellValue, Package, PackageError, cell_replacements
from vng_xl.ooxml.sheet_xml import (
    ERROR_CODES,
    ExcelError,
    cell_ref,
    parse_area,
    read_sheet,
    same_value,
    uses_1904_dates,
)
from vng_xl.ooxml.writer import check_writable
from vng_xl.recalc import CellIssue, RecalcOutcome


def formula_cells(path: Path) -> dict[str, dict[str, object]]:
    """Sheet -> {cell: cached value} for every formula cell, the whole block of an array formula included;
    a cached date as a serial number in the workbook's own date system."""
    pkg = Package.open(path)
    try:
        shared, dyn, date1904 = pkg.shared_strings(), pkg.dynamic_array_cm(), uses_1904_dates(pkg.workbook())
        out: dict[str, dict[str, object]] = {}
        for info in pkg.sheets():
            cells = read_sheet(pkg.xml(info.part), shared, dyn, date1904)
            found = out.setdefault(info.name, {})
            for f in cells.formulas:
                r1, c1, r2, c2 = parse_area(f.ref) if f.kind == "array" and f.ref else (f.row, f.col, f.row, f.col)
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        found[cell_ref(r, c)] = cells.values.get((r, c))
        return out
    finally:
        pkg.close()


def excel_value(cell: dict[str, object], cached: object) -> CellValue | None:
    """LibreOffice's result as an Excel cell value; None when it has no Excel equivalent."""
    if "error" in cell:
        text = str(cell.get("text", ""))
        return ExcelError(text) if text in ERROR_CODES else None
    if "text" in cell:
        return str(cell["text"])
    value = float(cell["value"])  # type: ignore[arg-type]
    if isinstance(cached, bool) and value in (0.0, 1.0):  # LibreOffice has no logical type: keep Excel's
        return bool(value)
    return value


def recalc_files_libreoffice(
    pairs: list[tuple[Path, Path]], profile: Path | None = None, backups: list[Path | None] | None = None
) -> list[RecalcOutcome]:
    """Recalculate each (source, target) in one LibreOffice; `backups` get a copy of each target as read.

    The add-in is installed in a private profile unless `profile` (one where
    `vng-xl libreoffice install --profile` put it) is given.

    Every source is read (and refused on bad input) before LibreOffice starts.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vng-xl-lo-recalc-") as work:
        before = [formula_cells(src) for src, _ in pairs]
        copies = []
        for i, (src, _) in enumerate(pairs):
            copies.append(Path(work, f"{i}{src.suffix}"))
            copy_for_libreoffice(src, copies[-1])
        job: dict[str, object] = {"compute": [str(c) for c in copies]}
        if profile is None:
            job |= {"remove": IDENTIFIER, "install": str(build_oxt(Path(work, "vng_xl.oxt")))}
            profile = Path(work, "profile")
        computed = session.run(job, profile)["computed"]
    outcomes = []
    per_file = (time.perf_counter() - start) / max(1, len(pairs))
    backups = backups or [None] * len(pairs)
    for (src, dst), backup, cached, cells in zip(pairs, backups, before, computed):  # type: ignore[arg-type]
        updates: dict[str, dict[str, CellValue]] = {}
        issues, error_values, changed, count = [], [], 0, 0
        for sheet, refs in cached.items():
            for ref, old in refs.items():
                count += 1
                cell = cells.get(f"{sheet}!{ref}")
                if cell is not None and old is None and cell.get("text") == "":
                    continue  # an empty result, as cached
                value = None if cell is None else excel_value(cell, old)
                if value is None:
                    reason = "not computed by LibreOffice" if cell is None else f"LibreOffice: {cell.get('text')}"
                    issues.append(CellIssue(sheet, ref, reason))
                    continue
                if isinstance(value, ExcelError) or (isinstance(value, str) and value.startswith("#VNG!")):
                    error_values.append(CellIssue(sheet, ref, str(value)))
                if not same_value(old, value):
                    changed += 1
                    updates.setdefault(sheet, {})[ref] = value
        try:
            _write(src, dst, updates, backup)
        except (PackageError, VngError) as exc:  # locked, changed meanwhile, disk full: this file fails alone
            message = exc.en if isinstance(exc, VngError) else str(exc)
            outcomes.append(RecalcOutcome(path=str(src), status="failed", message=message))
            continue
        outcomes.append(
            RecalcOutcome(
                path=str(src),
                output=str(dst),
                formula_cells=count,
                changed=changed,
                errors=issues,
                error_values=error_values,
                seconds=round(per_file, 4),
                status="incomplete" if issues else "ok",
            )
        )
    return outcomes


def _write(src: Path, dst: Path, updates: dict[str, dict[str, CellValue]], backup: Path | None) -> None:
    """The new cached values into the original package, through the one writer."""
    pkg = Package.open(src, check_lock=False)
    try:
        pkg.write(dst, cell_replacements(pkg, updates), backup=backup)
    finally:
        pkg.close()


def run_batch_libreoffice(jobs: list, profile: Path | None = None) -> list[RecalcOutcome]:
    """The batch's jobs (vng_xl.recalc.batch.plan) in one LibreOffice; a refused file fails alone."""
    ready, outcomes = [], {}
    for job in jobs:
        try:
            check_writable(job.dst)
            Package.open(job.src).close()  # refuse bad input before LibreOffice starts
        except (PackageError, VngError) as exc:
            message = exc.en if isinstance(exc, VngError) else str(exc)
            outcomes[job.src] = RecalcOutcome(path=str(job.src), status="failed", message=message)
            continue
        ready.append(job)
    if ready:
        pairs = [(job.src, job.dst) for job in ready]
        done = recalc_files_libreoffice(pairs, profile, [job.backup for job in ready])
        outcomes.update({job.src: outcome for job, outcome in zip(ready, done)})
    return [outcomes[job.src] for job in jobs]
