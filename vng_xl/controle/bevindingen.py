"""Controle: every published figure of chapter 9 against the model, and an explanation for each difference.

The published tables were made by hand in a spreadsheet. For a figure the rules do not reproduce,
the check tries the slips a person makes in such a spreadsheet (the other index type in one year,
a year's index skipped or applied twice or subtracted, rounding between years, a sign) on every
indexed line and reports which slip gives the published figure exactly. A total or other derived
figure is explained by its parts: by the published parts, or by parts that use their explained value.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from vng_xl.controle.rekenketen import (
    CONTRIBUTIE,
    GGU_DEKKING,
    PER_INWONER,
    Afgeleid,
    Keten,
    Reeks,
    Sleutel,
    Vast,
    Waarden,
    afronden,
    keten,
)
from vng_xl.controle.vergissingen import Vergissing, vergissingen
from vng_xl.data.cijfers import Cijfer
from vng_xl.model import in_euro, per_inwoner
from vng_xl.notation import bedrag

#: Largest number of explained lines combined when explaining a total.
MAX_COMBINATIE = 3


class Status(enum.Enum):
    """How a published figure compares with the computed one."""

    GELIJK = "gelijk"
    AFRONDING = "binnen afronding"
    AFWIJKING = "afwijking"
    ONBEKEND = "niet te controleren"

    @property
    def en(self) -> str:
        """The status in English, for the command's --english output."""
        return {
            "gelijk": "reproduced",
            "binnen afronding": "within rounding",
            "afwijking": "discrepancy",
            "niet te controleren": "cannot be checked",
        }[self.value]


# ---------------------------------------------------------------------------------------------
# The check.


@dataclass(frozen=True)
class Bevinding:
    """One published figure compared with the computed one, with its status and explanation.

    `tabel`, `post` and `jaar` are the figure's key; `label` and `tabel_label` are display text only.
    """

    tabel: str
    post: str
    jaar: int
    gepubliceerd: float
    berekend: float  # NaN when the model cannot compute it
    eenheid: float
    status: Status
    verklaring_nl: str = ""
    verklaring_en: str = ""
    vergissingen: tuple[Vergissing, ...] = ()
    verklaard: bool = False  # the explanation reproduces the published figure
    label: str = field(default="", compare=False)
    tabel_label: str = field(default="", compare=False)

    @property
    def sleutel(self) -> Cijfer:
        """The figure's key: (table, post, year)."""
        return (self.tabel, self.post, self.jaar)

    @property
    def verschil(self) -> float:
        """Published minus computed (rounded to the document's unit)."""
        if math.isnan(self.berekend):
            return math.nan
        return self.gepubliceerd - afronden(self.berekend, self.eenheid)


GEEN_VERKLARING_NL = (
    "geen van de onderzochte vergissingen (ander indextype in één jaar, een index overgeslagen, dubbel of "
    "afgetrokken, afronding tussen de jaren, het teken) geeft het gepubliceerde cijfer"
)
GEEN_VERKLARING_EN = (
    "none of the slips tried (the other index type in one year, an index skipped, applied twice or "
    "subtracted, rounding between years, the sign) gives the published figure"
)


def _status(berekend: float, published: float, eenheid: float) -> Status:
    if math.isnan(berekend):
        return Status.ONBEKEND
    if math.isclose(afronden(berekend, eenheid), published, abs_tol=eenheid * 1e-6):
        return Status.GELIJK
    if abs(berekend - published) <= eenheid * (1 + 1e-9):
        return Status.AFRONDING
    return Status.AFWIJKING


def _reproduces(value: float | None, published: float, eenheid: float) -> bool:
    return (
        value is not None
        and not math.isnan(value)
        and math.isclose(afronden(value, eenheid), published, abs_tol=eenheid * 1e-6)
    )


@dataclass(frozen=True)
class Controle:
    """The outcome of the check: one finding per published figure, in the document's order."""

    bevindingen: tuple[Bevinding, ...]
    inwoners: float | None = None

    @property
    def afwijkingen(self) -> tuple[Bevinding, ...]:
        """The real discrepancies: more than one rounding unit from the computed figure."""
        return tuple(b for b in self.bevindingen if b.status is Status.AFWIJKING)

    @property
    def in_orde(self) -> bool:
        """True when every figure is reproduced or within rounding (figures that cannot be checked aside)."""
        return not self.afwijkingen

    def tabel(self, id: str) -> tuple[Bevinding, ...]:
        """The findings of one table (by its key), in the document's order."""
        return tuple(b for b in self.bevindingen if b.tabel == id)

    def vind(self, tabel: str, post: str, jaar: int) -> Bevinding:
        """The finding for one published figure by its key; KeyError when the check holds no such figure."""
        for b in self.bevindingen:
            if b.sleutel == (tabel, post, jaar):
                return b
        raise KeyError((tabel, post, jaar))


