"""The VNG functions as LibreOffice Calc calls them through the add-in: cells in, cells out.

Calc hands a range over as a tuple of row tuples (empty cells as None), a single cell as a
number or a text, and an omitted argument as None. Every result goes back as a tuple of row tuples
(Calc shows a 1×1 block as its value). A bad input raises CellFailure, which the component raises
on into Calc as a UNO exception: Calc then shows #VALUE! (#WAARDE!), as Excel does through its VBA
wrapper, and VNG_FOUT finds the Dutch message again (vng_xl.libreoffice.fout).
"""

from __future__ import annotations

import math

import numpy as np

from vng_xl.errors import VngError
from vng_xl.functions import FUNCTIONS

ERROR_PREFIX = "#VNG! "


def cell_error(name: str, exc: Exception) -> str:
    """What is wrong when a function refuses its input (or fails inside), in Dutch."""
    if isinstance(exc, VngError):
        return ERROR_PREFIX + exc.nl
    return f"{ERROR_PREFIX}interne fout in {name} ({type(exc).__name__}); meld dit aan de beheerder"


def argument(value: object) -> object:
    """One argument as the implementations take it: a range becomes a 2-D object array."""
    if isinstance(value, tuple):
        return np.array([list(row) for row in value], dtype=object).reshape(len(value), -1)
    return value


def _cell(value: object) -> object:
    """One result cell: a float or a text (Calc shows a non-finite number as an error)."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError("non-finite result")
    return number


Block = tuple[tuple[object, ...], ...]


def result(value: object) -> Block:
    """A result as Calc takes it: a tuple of row tuples of numbers and texts."""
    block = np.atleast_2d(np.asarray(value, dtype=object))
    return tuple(tuple(_cell(v) for v in row) for row in block.tolist())


class CellFailure(Exception):
    """A VNG function refused its input: the component makes the cell #VALUE! (the message is the Dutch one)."""


def call(name: str, args: tuple[object, ...]) -> Block:
    """Run the VNG function `name` on Calc's arguments; a refusal raises CellFailure, nothing else."""
    fn = FUNCTIONS[name]
    try:
        return result(fn.impl(*(argument(a) for a in args)))
    except Exception as exc:  # noqa: BLE001 - only CellFailure may reach the component
        raise CellFailure(cell_error(name, exc)) from None
