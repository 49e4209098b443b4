"""Writing values into cells of a sheet's XML, changing no other byte, and checking the result.

A real XML parser (expat, with DTDs refused) finds where each row and cell starts and ends, so
comments, CDATA and `>` in attribute values cannot mislead it; only the `<c>` elements written,
the spans of their rows and the sheet's dimension change. A plain sheet whose writes all go into
cells that exist is patched in one pass instead (vng_xl.ooxml.sheet_scan), and new cached values of
formula cells are spliced into the bytes (vng_xl.ooxml.sheet_splice), each to the same bytes.
Every patched sheet is then compared with the original (vng_xl.ooxml.sheet_verify) before anyone
writes it.
"""

from __future__ import annotations

import math
import re
import xml.parsers.expat as expat
from collections.abc import Mapping
from datetime import date, datetime

from vng_xl.ooxml.sheet_compare import same_but_values
from vng_xl.ooxml.sheet_scan import Cell, Layout, Row, next_cell_column, parse_refusing_dtd, patch_plain
from vng_xl.ooxml.sheet_splice import splice_values
from vng_xl.ooxml.sheet_verify import verify_patch
from vng_xl.ooxml.sheet_xml import (
    MAX_ROW,
    NS,
    CellValue,
    CellWrite,
    ExcelError,
    SheetRefused,
    cell_ref,
    escape_ooxml,
    excel_serial,
    parse_area,
    row_number,
    xml_text,
)

# ---------------------------------------------------------------- locating, by parsing


_TAG_END = re.compile(rb"""(?:[^>"']+|"[^"]*"|'[^']*')*>""")
_TAG_NAME = re.compile(rb"<([^ \t\r\n/>]*)")
_TAG_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def tag_end(xml: bytes, i: int) -> int:
    """The index just past the start tag that begins at i (in a document already parsed as well-formed)."""
    return _TAG_END.match(xml, i).end()


def tag_attrs(tag: bytes) -> list[tuple[bytes, bytes]]:
    """The attributes of one well-formed start tag, raw, in order (values as written between double quotes)."""
    name = _TAG_NAME.match(tag)
    return [(k, dq or sq.replace(b'"', b"&quot;")) for k, dq, sq in _TAG_ATTR.findall(tag, name.end())]


def tag_name(tag: bytes) -> bytes:
    """The qualified element name of a start tag, e.g. b'x:c'."""
    return _TAG_NAME.match(tag)[1]


def _element_end(xml: bytes, start: int, at: int) -> int:
    """End of an element from expat's position at its end event (after `/>`, or at its end tag)."""
    first = tag_end(xml, start)
    if xml[first - 2 : first] == b"/>":
        return first
    return xml.index(b">", at) + 1


