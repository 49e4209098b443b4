"""The check on the bytes that a spliced sheet (vng_xl.ooxml.sheet_splice) passes before it is
written: the original's rows and cells in order, every byte the same but the t= and <v> of exactly
the formula cells written, and each of those read back as the value meant. What it does not
accept is patched the general way and checked by vng_xl.ooxml.sheet_verify.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping

from vng_xl.ooxml.sheet_splice import CACHED as _CACHED
from vng_xl.ooxml.sheet_verify import expected_value
from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, NS, CellWrite, ExcelError, col_index
from vng_xl.ooxml.sheet_xml import _unescape_ooxml as unescape_ooxml

_NUMBER = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_ENTITY = re.compile(rb"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"', b"apos": "'"}
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN_DEFAULT = b'xmlns="' + NS.encode() + b'"'
_ROW_START = re.compile(rb'<row r="([1-9][0-9]{0,6})"(?: [^\s="<>/]+="[^"<>]*")*(/?)>')
_CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]+)"')


def _rows_in_order(xml: bytes, start: int, end: int) -> bool:
    """True when sheetData's content xml[start:end] is rows one after another, each with r= (rising,
    in range) and each of its cells with an r= of its own row, columns rising; False when in doubt."""
    pos, last, shapes = start, 0, set()
    row, find, count = _ROW_START.match, xml.find, xml.count
    letters_of, digits_of = _CELL_LETTERS.findall, _CELL_ROWS.findall
    while pos < end:
        m = row(xml, pos, end)
        if m is None:
            return False
        number = int(m[1])
        if number <= last or number > MAX_ROW:
            return False
        last, pos = number, m.end()
        if m[2]:  # <row r="3"/>
            continue
        close = find(b"</row>", pos, end)
        if close < 0:
            return False
        letters = letters_of(xml, pos, close)
        if count(b"<c", pos, close) != len(letters) or digits_of(xml, pos, close).count(m[1]) != len(letters):
            return False
        pos = close + 6
        shape = tuple(letters)
        if shape not in shapes:
            cols = [col_index(x.decode()) for x in shape]
            if cols and cols[-1] > MAX_COL or not all(map(operator.lt, cols, cols[1:])):
                return False
            shapes.add(shape)
    return pos == end


def _plain_text(text: str) -> bool:
    """Text that stands in XML as it is and has no _xHHHH_ escape: its bytes are what a reader reads."""
    return text.isascii() and text.isprintable() and "&" not in text and ">" not in text and "_x" not in text


def same_but_values(original: bytes, patched: bytes, writes: Mapping[tuple[int, int], CellWrite]) -> bool:
    """True when `patched` is byte for byte `original` except the t= and <v> of exactly the written
    formula cells, and each of those reads back as the value meant; False when in doubt (then the
    sheet is patched the general way and verify_patch decides).

    Only for an original that expat parsed (sheet_scan.plain_sheet), with the main namespace as the
    default one, no comment, CDATA, processing instruction or array formula in sheetData, and rows
    and cells in order with r= each: then every `<c r=` there is a cell, no cell occurs twice, and
    the two documents are compared as gap, cell, gap, ...
    """
    start, end = original.find(b"<sheetData>"), original.rfind(b"</sheetData>")
    if start < 0 or end < start or original.count(b"<sheetData") != 1 or original.count(b"</sheetData") != 1:
        return False
    if original.count(b"xmlns=") != 1 or original.find(_MAIN_DEFAULT, 0, start) < 0:
        return False
    start += 11
    for bad in (b"<!", b"<?", b"xmlns", b'"array"'):
        if original.find(bad, start, end) >= 0:
            return False
    if not _rows_in_order(original, start, end):
        return False
    p_start, p_end = patched.find(b"<sheetData>") + 11, patched.rfind(b"</sheetData>")
    if p_start != start or original[:start] != patched[:start] or original[end:] != patched[p_end:]:
        return False
    left = dict(writes)
    take, columns = left.pop, {}
    pos = p_pos = start
    in_patched = _CACHED.finditer(patched, start, p_end)
    for was in _CACHED.finditer(original, start, end):
        now = next(in_patched, None)
        if now is None or original[pos : was.start()] != patched[p_pos : now.start()]:
            return False
        head, letters, row, _, formula, _ = was.groups()
        t, value_text = now.group(4, 6)
        if head != now[1] or formula != now[5]:  # reference, style, formula
            return False
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = col_index(letters.decode())
        write = take((int(row), col), None)
        if write is None:
            if was[0] != now[0]:
                return False
        else:
            value = write.value
            kind = type(value)
            if kind is float and t is None and value_text is not None:  # the common cases first
                if not (_NUMBER.fullmatch(value_text) and float(value_text) == value):
                    if not _reads_back(t, value_text, value):
                        return False
            elif kind is str and t == b"str" and value_text == value.encode() and _plain_text(value):
                pass
            elif not _reads_back(t, value_text, value):
                return False
        pos, p_pos = was.end(), now.end()
    if left or next(in_patched, None) is not None:
        return False
    return original[pos:end] == patched[p_pos:p_end]


def _reads_back(t: bytes | None, v: bytes | None, value: object) -> bool:
    """Whether a formula cell with this t= and <v> text holds `value` as a reader reads it back."""
    if type(value) is float and t is None and v is not None and _NUMBER.fullmatch(v) and float(v) == value:
        return True
    want = expected_value(value)
    if want is None:
        return t is None and v is None
    if v is None:
        return False
    if isinstance(want, bool):
        return t == b"b" and v == (b"1" if want else b"0")
    if isinstance(want, ExcelError):
        return t == b"e" and v == str(want).encode()
    if isinstance(want, float):
        return t is None and _NUMBER.fullmatch(v) is not None and float(v) == want
    if isinstance(want, str):
        text = _text(v)
        return t == b"str" and text is not None and unescape_ooxml(text) == want
    return False


def _text(v: bytes) -> str | None:
    """Element content as a parser reads it, or None when it is not well-formed character data."""
    if b"]]>" in v or b"\r" in v:
        return None
    try:
        text = v.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "&" in text:
        parts = _ENTITY.split(v)
        out = []
        for i in range(0, len(parts), 4):
            if b"&" in parts[i]:
                return None
            out.append(parts[i].decode("utf-8"))
            if i + 1 < len(parts):
                named, dec, hexa = parts[i + 1 : i + 4]
                try:
                    out.append(_NAMED[named] if named else chr(int(dec or hexa, 16 if hexa else 10)))
                except (ValueError, OverflowError):
                    return None
        text = "".join(out)
    return None if _NOT_TEXT.search(text) else text
