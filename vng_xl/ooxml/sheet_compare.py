"""The check on the bytes that a spliced sheet (vng_xl.ooxml.sheet_splice) passes before it is
written: the original's rows and cells in order, every byte the same but the t= and <v> of exactly
the formula cells written, and each of those read back as the value meant. What it does not
accept is patched the general way and checked by vng_xl.ooxml.sheet_verify.

Both documents are split at the formula cells of the simple shape and compared piece by piece,
whole lists at once rather than cell by cell; numbers and plain texts are read back all at once.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from itertools import chain, compress, repeat

import numpy as np

from vng_xl.ooxml.sheet_splice import (
    CACHED,
    END,
    FORMULA,
    HEAD,
    PIECES,
    STR,
    VALUE,
    FormulaCells,
    T,
    formula_cells,
    of_kind,
)
from vng_xl.ooxml.sheet_verify import expected_value
from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW, NS, CellWrite, ExcelError, col_index
from vng_xl.ooxml.sheet_xml import _unescape_ooxml as unescape_ooxml

_NUMBER = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_ENTITY = re.compile(rb"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"', b"apos": "'"}
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_MAIN_DEFAULT = b'xmlns="' + NS.encode() + b'"'
_ROW_START = re.compile(rb'<row r="([1-9][0-9]{0,6})"(?: [^\s="<>/]+="[^"<>]*")*(/?)>')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"')
_UPPER, _DIGIT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789"
_FIRST, _SECOND = operator.itemgetter(1), operator.itemgetter(2)  # of a row start tag


def _rows(content: bytes) -> tuple[list[bytes], list[int]] | None:
    """For sheetData's content made of rows one after another, each with r= (rising, in range):
    the r= of each row that has content and how many `<c` it holds; None when in doubt."""
    *pieces, last = content.split(b"</row>")  # each a row's start tag and cells, after empty rows
    if last or content.count(b"<row") != len(pieces):
        return _rows_one_by_one(pieces, last)  # empty rows <row r="3"/> (or sheetData in doubt)
    tags = list(map(_ROW_START.match, pieces))  # each piece holds one `<row`: at its start, or in doubt
    if None in tags or any(map(_SECOND, tags)):
        return _rows_one_by_one(pieces, last)
    numbers = list(map(_FIRST, tags))
    rows = list(map(int, numbers))
    if rows and (rows[-1] > MAX_ROW or not all(map(operator.lt, rows, rows[1:]))):
        return None
    return numbers, list(map(bytes.count, pieces, repeat(b"<c")))


def _rows_one_by_one(pieces: list[bytes], last: bytes) -> tuple[list[bytes], list[int]] | None:
    """_rows for sheetData with empty rows, row by row."""
    numbers, counts, previous = [], [], 0
    for piece in chain(pieces, [last]):
        pos, m = 0, None
        for m in _ROW_START.finditer(piece):  # empty rows, then (but in the last piece) one with cells
            number = int(m[1])
            if m.start() != pos or number <= previous or number > MAX_ROW:
                return None
            previous, pos = number, m.end()
            if not m[2]:
                break
        if piece is last:
            if pos != len(piece):
                return None
        elif m is None or m[2] or piece.find(b"<row", pos) >= 0:
            return None
        else:
            numbers.append(m[1])
            counts.append(piece.count(b"<c", pos))
    return numbers, counts


def _rows_in_order(xml: bytes, start: int, end: int) -> bool:
    """True when sheetData's content xml[start:end] is rows one after another, each with r= (rising,
    in range) and each of its cells with an r= of its own row, columns rising; False when in doubt."""
    content = xml[start:end]
    rows = _rows(content)
    if rows is None:
        return False
    numbers, counts = rows
    refs = _CELL_REF.findall(content)
    if len(refs) != sum(counts):  # a `<c` that is no cell with an r= first
        return False
    letters = list(map(bytes.rstrip, refs, repeat(_DIGIT)))  # (no tuple per cell: fewer for the collector)
    if list(map(bytes.lstrip, refs, repeat(_UPPER))) != list(chain.from_iterable(map(repeat, numbers, counts))):
        return False  # a cell whose r= names another row
    if not refs:
        return True
    columns = {x: col_index(x.decode()) for x in set(letters)}
    if max(columns.values()) > MAX_COL:
        return False
    cols = np.fromiter(map(columns.__getitem__, letters), np.int64, len(letters))
    row_of = np.repeat(np.arange(len(counts)), counts)
    return not np.any((np.diff(row_of) == 0) & (np.diff(cols) <= 0))  # columns rising in each row


def _plain_text(text: str) -> bool:
    """Text that stands in XML as it is and has no _xHHHH_ escape: its bytes are what a reader reads."""
    return text.isascii() and text.isprintable() and "&" not in text and ">" not in text and "_x" not in text


def same_but_values(
    original: bytes, patched: bytes, writes: Mapping[tuple[int, int], CellWrite], cells: FormulaCells | None = None
) -> bool:
    """True when `patched` is byte for byte `original` except the t= and <v> of exactly the written
    formula cells, and each of those reads back as the value meant; False when in doubt (then the
    sheet is patched the general way and verify_patch decides). `cells` are the original's formula
    cells as sheet_splice.formula_cells found them, if at hand.

    Only for an original that expat parsed (sheet_scan.plain_sheet), with the main namespace as the
    default one, no comment, CDATA, processing instruction or array formula in sheetData, and rows
    and cells in order with r= each: then every `<c r=` there is a cell and no cell occurs twice.
    Both documents are split at the formula cells of the simple shape, and the pieces compared
    column by column: the bytes between those cells, their start tags and formulas all the same,
    the t= and value of the cells not written too, the written ones read back as meant.
    """
    span = comparable_span(original)
    if span is None:
        return False
    start, end = span
    p_start, p_end = patched.find(b"<sheetData>") + 11, patched.rfind(b"</sheetData>")
    if p_start != start or original[:start] != patched[:start] or original[end:] != patched[p_end:]:
        return False
    same_sheet = cells is not None and cells.source is original and (cells.start, cells.end) == (start, end)
    if not same_sheet or cells.writes is not writes:  # found for another sheet, span or writes: found again
        cells = formula_cells(original, start, end, writes)
    was, now = cells.pieces, CACHED.split(patched[p_start:p_end])
    if len(was) != len(now):
        return False
    for k in (0, HEAD, FORMULA):  # the bytes between these cells (and after the last), start tags, formulas
        if list(was[k::PIECES]) != now[k::PIECES]:
            return False
    written = cells.written
    if written.count(True) != len(writes):  # every write, each into its own cell (none occurs twice)
        return False
    kept = [not w for w in written]
    for k in (T, VALUE):
        if list(compress(was[k::PIECES], kept)) != list(compress(now[k::PIECES], kept)):
            return False
    values = [w.value for w in compress(cells.found, written)]
    return _all_read_back(list(compress(now[T::PIECES], written)), list(compress(now[VALUE::PIECES], written)), values)


def comparable_span(original: bytes) -> tuple[int, int] | None:
    """Where the content of sheetData starts and ends in an original that same_but_values can judge
    (one sheetData, the main namespace the one default, nothing but rows and cells in order in it);
    None for any other."""
    start, end = original.find(b"<sheetData>"), original.rfind(b"</sheetData>")
    if start < 0 or end < start or original.count(b"<sheetData") != 1 or original.count(b"</sheetData") != 1:
        return None
    if original.count(b"xmlns=") != 1 or original.find(_MAIN_DEFAULT, 0, start) < 0:
        return None
    start += 11
    for bad in (b"<!", b"<?", b"xmlns", b'"array"'):
        if original.find(bad[-1:], start, end) >= 0 and original.find(bad, start, end) >= 0:
            return None  # (its rare last byte first: a search led by `<` stops at every tag)
    return (start, end) if _rows_in_order(original, start, end) else None


def _all_read_back(t_attrs: list, elements: list[bytes], values: list) -> bool:
    """Whether each written cell (its t= attribute with its space or None, and `[<v>..</v>]</c>`)
    holds its value as a reader reads it back: the finite floats and the plain texts all at once."""
    left = []  # the indexes of the values not yet read back, in groups
    numbers = [i for i in of_kind(values, float) if values[i] - values[i] == 0.0]  # finite
    if numbers and not _numbers_read_back(
        [t_attrs[i] for i in numbers], [elements[i] for i in numbers], numbers, values
    ):
        left.append(numbers)
    texts = of_kind(values, str)
    words = [values[i] for i in texts]
    together = "".join(words)
    if texts and _plain_text(together) and "<" not in together and [t_attrs[i] for i in texts].count(STR) == len(texts):
        if b"".join([elements[i] for i in texts]) != ("<v>" + "</v></c><v>".join(words) + "</v></c>").encode():
            left.append(texts)  # (no `<` in the texts: each element holds its own text or differs)
    else:
        left.append(texts)
    if len(numbers) + len(texts) < len(values):
        done = set(numbers).union(texts)
        left.append([i for i in range(len(values)) if i not in done])
    for i in chain.from_iterable(left):
        t, element = t_attrs[i], elements[i]
        if not _reads_back(t[4:-1] if t is not None else None, element[3:-8] if element != END else None, values[i]):
            return False
    return True


def _numbers_read_back(t_attrs: list, elements: list[bytes], at: list[int], values: list) -> bool:
    """Whether each of these cells holds a number (no t=, `<v>NUMBER</v></c>`) that reads back as
    values[at[k]]: NUMBER as _NUMBER has it, which for text of digits, `.`, `e`, `E`, `+` and `-`
    is what float() reads, but for a leading `+`."""
    joined = b"".join(elements)
    if t_attrs.count(None) != len(t_attrs) or b"<v>+" in joined:
        return False
    if joined.translate(None, b"0123456789.eE+-") != b"<v></v></c>" * len(elements):
        return False  # so each element is <v>..</v></c>, of those characters only
    try:
        read = list(map(float, joined[3:-8].split(b"</v></c><v>")))
    except ValueError:
        return False
    return read == [values[i] for i in at]


def _reads_back(t: bytes | None, v: bytes | None, value: object) -> bool:
    """Whether a formula cell with this t= and <v> text holds `value` as a reader reads it back."""
    if type(value) is float and value - value == 0.0 and t is None and v is not None:  # finite
        return _NUMBER.fullmatch(v) is not None and float(v) == value
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
