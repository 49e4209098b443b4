"""The VNG functions as xlwings UDFs, generated from vng_xl.functions.FUNCTIONS.

Set this module (`vng_xl.excel.udfs`) as "UDF Modules" in the xlwings add-in or the workbook's
xlwings.conf sheet. On Linux xlwings' decorators are no-ops and the functions run as plain Python.

Errors in cells (vng_xl.functions.melding): a bad input returns MESSAGE_PREFIX + the Dutch message,
which the workbook's VBA wrapper turns into #VALUE! (#WAARDE!), so totals give an error too. The
message is kept per calling cell (xlwings passes `caller`) in vng_xl.excel.messages, where VNG_FOUT
finds it, for that cell and for a total over it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import xlwings as xw

from vng_xl.errors import VngError
from vng_xl.excel.messages import CellArea, MessageStore, traced_message
from vng_xl.functions import CATEGORY, FUNCTIONS, ExcelFunction
from vng_xl.functions.melding import CELL_ERROR, MESSAGE_PREFIX, CellError, cell_message

ERROR_PREFIX = MESSAGE_PREFIX

#: The texts xlwings' err_to_str gives for a cell that shows an error value.
CELL_ERROR_TEXTS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", CELL_ERROR})


def area_of(rng: object) -> CellArea | None:
    """The area of an xlwings Range (the caller, or VNG_FOUT's argument); None when there is none."""
    try:
        rows, columns = rng.shape
        return CellArea(rng.sheet.book.name, rng.sheet.name, rng.row, rng.column, rows, columns)
    except Exception:  # noqa: BLE001 - not called from a cell (VBA, the Immediate window): nothing to key by
        return None


def formulas_reader(rng: object) -> Callable[[CellArea], dict[tuple[int, int], str]]:
    """Read the formulas of an area in the workbook of `rng` (English A1, as COM's Range.Formula gives)."""
    book = rng.sheet.book

    def formulas_in(area: CellArea) -> dict[tuple[int, int], str]:
        try:
            if area.book != book.name:
                return {}
            target = book.sheets[area.sheet].range((area.row, area.column), (area.last_row, area.last_column))
            found = target.formula
        except Exception:  # noqa: BLE001 - a sheet gone or renamed: nothing to follow
            return {}
        rows = [[found]] if isinstance(found, str) else found
        return {
            (area.row + i, area.column + j): text
            for i, row in enumerate(rows)
            for j, text in enumerate(row)
            if isinstance(text, str) and text.startswith("=")
        }

    return formulas_in


MESSAGES = MessageStore()


def internal_error(fn: ExcelFunction, exc: Exception) -> str:
    """The Dutch message for a failure that is not bad input: which function, which exception, whom to tell."""
    return f"interne fout in {fn.name} ({type(exc).__name__}); meld dit aan de beheerder"


def cell_result(fn: ExcelFunction, args: tuple[object, ...], caller: object = None) -> object:
    """Call the implementation; a bad input becomes a short Dutch message, never a traceback.

    The message is also kept for the calling cell, where VNG_FOUT finds it after the wrapper has
    turned the cell into #VALUE!.
    """
    area = area_of(caller) if caller is not None else None
    try:
        result = fn.impl(*args)
    except VngError as exc:
        message = exc.nl
    except Exception as exc:  # noqa: BLE001 - a UDF must never raise into Excel
        message = internal_error(fn, exc)
    else:
        MESSAGES.record(area, fn.name, None)
        return result.tolist() if isinstance(result, np.ndarray) else result
    MESSAGES.record(area, fn.name, cell_message(fn.name, message))
    return ERROR_PREFIX + message


def cell_errors(cel: object, caller: object = None) -> object:
    """VNG_FOUT's argument as the registry contract has it: error cells as CellError with their message.

    `cel` is an xlwings Range when the argument is a reference; a #VALUE! cell's message is its
    own, or one from the cells its formula refers to (a total). Otherwise (a value, such as a VNG
    function in the same formula) xlwings hands over None and the calling cell's own message counts.
    """
    where = area_of(cel) if cel is not None else None
    if where is None:
        here = area_of(caller) if caller is not None else None
        found = None if here is None else MESSAGES.within(here)
        return None if found is None else CellError(CELL_ERROR, found)
    values = np.array(cel.options(ndim=2, err_to_str=True).value, dtype=object).reshape(where.rows, where.columns)
    formulas_in = formulas_reader(cel)
    out = np.empty(values.shape, dtype=object)
    for (i, j), v in np.ndenumerate(values):
        if isinstance(v, str) and v in CELL_ERROR_TEXTS:
            found = None
            if v == CELL_ERROR:
                found = traced_message(where.cell(where.row + i, where.column + j), MESSAGES, formulas_in)
            out[i, j] = CellError(v, found)
        else:
            out[i, j] = v
    return out


def make_udf(fn: ExcelFunction, func: Callable = xw.func, arg: Callable = xw.arg) -> Callable[..., object]:
    """A plain function with the Excel name and argument names, decorated for xlwings.

    `func` and `arg` are xlwings' decorators; tests pass xlwings.udfs' own on Linux, where xw's are no-ops.
    The last parameter is xlwings' reserved `caller` (the calling cell), which Excel users never see.
    """
    takes_errors = any(a.errors for a in fn.args)
    params = [
        inspect.Parameter(
            a.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None if a.optional else inspect.Parameter.empty,
        )
        for a in fn.args
    ]
    params.append(inspect.Parameter("caller", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))

    def call(*args: object) -> object:
        values, caller = (args[:-1], args[-1]) if len(args) > len(fn.args) else (args, None)
        if not takes_errors:
            return cell_result(fn, values, caller)
        try:
            return fn.impl(*(cell_errors(v, caller) if a.errors else v for a, v in zip(fn.args, values)))
        except Exception as exc:  # noqa: BLE001 - a message function shows what went wrong, never a traceback
            return internal_error(fn, exc)

    call.__name__ = call.__qualname__ = fn.name
    call.__doc__ = fn.help
    call.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    call.__annotations__ = {}  # xlwings reads type hints as converters; ours are declared with `arg`
    call.__module__ = __name__
    decorated: Callable[..., object] = call
    for a in reversed(fn.args):
        if a.errors:
            # The cell itself (a Range), so its address finds the message kept for it.
            decorated = arg(a.name, "range", doc=a.help)(decorated)
        elif a.range:
            # err_to_str: a cell showing #N/A arrives as "#N/A" and is named in the message, not taken as empty.
            decorated = arg(a.name, np.array, ndim=2, dtype=object, err_to_str=True, doc=a.help)(decorated)
        else:
            decorated = arg(a.name, err_to_str=True, doc=a.help)(decorated)
    return func(category=CATEGORY)(decorated)


for _fn in FUNCTIONS.values():
    globals()[_fn.name] = make_udf(_fn)

__all__ = list(FUNCTIONS)