def controleer(
    k: Keten | None = None,
    berekend: Mapping[Sleutel, Waarden] | None = None,
    inwoners: float | None = None,
) -> Controle:
    """Compare every published figure with the computed one and explain the differences.

    Args:
        k: the chain of posts with the published figures (default: the Kadernota 2026 built in).
        berekend: computed figures to compare instead of the model's own (a workbook's cached values);
            the explanations still come from the model.
        inwoners: number of inhabitants, to check the bijdrage per inwoner; without it that figure
            gets the range of counts that would reproduce it.
    """
    k = k or keten()
    if inwoners is not None and not (math.isfinite(inwoners) and inwoners > 0):
        inwoners = None  # an empty or unusable count is no count
    model = k.bereken()
    shown = dict(model)
    if berekend:
        shown.update({s: dict(v) for s, v in berekend.items()})
    bevindingen: dict[tuple[Sleutel, int], Bevinding] = {}  # keyed ((table, post), year)
    uitleg: dict[Sleutel, tuple[Vergissing, ...]] = {}  # per series: slips that explain its differences

    # First the indexed series: compare, and search the slips for every figure not reproduced.
    for p in k.posten:
        if not isinstance(p, Reeks) or p.sleutel not in k.gepubliceerd:
            continue
        eenheid = k.eenheid(p.tabel)
        slips = list(vergissingen(p, model, eenheid, k.schaal(p.tabel)))
        rows = {}
        hits: dict[int, list[Vergissing]] = {}
        for jaar, published in k.gepubliceerd[p.sleutel].items():
            value = shown[p.sleutel].get(jaar, math.nan)
            status = _status(value, published, eenheid)
            rows[jaar] = Bevinding(p.tabel, p.naam, jaar, published, value, eenheid, status)
            if status in (Status.AFRONDING, Status.AFWIJKING):
                hits[jaar] = [v for v in slips if _reproduces(v.waarden.get(jaar), published, eenheid)]
        # A slip that explains more of the line's differences is preferred over one that explains fewer:
        # the other index in 2027 reproduces 2027-2029, the other index in 2029 only 2029.
        dekking = {v: sum(v in h for h in hits.values()) for h in hits.values() for v in h}
        for jaar, found in hits.items():
            best = max((dekking[v] for v in found), default=0)
            rows[jaar] = _uitleg_reeks(rows[jaar], tuple(v for v in found if dekking[v] == best))
        bevindingen.update({(p.sleutel, jaar): b for jaar, b in rows.items()})
        gekozen = tuple(dict.fromkeys(v for b in rows.values() for v in b.vergissingen))
        if gekozen:
            uitleg[p.sleutel] = gekozen

    # Then the derived figures, explained by their parts.
    for p in k.posten:
        if not isinstance(p, Afgeleid) or p.sleutel not in k.gepubliceerd:
            continue
        eenheid = k.eenheid(p.tabel)
        for jaar, published in k.gepubliceerd[p.sleutel].items():
            value = shown[p.sleutel].get(jaar, math.nan)
            status = _status(value, published, eenheid)
            b = Bevinding(p.tabel, p.naam, jaar, published, value, eenheid, status)
            if status is Status.ONBEKEND:
                b = _uitleg_onbekend(k, p, b)
            elif status is not Status.GELIJK:
                b = _uitleg_afgeleid(k, p, b, uitleg, bevindingen)
            bevindingen[(p.sleutel, jaar)] = b

    # Inputs the document prints too (the ingroei): compared as they are, nothing to explain.
    for p in k.posten:
        if isinstance(p, Vast) and p.sleutel in k.gepubliceerd:
            eenheid = k.eenheid(p.tabel)
            for jaar, published in k.gepubliceerd[p.sleutel].items():
                value = shown[p.sleutel].get(jaar, math.nan)
                b = Bevinding(p.tabel, p.naam, jaar, published, value, eenheid, _status(value, published, eenheid))
                bevindingen[(p.sleutel, jaar)] = b

    bevindingen.update(_per_inwoner(k, model, inwoners))
    # One finding per published figure, in the document's order; a figure no post computes says so.
    out = []
    for tabel, post, jaar in k.pub.cijfers():
        b = bevindingen.get(((tabel, post), jaar))
        if b is None:
            b = Bevinding(
                tabel,
                post,
                jaar,
                k.gepubliceerd[(tabel, post)][jaar],
                math.nan,
                k.eenheid(tabel),
                Status.ONBEKEND,
                "het model kan dit cijfer niet berekenen",
                "the model cannot compute this figure",
            )
        out.append(replace(b, label=k.label((tabel, post)), tabel_label=k.pub.tabel(tabel).label))
    return Controle(tuple(out), inwoners)


