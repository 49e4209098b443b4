"""Slips: plausible mistakes a person makes in a spreadsheet, tried on one indexed series.

Each slip is the model's own indexation run with one thing changed (another index in one year,
a year's index skipped, applied twice or subtracted, rounding between years, the sign), so a slip
differs from the rules in that one place only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from vng_xl.controle.rekenketen import Reeks, Sleutel, Waarden


def _pct(rate: float) -> str:
    """A rate for an explanation: 0.039 -> 3,9% (Dutch), with more decimals only where needed."""
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _pct_en(rate: float) -> str:
    return f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _met(naam: str, pct: str) -> str:
    """ "A (loonontwikkeling)" and "3,9%" -> "A (loonontwikkeling, 3,9%)"."""
    return naam[:-1] + f", {pct})" if naam.endswith(")") else f"{naam} ({pct})"


def _eenheid_nl(eenheid: float, schaal: str) -> str:
    if eenheid >= 1:
        return "hele bedragen in € 1.000" if schaal == "EUR 1.000" else "hele euro's"
    return _pct(eenheid) if schaal == "%" else f"{eenheid:g}".replace(".", ",")


@dataclass(frozen=True)
class Vergissing:
    """One slip applied to one series: what it is, in Dutch and English, and the values it gives."""

    soort: str  # ander_indextype, index_overgeslagen, index_dubbel, index_afgetrokken, afronding, teken
    jaar: int | None
    nl: str
    en: str
    waarden: Waarden = field(compare=False, repr=False)


def vergissingen(r: Reeks, w: Mapping[Sleutel, Waarden], eenheid: float, schaal: str) -> Iterator[Vergissing]:
    """Every slip of the kinds the check knows, for every year of the series."""
    eigen = w[r.index]
    for jaar in r.jaren():
        rate = eigen[jaar]
        if r.ander is not None:
            ander = w[r.ander][jaar]
            rates = {**eigen, jaar: ander}
            yield Vergissing(
                "ander_indextype",
                jaar,
                f"in {jaar} index {_met(r.ander_naam, _pct(ander))} is gebruikt in plaats van "
                f"{_met(r.index_naam, _pct(rate))}",
                f"in {jaar} index {r.ander[1]} ({_pct_en(ander)}) was used instead of {r.index[1]} ({_pct_en(rate)})",
                r.waarden(rates),
            )
        yield Vergissing(
            "index_overgeslagen",
            jaar,
            f"de index van {jaar} ({_pct(rate)}) is overgeslagen",
            f"the {jaar} index ({_pct_en(rate)}) was skipped",
            r.waarden({**eigen, jaar: 0.0}),
        )
        yield Vergissing(
            "index_dubbel",
            jaar,
            f"de index van {jaar} ({_pct(rate)}) is twee keer toegepast",
            f"the {jaar} index ({_pct_en(rate)}) was applied twice",
            r.waarden({**eigen, jaar: (1.0 + rate) ** 2 - 1.0}),
        )
        yield Vergissing(
            "index_afgetrokken",
            jaar,
            f"de index van {jaar} ({_pct(rate)}) is afgetrokken in plaats van opgeteld",
            f"the {jaar} index ({_pct_en(rate)}) was subtracted instead of added",
            r.waarden({**eigen, jaar: -rate}),
        )
    yield Vergissing(
        "afronding",
        None,
        f"het bedrag elk jaar is afgerond op {_eenheid_nl(eenheid, schaal)} voordat de index van het "
        "volgende jaar is toegepast",
        "the amount was rounded every year before the next year's index was applied",
        r.waarden(eigen, afronding=eenheid),
    )
    yield Vergissing("teken", None, "het teken is omgedraaid", "the sign was reversed", r.waarden(eigen, teken=-1.0))
