"""The Kadernota model as a chain of posts, and the slips a person makes in such a spreadsheet.

The chain lays the model out the way the published tables are built: indexed series (a cost line,
a Fonds GGU chapter, the fund itself), figures derived from them (totals, percentages) and inputs.
Because every post can be evaluated with some posts replaced, a slip tried on one line carries
through to the totals and percentages that depend on it; `vng_xl.controle.bevindingen` uses that to explain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vng_xl.data import gepubliceerd, kadernota_2026
from vng_xl.model import excel_round
from vng_xl.model.kadernota import Kadernota

Waarden = dict[int, float]  # year -> amount
Sleutel = tuple[str, str]  # (table, post)

KERN = "Kosten kernorganisatie"
CONTRIBUTIE = "Contributie"
GGU_BEGROTING = "Fonds GGU begroting"
GGU_DEKKING = "Fonds GGU dekking"
PER_INWONER = "Bijdrage per inwoner"
INDEXATIES = "Indexaties"


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
        """(table, post): how the chain and the published figures name this series."""
        return (self.tabel, self.naam)

    def jaren(self) -> range:
        """The years an index is applied into: after the basisjaar up to the last year."""
        return range(self.basisjaar + 1, self.laatste_jaar + 1)

    def waarden(self, rates: Mapping[int, float], teken: float = 1.0, afronding: float | None = None) -> Waarden:
        """The series with the given rate per year; `afronding` rounds the amount every year (a slip)."""
        value = teken * self.basis
        out = {self.basisjaar: value}
        for jaar in self.jaren():
            value = value * (1.0 + rates[jaar])
            if afronding is not None:
                value = afronden(value, afronding)
            out[jaar] = value
        return out


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
        """(table, post): how the chain and the published figures name this figure."""
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
    """The model's posts in order of evaluation, the published figures and their rounding units."""

    posten: tuple[Post, ...]
    gepubliceerd: dict[Sleutel, Waarden]
    eenheden: dict[str, float]  # table -> rounding unit
    schalen: dict[str, str]  # table -> "EUR", "EUR 1.000" or "%"
    tabellen: tuple[str, ...]  # tables in the document's order

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


