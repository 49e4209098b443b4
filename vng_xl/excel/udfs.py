"""The VNG functions as xlwings UDFs, generated from vng_xl.functions.FUNCTIONS.

Set this module (`vng_xl.excel.udfs`) as "UDF Modules" in the xlwings add-in or the workbook's
xlwings.conf sheet. On Linux xlwings' decorators are no-ops and the functions run as plain Python.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import xlwings as xw

from vng_xl.errors import VngError
from vng_xl.functions import CATEGORY, FUNCTIONS, ExcelFunction

ERROR_PREFIX = "#VNG! "


def cell_result(fn: ExcelFunction, args: tuple[object, ...]) -> object:
    """Call the implementation; a bad input becomes a short Dutch message in the cell, never a traceback."""
    try:
        result = fn.impl(*args)
    except VngError as exc:
        return ERROR_PREFIX + exc.nl
    except Exception as exc:  # noqa: BLE001 - a UDF must never raise into Excel
        return f"{ERROR_PREFIX}interne fout in {fn.name} ({type(exc).__name__}); meld dit aan de beheerder"
    if isinstance(result, np.ndarray):
        return result.tolist()
    return result


def make_udf(fn: ExcelFunction, func: Callable = xw.func, arg: Callable = xw.arg) -> Callable[..., object]:
    """A plain function with the Excel name and argument names, decorated for xlwings.

    `func` and `arg` are xlwings' decorators; tests pass xlwings.udfs' own on Linux, where xw's are no-ops.
    """

    def udf(*args: object) -> object:
        return cell_result(fn, args)

    params = [
        inspect.Parameter(
            a.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=None if a.optional else inspect.Parameter.empty,
        )
        for a in fn.args
    ]
    udf.__name__ = udf.__qualname__ = fn.name
    udf.__doc__ = fn.help
    udf.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    udf.__annotations__ = {}  # xlwings reads type hints as converters; ours are declared with `arg`
    udf.__module__ = __name__
    for a in reversed(fn.args):
        # err_to_str: a cell showing #N/A arrives as "#N/A" and is named in the message, not taken as empty.
        if a.range:
            udf = arg(a.name, np.array, ndim=2, dtype=object, err_to_str=True, doc=a.help)(udf)
        else:
            udf = arg(a.name, err_to_str=True, doc=a.help)(udf)
    udf = func(category=CATEGORY)(udf)
    return udf


for _fn in FUNCTIONS.values():
    globals()[_fn.name] = make_udf(_fn)

__all__ = list(FUNCTIONS)
