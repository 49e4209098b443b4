"""Batch recalculation of workbooks without Excel.

`recalc_file` is the one entry point for a single workbook: apply input updates, recalculate every
formula with the headless evaluator, and write the cached values in one atomic write.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vng_xl.ooxml.package import CellValue, Package
from vng_xl.recalc.workbook import CellIssue, WorkbookEvaluation

__all__ = ["CellIssue", "RecalcOutcome", "recalc_file"]


@dataclass
class RecalcOutcome:
    """What recalculating one workbook did.

    `errors` are formula cells that could not be computed (their cached values were kept);
    `error_values` are cells whose new value is an Excel error raised by a VNG function, with its
    message. `status` is "ok", "incomplete" (some cells not computed) or "failed" (file refused).
    """

    path: str
    output: str | None = None
    formula_cells: int = 0
    changed: int = 0
    errors: list[CellIssue] = field(default_factory=list)
    error_values: list[CellIssue] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "ok"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    def summary(self) -> str:
        """One line for the terminal."""
        name = Path(self.path).name
        if self.status == "failed":
            return f"FAILED {self.message}" if self.message.startswith(name) else f"FAILED {name}: {self.message}"
        head = "ok    " if self.ok else "INCOMPLETE"
        line = (
            f"{head} {name}: {self.formula_cells} formula cells, {self.changed} changed, "
            f"{len(self.errors)} errors, {self.seconds:.2f} s"
        )
        if self.errors:
            first = self.errors[0]
            line += f" (first: {first.sheet}!{first.cell}: {first.reason})"
        if self.error_values:
            first = self.error_values[0]
            line += (
                f"; {len(self.error_values)} cells show #VALUE! from bad input to a VNG function"
                f" (first: {first.sheet}!{first.cell}: {first.reason})"
            )
        return line


def recalc_file(
    src: Path,
    dst: Path,
    updates: Mapping[str, Mapping[str, CellValue]] | None = None,
    *,
    check_lock: bool = True,
) -> RecalcOutcome:
    """Apply `updates` (sheet -> {"B5": value}) to input cells, recalculate all formulas, write dst once.

    Raises vng_xl.workbook.package.PackageError (a subclass per kind of bad input) when the file
    cannot be read or written; cells that cannot be computed are reported in the outcome instead.
    src == dst replaces the file atomically. A workbook open in Excel (its ~$ lock file beside it)
    is refused unless check_lock is False.
    """
    start = time.perf_counter()
    src, dst = Path(src), Path(dst)
    pkg = Package.open(src, check_lock=check_lock)
    try:
        ev = WorkbookEvaluation(pkg, updates)
        ev.run()
        pkg.write(dst, ev.replacements())
    finally:
        pkg.close()
    return RecalcOutcome(
        path=str(src),
        output=str(dst),
        formula_cells=ev.formula_cells,
        changed=ev.changed,
        errors=ev.issues,
        error_values=ev.error_values,
        seconds=round(time.perf_counter() - start, 4),
        status="ok" if not ev.issues else "incomplete",
    )
