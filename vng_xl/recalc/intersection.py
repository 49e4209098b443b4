"""Implicit intersection: the one value Excel shows for an ordinary (not array) formula whose result
is an array.

Excel takes from each range the cell in the formula's own row (for a column of cells) or column
(for a row of cells), or #VALUE! when the formula lies outside it; an array that a function
computed gives its top-left value. A formula of operators only (`A1:A3*100+B2:B4`) has every
range in a value context, so each range is narrowed to that cell before computing (`at_cell`).
Otherwise the evaluator computes the whole array first: an element-wise result over ranges that
all start on the same row (column) holds that cell at the formula's offset from the start, so the
element at that offset is Excel's value (`intersect`).
"""

from __future__ import annotations

from dataclasses import replace

from vng_xl.ooxml.sheet_xml import ExcelError


class NotIntersectable(ValueError):
    """Ranges of the result's height (width) start on different rows (columns): no one offset."""


def _offset(length: int, spans: list[tuple[int, int, bool]], position: int) -> int | None:
    """Index along one axis of a result `length` long, or None for outside every range (#VALUE!)."""
    if length == 1:
        return 0
    starts = {(start, clipped) for start, size, clipped in spans if size == length}
    if not starts:
        return 0  # an array a function computed: its first element
    if len(starts) > 1:
        raise NotIntersectable("ranges of the same size at different places")
    ((start, clipped),) = starts
    i = position - start
    if 0 <= i < length:
        return i
    if clipped:  # past the used part of a whole column or row: the cell Excel reads is not known here
        raise NotIntersectable("a whole-column or whole-row reference past its used cells")
    return None


def intersect(block: list[list[object]], areas: list, row: int, col: int) -> object:
    """The value of `block` (a formula's array result) in the cell at row, col that holds the formula.

    `areas` are the ranges the formula reads (objects with r1, c1, shape and clipped).
    """
    h, w = len(block), len(block[0])
    i = _offset(h, [(a.r1, a.shape[0], a.clipped) for a in areas], row)
    j = _offset(w, [(a.c1, a.shape[1], a.clipped) for a in areas], col)
    if i is None or j is None:
        return ExcelError("#VALUE!")
    return block[i][j]


def at_cell(area, row: int, col: int):
    """The cell of `area` (a dataclass with r1, c1, r2, c2) in the formula's row or column, or None (#VALUE!)."""
    r1, r2, c1, c2 = area.r1, area.r2, area.c1, area.c2
    if r1 != r2:
        if not r1 <= row <= r2:
            return None
        r1 = r2 = row
    if c1 != c2:
        if not c1 <= col <= c2:
            return None
        c1 = c2 = col
    return replace(area, r1=r1, r2=r2, c1=c1, c2=c2, clipped=False)


__all__ = ["NotIntersectable", "at_cell", "intersect"]
