"""Cells in SpreadsheetML sheet XML: reading values and formulas, and patching cells in place.

Reading goes through lxml (the tree comes from the package's safe parser). Writing patches the
original bytes: only the `<c>` elements written change, every other byte of the sheet stays.
This works because cell content is escaped text, so `</c>` cannot occur inside a cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_C, _F, _V, _IS, _T, _R, _ROW, _RPH = (f"{{{NS}}}{n}" for n in ("c", "f", "v", "is", "t", "r", "row", "rPh"))

ERROR_CODES = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! #BLOCKED! "
    "#UNKNOWN! #BUSY! #CONNECT! #PYTHON!".split()
)
MAX_ROW, MAX_COL = 1_048_576, 16_384
_EPOCH = datetime(1899, 12, 30)


class ExcelError(str):
    """An Excel error value such as #DIV/0!, kept apart from text that merely looks like one."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r})"


CellValue = float | int | str | bool | None | datetime | date | ExcelError


# ---------------------------------------------------------------- references

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def col_index(letters: str) -> int:
    """Column letters to a 1-based index: A -> 1, XFD -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(index: int) -> str:
    """1-based column index to letters: 28 -> AB."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_ref(ref: str) -> tuple[int, int]:
    """A1-style cell reference (dollars allowed) to 1-based (row, col)."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    row, col = int(m.group(2)), col_index(m.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ValueError(f"cell reference out of range: {ref!r}")
    return row, col


def cell_ref(row: int, col: int) -> str:
    """1-based (row, col) to an A1-style reference."""
    return f"{col_letters(col)}{row}"


def parse_area(ref: str) -> tuple[int, int, int, int]:
    """'A1:C3' or 'B2' to (row1, col1, row2, col2)."""
    a, _, b = ref.partition(":")
    r1, c1 = parse_ref(a)
    r2, c2 = parse_ref(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# ---------------------------------------------------------------- values


def excel_serial(value: datetime | date) -> float:
    """A date or datetime as Excel's serial number (1900 date system)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return (value.replace(tzinfo=None) - _EPOCH) / timedelta(days=1)


def _unescape_ooxml(text: str) -> str:
    """Decode Excel's _xHHHH_ escapes for characters XML cannot hold."""
    if "_x" not in text:
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _escape_ooxml(text: str) -> str:
    """Encode characters XML 1.0 cannot hold as Excel's _xHHHH_ (and a literal _xHHHH_ as _x005F_...)."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)


def xml_text(text: str) -> str:
    """Escape text for element content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """Escape text for a double-quoted attribute."""
    return xml_text(text).replace('"', "&quot;")


def rich_text(element) -> str:
    """The text of a shared-string item or inline string: all runs, without phonetic hints."""
    if element is None:
        return ""
    parts = [t.text or "" for t in element.iter(_T) if t.getparent().tag != _RPH]
    return _unescape_ooxml("".join(parts))


def cell_value(c, shared_strings: list[str]):
    """The value a `<c>` element holds (its cached value for a formula cell)."""
    t = c.get("t", "n")
    if t == "inlineStr":
        return rich_text(c.find(_IS))
    v = c.find(_V)
    if v is None:
        return rich_text(c.find(_IS)) if t == "str" and c.find(_IS) is not None else None
    text = v.text or ""
    if t == "s":
        index = int(text) if text.strip().isdigit() else -1
        if not 0 <= index < len(shared_strings):  # a damaged package, not a fault of ours
            raise ValueError(f"cell {c.get('r', '?')} refers to shared string {text!r}, which does not exist")
        return shared_strings[index]
    if t == "str":
        return _unescape_ooxml(text)
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return ExcelError(text.strip())
    if t == "d":
        return excel_serial(datetime.fromisoformat(text.strip().rstrip("Z")))
    return float(text) if text.strip() else None


