"""The one list of VNG Excel functions, from which UDFs, the evaluator table, VBA wrappers and docs are made."""

from vng_xl.functions import definitions as _definitions  # noqa: F401  (fills FUNCTIONS)
from vng_xl.functions import melding as _melding  # noqa: F401  (adds VNG_FOUT)
from vng_xl.functions.registry import CATEGORY, FUNCTIONS, Argument, ExcelFunction

__all__ = ["CATEGORY", "FUNCTIONS", "Argument", "ExcelFunction"]
