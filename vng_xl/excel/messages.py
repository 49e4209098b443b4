"""The messages of VNG errors in Excel, kept per calling cell, and found again for VNG_FOUT.

In Excel the cell only shows #VALUE!; the message stays here, keyed by where the formula sits.
For a total (a cell whose #VALUE! comes from the cells it refers to) VNG_FOUT follows the
formula's references back to a cell whose VNG function kept a message, as the headless evaluator
carries the message along with the error value. Plain Python: udfs.py reads Excel through xlwings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vng_xl.ooxml.sheet_xml import col_index


@dataclass(frozen=True)
class CellArea:
    """Where a formula or a reference sits: workbook, sheet, first row and column (1-based), and its size."""

    book: str
    sheet: str
    row: int
    column: int
    rows: int = 1
    columns: int = 1

    @property
    def last_row(self) -> int:
        return self.row + self.rows - 1

    @property
    def last_column(self) -> int:
        return self.column + self.columns - 1

    def overlaps(self, other: CellArea) -> bool:
        return (
            (self.book, self.sheet) == (other.book, other.sheet)
            and self.row <= other.last_row
            and other.row <= self.last_row
            and self.column <= other.last_column
            and other.column <= self.last_column
        )

    def cell(self, row: int, column: int) -> CellArea:
        return CellArea(self.book, self.sheet, row, column)


class MessageStore:
    """The last message of each VNG function per calling cell, as long as Python runs.

    Keyed by function too, so that a second VNG function in the same formula that succeeds does
    not wipe the message of the first.
    """

    def __init__(self) -> None:
        self._messages: dict[CellArea, dict[str, str]] = {}

    def record(self, area: CellArea | None, function: str, message: str | None) -> None:
        """Keep `message` for `function` in `area`, or forget it (None: the call succeeded)."""
        if area is None:
            return
        kept = self._messages.setdefault(area, {})
        if message is None:
            kept.pop(function, None)
            if not kept:
                del self._messages[area]
        else:
            kept[function] = message

    def within(self, area: CellArea) -> str | None:
        """The messages kept for formulas in `area` (the first such formula's, joined); None if none."""
        for where, kept in self._messages.items():
            if kept and where.overlaps(area):
                return "; ".join(kept.values())
        return None

    def clear(self) -> None:
        self._messages.clear()


_STRING = re.compile(r'"(?:[^"]|"")*"')
_AREA = re.compile(
    r"(?<![\w.$'!\]])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
    r"\$?(?P<c1>[A-Za-z]{1,3})\$?(?P<r1>[0-9]{1,7})(?::\$?(?P<c2>[A-Za-z]{1,3})\$?(?P<r2>[0-9]{1,7}))?(?![\w(!])"
)


def formula_areas(formula: str, book: str, sheet: str) -> list[CellArea]:
    """The A1 references (cells and blocks) in an English formula, as areas; other sheets by name.

    Defined names and references to other workbooks are not followed.
    """
    out = []
    for m in _AREA.finditer(_STRING.sub('""', formula)):
        name = m["sheet"]
        if name and name.startswith("'"):
            name = name[1:-1].replace("''", "'")
        if name and "[" in name:
            continue
        r1, c1 = int(m["r1"]), col_index(m["c1"].upper())
        r2, c2 = (int(m["r2"]), col_index(m["c2"].upper())) if m["r2"] else (r1, c1)
        r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
        out.append(CellArea(book, name or sheet, r1, c1, r2 - r1 + 1, c2 - c1 + 1))
    return out


#: How many cells VNG_FOUT reads at most when it follows a total's references.
TRACE_LIMIT = 5_000


def traced_message(
    start: CellArea,
    store: MessageStore,
    formulas_in: Callable[[CellArea], Mapping[tuple[int, int], str]],
    limit: int = TRACE_LIMIT,
) -> str | None:
    """The message of a VNG error that `start` shows, its own or one it got from the cells it refers to.

    `formulas_in(area)` gives the formulas of an area's cells by (row, column); breadth first,
    so the nearest message wins; None when none is found within `limit` cells.
    """
    seen: set[CellArea] = set()
    todo = [start]
    read = 0
    while todo:
        area = todo.pop(0)
        if area in seen:
            continue
        seen.add(area)
        found = store.within(area)
        if found is not None:
            return found
        read += area.rows * area.columns
        if read > limit:
            return None
        for formula in formulas_in(area).values():
            todo += formula_areas(formula, area.book, area.sheet)
    return None