def same_value(old: object, new: object, rel: float = 4 * 2.0**-52) -> bool:
    """True when writing `new` over cached `old` would change nothing worth writing (a few ulps)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, ExcelError) or isinstance(new, ExcelError):
        return isinstance(old, ExcelError) and isinstance(new, ExcelError) and str(old) == str(new)
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        if math.isnan(new):
            return False
        return old == new or abs(old - new) <= rel * max(abs(old), abs(new))
    return type(old) is type(new) and old == new


# ---------------------------------------------------------------- reading formulas


@dataclass(frozen=True)
class FormulaCell:
    """A formula as stored in one cell (shared formulas already expanded by the reader's caller)."""

    row: int
    col: int
    text: str  # without the leading "="
    kind: str  # "normal", "shared", "array" or "dataTable"
    ref: str | None  # the area of an array formula or the master of a shared group
    si: str | None  # shared group index
    dynamic: bool  # a dynamic-array formula (cm= points at the XLDAPR metadata)


@dataclass
class SheetCells:
    """What the evaluator needs of one sheet: values by position, formulas, and the used area."""

    values: dict[tuple[int, int], object]
    formulas: list[FormulaCell]
    max_row: int = 0
    max_col: int = 0
    hidden_rows: frozenset[int] = frozenset()


def read_sheet(root, shared_strings: list[str], dynamic_cm: frozenset[str] = frozenset({"1"})) -> SheetCells:
    """Read values and formulas from a parsed sheet (cells without r= get their implicit position)."""
    values: dict[tuple[int, int], object] = {}
    formulas: list[FormulaCell] = []
    max_row = max_col = 0
    sheet_data = root.find(f"{{{NS}}}sheetData")
    if sheet_data is None:
        return SheetCells(values, formulas)
    row_no = 0
    hidden: set[int] = set()
    for row in sheet_data.iterchildren(_ROW):
        r = row.get("r")
        row_no = int(r) if r else row_no + 1
        if row.get("hidden") in ("1", "true"):
            hidden.add(row_no)
        col_no = 0
        for c in row.iterchildren(_C):
            ref = c.get("r")
            if ref:
                row_no_c, col_no = parse_ref(ref)
            else:
                row_no_c, col_no = row_no, col_no + 1
            value = cell_value(c, shared_strings)
            if value is not None:
                values[(row_no_c, col_no)] = value
            f = c.find(_F)
            if f is not None:
                formulas.append(
                    FormulaCell(
                        row_no_c,
                        col_no,
                        f.text or "",
                        f.get("t", "normal"),
                        f.get("ref"),
                        f.get("si"),
                        c.get("cm") in dynamic_cm,
                    )
                )
            if value is not None or f is not None:
                max_row = max(max_row, row_no_c)
                max_col = max(max_col, col_no)
    return SheetCells(values, formulas, max_row, max_col, frozenset(hidden))


# ---------------------------------------------------------------- patching


@dataclass(frozen=True)
class CellWrite:
    """A value to put into one cell; `array_ref` also rewrites the ref= of the cell's array formula."""

    value: CellValue
    array_ref: str | None = None


_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROW_OPEN = re.compile(rb"<%srow\b([^>]*?)(/?)>")
_CELL = re.compile(rb"<%sc\b([^>]*?)(?:/>|>(.*?)</%sc>)", re.S)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_F_ELEMENT = re.compile(rb"<%sf\b[^>]*?(?:/>|>.*?</%sf>)", re.S)
_DIMENSION = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)dimension\b[^>]*?ref=\"([^\"]*)\"[^>]*/>")


def _attrs(raw: bytes) -> list[tuple[bytes, bytes]]:
    return [(m.group(1), m.group(2)[1:-1]) for m in _ATTR.finditer(raw)]


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


