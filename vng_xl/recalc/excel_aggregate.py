"""AGGREGATE: one of 19 summary functions over references or an array, optionally without errors.

Options 2, 3, 6 and 7 leave error values out. Hidden rows (options 1, 3, 5, 7) and nested
SUBTOTAL/AGGREGATE cells (options 0 to 3) are the workbook's business: a workbook evaluation
reports an AGGREGATE over such cells instead of computing it, as it does for SUBTOTAL.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter

from formulas.tokens.operand import XlError

from vng_xl.recalc.excel_values import EMPTY, Fail, elementwise, grid, guarded, integer, is_number, number, single


def _cells(refs: tuple, skip_errors: bool) -> list[object]:
    out = []
    for ref in refs:
        for v in grid(ref).reshape(-1):
            if isinstance(v, XlError):
                if skip_errors:
                    continue
                raise Fail(str(v))
            out.append(v)
    return out


def _numbers(cells: list[object]) -> list[float]:
    return [float(v) for v in cells if is_number(v)]


def _need(nums: list[float], least: int, code: str = "#DIV/0!") -> list[float]:
    if len(nums) < least:
        raise Fail(code)
    return nums


def _mode(nums: list[float]) -> float:
    counts = Counter(nums)
    best = max(counts.values(), default=0)
    if best < 2:
        raise Fail("#N/A")
    return next(v for v in nums if counts[v] == best)  # the first of the most frequent, as Excel


_PLAIN = {
    1: lambda n: math.fsum(_need(n, 1)) / len(n),
    2: lambda n: float(len(n)),
    4: lambda n: max(n, default=0.0),
    5: lambda n: min(n, default=0.0),
    6: lambda n: float(math.prod(n)) if n else 0.0,
    7: lambda n: statistics.stdev(_need(n, 2)),
    8: lambda n: statistics.pstdev(_need(n, 1)),
    9: math.fsum,
    10: lambda n: statistics.variance(_need(n, 2)),
    11: lambda n: statistics.pvariance(_need(n, 1)),
    12: lambda n: float(statistics.median(_need(n, 1, "#NUM!"))),
    13: _mode,
}


def _percentile_inc(nums: list[float], p: float) -> float:
    s = sorted(_need(nums, 1, "#NUM!"))
    if not 0 <= p <= 1:
        raise Fail("#NUM!")
    h = (len(s) - 1) * p
    lo = math.floor(h)
    return s[lo] + (h - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])


def _percentile_exc(nums: list[float], p: float) -> float:
    s = sorted(_need(nums, 1, "#NUM!"))
    h = (len(s) + 1) * p
    if not 0 < p < 1 or h < 1 or h > len(s):
        raise Fail("#NUM!")
    lo = math.floor(h)
    return s[lo - 1] + (h - lo) * (s[min(lo, len(s) - 1)] - s[lo - 1])


def _kth(nums: list[float], k: object, largest: bool) -> float:
    kk = math.ceil(number(k))  # Excel rounds k up: LARGE(a, 1.2) is the 2nd largest
    if not 1 <= kk <= len(nums):
        raise Fail("#NUM!")
    return sorted(nums, reverse=largest)[kk - 1]


def _quart(nums: list[float], q: object, exclusive: bool) -> float:
    qq = integer(q)
    if not (1 <= qq <= 3 if exclusive else 0 <= qq <= 4):
        raise Fail("#NUM!")
    return (_percentile_exc if exclusive else _percentile_inc)(nums, qq / 4)


_WITH_K = {
    14: lambda n, k: _kth(n, k, True),
    15: lambda n, k: _kth(n, k, False),
    16: lambda n, k: _percentile_inc(n, number(k)),
    17: lambda n, k: _quart(n, k, False),
    18: lambda n, k: _percentile_exc(n, number(k)),
    19: lambda n, k: _quart(n, k, True),
}


def xaggregate(function_num: object, options: object, *refs: object) -> object:
    """AGGREGATE(function_num, options, ref1, ...) or AGGREGATE(function_num, options, array, k)."""
    fn, opt = integer(single(function_num)), integer(single(options), 0.0)
    if not 1 <= fn <= 19 or not 0 <= opt <= 7 or not refs:
        raise Fail("#VALUE!")
    skip_errors = opt in (2, 3, 6, 7)
    if fn in _WITH_K:
        if len(refs) < 2:
            raise Fail("#VALUE!")
        nums = _numbers(_cells(refs[:1], skip_errors))
        return elementwise(lambda k: _WITH_K[fn](nums, k))(refs[1])
    cells = _cells(refs, skip_errors)
    if fn == 3:
        return float(sum(1 for v in cells if v is not EMPTY and v is not None))
    return float(_PLAIN[fn](_numbers(cells)))


AGGREGATE_FUNCTIONS = {"AGGREGATE": guarded(xaggregate)}
