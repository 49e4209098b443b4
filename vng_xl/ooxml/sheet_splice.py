"""Writing the cached values of formula cells by splicing them into the sheet's bytes, the common
case of a recalculation: same bytes as vng_xl.ooxml.sheet_patch, with little Python per cell.

For a plain sheet (sheet_scan.plain_sheet) one regular expression finds each formula cell of the
simple shape `<c r=".." [s=".."] [t=".."]><f..>..</f>[<v>..</v>]</c>`; a written cell gets its t=
and value replaced, everything else is kept as it was. Anything else (a new cell, another shape,
an array formula, a dimension to widen) gives None. The result is used only when
sheet_compare.same_but_values accepts it, which also finds the rows and cells in order; else the
caller takes the general way, which refuses a damaged sheet as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vng_xl.ooxml.sheet_scan import plain_sheet
from vng_xl.ooxml.sheet_xml import CellWrite, col_index

# One formula cell of the simple shape: 1 the start tag up to t= (2 and 3 the column letters and
# the row of its reference), 4 t=, 5 the rest of the start tag and the formula, 6 the cached value.
CACHED = re.compile(
    rb'(<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="[0-9]+")?)(?: t="([A-Za-z]+)")?'
    rb"(><f(?: [^<>]*)?(?:/>|>[^<]*</f>))(?:<v>([^<]*)</v>)?</c>"
)


def cached_value_xml(value, render) -> tuple[bytes, bytes]:
    """The t= attribute (with its space, or b"") and the <v> element of a formula cell's value, as
    render (sheet_patch.value_parts) makes them; plain floats and plain text without calling it."""
    if type(value) is float and value - value == 0.0:  # finite
        number = repr(value)
        return b"", b"<v>" + (number[:-2] if number.endswith(".0") else number).encode() + b"</v>"
    if type(value) is str and value.isascii() and value.isprintable() and not _SPECIAL.search(value):
        return b' t="str"', b"<v>" + value.encode() + b"</v>"
    t, v = render(value, True)
    return (b' t="' + t + b'"' if t else b""), v


_SPECIAL = re.compile(r"[&<>_]")


def splice_values(xml: bytes, writes: Mapping[tuple[int, int], CellWrite], render, dimension_edit) -> bytes | None:
    """The sheet with each write's value as the cached value of its formula cell, or None when the
    general patch must do it. render is sheet_patch.value_parts; dimension_edit(xml, start, writes)
    the edits that widen the dimension (there must be none). Raises SheetRefused for a DTD or bad XML.
    Cells are found by their r= alone: only a result that sheet_compare.same_but_values accepts may be used."""
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
    columns: dict[bytes, int] = {}
    found = 0

    def one(m: re.Match) -> bytes:
        nonlocal found
        head, letters, row, _, formula, _ = m.groups()
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = col_index(letters.decode())
        write = writes.get((int(row), col))
        if write is None:
            return m[0]
        found += 1
        value = write.value
        if type(value) is float and value - value == 0.0:  # as cached_value_xml, inline: most values
            number = repr(value)
            return head + formula + b"<v>" + (number[:-2] if number.endswith(".0") else number).encode() + b"</v></c>"
        t, xml_value = cached_value_xml(value, render)
        return head + t + formula + xml_value + b"</c>"

    inner = CACHED.sub(one, xml[start:end])
    if found != len(writes):  # a write into a cell of another shape, or one that does not exist
        return None
    return xml[:start] + inner + xml[end:]
