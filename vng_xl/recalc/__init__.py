"""Batch recalculation of workbooks without Excel.

`recalc_file` is the one entry point for a single workbook: apply input updates, recalculate every
formula with the headless evaluator, and write the cached values in one atomic write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vng_xl.ooxml.package import CellValue, Package, WorkbookInUse, is_lock_file_name
from vng_xl.ooxml.writer import excel_lock_file, writing

if TYPE_CHECKING:
    from vng_xl.recalc.workbook import CellIssue

__all__ = ["CellIssue", "RecalcOutcome", "evaluate_package", "recalc_file"]


def __getattr__(name: str) -> object:
    """CellIssue on first use: the evaluator is imported when a file is evaluated, not with the batch."""
    if name == "CellIssue":
        from vng_xl.recalc.workbook import CellIssue

        return CellIssue
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
            named = self.message.split(": ", 1)[0].endswith(name)  # the message names the file already
            return f"FAILED {self.message}" if named else f"FAILED {name}: {self.message}"
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
    backup: Path | None = None,
    evaluate: Callable[..., tuple[RecalcOutcome, dict[str, bytes]]] | None = None,
) -> RecalcOutcome:
    """Apply `updates` (sheet -> {"B5": value}) to input cells, recalculate all formulas, write dst once.

    Raises a vng_xl.ooxml.package.PackageError (a subclass per kind of bad input) when the file cannot
    be read, and a vng_xl.errors.WriteRefused when dst cannot be written; cells that cannot be computed
    are reported in the outcome instead. dst is locked from reading to writing (src == dst replaces the
    file); `backup` receives a complete copy of dst as read before it is replaced. A workbook open in
    Excel (its ~$ lock file beside it) is refused unless check_lock is False. `evaluate` stands in
    for evaluate_package (the batch runs it in a process with a time and memory budget).
    """
    start = time.perf_counter()
    src, dst = Path(src), Path(dst)
    if check_lock and (lock := excel_lock_file(src)) is not None:
        raise WorkbookInUse(src, lock.name)
    with writing(dst) as session:
        if session.found is not None and session.is_target(src) and not is_lock_file_name(src):
            pkg = Package.from_bytes(src, session.read())  # in place: the bytes read under the lock
        else:
            pkg = Package.open(src, check_lock=check_lock)
        try:
            outcome, replacements = (evaluate or evaluate_package)(pkg, updates)
            pkg.write(dst, replacements, session=session, backup=backup)
        finally:
            pkg.close()
    outcome.path, outcome.output = str(src), str(dst)
    outcome.seconds = round(time.perf_counter() - start, 4)
    return outcome


def evaluate_package(
    pkg: Package, updates: Mapping[str, Mapping[str, CellValue]] | None = None
) -> tuple[RecalcOutcome, dict[str, bytes]]:
    """Recalculate an open package without writing: the outcome and the new bytes of each sheet changed."""
    from vng_xl.recalc.workbook import WorkbookEvaluation

    ev = WorkbookEvaluation(pkg, updates)
    ev.run()
    replacements = ev.replacements()
    outcome = RecalcOutcome(
        path=str(pkg.path),
        formula_cells=ev.formula_cells,
        changed=ev.changed,
        errors=ev.issues,
        error_values=ev.error_values,
        status="ok" if not ev.issues else "incomplete",
    )
    return outcome, replacements
