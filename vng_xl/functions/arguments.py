"""Turning cell values (scalars, 2-D blocks with empty cells as None) into the model's arrays.

Every check here raises a VngError that names the argument, so a cell can say what is wrong.
"""

from __future__ import annotations

import numpy as np

from vng_xl.data import kadernota_2026
from vng_xl.errors import BadIndexen, BadParameter, LengthMismatch, NotANumber
from vng_xl.model import Indexen
from vng_xl.model.indexen import as_year, index_types


def is_missing(value: object) -> bool:
    """An omitted optional argument: None, or an empty block."""
    return value is None or (isinstance(value, np.ndarray) and value.size == 0)


def block(value: object) -> np.ndarray:
    """Any cell value as a 2-D object array (a scalar becomes 1×1)."""
    arr = np.asarray(value, dtype=object)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    return arr


def column(value: object, argument: str) -> np.ndarray:
    """A single cell, a column or a row of cells as a 1-D object array (one line per cell)."""
    arr = block(value)
    if arr.shape[1] == 1 or arr.shape[0] == 1:
        return arr.reshape(-1)
    raise BadParameter(
        argument=argument,
        reason_nl=f"blok van {arr.shape[0]}×{arr.shape[1]} cellen; geef één kolom",
        reason_en=f"block of {arr.shape[0]}×{arr.shape[1]} cells; give one column",
    )


def is_empty_cell(value: object) -> bool:
    """An empty cell: None, or NaN as xlwings' numpy converter hands it over."""
    return value is None or (isinstance(value, (float, np.floating)) and np.isnan(value))


def _shown(value: object) -> str:
    if is_empty_cell(value):
        return "een lege cel"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _shown_en(value: object) -> str:
    return "an empty cell" if is_empty_cell(value) else _shown(value)


NUMBER_TYPES = (int, float, np.integer, np.floating)


def numbers(value: object, argument: str) -> np.ndarray:
    """Amounts as a float array: text, empty cells, booleans and NaN are refused."""
    flat = column(value, argument)
    kinds = set(map(type, flat.tolist()))
    if all(issubclass(k, NUMBER_TYPES) and not issubclass(k, bool) for k in kinds):
        out = flat.astype(float)
        if np.all(np.isfinite(out)):
            return out
    for i, v in enumerate(flat):  # slow path: find the first bad cell and name it
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, NUMBER_TYPES) or not np.isfinite(v):
            row = f" (rij {i + 1})" if flat.size > 1 else ""
            row_en = f" (row {i + 1})" if flat.size > 1 else ""
            raise NotANumber(argument=argument, value_nl=_shown(v), value_en=_shown_en(v), row_nl=row, row_en=row_en)
    return flat.astype(float)


def _single(arr: np.ndarray, argument: str, what_nl: str, what_en: str) -> object:
    """The one element of `arr`, or a message that one cell was expected."""
    if arr.size != 1:
        raise BadParameter(
            argument=argument,
            reason_nl=f"{arr.size} cellen; geef één {what_nl}",
            reason_en=f"{arr.size} cells; give one {what_en}",
        )
    return arr[0]


def number(value: object, argument: str) -> float:
    """One amount."""
    return float(_single(numbers(value, argument), argument, "getal", "number"))


def types_for(value: object, n: int, argument: str = "indextype", other: str = "bedrag") -> np.ndarray:
    """Index types for n lines: one type for all, or one per line."""
    flat = column(value, argument)
    codes = index_types(flat, argument)
    if codes.size == 1:
        return np.repeat(codes, n)
    if codes.size != n:
        raise LengthMismatch(argument=argument, n=codes.size, other=other, m=n)
    return codes


def years(value: object, argument: str = "jaar") -> np.ndarray:
    """One year or a row/column of years, as an int array."""
    return np.array([as_year(v, argument) for v in column(value, argument)], dtype=np.int64)


def year(value: object, argument: str, default: int | None = None) -> int:
    """One year; `default` when omitted."""
    if is_missing(value) and default is not None:
        return default
    return int(_single(years(value, argument), argument, "jaar", "year"))


def indexen(value: object) -> Indexen:
    """The index block given, or the Kadernota 2026 series when omitted."""
    if is_missing(value):
        return kadernota_2026().indexen
    if not isinstance(value, (np.ndarray, list, tuple)):
        raise BadIndexen(reason_nl="één cel", reason_en="a single cell")
    return Indexen.from_block(block(value))


def year_values(value: object, argument: str) -> dict[int, float]:
    """A block of two rows (or columns): years, values. Used for paths such as the overbegroting."""
    arr = block(value)
    if arr.shape[0] != 2 and arr.shape[1] == 2:
        arr = arr.T
    if arr.shape[0] != 2:
        raise BadParameter(
            argument=argument,
            reason_nl=f"blok van {arr.shape[0]}×{arr.shape[1]} cellen; verwacht 2 rijen (jaren, waarden)",
            reason_en=f"block of {arr.shape[0]}×{arr.shape[1]} cells; expected 2 rows (years, values)",
        )
    ys = years(arr[0], argument)
    vals = numbers(arr[1], argument)
    return dict(zip(ys.tolist(), vals.tolist()))
