"""Errors in cells: one semantics for Excel and headless recalculation, and the function VNG_FOUT.

A VNG function given bad input makes its cell the error value #VALUE! (#WAARDE! in Dutch Excel),
so SUM, AVERAGE and every formula that uses the cell give an error too: a bad line can never drop
silently out of a total. The Dutch message that says what is wrong is one step away: `=VNG_FOUT(cel)`,
for the cell with the VNG function and for a total over it alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vng_xl.functions.registry import Argument, excel_function

#: How the Python UDF hands a message to the workbook's VBA wrapper, which turns it into #VALUE!.
#: A cell only shows this text when the wrapper is not the workbook's own (see vng_xl.workbook.vba).
MESSAGE_PREFIX = "#VNG! "

#: The error value a VNG function's cell shows for bad input (Excel's code; #WAARDE! in Dutch Excel).
CELL_ERROR = "#VALUE!"

#: Excel's error values as Dutch Excel shows them, for the Dutch messages.
DUTCH_ERRORS = {
    "#VALUE!": "#WAARDE!",
    "#DIV/0!": "#DEEL/0!",
    "#N/A": "#N/B",
    "#NAME?": "#NAAM?",
    "#NULL!": "#LEEG!",
    "#NUM!": "#GETAL!",
    "#REF!": "#VERW!",
}


@dataclass(frozen=True)
class CellError:
    """An error value in a cell as VNG_FOUT receives it: the code and, when a VNG function made it, its message."""

    code: str
    message: str | None = None


def cell_message(function: str, nl: str) -> str:
    """The message VNG_FOUT shows for a VNG function's error: the function, then what is wrong."""
    return f"{function}: {nl}"


def no_message(code: str) -> str:
    """What VNG_FOUT says for an error no VNG function in that cell reported."""
    return (
        f"{DUTCH_ERRORS.get(code, code)}: geen melding van een VNG-functie in deze cel; "
        "kijk met VNG_FOUT in de cellen waaruit zij rekent of herbereken de werkmap (Ctrl+Alt+F9)"
    )


def first_error(value: object) -> CellError | None:
    """The first CellError in a cell value or block (row by row), or None."""
    if isinstance(value, CellError):
        return value
    if isinstance(value, np.ndarray):
        for v in value.reshape(-1):
            if isinstance(v, CellError):
                return v
    return None


@excel_function(
    "VNG_FOUT",
    "De melding bij de fout (#WAARDE!) in een cel met een VNG-functie: wat er mis is met welk argument. "
    "Leeg als de cel geen fout toont.",
    [
        Argument(
            "cel",
            "De cel met de VNG-functie, of een totaal daarover; bij een blok de eerste fout.",
            range=True,
            errors=True,
        )
    ],
    [
        (
            '=VNG_FOUT(VNG_RAMING(100;"C";2027))',
            'VNG_RAMING: indextype: onbekend indextype "C"; kies A (loon) of B (prijs)',
        ),
        ("=VNG_FOUT(D7)", "leeg als D7 een getal toont"),
    ],
    message=True,
)
def vng_fout(cel: object) -> str:
    error = first_error(cel)
    if error is None:
        return ""
    return error.message if error.message is not None else no_message(error.code)