def _uitleg_reeks(b: Bevinding, hits: tuple[Vergissing, ...]) -> Bevinding:
    if not hits:
        if b.status is Status.AFRONDING:
            return b
        return _with(b, GEEN_VERKLARING_NL, GEEN_VERKLARING_EN, verklaard=False)
    nl = "gereproduceerd als " + " of als ".join(h.nl for h in hits)
    en = "reproduced if " + " or if ".join(h.en for h in hits)
    return _with(b, nl, en, hits)


def _with(b: Bevinding, nl: str, en: str, hits: tuple[Vergissing, ...] = (), verklaard: bool = True) -> Bevinding:
    """The finding with its explanation; `verklaard` is False for a text that says nothing reproduces it."""
    return replace(b, verklaring_nl=nl, verklaring_en=en, vergissingen=hits, verklaard=verklaard)


def _uitleg_afgeleid(
    k: Keten,
    p: Afgeleid,
    b: Bevinding,
    uitleg: Mapping[Sleutel, tuple[Vergissing, ...]],
    bevindingen: Mapping[tuple[Sleutel, int], Bevinding],
) -> Bevinding:
    """A derived figure: from its published parts, or from parts that use their explained value."""
    eenheid = b.eenheid
    nl: list[str] = []
    en: list[str] = []
    used: tuple[Vergissing, ...] = ()
    # The published total is the sum of the published parts.
    if p.soort == "totaal" and all(d in k.gepubliceerd and b.jaar in k.gepubliceerd[d] for d in p.delen):
        value = p.formule({d: k.gepubliceerd[d] for d in p.delen}).get(b.jaar)
        if _reproduces(value, b.gepubliceerd, eenheid):
            if len(p.delen) <= 3:
                nl.append("gelijk aan " + " plus ".join(k.label(d) for d in p.delen) + " zoals gepubliceerd")
                en.append("equals " + " plus ".join(k.label(d) for d in p.delen) + " as published")
            else:
                nl.append(f"gelijk aan de som van de {len(p.delen)} gepubliceerde regels")
                en.append(f"equals the sum of the {len(p.delen)} published lines")
    # Parts that use their explained value: the fewest that reproduce the figure.
    model = k.bereken()[p.sleutel].get(b.jaar)
    candidates = [
        (s, v) for s, vs in uitleg.items() for v in vs if k.bereken({s: v.waarden})[p.sleutel].get(b.jaar) != model
    ]
    for n in range(1, min(MAX_COMBINATIE, len(candidates)) + 1):
        for combo in itertools.combinations(candidates, n):
            if len({s for s, _ in combo}) < n:
                continue
            values = k.bereken({s: v.waarden for s, v in combo})[p.sleutel].get(b.jaar)
            if _reproduces(values, b.gepubliceerd, eenheid):
                nl.append(
                    "gereproduceerd als "
                    + " en ".join(f"{k.label(s)} de verklaarde waarde gebruikt ({v.nl})" for s, v in combo)
                )
                en.append(
                    "reproduced when "
                    + " and ".join(f"{k.label(s)} uses its explained value ({v.en})" for s, v in combo)
                )
                used = tuple(v for _, v in combo)
                break
        if used:
            break
    if nl:
        return _with(b, "; ".join(nl), "; ".join(en), used)
    if b.status is Status.AFRONDING:
        return b
    differing = [
        k.label(d)
        for d in _alle_delen(k, p.sleutel)
        if any(x.status is not Status.GELIJK for (s, _), x in bevindingen.items() if s == d)
    ]
    if differing:
        return _with(
            b,
            "volgt niet uit de verklaarde regels; afwijkende regels: " + ", ".join(differing),
            "does not follow from the explained lines; lines that differ: " + ", ".join(differing),
            verklaard=False,
        )
    return _with(
        b,
        "de regels kloppen, het gepubliceerde totaal niet",
        "the lines agree, the published total does not",
        verklaard=False,
    )


def _alle_delen(k: Keten, s: Sleutel) -> list[Sleutel]:
    """Every post that `s` is computed from, directly or further down."""
    p = k.post(s)
    if not isinstance(p, Afgeleid):
        return []
    out: list[Sleutel] = []
    for d in p.delen:
        out += [d, *(x for x in _alle_delen(k, d) if x not in out)]
    return out


