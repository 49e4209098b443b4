"""Excel's ROUND over a whole column: half away from zero on the decimal a number shows as.

`excel_round` is the rule for one number (the decimal that reads back as x, rounded half up, as
Excel rounds 2.675 to 2.68 where x * 100 in binary is 267.4999...). `round_column` gives exactly
its results for numpy columns: numpy for the numbers that lie clearly off a half, the rule itself
for the few that do not.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

# Below 2**51 a scaled number keeps a quarter unit of precision, so adding 0.5 and flooring is exact.
_FAST_LIMIT = 2.0**51
# x * 10**d is the decimal's scaled value within a few units in the last place: a number this close
# to a half (relative to its size) is left to excel_round.
_NEAR_HALF = 1e-12
_POWERS = 10.0 ** np.arange(0, 23)  # exact doubles: 10**22 is the last power of ten a double holds


def excel_round(x: float, digits: float) -> float:
    """ROUND(x, digits) as Excel computes it; ArithmeticError when the result is not a number."""
    d = math.trunc(max(-400.0, min(400.0, digits)))  # beyond +-400 digits nothing changes any more
    if x == 0:
        return 0.0
    exact = Decimal(repr(x))  # the shortest decimal that reads back as x, as Excel shows it
    if d + exact.adjusted() > 17:  # finer than a double holds: x itself
        return x
    out = float(exact.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))
    if not math.isfinite(out):
        raise ArithmeticError("ROUND gives no finite number")
    return out + 0.0


def round_column(xs: np.ndarray, ds: np.ndarray) -> np.ndarray:
    """excel_round for each pair of two float arrays of one shape; ArithmeticError as it raises."""
    xs, ds = np.asarray(xs, dtype=np.float64), np.asarray(ds, dtype=np.float64)
    d = np.trunc(np.clip(ds, -400.0, 400.0))
    small = np.abs(d) <= 22
    power = _POWERS[np.where(small, np.abs(d), 0).astype(np.intp)]
    with np.errstate(all="ignore"):
        scaled = np.where(d >= 0, np.abs(xs) * power, np.abs(xs) / power)
        fraction = scaled - np.floor(scaled)
        fast = small & np.isfinite(scaled) & (scaled < _FAST_LIMIT)
        fast &= np.abs(fraction - 0.5) > _NEAR_HALF * np.maximum(scaled, 1.0)
        whole = np.floor(scaled + 0.5)  # an exact integer below 2**51
        # whole / 10**d and whole * 10**-d are one correctly rounded operation on exact doubles:
        # the double nearest the rounded decimal, as float(Decimal) gives it.
        out = np.copysign(np.where(d >= 0, whole / power, whole * power), xs) + 0.0
    if not fast.all():
        flat_x, flat_d, flat_out = xs.ravel(), ds.ravel(), out.ravel()
        for i in np.flatnonzero(~fast.ravel()).tolist():
            flat_out[i] = excel_round(flat_x[i].item(), flat_d[i].item())
        out = flat_out.reshape(xs.shape)
    return out
