"""Index series (table "Indexaties"): loonontwikkeling (A) and prijsontwikkeling (B) per year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vng_xl.errors import BadIndexen, NotAYear, UnknownIndexType, YearOrder, YearOutsideIndexen

#: Accepted spellings of the two index types, lower case, mapped to a row of the series.
TYPE_CODES = {
    "a": 0,
    "loon": 0,
    "loonontwikkeling": 0,
    "b": 1,
    "prijs": 1,
    "prijsontwikkeling": 1,
}
TYPE_LETTERS = ("A", "B")
YEAR_RANGE = (1900, 2200)


def alleen_lezen(values: object, dtype: type | None = None) -> np.ndarray:
    """A read-only copy: data handed out (and cached) cannot be changed by a stray write."""
    arr = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


def doorgerekend(basis: float | np.ndarray, rates: np.ndarray) -> np.ndarray:
    """The indexation rule: `basis` carried through each year's rate, basis × Π(1 + rate) up to each year.

    `rates` runs over the last axis; a leading axis of `basis` gives one series per amount.
    """
    return np.asarray(basis, dtype=float)[..., None] * np.cumprod(1.0 + np.asarray(rates, dtype=float), axis=-1)


def index_types(values: Iterable[object] | object, argument: str = "indextype") -> np.ndarray:
    """Map "A"/"B"/"loon"/"prijs" (any case) to row numbers 0/1, as an int array.

    Looks up each distinct value once, so 100,000 cost lines cost a hash per line, not a parse.
    """
    arr = np.asarray(values, dtype=object)
    flat = arr.reshape(-1).tolist()
    codes: dict[object, int] = {}
    for value in set(flat) if all(isinstance(v, str) for v in flat) else flat:
        key = value.strip().lower() if isinstance(value, str) else None
        if key not in TYPE_CODES:
            shown = value if isinstance(value, str) else "" if value is None or value != value else value
            raise UnknownIndexType(argument=argument, value=shown)
        codes[value] = TYPE_CODES[key]
    out = np.fromiter(map(codes.__getitem__, flat), dtype=np.intp, count=len(flat))
    return out.reshape(arr.shape)


def as_year(value: object, argument: str) -> int:
    """A year as int; floats from Excel cells are accepted when they are whole."""
    if isinstance(value, bool) or value is None or value != value:
        raise NotAYear(argument=argument, value="(lege cel)", value_en="(empty cell)")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotAYear(argument=argument, value=f'"{value}"') from None
    if not number.is_integer() or not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
        raise NotAYear(argument=argument, value=value)
    return int(number)


#: factor_table's answers kept per process: by the series, the base year and the years asked (exact
#: bytes), for up to _KEPT_YEARS years at a time and _KEPT_TABLES tables.
_KEPT_YEARS = 64
_KEPT_TABLES = 256
_FACTOR_TABLES: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class Indexen:
    """A contiguous run of years with index A and index B for each, as fractions (0.039)."""

    years: np.ndarray  # int, consecutive
    rates: np.ndarray  # shape (2, n): row 0 = A, row 1 = B
    bron: str = ""

    def __post_init__(self) -> None:
        years = np.asarray(self.years)
        rates = np.asarray(self.rates, dtype=float)
        if years.ndim != 1 or years.size == 0:
            raise BadIndexen(reason_nl="geen jaren", reason_en="no years")
        if rates.shape != (2, years.size):
            raise BadIndexen(
                reason_nl=f"{rates.shape[-1] if rates.ndim else 0} indexcijfers voor {years.size} jaren",
                reason_en=f"{rates.shape[-1] if rates.ndim else 0} rates for {years.size} years",
            )
        if np.any(np.diff(years) != 1):
            raise BadIndexen(
                reason_nl="de jaren moeten aaneengesloten oplopen",
                reason_en="the years must be consecutive and ascending",
            )
        if not np.all(np.isfinite(rates)) or np.any(rates <= -1):
            raise BadIndexen(
                reason_nl="een index is leeg of -100% of lager",
                reason_en="an index is empty or -100% or lower",
            )
        object.__setattr__(self, "years", alleen_lezen(years, np.int64))
        object.__setattr__(self, "rates", alleen_lezen(rates, float))

    @classmethod
    def from_block(cls, block: object, bron: str = "") -> Indexen:
        """Build from an Excel-style block: 3 rows (years, A, B); n×3 columns are accepted too."""
        try:
            arr = np.asarray(block, dtype=object)
        except ValueError:
            raise BadIndexen(reason_nl="geen rechthoekig blok", reason_en="not a rectangular block") from None
        if arr.ndim != 2:
            raise BadIndexen(reason_nl="geen blok van cellen", reason_en="not a block of cells")
        if arr.shape[0] != 3 and arr.shape[1] == 3:
            arr = arr.T
        if arr.shape[0] != 3:
            raise BadIndexen(
                reason_nl=f"blok van {arr.shape[0]}×{arr.shape[1]} cellen",
                reason_en=f"block of {arr.shape[0]}×{arr.shape[1]} cells",
            )
        try:
            years = [as_year(v, "indexen") for v in arr[0]]
        except NotAYear as exc:
            raise BadIndexen(
                reason_nl=f"de eerste rij moet jaartallen bevatten ({exc.details['value_nl']})",
                reason_en=f"the first row must hold years ({exc.details['value_en']})",
            ) from None
        rates = np.empty((2, arr.shape[1]))
        for row in (1, 2):
            for col, value in enumerate(arr[row]):
                if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                    raise BadIndexen(
                        reason_nl=f"index {TYPE_LETTERS[row - 1]} {years[col]} is geen getal",
                        reason_en=f"index {TYPE_LETTERS[row - 1]} {years[col]} is not a number",
                    )
                rates[row - 1, col] = float(value)
        return cls(np.array(years), rates, bron)

    @property
    def first(self) -> int:
        return int(self.years[0])

    @property
    def last(self) -> int:
        return int(self.years[-1])

    def to_block(self) -> list[list[float]]:
        """The Excel layout: years, index A, index B."""
        return [self.years.tolist(), self.rates[0].tolist(), self.rates[1].tolist()]

    def _position(self, years: np.ndarray, argument: str) -> np.ndarray:
        bad = (years < self.first) | (years > self.last)
        if np.any(bad):
            raise YearOutsideIndexen(argument=argument, value=int(years[bad][0]), first=self.first, last=self.last)
        return years - self.first

    def index(self, types: np.ndarray, years: np.ndarray | int, argument: str = "jaar") -> np.ndarray:
        """The index of each type in each year (broadcast together)."""
        years = np.asarray(years, dtype=np.int64)
        return self.rates[types, self._position(years, argument)]

    def factor_table(self, van: int, tot: np.ndarray, argument: str = "jaar") -> np.ndarray:
        """Π(1 + index) over the years after `van` up to each year in `tot`, shape (2, len(tot)),
        read-only: kept per process for a few years at once (a batch asks the same table per file)."""
        tot = np.atleast_1d(np.asarray(tot, dtype=np.int64))
        if tot.size > _KEPT_YEARS or type(van) is not int:
            return self._factor_table(van, tot, argument)
        key = (self.years.tobytes(), self.rates.tobytes(), van, tot.shape, tot.tobytes())
        table = _FACTOR_TABLES.get(key)
        if table is None:
            table = alleen_lezen(self._factor_table(van, tot, argument))
            if len(_FACTOR_TABLES) >= _KEPT_TABLES:
                _FACTOR_TABLES.clear()
            _FACTOR_TABLES[key] = table
        return table

    def _factor_table(self, van: int, tot: np.ndarray, argument: str) -> np.ndarray:
        if np.any(tot < van):
            raise YearOrder(argument=argument, value=int(tot[tot < van][0]), base_name="basisjaar", base=van)
        table = np.ones((2, tot.size))
        later = tot > van
        if np.any(later):
            # The series is contiguous, so its ends decide whether van+1 .. max(tot) is covered.
            self._position(np.array([van + 1, int(tot.max())]), argument)
            start = van + 1 - self.first
            cumulative = doorgerekend(np.ones(2), self.rates[:, start:])
            table[:, later] = cumulative[:, tot[later] - van - 1]
        return table

    def factor(self, types: np.ndarray, van: int, tot: int, argument: str = "tot_jaar") -> np.ndarray:
        """Π(1 + index) for each type over the years after `van` up to `tot`; 1 when equal."""
        if tot < van:
            raise YearOrder(argument=argument, value=tot, base_name="van_jaar", base=van)
        return self.factor_table(van, np.array([tot]), argument)[types, 0]
