"""VNG_FOUT in LibreOffice Calc: the Dutch message behind a #VALUE! that a VNG function made.

Calc keeps no message with an error value and does not tell an add-in which cell calls it, so
VNG_FOUT gets the cells themselves (Calc's cell range object) and computes the message again: in a
cell that shows #VALUE! it finds the VNG calls, reads their arguments (numbers, texts, references)
and calls the function once more. For a total it follows the formula's references to the cells
with an error, nearest first, as VNG_FOUT in Excel does. Works on Calc's objects through their
methods only (no `uno` import), so it runs and is tested anywhere.
"""

from __future__ import annotations

import re

import numpy as np

from vng_xl.errors import VngError
from vng_xl.functions import FUNCTIONS
from vng_xl.functions.melding import CellError, cell_message
from vng_xl.libreoffice.calc import argument

#: Calc's error numbers (FormulaError) as Excel's error values; others keep Calc's own text (Err:502).
EXCEL_ERRORS = {519: "#VALUE!", 532: "#DIV/0!", 32767: "#N/A", 503: "#NUM!", 524: "#REF!", 525: "#NAME?"}
VALUE = 519

#: com.sun.star.sheet.FormulaResult.ERROR: which formula cells queryFormulaCells gives.
FORMULA_ERROR = 4

#: How many cells VNG_FOUT reads at most when it follows a total's references.
TRACE_LIMIT = 5_000

_NAMES = "|".join(sorted(FUNCTIONS, key=len, reverse=True))
_CALL = re.compile(r"(?<![\w])(?:[\w]+\.)*(" + _NAMES + r")\s*\(", re.I)
_STRING = re.compile(r'"(?:[^"]|"")*"')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CELL = r"\$?[A-Za-z]{1,3}\$?\d{1,7}"
_SHEET = r"(?:\$?(?:'(?:[^']|'')+'|[A-Za-z_][\w]*)\.)"
#: A reference in Calc's API notation: A1, $A$1, A1:B3, $Blad.A1, $'Mijn blad'.A1:$Blad.B3.
_REFERENCE = re.compile(rf"(?<![\w.$'])({_SHEET}?{_CELL})(?::({_SHEET}?{_CELL}))?(?![\w(.])")


def _sheet_and_cell(text: str, sheet: object, document: object) -> tuple[object, str]:
    """A reference's sheet (its own, or `sheet`) and its cell address without the sheet."""
    if "." not in text:
        return sheet, text.replace("$", "")
    name, cell = text.rsplit(".", 1)
    name = name.lstrip("$")
    if name.startswith("'"):
        name = name[1:-1].replace("''", "'")
    return document.Sheets.getByName(name), cell.replace("$", "")


def references(formula: str, sheet: object, document: object) -> list[object]:
    """The cell ranges a formula (API notation) refers to; a reference Calc cannot resolve is left out."""
    found = []
    for m in _REFERENCE.finditer(_STRING.sub('""', formula)):
        try:
            where, first = _sheet_and_cell(m[1], sheet, document)
            address = first if m[2] is None else f"{first}:{_sheet_and_cell(m[2], where, document)[1]}"
            found.append(where.getCellRangeByName(address))
        except Exception:  # noqa: BLE001 - a sheet gone or a name that only looks like a cell: not followed
            continue
    return found


def _split_arguments(text: str, start: int) -> tuple[list[str], int] | None:
    """The arguments of a call whose "(" is just before `start`, and where it ends; None if unbalanced."""
    args, depth, i, begin = [], 0, start, start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = _STRING.match(text, i)
            if end is None:
                return None
            i = end.end()
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                args.append(text[begin:i].strip())
                return ([] if args == [""] else args), i
            depth -= 1
        elif ch == ";" and depth == 0:
            args.append(text[begin:i].strip())
            begin = i + 1
        i += 1
    return None


class Unresolved(Exception):
    """An argument is an expression (or a reference to an error): VNG_FOUT cannot compute it again."""


def _cell_value(cell: object) -> object:
    """A cell's value as Calc hands it to the add-in; an error in it raises Unresolved."""
    if cell.getError():
        raise Unresolved
    kind = cell.getType().value
    if kind == "EMPTY":
        return None
    if kind == "TEXT" or (kind == "FORMULA" and cell.FormulaResultType2 == 2):
        # the cell's data, not getString(): that is "..." for a formula cell while Calc is calculating
        return cell.getDataArray()[0][0]
    return cell.getValue()