def keten(kn: Kadernota | None = None, pub: Mapping[str, Any] | None = None) -> Keten:
    """The Kadernota's chain of posts with the published figures, ready for `controleer`."""
    kn = kn or kadernota_2026()
    pub = pub if pub is not None else gepubliceerd()
    posten: list[Post] = []
    idx = kn.indexen
    a = (INDEXATIES, "A")
    b = (INDEXATIES, "B")
    posten.append(Vast(INDEXATIES, "A", dict(zip(idx.years.tolist(), idx.rates[0].tolist()))))
    posten.append(Vast(INDEXATIES, "B", dict(zip(idx.years.tolist(), idx.rates[1].tolist()))))
    namen = {"A": "A (loonontwikkeling)", "B": "B (prijsontwikkeling)"}  # as _met() completes them

    # Kosten kernorganisatie: one indexed series per line, three totals.
    kosten: list[Sleutel] = []
    doorbelasting: list[Sleutel] = []
    for naam, typ, groep, amount in zip(kn.regels, kn.types, kn.groepen, kn.begroting):
        eigen, ander = (a, b) if typ.upper() == "A" else (b, a)
        r = Reeks(KERN, naam, kn.basisjaar, float(amount), idx.last, eigen, ander, namen[eigen[1]], namen[ander[1]])
        posten.append(r)
        (kosten if groep == "kosten" else doorbelasting).append(r.sleutel)
    totaal = (KERN, "Totaal")
    totaal_db = (KERN, "Totaal doorbelasting van kosten en overige baten")
    kern = (KERN, "Kosten 'Kernorganisatie'")
    posten.append(Afgeleid(*totaal, tuple(kosten), _som(kosten)))
    posten.append(Afgeleid(*totaal_db, tuple(doorbelasting), _som(doorbelasting)))
    posten.append(Afgeleid(*kern, (totaal, totaal_db), _som([totaal, totaal_db])))

    # Contributie: the development of the costs, rounded to 0.1%, plus the ingroei.
    ontw = (CONTRIBUTIE, "ontwikkeling")

    def ontwikkeling(w: Mapping[Sleutel, Waarden]) -> Waarden:
        k = w[kern]
        return {j: k[j] / k[j - 1] - 1.0 for j in k if j - 1 in k}

    def stijging(w: Mapping[Sleutel, Waarden]) -> Waarden:
        return {j: afronden(v, 0.001) + kn.ingroei for j, v in w[ontw].items()}

    posten.append(Afgeleid(*ontw, (kern,), ontwikkeling, soort="formule"))
    posten.append(Afgeleid(CONTRIBUTIE, "stijging", (ontw,), stijging, soort="formule"))

    # Fonds GGU: chapters indexed with the contribution's rate excluding ingroei, rounded to 0.1%.
    ggu = kn.ggu
    pct = (GGU_DEKKING, "indexatiepercentage")

    def percentage(w: Mapping[Sleutel, Waarden]) -> Waarden:
        return {j: afronden(v, 0.001) for j, v in w[ontw].items() if j >= ggu.basisjaar}

    posten.append(Afgeleid(*pct, (ontw,), percentage, soort="formule"))
    hoofdstukken = []
    for nr, bedrag in ggu.hoofdstukken.items():
        r = Reeks(
            GGU_BEGROTING,
            str(nr),
            ggu.basisjaar,
            float(bedrag),
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
            GGU_DEKKING,
            "bijdrage",
            ggu.basisjaar - 1,
            float(ggu.fonds),
            kn.ggu_laatste_jaar,
            pct,
            index_naam="indexatiepercentage",
        )
    )
    fonds = (GGU_DEKKING, "fonds")
    posten.append(
        Afgeleid(
            *fonds,
            (bijdrage,),
            lambda w: {j + 1: v for j, v in w[bijdrage].items() if j < kn.ggu_laatste_jaar},
            soort="formule",
        )
    )
    posten.append(
        Afgeleid(
            GGU_DEKKING,
            "indexatie",
            (fonds, pct),
            lambda w: {j: w[fonds][j] * w[pct][j] for j in w[fonds]},
            soort="formule",
        )
    )
    pad = (GGU_DEKKING, "overbegroting_pad")
    posten.append(Vast(*pad, {int(j): float(v) for j, v in ggu.overbegroting.items()}))
    over = (GGU_DEKKING, "overbegroting")
    posten.append(
        Afgeleid(
            *over,
            (bijdrage, pad),
            lambda w: {j: w[bijdrage][j] * w[pad][j] for j in w[pad] if j in w[bijdrage]},
            soort="formule",
        )
    )
    dekking = (GGU_DEKKING, "dekking")
    posten.append(Afgeleid(*dekking, (bijdrage, over), _som([bijdrage, over])))
    posten.append(Afgeleid(GGU_BEGROTING, "begroting", (bijdrage, over), _som([bijdrage, over])))
    posten.append(
        Afgeleid(
            GGU_BEGROTING,
            "herprioritering",
            ((GGU_BEGROTING, "begroting"), basis),
            lambda w: {j: w[(GGU_BEGROTING, "begroting")][j] - w[basis][j] for j in w[basis]},
            soort="formule",
        )
    )

    # Published figures, by the same keys.
    published: dict[Sleutel, Waarden] = {}
    kt = pub["kernorganisatie"]
    for groep in ("regels", "totalen"):
        for naam, values in kt[groep].items():
            published[(KERN, naam)] = dict(zip(kt["jaren"], map(float, values)))
    ct = pub["contributie"]
    for naam in ("ontwikkeling", "stijging"):
        published[(CONTRIBUTIE, naam)] = dict(zip(ct["jaren"], map(float, ct[naam])))
    gt = pub["ggu"]
    for nr, values in gt["hoofdstukken"].items():
        published[(GGU_BEGROTING, str(nr))] = dict(zip(gt["jaren"], map(float, values)))
    for naam, values in gt["posten"].items():
        tabel = GGU_BEGROTING if naam in ("basisbegroting", "herprioritering", "begroting") else GGU_DEKKING
        published[(tabel, naam)] = dict(zip(gt["jaren"], map(float, values)))
    it = pub.get("per_inwoner")
    if it:
        published[(PER_INWONER, "bijdrage per inwoner")] = dict(zip(it["jaren"], map(float, it["bedrag"])))
    return Keten(
        posten=tuple(posten),
        gepubliceerd=published,
        eenheden={
            KERN: float(kt["afronding"]),
            CONTRIBUTIE: float(ct["afronding"]),
            GGU_BEGROTING: float(gt["afronding"]),
            GGU_DEKKING: float(gt["afronding"]),
            PER_INWONER: float(it["afronding"]) if it else 0.001,
        },
        schalen={
            KERN: "EUR",
            CONTRIBUTIE: "%",
            GGU_BEGROTING: "EUR 1.000",
            GGU_DEKKING: "EUR 1.000",
            PER_INWONER: "EUR",
        },
        tabellen=(KERN, CONTRIBUTIE, GGU_BEGROTING, GGU_DEKKING, PER_INWONER),
    )


# ---------------------------------------------------------------------------------------------
# Slips: plausible mistakes in a spreadsheet, tried on an indexed series.


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
