"""The Kadernota model as a chain of posts, each under the key its published figures carry.

The chain lays the model out the way the published tables are built: indexed series (a cost line,
a Fonds GGU chapter, the fund itself), figures derived from them (totals, percentages) and inputs.
Every post is computed by the rules of vng_xl.model, so the chain is the model, taken apart per
post. Because every post can be evaluated with some posts replaced, a slip tried on one line
carries through to the totals and percentages that depend on it; `vng_xl.controle.bevindingen`
uses that to explain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from vng_xl.data import gepubliceerd, kadernota_2026
from vng_xl.data.cijfers import (
    CONTRIBUTIE,
    GGU_BEGROTING,
    GGU_DEKKING,
    GGU_OMVANG,
    KERN,
    PER_INWONER,
    Gepubliceerd,
    Sleutel,
    hoofdstuk,
)
from vng_xl.model import (
    contributie,
    contributie_zonder_ingroei,
    dekking,
    doorgerekend,
    excel_round,
    herprioritering,
    ontwikkeling,
)
from vng_xl.model.kadernota import Kadernota

__all__ = [
    "CONTRIBUTIE",
    "GGU_BEGROTING",
    "GGU_DEKKING",
    "GGU_OMVANG",
    "INDEXATIES",
    "KERN",
    "PER_INWONER",
    "Afgeleid",
    "Keten",
    "Post",
    "Reeks",
    "Sleutel",
    "Vast",
    "Waarden",
    "afronden",
    "keten",
]

Waarden = dict[int, float]  # year -> amount

INDEXATIES = "indexaties"


# ---------------------------------------------------------------------------------------------
# The model as a chain of posts: indexed series and figures derived from other posts.


@dataclass(frozen=True)
class Reeks:
    """An indexed series: an amount in its basisjaar carried forward each year with an index series.

    `index` and `ander` name posts that hold rates per year (`ander` is the other index type, for
    lines that have one). Rates are applied into a year: value(t) = value(t-1) × (1 + rate(t)).
    """

    tabel: str
    naam: str
    basisjaar: int
    basis: float
    laatste_jaar: int
    index: Sleutel
    ander: Sleutel | None = None
    index_naam: str = ""  # how the explanation names the index: "A (loonontwikkeling)"
    ander_naam: str = ""

    @property
    def sleutel(self) -> Sleutel:
        """(table, post): the key of this series and of its published figures."""
        return (self.tabel, self.naam)

    def jaren(self) -> range:
        """The years an index is applied into: after the basisjaar up to the last year."""
        return range(self.basisjaar + 1, self.laatste_jaar + 1)

    def waarden(self, rates: Mapping[int, float], teken: float = 1.0, afronding: float | None = None) -> Waarden:
        """The series by the model's indexation rule with the given rate per year.

        `teken` and `afronding` are slips: a reversed sign, or the amount rounded every year before
        the next year's index is applied.
        """
        jaren = list(self.jaren())
        groei = np.array([rates[j] for j in jaren], dtype=float)
        if afronding is None:
            values = doorgerekend(teken * self.basis, groei).tolist()
        else:
            values, value = [], teken * self.basis
            for rate in groei:
                value = afronden(float(doorgerekend(value, rate[None])[-1]), afronding)
                values.append(value)
        return {self.basisjaar: teken * self.basis, **dict(zip(jaren, values))}


@dataclass(frozen=True)
class Afgeleid:
    """A figure computed from other posts: a total, a percentage, an indexatie."""

    tabel: str
    naam: str
    delen: tuple[Sleutel, ...]
    formule: Callable[[Mapping[Sleutel, Waarden]], Waarden]
    soort: str = "totaal"  # "totaal": a sum of lines; other kinds are explained only through their parts

    @property
    def sleutel(self) -> Sleutel:
        """(table, post): the key of this figure and of its published figures."""
        return (self.tabel, self.naam)


@dataclass(frozen=True)
class Vast:
    """An input series, such as an index or the overbegroting path."""

    tabel: str
    naam: str
    waarden_: Waarden

    @property
    def sleutel(self) -> Sleutel:
        """(table, post): how the chain names this input."""
        return (self.tabel, self.naam)


Post = Reeks | Afgeleid | Vast


@dataclass(frozen=True)
class Keten:
    """The model's posts in order of evaluation, and the published figures they are checked against."""

    posten: tuple[Post, ...]
    pub: Gepubliceerd

    @property
    def gepubliceerd(self) -> Mapping[Sleutel, Mapping[int, float]]:
        """The published figures per post: (table, post) -> year -> figure."""
        return self.pub.waarden

    @property
    def tabellen(self) -> tuple[str, ...]:
        """The tables' keys in the document's order."""
        return tuple(t.id for t in self.pub.tabellen)

    def eenheid(self, tabel: str) -> float:
        """The table's rounding unit (1, 0.001)."""
        return self.pub.tabel(tabel).afronding

    def schaal(self, tabel: str) -> str:
        """The table's scale: "EUR", "EUR 1.000" or "%"."""
        return self.pub.tabel(tabel).schaal

    def label(self, sleutel: Sleutel) -> str:
        """How an explanation names a post (display only)."""
        return self.pub.label(sleutel)

    def post(self, sleutel: Sleutel) -> Post:
        """The post with this key."""
        for p in self.posten:
            if p.sleutel == sleutel:
                return p
        raise KeyError(sleutel)

    def bereken(self, vervangen: Mapping[Sleutel, Waarden] | None = None) -> dict[Sleutel, Waarden]:
        """Evaluate every post in order; posts in `vervangen` take the given values instead."""
        vervangen = vervangen or {}
        uit: dict[Sleutel, Waarden] = {}
        for p in self.posten:
            if p.sleutel in vervangen:
                uit[p.sleutel] = dict(vervangen[p.sleutel])
            elif isinstance(p, Vast):
                uit[p.sleutel] = dict(p.waarden_)
            elif isinstance(p, Reeks):
                uit[p.sleutel] = p.waarden(uit[p.index])
            else:
                uit[p.sleutel] = p.formule(uit)
        return uit


