"""ISNUMBER and SWITCH as Excel compares values, where `formulas` departs from it.

ISNUMBER is TRUE for a number only: a text that holds one ("1") is text (`formulas` tries float()).
SWITCH matches as Excel's `=` does: texts without regard to case ("a" matches "A"), values of
different types never (1 does not match TRUE, nor "1"); `formulas` compares with Python's `==`.
"""

from __future__ import annotations

import functools

import numpy as np
from formulas.functions import Error, get_error, wrap_ranges_func, wrap_ufunc
from formulas.functions.info import FalseArray, iserror
from formulas.tokens.operand import XlError

from vng_xl.recalc.excel_values import is_number


def _same(a: object, b: object) -> bool:
    """Excel's `=` between two single values that are no errors."""
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)) and bool(a) == bool(b)
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower()
    return a == b


def xswitch(value: object, *args: object) -> object:
    """SWITCH(expression, value1, result1, ..., [default]): the result of the first value that matches."""
    for k, v in zip(args[::2], args[1::2]):
        if isinstance(k, XlError):
            return k
        if _same(value, k):
            return v
    return args[-1] if len(args) % 2 else Error.errors["#N/A"]


_SWITCH = {"function": wrap_ufunc(xswitch, input_parser=lambda *a: a, check_error=lambda first, *a: get_error(first))}

COMPARE_FUNCTIONS = {
    "ISNUMBER": wrap_ranges_func(functools.partial(iserror, check=is_number, array=FalseArray)),
    "SWITCH": _SWITCH,
}