def _value_parts(value: CellValue, formula: bool) -> tuple[bytes | None, bytes]:
    """The t= attribute and the value element(s) for a value; formula cells keep strings in <v>."""
    if value is None:
        return None, b""
    if isinstance(value, ExcelError):
        return b"e", b"<v>" + xml_text(str(value)).encode() + b"</v>"
    if isinstance(value, bool):
        return b"b", b"<v>" + (b"1" if value else b"0") + b"</v>"
    if isinstance(value, (datetime, date)):
        value = excel_serial(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return b"e", b"<v>#NUM!</v>"
        number = repr(float(value)) if isinstance(value, float) else str(int(value))
        if number.endswith(".0"):
            number = number[:-2]
        return None, b"<v>" + number.encode() + b"</v>"
    if isinstance(value, str):
        text = xml_text(_escape_ooxml(value)).encode()
        if formula:
            return b"str", b"<v>" + text + b"</v>"
        space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
        return b"inlineStr", b"<is><t" + space + b">" + text + b"</t></is>"
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")


def _render_cell(prefix: bytes, attrs_raw: bytes, inner: bytes | None, write: CellWrite) -> bytes:
    attrs = _attrs(attrs_raw)
    f = _F_ELEMENT.pattern.replace(b"%s", prefix)
    f_match = re.search(f, inner or b"", re.S)
    f_xml = f_match.group(0) if f_match else b""
    if f_xml and write.array_ref is not None:
        f_xml = re.sub(rb'\bref="[^"]*"', b'ref="' + write.array_ref.encode() + b'"', f_xml, count=1)
    t, value_xml = _value_parts(write.value, bool(f_xml))
    _set_attr(attrs, b"t", t, after=b"s")
    tail = b""
    if inner and b"extLst" in inner:
        ext = re.search(rb"<(?:[\w.-]+:)?extLst\b.*</(?:[\w.-]+:)?extLst>", inner, re.S)
        tail = ext.group(0) if ext else b""
    if prefix and value_xml:
        value_xml = re.sub(rb"<(/?)(v|is|t)\b", lambda m: b"<" + m.group(1) + prefix + m.group(2), value_xml)
    body = f_xml + value_xml + tail
    name = prefix + b"c"
    if not body:
        return b"<" + name + _render_attrs(attrs) + b"/>"
    return b"<" + name + _render_attrs(attrs) + b">" + body + b"</" + name + b">"


def _new_cell(prefix: bytes, row: int, col: int, write: CellWrite, style: bytes | None) -> bytes:
    attrs = b' r="' + cell_ref(row, col).encode() + b'"' + (b' s="' + style + b'"' if style else b"")
    return _render_cell(prefix, attrs, None, write)


def patch_sheet(xml: bytes, writes: Mapping[tuple[int, int], CellWrite]) -> bytes:
    """Write values into cells of a sheet's XML, changing nothing else but the cells written.

    Formula cells keep their formula (only the cached value and t= change); other cells get the
    value (strings inline); missing rows and cells are created in order. The row's spans= and the
    sheet's dimension are widened when a new cell falls outside them.
    """
    if not writes:
        return xml
    sd = _SHEET_DATA.search(xml)
    if sd is None:
        raise ValueError("sheet has no sheetData")
    prefix = sd.group(1)
    pending: dict[int, dict[int, CellWrite]] = {}
    for (r, c), w in writes.items():
        pending.setdefault(r, {})[c] = w
    if sd.group(2) == b"/":  # <sheetData/>: no rows at all
        body_start = body_end = sd.end()
        head, tail = xml[: sd.start()], xml[sd.end() :]
        open_tag = xml[sd.start() : sd.end() - 2] + b">"
        new_body = _rows_xml(prefix, pending)
        return _widen_dimension(head + open_tag + new_body + b"</" + prefix + b"sheetData>" + tail, writes)
    body_start = sd.end()
    close = re.compile(b"</" + re.escape(prefix) + b"sheetData>")
    body_end = close.search(xml, body_start).start()
    body = xml[body_start:body_end]
    row_open = re.compile(_ROW_OPEN.pattern.replace(b"%s", re.escape(prefix)))
    row_close = b"</" + prefix + b"row>"
    out: list[bytes] = []
    pos = 0
    row_no = 0
    for m in row_open.finditer(body):
        if m.start() < pos:
            continue
        attrs = _attrs(m.group(1))
        r_attr = dict(attrs).get(b"r")
        row_no = int(r_attr) if r_attr else row_no + 1
        # rows to create before this one
        for r in sorted(k for k in pending if k < row_no):
            out.append(body[pos : m.start()])
            pos = m.start()
            out.append(_rows_xml(prefix, {r: pending.pop(r)}))
        if m.group(2) == b"/":
            row_end = m.end()
            cells_xml = b""
        else:
            row_end = body.index(row_close, m.end()) + len(row_close)
            cells_xml = body[m.end() : row_end - len(row_close)]
        if row_no not in pending:
            continue
        out.append(body[pos : m.start()])
        todo = pending.pop(row_no)
        row_style = dict(attrs).get(b"s") if dict(attrs).get(b"customFormat") in (b"1", b"true") else None
        cols = list(todo)
        new_cells = _patch_cells(prefix, row_no, cells_xml, todo, row_style)
        _widen_spans(attrs, min(cols), max(cols))
        out.append(b"<" + prefix + b"row" + _render_attrs(attrs) + b">" + new_cells + row_close)
        pos = row_end
    out.append(body[pos:])
    if pending:
        out.append(_rows_xml(prefix, pending))
    patched = xml[:body_start] + b"".join(out) + xml[body_end:]
    return _widen_dimension(patched, writes)


def _patch_cells(prefix: bytes, row_no: int, cells_xml: bytes, todo: dict[int, CellWrite], row_style) -> bytes:
    cell_re = re.compile(_CELL.pattern.replace(b"%s", re.escape(prefix)), re.S)
    out: list[bytes] = []
    pos = 0
    col_no = 0
    for m in cell_re.finditer(cells_xml):
        ref = dict(_attrs(m.group(1))).get(b"r")
        col_no = parse_ref(ref.decode())[1] if ref else col_no + 1
        for c in sorted(k for k in todo if k < col_no):
            out.append(cells_xml[pos : m.start()])
            pos = m.start()
            out.append(_new_cell(prefix, row_no, c, todo.pop(c), row_style))
        if col_no in todo:
            out.append(cells_xml[pos : m.start()])
            out.append(_render_cell(prefix, m.group(1), m.group(2), todo.pop(col_no)))
            pos = m.end()
    out.append(cells_xml[pos:])
    for c in sorted(todo):
        out.append(_new_cell(prefix, row_no, c, todo[c], row_style))
    return b"".join(out)


def _rows_xml(prefix: bytes, rows: dict[int, dict[int, CellWrite]]) -> bytes:
    out = []
    for r in sorted(rows):
        cols = sorted(rows[r])
        cells = b"".join(_new_cell(prefix, r, c, rows[r][c], None) for c in cols)
        spans = f"{cols[0]}:{cols[-1]}".encode()
        out.append(
            b"<"
            + prefix
            + b'row r="'
            + str(r).encode()
            + b'" spans="'
            + spans
            + b'">'
            + cells
            + b"</"
            + prefix
            + b"row>"
        )
    return b"".join(out)


def _widen_spans(attrs: list[tuple[bytes, bytes]], lo: int, hi: int) -> None:
    spans = dict(attrs).get(b"spans")
    if not spans or b" " in spans:
        return
    try:
        a, b = (int(x) for x in spans.split(b":"))
    except ValueError:
        return
    if lo < a or hi > b:
        _set_attr(attrs, b"spans", f"{min(a, lo)}:{max(b, hi)}".encode(), after=b"r")


def _widen_dimension(xml: bytes, writes: Mapping[tuple[int, int], CellWrite]) -> bytes:
    m = _DIMENSION.search(xml)
    if not m:
        return xml
    try:
        r1, c1, r2, c2 = parse_area(m.group(2).decode())
    except ValueError:
        return xml
    rows = [r for r, _ in writes]
    cols = [c for _, c in writes]
    n1, m1, n2, m2 = min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols)
    if (n1, m1, n2, m2) == (r1, c1, r2, c2):
        return xml
    area = cell_ref(n1, m1) + (":" + cell_ref(n2, m2) if (n1, m1) != (n2, m2) else "")
    return xml[: m.start(2)] + area.encode() + xml[m.end(2) :]
