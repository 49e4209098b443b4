"""What the workbook evaluator works on: areas of cells, formula nodes, and issues to report."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vng_xl.ooxml.sheet_xml import cell_ref

if TYPE_CHECKING:  # the evaluator (and `formulas`) is imported only when a formula needs it
    from vng_xl.recalc import engine


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet (1-based, inclusive); `clipped` for whole rows/columns."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    clipped: bool = False

    @classmethod
    def cell(cls, sheet: str, row: int, col: int) -> Area:
        """The area of one cell, made without the frozen __init__'s cost (there is one per formula cell)."""
        area = object.__new__(cls)
        area.__dict__.update(sheet=sheet, r1=row, c1=col, r2=row, c2=col, clipped=False)
        return area

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def ref(self) -> str:
        a = cell_ref(self.r1, self.c1)
        return a if (self.r1, self.c1) == (self.r2, self.c2) else f"{a}:{cell_ref(self.r2, self.c2)}"

    def qualified(self) -> str:
        return "'" + self.sheet.replace("'", "''") + "'!" + self.ref()

    def cells(self):
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                yield r, c


@dataclass(frozen=True)
class CellIssue:
    """A cell and why it was not (or could not be) computed, or the message of its error value."""

    sheet: str
    cell: str
    reason: str
    reason_nl: str = ""


@dataclass(slots=True)
class Node:
    """One thing to compute: a formula cell (its output area) or a defined name's formula."""

    key: tuple
    sheet: str
    row: int
    col: int
    text: str
    output: Area | None  # None for a defined name
    kind: str = "normal"
    dynamic: bool = False
    compiled: engine.Compiled | None = None
    sources: list = field(default_factory=list)  # Area or name-node key, one per compiled input
    deps: set = field(default_factory=set)
    problem: str | None = None
    value: object = None  # result block (list of rows) once computed

    @property
    def label(self) -> str:
        return f"{self.sheet}!{cell_ref(self.row, self.col)}" if self.output else f"name {self.key[2]}"


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a block builds many objects and frees none (reading,
    planning): the collector would scan the growing heap again and again for nothing."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
