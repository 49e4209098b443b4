"""Cells in SpreadsheetML sheet XML: references, values and formulas as read from a parsed sheet.

Reading goes through lxml (the tree comes from the package's safe parser). Writing cells into a
sheet is vng_xl.ooxml.sheet_patch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_C, _F, _V, _IS, _T, _R, _ROW, _RPH = (f"{{{NS}}}{n}" for n in ("c", "f", "v", "is", "t", "r", "row", "rPh"))

ERROR_CODES = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! #BLOCKED! "
    "#UNKNOWN! #BUSY! #CONNECT! #PYTHON!".split()
)
MAX_ROW, MAX_COL = 1_048_576, 16_384
_EPOCH, _EPOCH_1904 = datetime(1899, 12, 30), datetime(1904, 1, 1)
_WORKBOOK_PR = f"{{{NS}}}workbookPr"


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


def row_number(text: str) -> int:
    """A row's r= as its number: ASCII digits only, as the file format writes it (int() would also
    read other scripts' digits, '٣' as 3, and fail on '²' without saying which row)."""
    if not (text.isascii() and text.isdigit()):
        raise SheetRefused(f"row number {text!r} is not a number")
    return int(text)


_LETTERS: dict[str, int] = {}  # column letters -> index, learnt from canonical references


def ref_in_row(ref: str, row: int) -> tuple[int, int]:
    """parse_ref for a cell of this row, quicker: a canonical reference ("AB12" in row 12) is
    split at the row's digits and its letters looked up once."""
    digits = str(row)
    if ref.endswith(digits):
        col = _LETTERS.get(ref[: -len(digits)])
        if col is not None:
            return row, col
    r, col = parse_ref(ref)
    if r == row and ref == cell_ref(r, col):
        _LETTERS[ref[: -len(digits)]] = col
    return r, col


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


def excel_serial(value: datetime | date, date1904: bool = False) -> float:
    """A date or datetime as Excel's serial number in the workbook's date system (1900 unless
    `date1904`); ValueError for a date before the system's first day, which no cell can hold."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    value = value.replace(tzinfo=None)
    serial = (value - (_EPOCH_1904 if date1904 else _EPOCH)) / timedelta(days=1)
    if not date1904 and serial < 61:  # the 1900 system counts 29 February 1900 (day 60), as Lotus 1-2-3 did
        serial -= 1
    if serial < 0:
        first = "1 January 1904" if date1904 else "31 December 1899"
        raise ValueError(
            f"the date {value:%Y-%m-%d} is before the first date of the workbook's date system (day 0: {first})"
        )
    return serial


def serial_if_date(value: CellValue, date1904: bool) -> CellValue:
    """A value to write into a workbook with this date system: a date as its serial number, else itself."""
    return excel_serial(value, date1904) if isinstance(value, (datetime, date)) else value


def uses_1904_dates(workbook) -> bool:
    """Whether a parsed workbook part counts dates from 1904 (`<workbookPr date1904="1"/>`)."""
    pr = child(workbook, _WORKBOOK_PR)
    return pr is not None and pr.get("date1904", "").lower() in ("1", "true")


def _unescape_ooxml(text: str) -> str:
    """Decode Excel's _xHHHH_ escapes for characters XML cannot hold."""
    if "_x" not in text:
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


# Characters a text cell cannot hold as they are; CR too: XML parsers read a literal CR as LF.
_UNWRITABLE = r"[\x00-\x08\x0b-\x1f\ufffe\uffff]"


def escape_ooxml(text: str) -> str:
    """Encode characters XML 1.0 cannot hold as Excel's _xHHHH_ (and a literal _xHHHH_ as _x005F_...)."""
    # Each underscore that starts a _xHHHH_, overlapping ones too ("_x0041_x0042_" has two), and one
    # whose closing underscore the next character's own escape brings ("_x0041" + chr(1)).
    text = re.sub(f"_(?=x[0-9A-Fa-f]{{4}}(?:_|{_UNWRITABLE}))", "_x005F_", text)
    return re.sub(_UNWRITABLE, lambda m: f"_x{ord(m.group()):04X}_", text)


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


def child(element, tag: str):
    """The first child element with this tag, or None (as element.find(tag), without its path parsing)."""
    return next(element.iterchildren(tag), None)


