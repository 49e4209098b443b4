"""Writing the cached values of formula cells by splicing them into the sheet's bytes, the common
case of a recalculation: same bytes as vng_xl.ooxml.sheet_patch, with little Python per cell.

For a plain sheet (sheet_scan.plain_sheet) one regular expression splits sheetData at each formula
cell of the simple shape `<c r=".." [s=".."] [t=".."]><f..>..</f>[<v>..</v>]</c>`; a written cell
gets its t= and value replaced, everything else is joined back as it was. Anything else (a new
cell, another shape, an array formula, a dimension to widen) gives None. The result is used only
when sheet_compare.same_but_values accepts it, which also finds the rows and cells in order; else
the caller takes the general way, which refuses a damaged sheet as before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_

from vng_xl.ooxml.sheet_scan import plain_sheet
from vng_xl.ooxml.sheet_xml import CellWrite, col_index

# One formula cell of the simple shape, as CACHED.split gives it after the bytes before it: 1 the
# start tag up to t= (2 and 3 the column letters and the row of its reference), 4 the t= attribute
# with its space (or None), 5 the rest of the start tag and the formula, 6 the cached value (if
# any) with the cell's end tag. Joining the pieces but 2 and 3 (and None) gives the bytes back.
# (Possessive where what follows cannot be taken from what came before: the same matches, sooner.)
CACHED = re.compile(
    rb'(<c r="([A-Z]{1,3}+)([1-9][0-9]{0,6}+)"(?: s="[0-9]++")?)( t="[A-Za-z]++")?'
    rb"(><f(?: [^<>]*)?(?:/>|>[^<]*+</f>))((?:<v>[^<]*+</v>)?+</c>)"
)
PIECES = 7  # list items per formula cell in CACHED.split: the bytes before it and its six groups
HEAD, LETTERS, ROW, T, FORMULA, VALUE = range(1, 7)
END = b"</c>"
STR = b' t="str"'


@dataclass(frozen=True)
class FormulaCells:
    """The formula cells of the simple shape in sheetData (source[start:end]) of an original sheet:
    CACHED.split's pieces, and per cell the write of `writes` into it or None. Its repr leaves the
    sheet's bytes and pieces out (a whole sheet in a log line or a traceback)."""

    source: bytes = field(repr=False)
    start: int
    end: int
    writes: Mapping[tuple[int, int], CellWrite] = field(repr=False)
    pieces: tuple = field(repr=False)
    found: tuple = field(repr=False)

    @property
    def written(self) -> list[bool]:
        return [w is not None for w in self.found]


def formula_cells(xml: bytes, start: int, end: int, writes: Mapping[tuple[int, int], CellWrite]) -> FormulaCells:
    """The formula cells of the simple shape in xml[start:end], each with its write (by its r=)."""
    pieces, positions = split_formula_cells(xml[start:end])
    return FormulaCells(xml, start, end, writes, pieces, tuple(map(writes.get, positions)))


def split_formula_cells(content: bytes) -> tuple[tuple, tuple[tuple[int, int], ...]]:
    """CACHED.split's pieces of sheetData's content and the (row, column) of each formula cell found."""
    pieces = CACHED.split(content)
    letters = pieces[LETTERS::PIECES]
    columns = {x: col_index(x.decode()) for x in set(letters)}
    return tuple(pieces), tuple(zip(map(int, pieces[ROW::PIECES]), map(columns.__getitem__, letters)))


def cached_value_xml(value, render) -> tuple[bytes, bytes]:
    """The t= attribute (with its space, or b"") and the <v> element of a formula cell's value, as
    render (sheet_patch.value_parts) makes them; plain floats and plain text without calling it."""
    if type(value) is float and value - value == 0.0:  # finite
        number = repr(value)
        return b"", b"<v>" + (number[:-2] if number.endswith(".0") else number).encode() + b"</v>"
    if type(value) is str and value.isascii() and value.isprintable() and not _SPECIAL.search(value):
        return STR, b"<v>" + value.encode() + b"</v>"
    t, v = render(value, True)
    return (b' t="' + t + b'"' if t else b""), v


_SPECIAL = re.compile(r"[&<>_]")