def _argument_value(text: str, sheet: object, document: object) -> object:
    """One argument as Calc would hand it over: a number, a text, a cell's value or a block of rows."""
    if text == "":
        return None
    if _STRING.fullmatch(text):
        return text[1:-1].replace('""', '"')
    if _NUMBER.fullmatch(text):
        return float(text)
    refs = references(text, sheet, document) if _REFERENCE.fullmatch(text) else []
    if len(refs) != 1:
        raise Unresolved
    block = refs[0]
    address = block.getRangeAddress()
    rows, columns = address.EndRow - address.StartRow + 1, address.EndColumn - address.StartColumn + 1
    if rows * columns > TRACE_LIMIT:
        raise Unresolved
    if rows == columns == 1:
        value = _cell_value(block.getCellByPosition(0, 0))
        return 0.0 if value is None else value  # Calc passes an empty single cell as 0
    return tuple(tuple(_cell_value(block.getCellByPosition(c, r)) for c in range(columns)) for r in range(rows))


def recomputed_message(formula: str, sheet: object, document: object) -> str | None:
    """The message of the first VNG call in `formula` that refuses its arguments, computed again."""
    masked = _STRING.sub(lambda m: '"' + "x" * (len(m[0]) - 2) + '"', formula)  # no calls inside texts
    for m in _CALL.finditer(masked):
        name = m[1].upper()
        fn = FUNCTIONS[name]
        if fn.message:
            continue
        split = _split_arguments(formula, m.end())
        if split is None:
            continue
        try:
            args = [_argument_value(a, sheet, document) for a in split[0]]
        except Unresolved:
            continue
        args += [None] * (len(fn.args) - len(args))
        try:
            fn.impl(*(argument(a) for a in args))
        except VngError as exc:
            return cell_message(name, exc.nl)
        except Exception:  # noqa: BLE001 - an internal failure has its own message in the cell's function
            continue
    return None


def traced_message(start: object, document: object, limit: int = TRACE_LIMIT) -> str | None:
    """The message behind the #VALUE! of cell `start`: its own VNG call's, or one from the cells it refers to."""
    todo, seen, read = [start], set(), 0
    while todo:
        cell = todo.pop(0)
        address = cell.getCellAddress()
        key = (address.Sheet, address.Row, address.Column)
        if key in seen:
            continue
        seen.add(key)
        read += 1
        if read > limit:
            return None
        formula = cell.getFormula()
        if formula.startswith("{"):  # a cell of an array formula: {=...}
            formula = formula[1:-1]
        if not formula.startswith("="):
            continue
        sheet = document.Sheets.getByIndex(address.Sheet)
        found = recomputed_message(formula, sheet, document)
        if found is not None:
            return found
        for block in references(formula, sheet, document):
            for where in block.queryFormulaCells(FORMULA_ERROR).getRangeAddresses():  # only cells with an error
                source = document.Sheets.getByIndex(where.Sheet)
                for r in range(where.StartRow, where.EndRow + 1):
                    for c in range(where.StartColumn, where.EndColumn + 1):
                        if len(seen) + len(todo) < limit:
                            todo.append(source.getCellByPosition(c, r))
    return None


def first_error(cells: object) -> object | None:
    """The first cell (row by row) of a range that shows an error, found by Calc (VNG_FOUT(A:A) stays fast)."""
    found = cells.queryFormulaCells(FORMULA_ERROR).getRangeAddresses()
    if not found:
        return None
    origin = cells.getRangeAddress()
    row, column = min((a.StartRow, a.StartColumn) for a in found)
    return cells.getCellByPosition(column - origin.StartColumn, row - origin.StartRow)


def cell_errors(cells: object, document: object) -> np.ndarray:
    """VNG_FOUT's argument as the registry contract has it: the first error cell as a CellError with its message."""
    cell = first_error(cells)
    if cell is None:
        return np.array([[None]], dtype=object)  # VNG_FOUT only looks at errors
    error = cell.getError()
    found = traced_message(cell, document) if error == VALUE else None
    return np.array([[CellError(EXCEL_ERRORS.get(error, cell.getString()), found)]], dtype=object)


def vng_fout(document: object, cells: object) -> tuple[tuple[str]]:
    """VNG_FOUT as Calc calls it: the document and the cells; a 1×1 block with the message ("" for none)."""
    return ((FUNCTIONS["VNG_FOUT"].impl(cell_errors(cells, document)),),)
