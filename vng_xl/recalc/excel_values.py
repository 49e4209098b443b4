"""Arguments and results of the Excel functions we add to the evaluator, as Excel coerces them.

`formulas` hands a function Ranges (cell references), numpy arrays (array constants and
intermediate results, empty cells as its EMPTY marker), Python scalars and XlError values; these
helpers turn them into plain values and back, and raise `Fail` for an Excel error result.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import schedula as _sh
from formulas.functions import Array
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError

from vng_xl.recalc.vng_cells import xl_error

EMPTY = _sh.EMPTY


class Fail(Exception):
    """An Excel error as the function's result (#VALUE!, #NUM!, #DIV/0!, #N/A, #CALC!)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Unsupported(NotImplementedError):
    """A case the evaluator cannot compute as Excel would: the cell is reported, not guessed."""


class Declined(Unsupported):
    """Unsupported, with its message reported as the cell's reason."""


def values(arg: object) -> object:
    """A reference's values (2-D array) or the argument itself."""
    return arg.value if isinstance(arg, Ranges) else arg


def grid(arg: object) -> np.ndarray:
    """Any argument as a 2-D object array (a scalar as 1x1)."""
    arr = np.asarray(values(arg), dtype=object)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr.reshape(arr.shape[0], -1)


def single(arg: object) -> object:
    """The one value of an argument that must be a single value (a 1x1 range or array counts)."""
    v = values(arg)
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise Fail("#VALUE!")
        v = v.reshape(-1)[0]
    return v


def check(value: object) -> object:
    """The value itself, or Fail for an error value."""
    if isinstance(value, XlError):
        raise Fail(str(value))
    return value


def parse_number(text: str) -> float | None:
    """Text as Excel reads a typed number (`12`, ` 1.5e3 `, `50%`, `-7`), or None."""
    s = text.strip()
    if not s:
        return None
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1].strip(), 0.01
    try:
        n = float(s)
    except ValueError:
        return None
    return n * scale if math.isfinite(n) else None


def number(value: object, empty: float = 0.0) -> float:
    """A scalar argument as a number: empty as 0, TRUE as 1, numeric text parsed, else #VALUE!."""
    value = check(value)
    if value is EMPTY or value is None:
        return empty
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        n = parse_number(value)
        if n is None:
            raise Fail("#VALUE!")
        return n
    raise Fail("#VALUE!")


def integer(value: object, empty: float = 0.0) -> int:
    """A number truncated toward zero, as Excel truncates count and position arguments."""
    n = number(value, empty)
    if not math.isfinite(n):
        raise Fail("#NUM!")
    return math.trunc(n)


def is_number(v: object) -> bool:
    """A number in a cell (not a boolean)."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def result(value: object) -> Array:
    """A scalar result (or an error code raised as Fail) as formulas passes values on."""
    return np.asarray([[value]], dtype=object).view(Array)


def guarded(fn: Callable[..., object]) -> Callable[..., object]:
    """A function whose Fail becomes the Excel error value it names (whole result)."""

    @functools.wraps(fn)
    def wrapper(*args: object) -> object:
        try:
            out = fn(*args)
        except Fail as exc:
            return result(xl_error(exc.code))
        if isinstance(out, np.ndarray):
            return out.view(Array)
        return result(out)

    return wrapper


def elementwise(fn: Callable[..., object]) -> Callable[..., object]:
    """A function of single values, lifted over arrays as Excel lifts it inside an array formula.

    Every argument is taken value by value (broadcast as numpy does: a row against a column gives
    a table); each value's Fail becomes that element's error. A scalar call gives a 1x1 result.
    """

    def one(*vals: object) -> object:
        try:
            return fn(*vals)
        except Fail as exc:
            return xl_error(exc.code)

    @functools.wraps(fn)
    def wrapper(*args: object) -> object:
        vals = [values(a) for a in args]
        if not any(isinstance(v, np.ndarray) and v.size != 1 for v in vals):
            return result(one(*[single(v) for v in vals]))
        arrays = [grid(v) for v in vals]
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            return result(xl_error("#VALUE!"))
        out = np.empty(shape, dtype=object)
        parts = np.broadcast_arrays(*arrays)
        for idx in np.ndindex(shape):
            out[idx] = one(*[p[idx] for p in parts])
        return out.view(Array)

    return wrapper
