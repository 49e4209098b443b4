"""Excel functions the `formulas` package lacks or computes differently from Excel, in one table.

`install_excel_functions` puts them into the evaluator's function table (vng_xl.recalc.engine).
This module holds the number and text functions: the base conversions (DEC2BIN ... HEX2OCT,
BASE), QUOTIENT, COMBIN, ROUND/ROUNDUP/ROUNDDOWN/TRUNC, CHAR/CODE and SEQUENCE; conditions
(COUNTIF ...) and the database functions are in excel_criteria, AGGREGATE in excel_aggregate,
TEXT in excel_text, the functions that read the workbook (FORMULATEXT, SHEET, ...) in excel_workbook,
ISNUMBER and SWITCH in excel_compare.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal

import numpy as np
from formulas.ranges import Ranges

from vng_xl.ooxml.sheet_xml import MAX_COL, MAX_ROW
from vng_xl.recalc.excel_aggregate import AGGREGATE_FUNCTIONS
from vng_xl.recalc.excel_compare import COMPARE_FUNCTIONS
from vng_xl.recalc.excel_criteria import CRITERIA_FUNCTIONS
from vng_xl.recalc.excel_text import TEXT_FUNCTIONS
from vng_xl.recalc.excel_values import (
    EMPTY,
    Fail,
    check,
    elementwise,
    grid,
    guarded,
    integer,
    is_number,
    number,
    result,
    single,
)
from vng_xl.recalc.excel_workbook import WORKBOOK_FUNCTIONS

# ---------------------------------------------------------------- bases (DEC2BIN ... HEX2OCT)

_RADIX = {"BIN": 2, "OCT": 8, "HEX": 16}
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALID = {2: re.compile(r"[01]*"), 8: re.compile(r"[0-7]*"), 16: re.compile(r"[0-9A-Fa-f]*")}


def _digits(n: int, radix: int) -> str:
    """A non-negative integer in the radix, upper case."""
    out = ""
    while True:
        n, r = divmod(n, radix)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def _from_radix(value: object, radix: int) -> int:
    """BIN2x/OCT2x/HEX2x's number: at most 10 digits, the 10th digit's top bit as the sign."""
    value = check(value)
    if value is EMPTY or value is None:
        return 0
    if isinstance(value, (bool, np.bool_)):
        raise Fail("#VALUE!")
    if is_number(value):
        if not float(value).is_integer() or value < 0:
            raise Fail("#NUM!")
        value = str(int(value))
    text = str(value)
    if len(text) > 10 or not _VALID[radix].fullmatch(text):
        raise Fail("#NUM!")
    n = int(text, radix) if text else 0
    full = radix**10
    return n - full if n >= full // 2 else n


def _places(places: object) -> int | None:
    """The `places` argument: None when omitted, else 1 to 10 (#NUM! otherwise)."""
    if places is None:
        return None
    p = integer(places)
    if not 1 <= p <= 10:
        raise Fail("#NUM!")
    return p


def _to_radix(n: int, radix: int, p: int | None) -> str:
    """DEC2x's result: negative numbers as 10 digits of two's complement, places ignored for them."""
    full = radix**10
    if not -full // 2 <= n < full // 2:
        raise Fail("#NUM!")
    if n < 0:
        return _digits(n + full, radix)
    text = _digits(n, radix)
    if p is not None:
        if p < len(text):
            raise Fail("#NUM!")
        text = text.zfill(p)
    return text


def _dec(value: object) -> int:
    """DEC2x's number: numeric (text parsed, booleans refused), truncated."""
    if isinstance(check(value), (bool, np.bool_)):
        raise Fail("#VALUE!")
    return integer(value)


def _converter(source: str, target: str):
    src, dst = _RADIX.get(source), _RADIX.get(target)

    def convert(value: object, places: object = None) -> object:
        p = _places(places)  # checked first: DEC2BIN("E", 0) is #NUM!, not #VALUE!
        n = _dec(value) if src is None else _from_radix(value, src)
        return float(n) if dst is None else _to_radix(n, dst, p)

    convert.__name__ = f"x{source.lower()}2{target.lower()}"
    return elementwise(convert)


def xbase(value: object, radix: object, min_length: object = None) -> str:
    """BASE: a number 0 <= n < 2^53 in radix 2 to 36, zero-padded to min_length (0 to 255)."""
    n, r = integer(value), integer(radix)
    if not 0 <= n < 2**53 or not 2 <= r <= 36:
        raise Fail("#NUM!")
    text = _digits(n, r)
    if min_length is not None:
        m = integer(min_length)
        if not 0 <= m <= 255:
            raise Fail("#NUM!")
        text = text.zfill(m)
    return text


# ---------------------------------------------------------------- numbers


def xquotient(numerator: object, denominator: object) -> float:
    """QUOTIENT: the integer part of a division."""
    a, b = number(numerator), number(denominator)
    if b == 0:
        raise Fail("#DIV/0!")
    return float(math.trunc(a / b))


def xcombin(n: object, k: object) -> float:
    """COMBIN: the number of ways to choose k of n (both truncated); #NUM! when out of range."""
    nn, kk = integer(n), integer(k)
    if nn < 0 or kk < 0 or nn < kk:
        raise Fail("#NUM!")
    m = min(kk, nn - kk)
    if m > 1100:  # C(2m, m) > 1.8e308 from m = 515 on: the result cannot be a number
        raise Fail("#NUM!")
    try:
        return float(math.comb(nn, m))
    except OverflowError:
        raise Fail("#NUM!") from None


_MODES = {"ROUND": ROUND_HALF_UP, "ROUNDUP": ROUND_UP, "ROUNDDOWN": ROUND_DOWN, "TRUNC": ROUND_DOWN}


def _rounder(name: str):
    mode = _MODES[name]

    def xround(value: object, digits: object = 0.0 if name == "TRUNC" else None) -> float:
        if digits is None:
            raise Fail("#VALUE!")  # ROUND, ROUNDUP and ROUNDDOWN need both arguments
        x, d = number(value), number(digits)
        d = math.trunc(max(-400.0, min(400.0, d)))  # beyond +-400 digits nothing changes any more
        if x == 0:
            return 0.0
        exact = Decimal(repr(x))  # the shortest decimal that reads back as x, as Excel shows it
        if d + exact.adjusted() > 17:  # finer than a double holds: x itself
            return x
        try:
            out = float(exact.quantize(Decimal(1).scaleb(-d), rounding=mode))
        except ArithmeticError:
            raise Fail("#NUM!") from None
        if not math.isfinite(out):
            raise Fail("#NUM!")
        return out + 0.0

    xround.__name__ = "x" + name.lower()
    return elementwise(xround)


# ---------------------------------------------------------------- text


def xchar(value: object) -> str:
    """CHAR: the character of a code 1 to 255 in Excel's (Windows-1252) character set."""
    n = integer(value)
    if not 1 <= n <= 255:
        raise Fail("#VALUE!")
    try:
        return bytes([n]).decode("cp1252")
    except UnicodeDecodeError:  # the five codes Windows-1252 leaves free map to the same code point
        return chr(n)


def xcode(value: object) -> float:
    """CODE: the Windows-1252 code of the first character (63, "?", for one it lacks)."""
    v = check(value)
    if v is EMPTY or v is None:
        raise Fail("#VALUE!")
    text = ("TRUE" if v else "FALSE") if isinstance(v, (bool, np.bool_)) else _text(v)
    if not text:
        raise Fail("#VALUE!")
    ch = text[0]
    if ord(ch) in (0x81, 0x8D, 0x8F, 0x90, 0x9D):  # CHAR's five free codes, back to themselves
        return float(ord(ch))
    try:
        return float(ch.encode("cp1252")[0])
    except UnicodeEncodeError:
        return 63.0


def _text(v: object) -> str:
    if is_number(v):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    return str(v)


# ---------------------------------------------------------------- arrays


def xsequence(rows: object, columns: object = None, start: object = None, step: object = None) -> np.ndarray:
    """SEQUENCE: a rows x columns array from start by step (#CALC! for an empty one)."""
    r = integer(single(rows), 1.0)
    c = 1 if columns is None else integer(single(columns), 1.0)
    first = 1.0 if start is None else number(single(start), 1.0)
    by = 1.0 if step is None else number(single(step), 1.0)
    if r < 0 or c < 0:
        raise Fail("#VALUE!")
    if r == 0 or c == 0:
        raise Fail("#CALC!")
    if r * c > MAX_ROW * MAX_COL:
        raise Fail("#NUM!")
    return (first + by * np.arange(r * c, dtype=float)).reshape(r, c).astype(object)


def _counter(axis: int, reference_count):
    """ROWS or COLUMNS that also takes an array (a spilled area's values, an array constant), as Excel
    does; `formulas` takes only references (#VALUE! for ROWS({1;2;3}))."""

    def count(ref: object) -> object:
        if isinstance(ref, Ranges) or not isinstance(ref, np.ndarray):
            return reference_count(ref)
        return result(float(grid(ref).shape[axis]))

    count.__name__ = ("xrows", "xcolumns")[axis]
    return count


# ---------------------------------------------------------------- the table

EXCEL_FUNCTIONS = {
    **{
        f"{a}2{b}": _converter(a, b)
        for a in ("BIN", "OCT", "DEC", "HEX")
        for b in ("BIN", "OCT", "DEC", "HEX")
        if a != b
    },
    "BASE": elementwise(xbase),
    "QUOTIENT": elementwise(xquotient),
    "COMBIN": elementwise(xcombin),
    **{name: _rounder(name) for name in _MODES},
    "CHAR": elementwise(xchar),
    "CODE": elementwise(xcode),
    "SEQUENCE": guarded(xsequence),
    **CRITERIA_FUNCTIONS,
    **AGGREGATE_FUNCTIONS,
    **TEXT_FUNCTIONS,
    **WORKBOOK_FUNCTIONS,
    **COMPARE_FUNCTIONS,
}

#: Functions Excel writes with a prefix in files (_xlfn.); the table answers to both spellings.
_PREFIXED = (
    "BASE",
    "SEQUENCE",
    "AGGREGATE",
    "MAXIFS",
    "MINIFS",
    "FORMULATEXT",
    "ISFORMULA",
    "SHEET",
    "SHEETS",
    "SWITCH",
)


def install_excel_functions(functions: dict) -> None:
    """Put these implementations into the evaluator's function table (by Excel name)."""
    for name, fn in EXCEL_FUNCTIONS.items():
        functions[name] = fn
        if name in _PREFIXED:
            functions["_XLFN." + name] = fn
    for axis, name in enumerate(("ROWS", "COLUMNS")):
        functions[name] = _counter(axis, functions[name])