def afronden(value: float, eenheid: float) -> float:
    """Round to the document's unit (1, 0.001, ...) half away from zero, as Excel's ROUND does."""
    digits = -round(math.log10(eenheid))
    return float(excel_round(value, digits))


def _som(delen: Sequence[Sleutel]) -> Callable[[Mapping[Sleutel, Waarden]], Waarden]:
    def formule(w: Mapping[Sleutel, Waarden]) -> Waarden:
        jaren = set.intersection(*(set(w[d]) for d in delen))
        return {j: math.fsum(w[d][j] for d in delen) for j in sorted(jaren)}

    return formule


def _in_jaar(bron: Sleutel, jaar: int) -> Callable[[Mapping[Sleutel, Waarden]], Waarden]:
    """The figure of another post in one year: a table that prints one year of another."""

    def formule(w: Mapping[Sleutel, Waarden]) -> Waarden:
        return {jaar: w[bron][jaar]} if jaar in w[bron] else {}

    return formule


def _per_jaar(regel: Callable[..., np.ndarray], *delen: Sleutel) -> Callable[[Mapping[Sleutel, Waarden]], Waarden]:
    """A model rule applied year by year to the posts `delen`, over the years they all have."""

    def formule(w: Mapping[Sleutel, Waarden]) -> Waarden:
        jaren = sorted(set.intersection(*(set(w[d]) for d in delen)))
        if not jaren:
            return {}
        uit = regel(*(np.array([w[d][j] for j in jaren]) for d in delen))
        return dict(zip(jaren, np.asarray(uit, dtype=float).tolist()))

    return formule