def locate(xml: bytes, rows_wanted: set[int]) -> Layout:
    """Parse the sheet and find its layout; raise SheetRefused for a DTD, bad XML, rows out of order,
    or (in the rows to write) cells out of order or in another row than their reference says."""
    layout = Layout()
    parser = expat.ParserCreate(namespace_separator=" ")
    c_tag, row_tag, f_tag, ext_tag = (f"{NS} {n}" for n in ("c", "row", "f", "extLst"))
    sd_tag, dim_tag = f"{NS} sheetData", f"{NS} dimension"
    depth = 0  # the worksheet element is at 1, sheetData 2, rows 3, cells 4
    sd_start: int | None = None
    in_sheet_data = False
    last_row = last_col = 0
    row: Row | None = None  # the row being read, when it is one to write
    cell: Cell | None = None

    def start(name: str, attrs: dict) -> None:
        nonlocal depth, sd_start, in_sheet_data, last_row, last_col, row, cell
        depth += 1
        if depth == 4:
            if row is not None and name == c_tag:
                col = last_col = next_cell_column(attrs.get("r"), last_row, last_col)
                cell = Cell(col, parser.CurrentByteIndex)
                row.cells.append(cell)
        elif depth == 5:
            if cell is not None and (name == f_tag or name == ext_tag):
                setattr(cell, "f" if name == f_tag else "ext", (parser.CurrentByteIndex, -1))
        elif depth == 3:
            if in_sheet_data and name == row_tag:
                r = attrs.get("r")
                number = row_number(r) if r is not None else last_row + 1
                if number <= last_row or number > MAX_ROW:
                    raise SheetRefused(f"row {number} after row {last_row} (rows out of order or duplicated)")
                last_row, last_col = number, 0
                layout.rows.append(Row(number, parser.CurrentByteIndex))
                row = layout.rows[-1] if number in rows_wanted else None
        elif depth == 2:
            if name == sd_tag:
                if sd_start is not None:
                    raise SheetRefused("two sheetData elements")
                sd_start, in_sheet_data = parser.CurrentByteIndex, True
            elif name == dim_tag:
                layout.dimension = parser.CurrentByteIndex

    def end(name: str) -> None:
        nonlocal depth, in_sheet_data, row, cell
        d, depth = depth, depth - 1
        if d == 4:
            if cell is not None:
                cell.end = _element_end(xml, cell.start, parser.CurrentByteIndex)
                cell = None
        elif d == 5:
            if cell is not None and (name == f_tag or name == ext_tag):
                attr = "f" if name == f_tag else "ext"
                begin = getattr(cell, attr)[0]
                setattr(cell, attr, (begin, _element_end(xml, begin, parser.CurrentByteIndex)))
        elif d == 3:
            if in_sheet_data and name == row_tag:
                last = layout.rows[-1]
                last.end = _element_end(xml, last.start, parser.CurrentByteIndex) if row is not None else -1
                row = None
        elif d == 2 and name == sd_tag:
            layout.sheet_data = (sd_start, _element_end(xml, sd_start, parser.CurrentByteIndex))
            in_sheet_data = False

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parse_refusing_dtd(parser, xml)
    if layout.sheet_data is None:
        raise SheetRefused("sheet has no sheetData")
    return layout


# ---------------------------------------------------------------- rendering


