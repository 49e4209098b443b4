"""The model's inputs (Kadernota) and every table of chapter 9 the rules derive from them (bereken)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from vng_xl.model import (
    GguParameters,
    GguRaming,
    Indexen,
    contributie,
    gewogen_index,
    ggu_raming,
    raming,
)
from vng_xl.model.indexen import alleen_lezen, index_types
from vng_xl.model.kernorganisatie import contributie_zonder_ingroei


def regel_sleutels(regels: tuple[str, ...]) -> tuple[str, ...]:
    """Keys for cost lines that came without: their names in lower case, "Huur en ICT" -> "huur_en_ict"."""
    out: list[str] = []
    for naam in regels:
        key = re.sub(r"[^0-9a-z]+", "_", str(naam).lower()).strip("_") or "regel"
        base, n = key, 1
        while key in out:
            n += 1
            key = f"{base}_{n}"
        out.append(key)
    return tuple(out)


@dataclass(frozen=True)
class Kadernota:
    """The model's inputs: index series, cost lines of the kernorganisatie, Fonds GGU parameters."""

    naam: str
    indexen: Indexen
    regels: tuple[str, ...]  # names of the cost lines (display labels, which a user may change)
    ids: tuple[str, ...]  # the cost lines' keys, as the published figures name them (a rename keeps them)
    types: tuple[str, ...]  # "A" or "B" per line
    groepen: tuple[str, ...]  # "kosten" or "doorbelasting" per line
    begroting: np.ndarray  # Begroting of the basisjaar per line, in euros
    basisjaar: int
    ingroei: float
    ggu: GguParameters
    ggu_laatste_jaar: int

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.regels):
            # Another set of cost lines than the keys were given for: keys from the lines' names.
            object.__setattr__(self, "ids", regel_sleutels(self.regels))
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("every cost line needs its own key")
        object.__setattr__(self, "begroting", alleen_lezen(self.begroting, float))
        for name in ("regels", "ids", "types", "groepen"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def with_indexen(self, indexen: Indexen) -> Kadernota:
        """The same data with another index series (a scenario)."""
        return replace(self, indexen=indexen)


@dataclass(frozen=True)
class Uitkomsten:
    """Every table of chapter 9 as computed by the model, unrounded."""

    jaren: np.ndarray  # basisjaar .. last year of the indexen
    raming: np.ndarray  # (lines, years)
    totaal_kosten: np.ndarray
    totaal_doorbelasting: np.ndarray
    kosten_kernorganisatie: np.ndarray
    ontwikkeling: np.ndarray  # NaN in the basisjaar: it needs the year before
    contributie: np.ndarray  # NaN in the basisjaar
    zonder_ingroei: np.ndarray  # the contribution without ingroei (the ontwikkeling on 0.1%); NaN in the basisjaar
    ggu: GguRaming


def bereken(kn: Kadernota) -> Uitkomsten:
    """Compute all tables from the inputs: raming, totals, cost development, contributie, Fonds GGU."""
    types = index_types(kn.types)
    jaren = np.arange(kn.basisjaar, kn.indexen.last + 1)
    lines = raming(kn.begroting, types, jaren, kn.basisjaar, kn.indexen)
    kosten = np.array([g == "kosten" for g in kn.groepen])
    ontwikkeling = np.full(jaren.size, np.nan)
    ontwikkeling[1:] = gewogen_index(kn.begroting, types, jaren[1:], kn.basisjaar, kn.indexen)
    stijging = np.full(jaren.size, np.nan)
    stijging[1:] = contributie(ontwikkeling[1:], kn.ingroei)
    zonder = np.full(jaren.size, np.nan)
    zonder[1:] = contributie_zonder_ingroei(ontwikkeling[1:])
    # The Fonds GGU is indexed with the contribution's rate excluding ingroei, rounded to 0.1%.
    ggu_jaren = np.arange(kn.ggu.basisjaar, kn.ggu_laatste_jaar + 1)
    pct = zonder[np.searchsorted(jaren, ggu_jaren)]
    return Uitkomsten(
        jaren=jaren,
        raming=lines,
        totaal_kosten=lines[kosten].sum(axis=0),
        totaal_doorbelasting=lines[~kosten].sum(axis=0),
        kosten_kernorganisatie=lines.sum(axis=0),
        ontwikkeling=ontwikkeling,
        contributie=stijging,
        zonder_ingroei=zonder,
        ggu=ggu_raming(kn.ggu, ggu_jaren, pct),
    )
