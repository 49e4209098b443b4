"""Excel's conditions on cells ("criteria"), as COUNTIF and the database functions read them.

A criterion is a value (5, TRUE, an error: cells equal to it) or text: an optional operator
(=, <>, <, >, <=, >=) and an operand, a number, TRUE/FALSE, an error code, or text with the
wildcards `*`, `?` and `~` (escape). Text compares without regard to case; a number also matches
numeric text in a cell. `""` matches empty cells and empty text, `=` only empty cells, `<>` every
cell that is not empty; a reference to an empty criteria cell means 0. In the database functions
(DSUM ...) text without an operator matches every text that starts with it, and an empty criteria
cell sets no condition. Then COUNTIF(S), SUMIF(S), AVERAGEIF(S), MAXIFS, MINIFS and the D-functions.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from collections.abc import Callable

import formulas.functions as _ff  # _text2num looked up when called: the 1904 date system replaces it
import numpy as np
from formulas.tokens.operand import XlError

from vng_xl.ooxml.sheet_xml import ERROR_CODES
from vng_xl.recalc.criteria_pattern import OPERATORS
from vng_xl.recalc.criteria_pattern import pattern as _pattern
from vng_xl.recalc.excel_values import (
    EMPTY,
    Fail,
    Unsupported,
    elementwise,
    grid,
    guarded,
    is_number,
    parse_number,
    single,
)

_OPERATORS = OPERATORS
_COMPARE = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _numeric(v: object) -> float | None:
    """A cell as a number for a numeric criterion: numbers and numeric text; else None."""
    if is_number(v):
        return float(v)
    if isinstance(v, str):
        return parse_number(v)
    return None


_DATE = re.compile(r"\d{1,4}[-/]\d{1,2}[-/]\d{1,4}")


def _date(text: str) -> float | None:
    """A date typed in a criterion (`">1/1/2020"`, `"2020-01-31"`) as its serial number, or None."""
    if not _DATE.fullmatch(text.strip()):
        return None
    n = _ff._text2num(text.strip())
    return float(n) if is_number(n) else None


def _test(criterion: object, database: bool = False) -> Callable[[object], bool]:
    """The test one criterion makes of a cell value."""
    c = criterion
    if isinstance(c, XlError):
        code = str(c)
        return lambda v: isinstance(v, XlError) and str(v) == code
    if c is EMPTY or c is None:
        c = 0.0
    op, rest = "=", c
    if isinstance(c, str):
        op, rest = next(((o, c[len(o) :]) for o in _OPERATORS if c.startswith(o)), ("", c))
    negate = op == "<>"
    if isinstance(rest, str):
        upper = rest.strip().upper()
        if rest == "" and op in ("", "=", "<>"):
            if op == "":
                return lambda v: v is EMPTY or v is None or v == ""
            return (lambda v: v is not EMPTY and v is not None) if negate else (lambda v: v is EMPTY or v is None)
        if (n := parse_number(rest)) is not None or (n := _date(rest)) is not None:
            rest = n
        elif upper in ("TRUE", "FALSE"):
            rest = upper == "TRUE"
        elif upper in ERROR_CODES:
            return (
                (lambda v: not (isinstance(v, XlError) and str(v) == upper))
                if negate
                else (lambda v: isinstance(v, XlError) and str(v) == upper)
            )
    if isinstance(rest, (bool, np.bool_)):
        b = bool(rest)
        if op in _COMPARE:
            return lambda v: isinstance(v, (bool, np.bool_)) and _COMPARE[op](bool(v), b)
        return lambda v: (isinstance(v, (bool, np.bool_)) and bool(v) == b) != negate
    if is_number(rest):
        n = float(rest)
        if op in _COMPARE:
            cmp = _COMPARE[op]
            return lambda v: (x := _numeric(v)) is not None and cmp(x, n)
        return lambda v: ((x := _numeric(v)) is not None and x == n) != negate
    text = str(rest)
    if op in _COMPARE:
        cmp, key = _COMPARE[op], text.casefold()
        return lambda v: isinstance(v, str) and cmp(v.casefold(), key)
    match = _pattern(text, prefix=database and op == "").fullmatch
    return lambda v: (isinstance(v, str) and match(v) is not None) != negate


def matches(criterion: object, cells: np.ndarray, database: bool = False) -> np.ndarray:
    """Which cells of an array meet the criterion (a boolean array of the same shape)."""
    test = _test(criterion, database)
    return np.frompyfunc(test, 1, 1)(cells).astype(bool) if cells.size else np.zeros(cells.shape, bool)


def _numbers(cells: np.ndarray) -> list[float]:
    """The numbers among cells for a sum or an average; the first error value stops it."""
    out = []
    for v in cells.reshape(-1):
        if isinstance(v, XlError):
            raise Fail(str(v))
        if is_number(v):
            out.append(float(v))
    return out


def _same_shape(ranges: list[np.ndarray]) -> None:
    if len({r.shape for r in ranges}) != 1:
        raise Fail("#VALUE!")


def _target(rng: np.ndarray, target: object | None) -> np.ndarray:
    """SUMIF's and AVERAGEIF's optional third range, the size of the first."""
    if target is None:
        return rng
    t = grid(target)
    if t.shape == rng.shape:
        return t
    if t.shape[0] >= rng.shape[0] and t.shape[1] >= rng.shape[1]:
        return t[: rng.shape[0], : rng.shape[1]]
    raise Unsupported("a SUMIF/AVERAGEIF whose last range is smaller than its first")


def _conditions(pairs: tuple) -> tuple[list[np.ndarray], tuple]:
    if not pairs or len(pairs) % 2:
        raise Fail("#VALUE!")
    return [grid(r) for r in pairs[0::2]], pairs[1::2]


def _mask(ranges: list[np.ndarray], criteria: tuple) -> np.ndarray:
    mask = np.ones(ranges[0].shape, bool)
    for rng, c in zip(ranges, criteria):
        mask &= matches(c, rng)
    return mask


def xcountif(rng: object, criteria: object) -> object:
    cells = grid(rng)
    return elementwise(lambda c: float(matches(c, cells).sum()))(criteria)


def xsumif(rng: object, criteria: object, sum_range: object = None) -> object:
    cells = grid(rng)
    target = _target(cells, sum_range)
    return elementwise(lambda c: math.fsum(_numbers(target[matches(c, cells)])))(criteria)


def xaverageif(rng: object, criteria: object, average_range: object = None) -> object:
    cells = grid(rng)
    target = _target(cells, average_range)
    return elementwise(lambda c: _average(_numbers(target[matches(c, cells)])))(criteria)


def _average(nums: list[float]) -> float:
    if not nums:
        raise Fail("#DIV/0!")
    return math.fsum(nums) / len(nums)


def xcountifs(*pairs: object) -> object:
    ranges, criteria = _conditions(pairs)
    _same_shape(ranges)
    return elementwise(lambda *cs: float(_mask(ranges, cs).sum()))(*criteria)


def _over(aggregate: Callable[[list[float]], float]) -> Callable[..., object]:
    """SUMIFS, AVERAGEIFS, MAXIFS, MINIFS: the aggregate of the first range where all conditions hold."""

    def fn(target: object, *pairs: object) -> object:
        ranges, criteria = _conditions(pairs)
        values = grid(target)
        _same_shape([values, *ranges])
        return elementwise(lambda *cs: aggregate(_numbers(values[_mask(ranges, cs)])))(*criteria)

    return fn


# ---------------------------------------------------------------- database functions


def _column(header: np.ndarray, label: object) -> int | None:
    """The database column a field label or 1-based number names."""
    if isinstance(label, str):
        key = label.strip().casefold()
        for j, h in enumerate(header):
            if isinstance(h, str) and h.strip().casefold() == key:
                return j
        return None
    if is_number(label):
        j = math.trunc(float(label))
        return j - 1 if 1 <= j <= len(header) else None
    return None


def _records(database: object, field: object, criteria: object, need_field: bool = True):
    """The database's rows that meet the criteria, and the field's column index (None: no field)."""
    db, crit = grid(database), grid(criteria)
    if db.shape[0] < 1 or crit.shape[0] < 2:
        raise Fail("#VALUE!")
    header, rows = db[0], db[1:]
    f = single(field) if field is not None else None
    if isinstance(f, XlError):
        raise Fail(str(f))
    col = None
    if f is not None and f is not EMPTY:
        col = _column(header, f)
        if col is None:
            raise Fail("#VALUE!")
    elif need_field:
        raise Fail("#VALUE!")
    chosen = np.zeros(rows.shape[0], bool)
    for crow in crit[1:]:
        keep = np.ones(rows.shape[0], bool)
        for label, cond in zip(crit[0], crow):
            if cond is EMPTY or cond is None:
                continue
            j = _column(header, label) if isinstance(label, str) else None
            if j is None:  # a computed criterion (a formula under a label that is no field)
                raise Unsupported("database criteria computed by a formula")
            keep &= matches(cond, rows[:, j], database=True)
        chosen |= keep
    return rows[chosen], col


def _dfunction(aggregate: Callable[[list[float]], float]) -> Callable[..., object]:
    def fn(database: object, field: object, criteria: object) -> float:
        rows, col = _records(database, field, criteria)
        return aggregate(_numbers(rows[:, col]))

    return guarded(fn)


def _sample(fn: Callable[[list[float]], float], least: int) -> Callable[[list[float]], float]:
    def agg(nums: list[float]) -> float:
        if len(nums) < least:
            raise Fail("#DIV/0!")
        return float(fn(nums))

    return agg


def xdcount(database: object, field: object = None, criteria: object = None) -> float:
    if criteria is None:
        raise Fail("#VALUE!")
    rows, col = _records(database, field, criteria, need_field=False)
    if col is None:
        return float(rows.shape[0])
    return float(sum(1 for v in rows[:, col] if is_number(v)))


def xdcounta(database: object, field: object = None, criteria: object = None) -> float:
    if criteria is None:
        raise Fail("#VALUE!")
    rows, col = _records(database, field, criteria, need_field=False)
    if col is None:
        return float(rows.shape[0])
    return float(sum(1 for v in rows[:, col] if v is not EMPTY and v is not None))


def xdget(database: object, field: object, criteria: object) -> object:
    rows, col = _records(database, field, criteria)
    if rows.shape[0] == 0:
        raise Fail("#VALUE!")
    if rows.shape[0] > 1:
        raise Fail("#NUM!")
    v = rows[0, col]
    return 0.0 if v is EMPTY or v is None else v


def _product(nums: list[float]) -> float:
    return float(math.prod(nums)) if nums else 0.0


CRITERIA_FUNCTIONS = {
    "COUNTIF": guarded(xcountif),
    "SUMIF": guarded(xsumif),
    "AVERAGEIF": guarded(xaverageif),
    "COUNTIFS": guarded(xcountifs),
    "SUMIFS": guarded(_over(math.fsum)),
    "AVERAGEIFS": guarded(_over(_average)),
    "MAXIFS": guarded(_over(lambda n: max(n, default=0.0))),
    "MINIFS": guarded(_over(lambda n: min(n, default=0.0))),
    "DSUM": _dfunction(math.fsum),
    "DAVERAGE": _dfunction(_average),
    "DMAX": _dfunction(lambda n: max(n, default=0.0)),
    "DMIN": _dfunction(lambda n: min(n, default=0.0)),
    "DPRODUCT": _dfunction(_product),
    "DSTDEV": _dfunction(_sample(statistics.stdev, 2)),
    "DSTDEVP": _dfunction(_sample(statistics.pstdev, 1)),
    "DVAR": _dfunction(_sample(statistics.variance, 2)),
    "DVARP": _dfunction(_sample(statistics.pvariance, 1)),
    "DCOUNT": guarded(xdcount),
    "DCOUNTA": guarded(xdcounta),
    "DGET": guarded(xdget),
}