def _render_attrs(attrs: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(b" " + k + b'="' + v + b'"' for k, v in attrs)


def _set_attr(attrs: list[tuple[bytes, bytes]], key: bytes, value: bytes | None, after: bytes) -> None:
    """Set, replace or (value None) drop an attribute, inserting a new one after `after` or `r`."""
    for i, (k, _) in enumerate(attrs):
        if k == key:
            if value is None:
                del attrs[i]
            else:
                attrs[i] = (key, value)
            return
    if value is None:
        return
    pos = next((i + 1 for i, (k, _) in enumerate(attrs) if k == after), None)
    if pos is None:
        pos = next((i + 1 for i, (k, _) in enumerate(attrs) if k == b"r"), 0)
    attrs.insert(pos, (key, value))


def value_parts(value: CellValue, formula: bool, prefix: bytes = b"") -> tuple[bytes | None, bytes]:
    """The t= attribute and the value element(s) for a value; formula cells keep strings in <v>."""
    v, v_end = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
    if value is None:
        return None, b""
    if isinstance(value, ExcelError):
        return b"e", v + xml_text(str(value)).encode() + v_end
    if isinstance(value, bool):
        return b"b", v + (b"1" if value else b"0") + v_end
    if isinstance(value, (datetime, date)):
        value = excel_serial(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return b"e", v + b"#NUM!" + v_end
        number = repr(float(value)) if isinstance(value, float) else str(int(value))
        if number.endswith(".0"):
            number = number[:-2]
        return None, v + number.encode() + v_end
    if isinstance(value, str):
        text = xml_text(escape_ooxml(value)).encode()
        if formula:
            return b"str", v + text + v_end
        space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
        t, t_end = b"<" + prefix + b"t", b"</" + prefix + b"t>"
        return b"inlineStr", b"<" + prefix + b"is>" + t + space + b">" + text + t_end + b"</" + prefix + b"is>"
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")


def _with_attr(start_tag: bytes, key: bytes, value: bytes) -> bytes:
    """A start tag with one attribute replaced, everything else as it was."""
    attrs = tag_attrs(start_tag)
    _set_attr(attrs, key, value, after=b"r")
    close = b"/>" if start_tag.endswith(b"/>") else b">"
    return b"<" + tag_name(start_tag) + _render_attrs(attrs) + close


def _render_cell(xml: bytes, cell: Cell, write: CellWrite) -> bytes:
    start_tag = xml[cell.start : tag_end(xml, cell.start)]
    name = tag_name(start_tag)
    prefix = name[: name.index(b":") + 1] if b":" in name else b""
    attrs = tag_attrs(start_tag)
    f_xml = xml[cell.f[0] : cell.f[1]] if cell.f else b""
    if f_xml and write.array_ref is not None:
        f_start = tag_end(f_xml, 0)
        f_xml = _with_attr(f_xml[:f_start], b"ref", write.array_ref.encode()) + f_xml[f_start:]
    t, value_xml = value_parts(write.value, bool(f_xml), prefix)
    _set_attr(attrs, b"t", t, after=b"s")
    body = f_xml + value_xml + (xml[cell.ext[0] : cell.ext[1]] if cell.ext else b"")
    if not body:
        return b"<" + name + _render_attrs(attrs) + b"/>"
    return b"<" + name + _render_attrs(attrs) + b">" + body + b"</" + name + b">"


def _new_cell(prefix: bytes, row: int, col: int, write: CellWrite, style: bytes | None) -> bytes:
    attrs = [(b"r", cell_ref(row, col).encode())] + ([(b"s", style)] if style else [])
    t, value_xml = value_parts(write.value, False, prefix)
    _set_attr(attrs, b"t", t, after=b"s")
    name = prefix + b"c"
    if not value_xml:
        return b"<" + name + _render_attrs(attrs) + b"/>"
    return b"<" + name + _render_attrs(attrs) + b">" + value_xml + b"</" + name + b">"


def _new_row(prefix: bytes, r: int, cells: dict[int, CellWrite]) -> bytes:
    cols = sorted(cells)
    body = b"".join(_new_cell(prefix, r, c, cells[c], None) for c in cols)
    name = prefix + b"row"
    return b"<" + name + b' r="%d" spans="%d:%d">' % (r, cols[0], cols[-1]) + body + b"</" + name + b">"


def _widened_spans(attrs: list[tuple[bytes, bytes]], lo: int, hi: int) -> bytes | None:
    spans = dict(attrs).get(b"spans")
    if not spans or b" " in spans:
        return None
    try:
        a, b = (int(x) for x in spans.split(b":"))
    except ValueError:
        return None
    if lo < a or hi > b:
        return f"{min(a, lo)}:{max(b, hi)}".encode()
    return None


# ---------------------------------------------------------------- patching


def patch_sheet(xml: bytes, writes: Mapping[tuple[int, int], CellWrite], verify: bool = True) -> bytes:
    """Write values into cells of a sheet's XML, changing nothing else but the cells written.

    Formula cells keep their formula (only the cached value and t= change); other cells get the
    value (strings inline); missing rows and cells are created in order; a row's spans= and the
    sheet's dimension widen to cover new cells. Raises SheetRefused for a damaged sheet or a result
    that does not pass vng_xl.ooxml.sheet_verify.
    """
    if not writes:
        return xml
    spliced = splice_values(xml, writes, value_parts, _dimension_edit) if verify else None
    if spliced is not None:
        patched, cells = spliced
        if same_but_values(xml, patched, writes, cells):
            return patched  # only the cached values of the formula cells written changed, each as meant
    pending: dict[int, dict[int, CellWrite]] = {}
    for (r, c), w in writes.items():
        pending.setdefault(r, {})[c] = w
    plain = patch_plain(xml, pending, _render_cell)
    if plain is not None:  # every write goes into a cell that exists: one pass over the sheet
        patched, dimension = plain
        if dimension is not None:
            for start, end, new in _dimension_edit(patched, dimension, writes):
                patched = patched[:start] + new + patched[end:]
        if verify:
            verify_patch(xml, patched, writes)
        return patched
    layout = locate(xml, set(pending))
    sd_start, sd_end = layout.sheet_data
    sd_tag = xml[sd_start : tag_end(xml, sd_start)]
    sd_name = tag_name(sd_tag)
    prefix = sd_name[: sd_name.index(b":") + 1] if b":" in sd_name else b""
    edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes), in order
    if sd_tag.endswith(b"/>"):
        rows = b"".join(_new_row(prefix, r, pending[r]) for r in sorted(pending))
        edits.append((sd_start, sd_end, sd_tag[:-2].rstrip() + b">" + rows + b"</" + sd_name + b">"))
    else:
        close = xml.rindex(b"<", sd_start, sd_end)
        todo = sorted(pending)
        for row in layout.rows:
            while todo and todo[0] < row.number:
                r = todo.pop(0)
                edits.append((row.start, row.start, _new_row(prefix, r, pending[r])))
            if todo and todo[0] == row.number:
                edits.extend(_row_edits(xml, row, pending[todo.pop(0)], prefix))
        for r in todo:
            edits.append((close, close, _new_row(prefix, r, pending[r])))
    if layout.dimension is not None:
        edits.extend(_dimension_edit(xml, layout.dimension, writes))
    edits.sort(key=lambda e: (e[0], e[1]))
    out, pos = [], 0
    for start, end, new in edits:
        out.append(xml[pos:start])
        out.append(new)
        pos = end
    out.append(xml[pos:])
    patched = b"".join(out)
    if verify:
        verify_patch(xml, patched, writes)
    return patched


def _row_edits(xml: bytes, row: Row, todo: dict[int, CellWrite], prefix: bytes) -> list[tuple[int, int, bytes]]:
    row_tag_end = tag_end(xml, row.start)
    row_tag = xml[row.start : row_tag_end]
    attrs = tag_attrs(row_tag)
    style = dict(attrs).get(b"s") if dict(attrs).get(b"customFormat") in (b"1", b"true") else None
    edits = []
    spans = _widened_spans(attrs, min(todo), max(todo))
    if row_tag.endswith(b"/>"):  # <row r="3"/>: no cells yet
        _set_attr(attrs, b"spans", spans, after=b"r") if spans else None
        name = tag_name(row_tag)
        cells = b"".join(_new_cell(prefix, row.number, c, todo[c], style) for c in sorted(todo))
        return [(row.start, row.end, b"<" + name + _render_attrs(attrs) + b">" + cells + b"</" + name + b">")]
    if spans:
        edits.append((row.start, row_tag_end, _with_attr(row_tag, b"spans", spans)))
    left = dict(todo)
    for cell in row.cells:
        for c in sorted(k for k in left if k < cell.col):
            edits.append((cell.start, cell.start, _new_cell(prefix, row.number, c, left.pop(c), style)))
        if cell.col in left:
            edits.append((cell.start, cell.end, _render_cell(xml, cell, left.pop(cell.col))))
    close = xml.rindex(b"<", row.start, row.end)
    for c in sorted(left):
        edits.append((close, close, _new_cell(prefix, row.number, c, left[c], style)))
    return edits


def _dimension_edit(xml: bytes, start: int, writes: Mapping[tuple[int, int], CellWrite]):
    tag = xml[start : tag_end(xml, start)]
    ref = dict(tag_attrs(tag)).get(b"ref")
    if ref is None:
        return []
    try:
        r1, c1, r2, c2 = parse_area(ref.decode())
    except (ValueError, UnicodeDecodeError):
        return []
    rows = [r for r, _ in writes]
    cols = [c for _, c in writes]
    n1, m1, n2, m2 = min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols)
    if (n1, m1, n2, m2) == (r1, c1, r2, c2):
        return []
    area = cell_ref(n1, m1) + (":" + cell_ref(n2, m2) if (n1, m1) != (n2, m2) else "")
    return [(start, start + len(tag), _with_attr(tag, b"ref", area.encode()))]