def _uitleg_onbekend(k: Keten, p: Afgeleid, b: Bevinding) -> Bevinding:
    """A figure the model cannot compute: say why, and check it against published parts where it can."""
    if p.sleutel == (CONTRIBUTIE, "ontwikkeling"):
        return _with(
            b,
            f"vraagt de kosten van {b.jaar - 1}, die niet in de Kadernota staan; gegeven, niet berekend",
            f"needs the costs of {b.jaar - 1}, which the Kadernota does not give; stated, not computed",
            verklaard=False,
        )
    if all(d in k.gepubliceerd and b.jaar in k.gepubliceerd[d] for d in p.delen):
        value = p.formule({d: k.gepubliceerd[d] for d in p.delen}).get(b.jaar)
        if _reproduces(value, b.gepubliceerd, b.eenheid):
            return _with(
                b,
                "volgt uit het gepubliceerde cijfer van de ontwikkeling (plus ingroei)",
                "follows from the published development (plus ingroei)",
            )
    return _with(b, "het model kan dit cijfer niet berekenen", "the model cannot compute this figure", verklaard=False)


def inwoners_bereik(bijdrage: float, per_inwoner: float, eenheid: float = 0.001) -> tuple[int, int]:
    """The whole numbers of inhabitants for which bijdrage / inwoners rounds to the published amount.

    `bijdrage` is in euros. Returns (lowest, highest); lowest > highest when no count fits.
    """
    half = eenheid / 2
    lowest = math.floor(bijdrage / (per_inwoner + half)) + 1
    highest = math.floor(bijdrage / (per_inwoner - half))
    # The bounds are exact up to float precision: check them with the rounding itself.
    while lowest <= highest and not _reproduces(bijdrage / lowest, per_inwoner, eenheid):
        lowest += 1
    while highest >= lowest and not _reproduces(bijdrage / highest, per_inwoner, eenheid):
        highest -= 1
    return lowest, highest


def _per_inwoner(
    k: Keten, model: Mapping[Sleutel, Waarden], inwoners: float | None
) -> dict[tuple[Sleutel, int], Bevinding]:
    """The bijdrage per inwoner: checked with a given count, otherwise the range of counts that fit."""
    sleutel = (PER_INWONER, "bijdrage")
    if sleutel not in k.gepubliceerd:
        return {}
    eenheid = k.eenheid(PER_INWONER)
    # In euros; includes the year before the basisjaar: the fonds.
    bijdrage = {j: float(in_euro(v)) for j, v in model[(GGU_DEKKING, "bijdrage")].items()}
    out = {}

    def onbekend(jaar: int, published: float, nl: str, en: str) -> Bevinding:
        return Bevinding(PER_INWONER, sleutel[1], jaar, published, math.nan, eenheid, Status.ONBEKEND, nl, en)

    for jaar, published in k.gepubliceerd[sleutel].items():
        if jaar not in bijdrage:
            b = onbekend(jaar, published, "geen bijdrage leden voor dit jaar", "no bijdrage leden for this year")
        elif inwoners and jaar > min(bijdrage):
            # A count is a count at one date: it serves the fund's years, not the year before them.
            value = float(per_inwoner(bijdrage[jaar], inwoners))
            status = _status(value, published, eenheid)
            b = Bevinding(PER_INWONER, sleutel[1], jaar, published, value, eenheid, status)
            if status is not Status.GELIJK:
                low, high = inwoners_bereik(bijdrage[jaar], published, eenheid)
                b = _with(
                    b,
                    f"gereproduceerd met {bedrag(low)} tot en met {bedrag(high)} inwoners",
                    f"reproduced with {bedrag(low, english=True)} to {bedrag(high, english=True)} inhabitants",
                )
        else:
            low, high = inwoners_bereik(bijdrage[jaar], published, eenheid)
            euros = bijdrage[jaar]
            b = onbekend(
                jaar,
                published,
                f"de Kadernota noemt het aantal inwoners niet; de bijdrage leden (€ {bedrag(euros)}) "
                f"geeft dit bedrag bij {bedrag(low)} tot en met {bedrag(high)} inwoners",
                "the Kadernota does not give the number of inhabitants; the bijdrage leden "
                f"(EUR {bedrag(euros, english=True)}) "
                f"gives this amount for {bedrag(low, english=True)} to {bedrag(high, english=True)} inhabitants",
            )
        out[(sleutel, jaar)] = b
    return out
