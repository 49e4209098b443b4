"""Kosten kernorganisatie: raming of cost lines, the cost development and the contributie."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from vng_xl.errors import BadParameter, YearOrder
from vng_xl.model.indexen import Indexen


def excel_round(values: np.ndarray | float, digits: int) -> np.ndarray:
    """Round half away from zero on the decimal value, as Excel's ROUND does (not numpy's half-even)."""
    quantum = Decimal(1).scaleb(-digits)

    def one(x: float) -> float:
        d = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
        return float(d)

    arr = np.asarray(values, dtype=float)
    return np.vectorize(one, otypes=[float])(arr) if arr.size else arr


def raming(
    bedragen: np.ndarray,
    types: np.ndarray,
    jaren: np.ndarray,
    basisjaar: int,
    indexen: Indexen,
) -> np.ndarray:
    """Each line's amount of `basisjaar` indexed to each of `jaren`: shape (lines, years), full precision."""
    table = indexen.factor_table(basisjaar, np.asarray(jaren), argument="jaar")
    return np.asarray(bedragen, dtype=float)[:, None] * table[np.asarray(types)]


def gewogen_index(
    bedragen: np.ndarray,
    types: np.ndarray,
    jaren: np.ndarray,
    basisjaar: int,
    indexen: Indexen,
) -> np.ndarray:
    """Development of the cost base into each year: Σ raming(t) / Σ raming(t−1) − 1, unrounded."""
    jaren = np.atleast_1d(np.asarray(jaren, dtype=np.int64))
    if np.any(jaren <= basisjaar):
        raise YearOrder(
            argument="jaar",
            value=int(jaren[jaren <= basisjaar][0]),
            base_name="het jaar na basisjaar",
            base=basisjaar + 1,
        )
    both = np.concatenate([jaren - 1, jaren])
    totals = raming(bedragen, types, both, basisjaar, indexen).sum(axis=0)
    return ontwikkeling(totals[: jaren.size], totals[jaren.size :])


def ontwikkeling(voor: np.ndarray | float, na: np.ndarray | float) -> np.ndarray:
    """The development of the costs from one year's total to the next: na / voor − 1, unrounded."""
    voor = np.asarray(voor, dtype=float)
    if np.any(voor == 0):
        raise BadParameter(
            argument="bedragen",
            reason_nl="de kosten tellen op tot 0; een ontwikkeling is dan niet te bepalen",
            reason_en="the costs add up to 0, so their development is undefined",
        )
    return np.asarray(na, dtype=float) / voor - 1.0


#: The contribution's rate is rounded to 0.1% (three decimals of a fraction).
AFRONDING_PERCENTAGE = 3


def contributie_zonder_ingroei(ontwikkeling: np.ndarray | float) -> np.ndarray:
    """The cost development rounded to 0.1%: the contribution before ingroei, and the Fonds GGU's indexatie."""
    return excel_round(np.asarray(ontwikkeling, dtype=float), AFRONDING_PERCENTAGE)


def contributie(ontwikkeling: np.ndarray | float, ingroei: float | np.ndarray = 0.01) -> np.ndarray:
    """Contributiestijging: the cost development rounded to 0.1%, plus the ingroei."""
    return contributie_zonder_ingroei(ontwikkeling) + np.asarray(ingroei, dtype=float)