def keten(kn: Kadernota | None = None, pub: Gepubliceerd | None = None) -> Keten:
    """The Kadernota's chain of posts with the published figures, ready for `controleer`."""
    kn = kn or kadernota_2026()
    pub = pub if pub is not None else gepubliceerd()
    posten: list[Post] = []
    idx = kn.indexen
    a = (INDEXATIES, "A")
    b = (INDEXATIES, "B")
    posten.append(Vast(*a, dict(zip(idx.years.tolist(), idx.rates[0].tolist()))))
    posten.append(Vast(*b, dict(zip(idx.years.tolist(), idx.rates[1].tolist()))))
    namen = {"A": "A (loonontwikkeling)", "B": "B (prijsontwikkeling)"}  # as the explanation completes them

    # Kosten kernorganisatie: one indexed series per line, three totals.
    kosten: list[Sleutel] = []
    doorbelasting: list[Sleutel] = []
    for regel, typ, groep, amount in zip(kn.ids, kn.types, kn.groepen, kn.begroting):
        eigen, ander = (a, b) if typ.upper() == "A" else (b, a)
        r = Reeks(KERN, regel, kn.basisjaar, float(amount), idx.last, eigen, ander, namen[eigen[1]], namen[ander[1]])
        posten.append(r)
        (kosten if groep == "kosten" else doorbelasting).append(r.sleutel)
    totaal = (KERN, "totaal")
    totaal_db = (KERN, "totaal_doorbelasting")
    kern = (KERN, "kosten_kernorganisatie")
    posten.append(Afgeleid(*totaal, tuple(kosten), _som(kosten)))
    posten.append(Afgeleid(*totaal_db, tuple(doorbelasting), _som(doorbelasting)))
    posten.append(Afgeleid(*kern, (totaal, totaal_db), _som([totaal, totaal_db])))

    # Contributie: the development of the costs, rounded to 0.1%, plus the ingroei.
    ontw = (CONTRIBUTIE, "ontwikkeling")

    def kosten_ontwikkeling(w: Mapping[Sleutel, Waarden]) -> Waarden:
        k = w[kern]
        jaren = [j for j in k if j - 1 in k]
        uit = ontwikkeling(np.array([k[j - 1] for j in jaren]), np.array([k[j] for j in jaren]))
        return dict(zip(jaren, uit.tolist()))

    ingroei = (CONTRIBUTIE, "ingroei")
    posten.append(Afgeleid(*ontw, (kern,), kosten_ontwikkeling, soort="formule"))
    posten.append(Vast(*ingroei, {int(j): float(kn.ingroei) for j in range(kn.basisjaar, idx.last + 1)}))
    posten.append(Afgeleid(CONTRIBUTIE, "stijging", (ontw, ingroei), _per_jaar(contributie, ontw, ingroei), "formule"))
    posten.append(Afgeleid(CONTRIBUTIE, "voorstel", (ontw,), _per_jaar(contributie_zonder_ingroei, ontw), "formule"))

    # Fonds GGU: chapters indexed with the contribution's rate excluding ingroei, rounded to 0.1%.
    ggu = kn.ggu
    pct = (GGU_DEKKING, "indexatiepercentage")

    def percentage(w: Mapping[Sleutel, Waarden]) -> Waarden:
        return {j: v for j, v in _per_jaar(contributie_zonder_ingroei, ontw)(w).items() if j >= ggu.basisjaar}

    posten.append(Afgeleid(*pct, (ontw,), percentage, soort="formule"))
    hoofdstukken = []
    for nr, amount in ggu.hoofdstukken.items():
        r = Reeks(
            GGU_BEGROTING,
            hoofdstuk(nr),
            ggu.basisjaar,
            float(amount),
            kn.ggu_laatste_jaar,
            pct,
            index_naam="indexatiepercentage",
        )
        posten.append(r)
        hoofdstukken.append(r.sleutel)
    basis = (GGU_BEGROTING, "basisbegroting")
    posten.append(Afgeleid(*basis, tuple(hoofdstukken), _som(hoofdstukken)))
    # The fund: last year's bijdrage leden indexed; the basisjaar's huidig fonds is an input.
    bijdrage = (GGU_DEKKING, "bijdrage")
    posten.append(
        Reeks(
            *bijdrage,
            ggu.basisjaar - 1,
            float(ggu.fonds),
            kn.ggu_laatste_jaar,
            pct,
            index_naam="indexatiepercentage",
        )
    )
    pad = (GGU_DEKKING, "overbegroting_pad")
    posten.append(Vast(*pad, {int(j): float(v) for j, v in ggu.overbegroting.items()}))

    def dekking_post(i: int) -> Callable[[Mapping[Sleutel, Waarden]], Waarden]:
        """Part `i` of the model's dekking (huidig fonds, indexatie, overbegroting, totaal) from the bijdrage."""

        def formule(w: Mapping[Sleutel, Waarden]) -> Waarden:
            jaren = [j for j in sorted(w[pad]) if j in w[bijdrage] and j in w[pct]]
            delen = dekking(
                w[bijdrage][ggu.basisjaar - 1],
                np.array([w[bijdrage][j] for j in jaren]),
                np.array([w[pct][j] for j in jaren]),
                np.array([w[pad][j] for j in jaren]),
            )
            return dict(zip(jaren, delen[i].tolist()))

        return formule

    for i, naam in enumerate(("fonds", "indexatie", "overbegroting", "dekking")):
        posten.append(Afgeleid(GGU_DEKKING, naam, (bijdrage, pct, pad), dekking_post(i), soort="formule"))
    fonds, indexatie = (GGU_DEKKING, "fonds"), (GGU_DEKKING, "indexatie")
    posten.append(Afgeleid(GGU_DEKKING, "subtotaal", (fonds, indexatie), _som([fonds, indexatie])))
    over = (GGU_DEKKING, "overbegroting")
    begroting = (GGU_BEGROTING, "begroting")
    posten.append(Afgeleid(*begroting, (bijdrage, over), _som([bijdrage, over])))
    posten.append(
        Afgeleid(
            GGU_BEGROTING,
            "herprioritering",
            (begroting, basis),
            _per_jaar(herprioritering, begroting, basis),
            "formule",
        )
    )
    # "Begroting en omvang Fonds GGU": the basisjaar of the posts above, printed a second time.
    for naam in [*map(hoofdstuk, ggu.hoofdstukken), "basisbegroting", "herprioritering", "begroting"]:
        posten.append(
            Afgeleid(
                GGU_OMVANG, naam, ((GGU_BEGROTING, naam),), _in_jaar((GGU_BEGROTING, naam), ggu.basisjaar), "formule"
            )
        )
    for naam in ("fonds", "indexatie", "subtotaal", "bijdrage", "overbegroting", "dekking"):
        posten.append(
            Afgeleid(GGU_OMVANG, naam, ((GGU_DEKKING, naam),), _in_jaar((GGU_DEKKING, naam), ggu.basisjaar), "formule")
        )
    return Keten(posten=tuple(posten), pub=pub)
