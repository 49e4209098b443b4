"""Arrays of unequal sizes in one element-wise operation, as Excel combines them.

`formulas` (numpy) refuses `{1;2;3;4}+{7;8}`; Excel makes the result as large as the largest
argument in each direction: an argument one row high (one column wide) is repeated down (across),
and every other position outside an argument's size is #N/A. So `IFERROR(G4:G7/H4:H7, G12:G13)`
gives four values, the last two #N/A where a division failed. The operators and the
IF/IFERROR/IFNA/IFS functions get this in front of their own broadcasting.
"""

from __future__ import annotations

import functools

import numpy as np
from formulas.errors import BroadcastError
from formulas.functions.operators import OPERATORS
from formulas.ranges import Ranges
from formulas.tokens.operand import Error

ELEMENTWISE_OPERATORS = ("+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=")
ELEMENTWISE_FUNCTIONS = ("IF", "IFERROR", "IFNA", "_XLFN.IFNA", "IFS", "_XLFN.IFS")


def _block(value: object) -> object:
    """A Ranges or array argument as a 2-D object array; anything else (a scalar) as it is."""
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        return value.reshape(1, -1) if value.ndim < 2 else value
    return value


def padded(args: tuple) -> tuple:
    """The arguments brought to one shape by Excel's rule (see the module docstring)."""
    blocks = [_block(a) for a in args]
    shapes = [b.shape for b in blocks if isinstance(b, np.ndarray)]
    if not shapes:
        return args
    rows, cols = max(s[0] for s in shapes), max(s[1] for s in shapes)
    out = []
    for b in blocks:
        if not isinstance(b, np.ndarray) or b.shape == (1, 1) or b.shape == (rows, cols):
            out.append(b)
            continue
        full = np.empty((rows, cols), dtype=object)
        full.fill(Error.errors["#N/A"])  # np.full would store the error's text, a plain str
        h, w = b.shape
        source = np.broadcast_to(b, (rows if h == 1 else h, cols if w == 1 else w))
        full[: source.shape[0], : source.shape[1]] = source
        out.append(full.view(type(b)) if type(b) is not np.ndarray else full)
    return tuple(out)


def excel_broadcasting(fn):
    """fn, which on arguments numpy cannot broadcast together is called on them padded instead."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BroadcastError:
            return fn(*padded(args), **kwargs)

    call.excel_broadcasting = True
    return call


def install(functions: dict) -> None:
    """Wrap the element-wise operators (formulas' table) and functions (the given table) once."""
    for name in ELEMENTWISE_OPERATORS:
        if not getattr(OPERATORS[name], "excel_broadcasting", False):
            OPERATORS[name] = excel_broadcasting(OPERATORS[name])
    for name in ELEMENTWISE_FUNCTIONS:
        entry = functions.get(name)
        if isinstance(entry, dict) and not getattr(entry["function"], "excel_broadcasting", False):
            functions[name] = {**entry, "function": excel_broadcasting(entry["function"])}
        elif callable(entry) and not getattr(entry, "excel_broadcasting", False):
            functions[name] = excel_broadcasting(entry)


__all__ = ["excel_broadcasting", "install", "padded"]