def of_kind(values: list, kind: type) -> list[int]:
    """The indexes of the values whose type is exactly `kind`."""
    return list(compress(range(len(values)), map(is_, map(type, values), repeat(kind))))


def plain_texts(texts: list[str]) -> bool:
    """Whether each text is ASCII, printable and without &, <, > or _ (so without a newline):
    written as it is, and read back as it is."""
    together = "".join(texts)
    return together.isascii() and together.isprintable() and not _SPECIAL.search(together)


def cached_values_xml(values: list, render) -> tuple[list[bytes], list[bytes]]:
    """The t= attributes and the value elements with the cell's end tag (`<v>..</v></c>`) of many
    values, each as cached_value_xml makes it: the finite floats and the plain texts all at once."""
    t_attrs, elements = [b""] * len(values), [None] * len(values)
    numbers = of_kind(values, float)
    floats = [values[i] for i in numbers]
    if not all(map(math.isfinite, floats)):
        numbers = [i for i in numbers if math.isfinite(values[i])]
        floats = [values[i] for i in numbers]
    if numbers:  # a float's repr holds no newline, and ".0</v>" only where it ends in ".0" (dropped)
        joined = "<v>" + "</v></c>\n<v>".join(map(repr, floats)) + "</v></c>"
        scatter(elements, numbers, joined.replace(".0</v>", "</v>").encode().split(b"\n"))
    texts = of_kind(values, str)
    words = [values[i] for i in texts]
    if texts and plain_texts(words):
        scatter(elements, texts, ("<v>" + "</v></c>\n<v>".join(words) + "</v></c>").encode().split(b"\n"))
        scatter(t_attrs, texts, [STR] * len(texts))
    if None in elements:  # the other values, one by one
        for i in [i for i, e in enumerate(elements) if e is None]:
            t_attrs[i], element = cached_value_xml(values[i], render)
            elements[i] = element + END
    return t_attrs, elements


def scatter(target: list, at: list[int], items: list) -> None:
    """target[at[k]] = items[k] for each k (at: rising indexes of target)."""
    if len(at) == len(target):
        target[:] = items
    else:
        for i, item in zip(at, items):
            target[i] = item


def splice_values(
    xml: bytes, writes: Mapping[tuple[int, int], CellWrite], render, dimension_edit
) -> tuple[bytes, FormulaCells] | None:
    """The sheet with each write's value as the cached value of its formula cell (and the original's
    formula cells, for the check), or None when the general patch must do it. render is
    sheet_patch.value_parts; dimension_edit(xml, start, writes) the edits that widen the dimension
    (there must be none). Raises SheetRefused for a DTD or bad XML. Cells are found by their r=
    alone: only a result that sheet_compare.same_but_values accepts may be used."""
    if not writes or any(w.array_ref is not None for w in writes.values()):
        return None
    plain = plain_sheet(xml)
    if plain is None:
        return None
    prefix, sd_start, sd_end, dimension = plain
    if prefix or xml[sd_start : sd_start + 11] != b"<sheetData>" or xml[sd_end - 12 : sd_end] != b"</sheetData>":
        return None
    start, end = sd_start + 11, sd_end - 12
    if xml.find(b'"array"', start, end) >= 0:  # the check would not take it
        return None
    if dimension is not None and dimension_edit(xml, dimension, writes):
        return None
    cells = formula_cells(xml, start, end, writes)
    written = cells.written
    if written.count(True) != len(writes):  # a write into a cell of another shape, or one that does not exist
        return None
    t_attrs, elements = cached_values_xml([w.value for w in compress(cells.found, written)], render)
    pieces = list(cells.pieces)
    kept_t, kept_v = pieces[T::PIECES], pieces[VALUE::PIECES]
    at = list(compress(range(len(written)), written))
    scatter(kept_t, at, t_attrs)
    scatter(kept_v, at, elements)
    pieces[T::PIECES] = [t or b"" for t in kept_t]
    pieces[VALUE::PIECES] = kept_v
    pieces[LETTERS::PIECES] = pieces[ROW::PIECES] = [b""] * len(written)  # both are in the start tag
    return xml[:start] + b"".join(pieces) + xml[end:], cells
