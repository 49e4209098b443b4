"""Fonds GGU (amounts in € 1,000): basisbegroting per chapter, dekking and herprioritering."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vng_xl.errors import BadParameter


@dataclass(frozen=True)
class GguParameters:
    """The fund's inputs: chapters' amounts in the base year, starting level, overbegroting path."""

    hoofdstukken: dict[int, float]  # chapter number -> begroting in basisjaar (structureel + ontwikkeling)
    fonds: float  # huidig fonds (stand vorig boekjaar) in basisjaar
    overbegroting: dict[int, float]  # year -> fraction of bijdrage leden
    basisjaar: int = 2026
    namen: dict[int, str] = field(default_factory=dict)


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
    growth = np.cumprod(np.concatenate([[1.0], 1.0 + rate[1:]]))
    hoofdstukken = {nr: amount * growth for nr, amount in params.hoofdstukken.items()}
    basisbegroting = np.sum(list(hoofdstukken.values()), axis=0) if hoofdstukken else np.zeros(jaren.size)
    # Dekking: level × (1 + rate), carried forward.
    bijdrage = params.fonds * np.cumprod(1.0 + rate)
    fonds = np.concatenate([[params.fonds], bijdrage[:-1]])
    indexatie = fonds * rate
    overbegroting = bijdrage * np.array([params.overbegroting[int(y)] for y in jaren])
    begroting = bijdrage + overbegroting
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
        herprioritering=begroting - basisbegroting,
    )
