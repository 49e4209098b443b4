"""VNG functions in the headless evaluator: their arguments from `formulas` to the registry's contract,
and errors in cells as Excel has them (vng_xl.functions.melding).

A VngError becomes #VALUE! carrying its message (VngXlError); formulas passes the same object on,
so a total over the cell is #VALUE! too, and the message reaches the report and VNG_FOUT. A cell
value keeps the message as VngCellError between cells of a workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import formulas.functions as _ff
import numpy as np
import schedula as _sh
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError

from vng_xl.errors import VngError
from vng_xl.functions.melding import CELL_ERROR, CellError, cell_message
from vng_xl.ooxml.sheet_xml import ExcelError

EMPTY = _sh.EMPTY


def xl_error(code: str) -> XlError:
    """The formulas XlError for an Excel error code."""
    return _ff.Error.errors.get(code) or XlError(code)


class VngXlError(XlError):
    """#VALUE! from a VngError, carrying the message along: formulas propagates the same object, and
    folds constant sub-formulas at compile time, so the error value is the one sure carrier."""

    vng_message: VngMessage | None = None


@dataclass(frozen=True)
class VngMessage:
    """A VngError raised inside a cell: the cell shows #VALUE!, the report and VNG_FOUT show the message."""

    function: str
    en: str
    nl: str


class VngCellError(ExcelError):
    """A cell's #VALUE! from a VngError with its message, so VNG_FOUT in another cell still finds it."""

    def __new__(cls, code: str, message: VngMessage) -> VngCellError:
        error = super().__new__(cls, code)
        error.vng_message = message
        return error


def vng_error(message: VngMessage) -> VngXlError:
    """The error value a VNG function's bad input gives: #VALUE!, carrying its message."""
    error = VngXlError(CELL_ERROR)
    error.vng_message = message
    return error


def _cell_error(error: XlError) -> CellError:
    """An error value as a function that takes errors (VNG_FOUT) receives it, with its VNG message if any."""
    msg = getattr(error, "vng_message", None)
    return CellError(str(error), None if msg is None else cell_message(msg.function, msg.nl))


def _arg_to_impl(value: object, as_block: bool, errors: bool = False) -> object:
    """One argument from formulas to the registry contract: scalar, or 2-D array with None for empty.

    An error value stops the call and becomes its result, unless the argument takes errors (`errors`).
    """
    if isinstance(value, Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        arr = np.array(value, dtype=object, copy=True)
        if arr.ndim < 2:
            arr = arr.reshape(1, -1)
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, np.ndarray) and v.ndim == 0:  # formulas wraps negative constants: {1;-2}
                v = arr[idx] = v.item()
            if v is EMPTY:
                arr[idx] = None
            elif isinstance(v, XlError):
                if not errors:
                    raise _PropagateError(v)
                arr[idx] = _cell_error(v)
            elif isinstance(v, np.generic):
                arr[idx] = v.item()
        if arr.shape == (1, 1) and not as_block:
            return arr[0, 0]
        return arr
    if value is EMPTY:
        return None
    if isinstance(value, XlError):
        if errors:
            return _cell_error(value)
        raise _PropagateError(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


class _PropagateError(Exception):
    def __init__(self, error: XlError) -> None:
        self.error = error


def wrap_vng(
    name: str, impl: Callable[..., object], block_args: tuple[bool, ...] = (), error_args: tuple[bool, ...] = ()
) -> Callable[..., object]:
    """formulas-callable wrapper around a VNG implementation; a VngError becomes #VALUE! with its message.

    An error value in an argument is the result (as Excel passes errors on), except for the
    arguments in `error_args`, which receive it as a CellError (VNG_FOUT reads the message).
    """

    def flag(flags: tuple[bool, ...], i: int) -> bool:
        return flags[i] if i < len(flags) else False

    def vng_function(*args: object) -> object:
        try:
            converted = [_arg_to_impl(a, flag(block_args, i), flag(error_args, i)) for i, a in enumerate(args)]
        except _PropagateError as exc:
            return exc.error
        try:
            result = impl(*converted)
        except VngError as exc:
            return vng_error(VngMessage(name, exc.en, exc.nl))
        if isinstance(result, np.ndarray):
            out = np.array(result, dtype=object)
            out = out.reshape(out.shape[0], -1) if out.ndim >= 2 else out.reshape(1, -1)
            for idx, v in np.ndenumerate(out):
                if v is None:
                    out[idx] = EMPTY
                elif isinstance(v, ExcelError):
                    out[idx] = xl_error(str(v))
                elif isinstance(v, np.generic):
                    out[idx] = v.item()
            return out
        if result is None:
            return EMPTY
        if isinstance(result, ExcelError):
            return xl_error(str(result))
        return result

    vng_function.__name__ = name
    return vng_function