def dynamic_cm(metadata) -> frozenset[str]:
    """The cm= values that mark dynamic-array formulas in a parsed cell metadata part (type XLDAPR)."""
    types = [mt.get("name") for mt in metadata.iter(f"{{{NS}}}metadataType")]
    cell_md = metadata.find(f"{{{NS}}}cellMetadata")
    if cell_md is None or "XLDAPR" not in types:
        return frozenset()
    xldapr = str(types.index("XLDAPR") + 1)
    out = set()
    for i, bk in enumerate(cell_md.iterchildren(f"{{{NS}}}bk"), start=1):
        if any(rc.get("t") == xldapr for rc in bk.iterchildren(f"{{{NS}}}rc")):
            out.add(str(i))
    return frozenset(out)


def cell_value(c, shared_strings: list[str], date1904: bool = False):
    """The value a `<c>` element holds (its cached value for a formula cell; a date as its serial
    number in the workbook's date system)."""
    t = c.get("t", "n")
    if t == "inlineStr":
        return rich_text(child(c, _IS))
    v = child(c, _V)
    if v is None:
        return rich_text(child(c, _IS)) if t == "str" and child(c, _IS) is not None else None
    return typed_value(t, v.text or "", shared_strings, c.get("r", "?"), date1904)


def typed_value(t: str, text: str, shared_strings: list[str], ref: str = "?", date1904: bool = False):
    """The value of a cell of type t= whose `<v>` holds `text` (ref names the cell in a refusal; a
    date, t="d", as its serial number in the workbook's date system)."""
    if t == "s":
        index = int(text) if text.strip().isdigit() else -1
        if not 0 <= index < len(shared_strings):  # a damaged package, not a fault of ours
            raise ValueError(f"cell {ref} refers to shared string {text!r}, which does not exist")
        return shared_strings[index]
    if t == "str":
        return _unescape_ooxml(text)
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return ExcelError(text.strip())
    if t == "d":
        try:
            return excel_serial(datetime.fromisoformat(text.strip().rstrip("Z")), date1904)
        except ValueError as exc:
            raise ValueError(f"cell {ref}: {exc}") from None
    return float(text) if text.strip() else None


def same_value(old: object, new: object, rel: float = 4 * 2.0**-52) -> bool:
    """True when writing `new` over cached `old` would change nothing worth writing: equal, or finite
    numbers a few ulps apart (never NaN, never infinities of opposite sign or an infinity and a number)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, ExcelError) or isinstance(new, ExcelError):
        return isinstance(old, ExcelError) and isinstance(new, ExcelError) and str(old) == str(new)
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        if old == new:  # never for NaN
            return True
        if not (math.isfinite(old) and math.isfinite(new)):  # +inf and -inf, inf and a finite number
            return False
        return abs(old - new) <= rel * max(abs(old), abs(new))
    return type(old) is type(new) and old == new


# ---------------------------------------------------------------- reading formulas


class FormulaCell(NamedTuple):
    """A formula as stored in one cell (shared formulas already expanded by the reader's caller);
    a tuple, as a sheet holds one per formula cell."""

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


def read_sheet(
    root, shared_strings: list[str], dynamic_cm: frozenset[str] = frozenset({"1"}), date1904: bool = False
) -> SheetCells:
    """Read values and formulas from a parsed sheet (cells without r= get their implicit position;
    dates, t="d", as serial numbers in the workbook's date system)."""
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
        row_no = row_number(r) if r else row_no + 1
        if row.get("hidden") in ("1", "true"):
            hidden.add(row_no)
        col_no = 0
        for c in row.iterchildren(_C):
            ref = c.get("r")
            if ref:
                row_no_c, col_no = ref_in_row(ref, row_no)
            else:
                row_no_c, col_no = row_no, col_no + 1
            value = cell_value(c, shared_strings, date1904)
            if value is not None:
                values[(row_no_c, col_no)] = value
            f = child(c, _F)
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


# ---------------------------------------------------------------- writing (vng_xl.ooxml.sheet_patch)


class SheetRefused(ValueError):
    """A sheet that cannot be patched safely: `damaged` for bad input, else the patch failed its check."""

    def __init__(self, reason: str, cell: str = "", damaged: bool = True) -> None:
        self.reason, self.cell, self.damaged = reason, cell, damaged
        super().__init__(f"cell {cell}: {reason}" if cell else reason)


@dataclass(frozen=True)
class CellWrite:
    """A value for one cell. `array_ref` also rewrites the ref= of the cell's array formula; `input`
    marks a cell the caller asked to change (any cell), as opposed to a formula's cached value."""

    value: CellValue
    array_ref: str | None = None
    input: bool = False
