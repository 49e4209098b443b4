"""The 1904 date system (workbook.xml `<workbookPr date1904="1"/>`): day 0 is 1 January 1904, and
a date's serial number is 1,462 less than in the 1900 system ("Date systems in Excel").

The date functions of the evaluator all count from 1900. In a 1904 workbook each is called with its
date arguments moved into the 1900 system (+1,462) and its date result moved back (-1,462; a date
before 1904 is #NUM!, as Excel has none); a text read as a date outside those functions ("2011-07-05"
+ 0) gives the 1904 serial number. In a 1900 workbook nothing changes. Which system applies is
asked of the workbook being evaluated (vng_xl.recalc.excel_workbook) when a function runs.
"""

from __future__ import annotations

import contextvars
import functools
import re

import formulas.functions as _ff
import numpy as np
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError

from vng_xl.recalc.excel_values import EMPTY, Declined
from vng_xl.recalc.excel_workbook import date1904
from vng_xl.recalc.vng_cells import xl_error

#: Days from 31 December 1899 (1900 system) to 1 January 1904 (day 0 of the 1904 system).
OFFSET_1904 = 1462

DATE, DATES = "date", "dates"  # one date; a list of dates (holidays), whose empty cells stay empty
#: name -> (the kind of each argument, by position; whether the result is a date)
DATE_FUNCTIONS: dict[str, tuple[tuple[str | None, ...], bool]] = {
    "DATE": ((), True),
    "DATEVALUE": ((), True),
    "TODAY": ((), True),
    "NOW": ((), True),
    "YEAR": ((DATE,), False),
    "MONTH": ((DATE,), False),
    "DAY": ((DATE,), False),
    "WEEKDAY": ((DATE,), False),
    "WEEKNUM": ((DATE,), False),
    "ISOWEEKNUM": ((DATE,), False),
    "EDATE": ((DATE,), True),
    "EOMONTH": ((DATE,), True),
    "DATEDIF": ((DATE, DATE), False),
    "DAYS": ((DATE, DATE), False),
    "DAYS360": ((DATE, DATE), False),
    "YEARFRAC": ((DATE, DATE), False),
    "NETWORKDAYS": ((DATE, DATE, DATES), False),
    "NETWORKDAYS.INTL": ((DATE, DATE, None, DATES), False),
    "WORKDAY": ((DATE, None, DATES), True),
    "WORKDAY.INTL": ((DATE, None, None, DATES), True),
}
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)
_DATE_CODE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|(am/pm|a/p|[ymdhs])', re.I)

_inside = contextvars.ContextVar("vng_xl_inside_date_function", default=False)


def _is_number(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating, bool, np.bool_))


def _each(value: object, one) -> object:
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        out = np.empty(value.shape, dtype=object)
        for idx in np.ndindex(value.shape):
            out[idx] = one(value[idx])
        return out.view(type(value)) if type(value) is not np.ndarray else out
    return one(value)


def _to_1900(kind: str):
    def one(x: object) -> object:
        if x is EMPTY:
            return float(OFFSET_1904) if kind == DATE else x
        if _is_number(x) and not isinstance(x, XlError):
            f = float(x)
            return f + OFFSET_1904 if f >= 0 else f  # below day 0: left to the function's #NUM!
        return x

    return one


def _from_1900(x: object) -> object:
    if _is_number(x) and not isinstance(x, (bool, np.bool_, XlError)):
        f = float(x) - OFFSET_1904
        return f if f >= 0 else xl_error("#NUM!")
    return x


def _shifted(fn, kinds: tuple[str | None, ...], date_result: bool, skip: int):
    """`fn` with its date arguments (after `skip` extra inputs) and its date result in the 1904 system."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        if not date1904():
            return fn(*args, **kwargs)
        moved = list(args)
        for i, kind in enumerate(kinds):
            if kind and skip + i < len(moved):
                moved[skip + i] = _each(moved[skip + i], _to_1900(kind))
        token = _inside.set(True)
        try:
            out = fn(*moved, **kwargs)
        finally:
            _inside.reset(token)
        return _each(out, _from_1900) if date_result and out is not _ff.sh.NONE else out

    return wrapper


def _text_1904(fn):
    """TEXT: a number shown with a date format counts its days from 1904."""

    @functools.wraps(fn)
    def wrapper(value: object, format_text: object, *rest: object) -> object:
        if not date1904():
            return fn(value, format_text, *rest)
        formats = _each(format_text, lambda f: f)
        codes = {str(f) for f in np.asarray(formats, dtype=object).reshape(-1)}
        dated = [any(m[1] for m in _DATE_CODE.finditer(c)) for c in codes]
        if any(dated) and not all(dated):
            raise Declined("TEXT with date and other formats at once in a 1904 workbook")
        if any(_ELAPSED.search(c) for c in codes):
            raise Declined("TEXT with elapsed time ([h], [m], [s]) in a 1904 workbook")
        if all(dated):
            value = _each(value, _to_1900(DATE))
        token = _inside.set(True)
        try:
            return fn(value, format_text, *rest)
        finally:
            _inside.reset(token)

    return wrapper


_original_text2num = _ff._text2num


_TIME_ONLY = re.compile(r"^\s*\d+\s*:\s*\d+(?:\s*:\s*\d+(?:\.\d*)?)?\s*(?:am|pm|a|p)?\s*$", re.I)


def _holds_a_date(text: object) -> bool:
    """A text that is no number and no time alone ("2011-07-05", "5 July 2011 10:00"): a date."""
    if not isinstance(text, str) or _TIME_ONLY.match(text):
        return False
    try:
        float(text)
        return False
    except ValueError:
        return True


def _text2num(value: object) -> object:
    """A text read as a number; a date text outside the date functions as a 1904 serial number."""
    out = _original_text2num(value)
    if out is value or _inside.get() or not date1904() or not _holds_a_date(value):
        return out
    return _from_1900(out)


def _value_1904(fn):
    """VALUE: a date text counts its days from 1904."""

    @functools.wraps(fn)
    def wrapper(text: object) -> object:
        out = fn(text)
        if not date1904():
            return out
        texts = _each(text, lambda t: t)
        if isinstance(texts, np.ndarray):
            if any(_holds_a_date(t) for t in texts.reshape(-1)):
                raise Declined("VALUE of dates typed as text over an array in a 1904 workbook")
            return out
        return _each(out, _from_1900) if _holds_a_date(texts) else out

    wrapper.date1904 = True
    return wrapper


def install(functions: dict) -> None:
    """Wrap the date functions of the evaluator's table (both spellings, _xlfn. or not)."""
    for key, entry in list(functions.items()):
        bare = key.removeprefix("_XLFN.")
        if getattr(entry["function"] if isinstance(entry, dict) else entry, "date1904", False):
            continue  # wrapped already
        if bare == "VALUE":
            functions[key] = _value_1904(entry)
            continue
        if bare == "TEXT":
            functions[key] = _text_1904(entry)
            functions[key].date1904 = True
            continue
        if bare not in DATE_FUNCTIONS:
            continue
        kinds, date_result = DATE_FUNCTIONS[bare]
        if isinstance(entry, dict):
            skip = len(entry.get("extra_inputs", {}))
            functions[key] = {**entry, "function": _shifted(entry["function"], kinds, date_result, skip)}
            functions[key]["function"].date1904 = True
        else:
            functions[key] = _shifted(entry, kinds, date_result, 0)
            functions[key].date1904 = True
    _ff._text2num = _text2num
