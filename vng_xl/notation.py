"""Numbers as people type and read them: Dutch and English notation, the one way in and out.

Writing: euro amounts and percentages in Dutch notation (39.059.724; 2,1%), or in English notation
(39,059,724; 2.1%) for the command line's English reports.
"""

from __future__ import annotations

import math

from vng_xl.model import excel_round


def bedrag(value: float, decimals: int = 0, brackets: bool = False, *, english: bool = False) -> str:
    """A euro amount in Dutch notation: 39.059.724, -10.345.280, or (465) for a deduction (English: 39,059,724)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = float(excel_round(value, decimals))
    text = f"{abs(rounded):,.{decimals}f}"
    if not english:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if rounded < 0:
        return f"({text})" if brackets else f"-{text}"
    return text


def procent(value: float, decimals: int = 1, *, english: bool = False) -> str:
    """A fraction as a Dutch percentage: 0.021 -> 2,1% (English: 2.1%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return bedrag(value * 100, decimals, english=english) + "%"
