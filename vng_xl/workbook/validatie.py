"""Excel's data validation on every input cell, from the bounds of vng_xl.workbook.layout.INVOERSTIJLEN.

The same bounds refuse a `vng-xl refresh --set` (vng_xl.workbook.inputs), so the workbook and the
command line refuse the same values. Cells of one style share one rule over all their ranges.
"""

from __future__ import annotations

from typing import Any

from vng_xl.workbook.content import Sheet, a1
from vng_xl.workbook.layout import INVOERSTIJLEN, Grens

ERROR_TITLE = "Ongeldige invoer"


def _ranges(cells: list[tuple[int, int]]) -> list[str]:
    """The cells as A1 ranges: runs along a row, then equal runs in consecutive rows joined."""
    runs: dict[tuple[int, int], list[int]] = {}  # (first col, last col) -> rows
    by_row: dict[int, list[int]] = {}
    for r, c in sorted(cells):
        by_row.setdefault(r, []).append(c)
    for r, cols in by_row.items():
        start = prev = cols[0]
        for c in [*cols[1:], None]:
            if c is not None and c == prev + 1:
                prev = c
                continue
            runs.setdefault((start, prev), []).append(r)
            if c is not None:
                start = prev = c
    out = []
    for (c1, c2), rows in runs.items():
        first = last = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == last + 1:
                last = r
                continue
            out.append(a1(first, c1) if (first, c1) == (last, c2) else f"{a1(first, c1)}:{a1(last, c2)}")
            if r is not None:
                first = last = r
    return out


def options(grens: Grens, titel: str) -> dict[str, Any]:
    """xlsxwriter's data-validation options for one bound, with a Dutch input and error message."""

    def number(v: float) -> float | int:
        return int(v) if float(v).is_integer() else v  # 0, not 0.0, in the file

    if grens.soort == "list":
        rule: dict[str, Any] = {"validate": "list", "source": list(grens.keuzes)}
    elif grens.minimum is not None and grens.maximum is not None:
        rule = {
            "validate": grens.soort,
            "criteria": "between",
            "minimum": number(grens.minimum),
            "maximum": number(grens.maximum),
        }
    elif grens.minimum is not None:
        rule = {"validate": grens.soort, "criteria": ">=", "value": number(grens.minimum)}
    else:
        rule = {"validate": grens.soort, "criteria": "<=", "value": number(grens.maximum)}
    return {
        **rule,
        "input_title": titel[:32],
        "input_message": f"Vul {grens.nl} in. Daarna: Vernieuwen.",
        "error_title": ERROR_TITLE,
        "error_message": f"Verwacht {grens.nl}. De cel is niet gewijzigd.",
        "error_type": "stop",
    }


def validations(sheet: Sheet) -> list[tuple[list[str], dict[str, Any]]]:
    """Per input style with bounds on this sheet: its cells' ranges and the rule."""
    by_style: dict[str, list[tuple[int, int]]] = {}
    for rc, cell in sheet.cells.items():
        stijl = INVOERSTIJLEN.get(cell.style)
        if stijl is not None and stijl.grens is not None:
            by_style.setdefault(cell.style, []).append(rc)
    return [
        (_ranges(cells), options(INVOERSTIJLEN[style].grens, INVOERSTIJLEN[style].titel))
        for style, cells in sorted(by_style.items())
    ]
