"""Fonds GGU (amounts in € 1,000): basisbegroting per chapter, dekking and herprioritering."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from vng_xl.errors import BadParameter
from vng_xl.model.indexen import doorgerekend
from vng_xl.model.kernorganisatie import excel_round

#: The fund's tables are in € 1,000; a bill or an amount per inwoner is in euros.
DUIZEND = 1000.0
#: The bijdrage per inwoner is printed to three decimals of a euro (€ 4,644).
AFRONDING_PER_INWONER = 3


def in_euro(bedrag_duizend: float | np.ndarray) -> float | np.ndarray:
    """An amount of the fund's tables (€ 1,000) in euros."""
    return bedrag_duizend * DUIZEND


def per_inwoner(bedrag_euro: float | np.ndarray, inwoners: float) -> np.ndarray:
    """An amount in euros per inwoner, rounded to three decimals as the Kadernota prints it."""
    return excel_round(np.asarray(bedrag_euro, dtype=float) / inwoners, AFRONDING_PER_INWONER)


@dataclass(frozen=True)
class GguParameters:
    """The fund's inputs: chapters' amounts in the base year, starting level, overbegroting path."""

    hoofdstukken: Mapping[int, float]  # chapter number -> begroting in basisjaar (structureel + ontwikkeling)
    fonds: float  # huidig fonds (stand vorig boekjaar) in basisjaar
    overbegroting: Mapping[int, float]  # year -> fraction of bijdrage leden
    basisjaar: int = 2026
    namen: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only copies: the built-in parameters are shared by every caller in the process.
        for name in ("hoofdstukken", "overbegroting", "namen"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


@dataclass(frozen=True)
class GguRaming:
    """Every figure of the Fonds GGU tables, one value per year of `jaren`, full precision."""

    jaren: np.ndarray
    indexatie_pct: np.ndarray
    hoofdstukken: dict[int, np.ndarray]
    basisbegroting: np.ndarray
    fonds: np.ndarray
    indexatie: np.ndarray
    bijdrage: np.ndarray
    overbegroting: np.ndarray
    begroting: np.ndarray
    herprioritering: np.ndarray

    @property
    def dekking(self) -> np.ndarray:
        """Totale dekking: bijdrage leden plus overbegroting (equals the totaal begroting)."""
        return self.begroting

    def post(self, name: str) -> np.ndarray:
        return self.dekking if name == "dekking" else getattr(self, name)


def dekking(
    fonds_basisjaar: float, bijdrage: np.ndarray, rate: np.ndarray, pad: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The dekking from the bijdrage leden per year: (huidig fonds, indexatie, overbegroting, totaal).

    Next year's huidig fonds is this year's bijdrage; the overbegroting is a fraction (`pad`) of it.
    """
    bijdrage = np.asarray(bijdrage, dtype=float)
    fonds = np.concatenate([[fonds_basisjaar], bijdrage[:-1]])
    overbegroting = bijdrage * np.asarray(pad, dtype=float)
    return fonds, fonds * np.asarray(rate, dtype=float), overbegroting, bijdrage + overbegroting


def herprioritering(begroting: np.ndarray, basisbegroting: np.ndarray) -> np.ndarray:
    """The cut needed to bring the basisbegroting down to what the dekking allows (negative: a cut)."""
    return np.asarray(begroting, dtype=float) - np.asarray(basisbegroting, dtype=float)


def ggu_raming(params: GguParameters, jaren: np.ndarray, indexatie_pct: np.ndarray) -> GguRaming:
    """Project the fund over `jaren` (from the basisjaar on) with the yearly indexatie percentages.

    The fund's level is carried forward: next year's huidig fonds is this year's bijdrage leden.
    """
    jaren = np.asarray(jaren, dtype=np.int64)
    rate = np.asarray(indexatie_pct, dtype=float)
    if jaren.size == 0 or jaren[0] != params.basisjaar or np.any(np.diff(jaren) != 1):
        raise BadParameter(
            argument="jaren",
            reason_nl=f"de jaren moeten aaneengesloten lopen vanaf {params.basisjaar}",
            reason_en=f"the years must be consecutive from {params.basisjaar}",
        )
    missing = [int(y) for y in jaren if int(y) not in params.overbegroting]
    if missing:
        raise BadParameter(
            argument="overbegroting",
            reason_nl=f"geen percentage voor {missing[0]}",
            reason_en=f"no percentage for {missing[0]}",
        )
    # Basisbegroting: the base year's amounts, indexed from the year after it.
    vanaf_tweede = np.concatenate([[0.0], rate[1:]])
    hoofdstukken = {nr: doorgerekend(amount, vanaf_tweede) for nr, amount in params.hoofdstukken.items()}
    basisbegroting = np.sum(list(hoofdstukken.values()), axis=0) if hoofdstukken else np.zeros(jaren.size)
    # Dekking: level × (1 + rate), carried forward.
    bijdrage = doorgerekend(params.fonds, rate)
    fonds, indexatie, overbegroting, begroting = dekking(
        params.fonds, bijdrage, rate, np.array([params.overbegroting[int(y)] for y in jaren])
    )
    return GguRaming(
        jaren=jaren,
        indexatie_pct=rate,
        hoofdstukken=hoofdstukken,
        basisbegroting=basisbegroting,
        fonds=fonds,
        indexatie=indexatie,
        bijdrage=bijdrage,
        overbegroting=overbegroting,
        begroting=begroting,
        herprioritering=herprioritering(begroting, basisbegroting),
    )
