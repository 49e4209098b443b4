"""The VNG Excel functions themselves: each registered with its name, arguments, Dutch help and examples.

Everything else is derived from FUNCTIONS: the xlwings registration (vng_xl.excel.udfs), the
headless evaluator's function table, the VBA wrapper module in the workbook and the function
reference in the README. Implementations take cell values (scalars, 2-D blocks, None when an
optional argument is left out), call the model, and raise VngError on bad input.
"""

from __future__ import annotations

import numpy as np

from vng_xl.data import kadernota_2026
from vng_xl.errors import BadParameter, UnknownPost
from vng_xl.functions import arguments as inputs
from vng_xl.functions.registry import Argument, excel_function
from vng_xl.model import (
    GguParameters,
    contributie,
    contributie_zonder_ingroei,
    gewogen_index,
    ggu_raming,
    per_inwoner,
    raming,
)
from vng_xl.model.kadernota import Kadernota, bereken


def _scalar_or_block(values: np.ndarray) -> float | np.ndarray:
    """A 1×1 result as a plain number, anything larger as a 2-D block to spill."""
    values = np.atleast_2d(values)
    return float(values[0, 0]) if values.shape == (1, 1) else values


_TYPE = Argument("indextype", 'Indextype: "A" (loonontwikkeling) of "B" (prijsontwikkeling); ook "loon" of "prijs".')
_INDEXEN = Argument(
    "indexen",
    "Optioneel: blok van 3 rijen (jaren, index A, index B) zoals de tabel Indexaties. "
    "Leeg: de indexen van de Kadernota 2026 (CPB, CEP 2025).",
    optional=True,
    range=True,
)
_BASISJAAR = Argument("basisjaar", "Optioneel: het jaar van de bedragen (standaard 2025).", optional=True)


@excel_function(
    "VNG_INDEX",
    "Het indexcijfer (als fractie, 0,039 = 3,9%) van loon- (A) of prijsontwikkeling (B) in een jaar.",
    [_TYPE, Argument("jaar", "Het jaar van het indexcijfer."), _INDEXEN],
    [('=VNG_INDEX("A";2027)', "0,039"), ('=VNG_INDEX("prijs";2026)', "0,024")],
)
def vng_index(indextype: object, jaar: object, indexen: object = None) -> float | np.ndarray:
    series = inputs.indexen(indexen)
    types = inputs.index_types(inputs.column(indextype, "indextype"), "indextype")
    years = inputs.years(jaar)
    return _scalar_or_block(series.index(types[:, None], years[None, :]))


@excel_function(
    "VNG_INDEXFACTOR",
    "Product van (1 + index) over de jaren na van_jaar tot en met tot_jaar; 1 als de jaren gelijk zijn.",
    [
        _TYPE,
        Argument("van_jaar", "Het jaar waarvan het bedrag is (bijv. 2025)."),
        Argument("tot_jaar", "Het jaar waarnaar geïndexeerd wordt; niet vóór van_jaar."),
        _INDEXEN,
    ],
    [('=VNG_INDEXFACTOR("A";2025;2027)', "1,0598 (1,020 × 1,039)"), ('=VNG_INDEXFACTOR("B";2026;2026)', "1")],
)
def vng_indexfactor(indextype: object, van_jaar: object, tot_jaar: object, indexen: object = None) -> float:
    series = inputs.indexen(indexen)
    types = inputs.types_for(indextype, 1)
    van = inputs.year(van_jaar, "van_jaar")
    tot = inputs.year(tot_jaar, "tot_jaar")
    return float(series.factor(types, van, tot)[0])


@excel_function(
    "VNG_RAMING",
    "Bedrag van het basisjaar geïndexeerd naar een jaar. Zonder jaar: alle jaren tot het laatste jaar "
    "van de indexen. Kolommen bedrag en indextype: één kostenregel per rij. Zonder argumenten: de hele "
    "tabel Kosten kernorganisatie.",
    [
        Argument("bedrag", "Bedrag(en) van het basisjaar in euro's; één cel of een kolom.", optional=True, range=True),
        Argument(
            "indextype",
            'Indextype per regel: "A" (loon) of "B" (prijs); één cel of een kolom.',
            optional=True,
            range=True,
        ),
        Argument("jaar", "Optioneel: het jaar (of een rij jaren) van de raming.", optional=True, range=True),
        _BASISJAAR,
        _INDEXEN,
    ],
    [
        ('=VNG_RAMING(39059724;"A";2027)', "41.394.714 (salarissen 2027)"),
        ("=VNG_RAMING(B5:B14;C5:C14)", "de meerjarenraming 2026-2029, één rij per kostenregel"),
        ("=VNG_RAMING()", "de tabel Kosten kernorganisatie van de Kadernota"),
    ],
)
def vng_raming(
    bedrag: object = None,
    indextype: object = None,
    jaar: object = None,
    basisjaar: object = None,
    indexen: object = None,
) -> float | np.ndarray:
    if inputs.is_missing(bedrag) and inputs.is_missing(indextype) and inputs.is_missing(jaar):
        return kernorganisatie_tabel(kadernota_2026().with_indexen(inputs.indexen(indexen)))
    for name, value in (("bedrag", bedrag), ("indextype", indextype)):
        if inputs.is_missing(value):
            raise BadParameter(argument=name, reason_nl="ontbreekt", reason_en="is missing")
    amounts = inputs.numbers(bedrag, "bedrag")
    types = inputs.types_for(indextype, amounts.size)
    series = inputs.indexen(indexen)
    base = inputs.year(basisjaar, "basisjaar", default=kadernota_2026().basisjaar)
    if inputs.is_missing(jaar):
        years = np.arange(base + 1, series.last + 1)
        if years.size == 0:
            raise BadParameter(
                argument="basisjaar",
                reason_nl=f"de indexen lopen niet verder dan {series.last}",
                reason_en=f"the index series ends at {series.last}",
            )
    else:
        years = inputs.years(jaar)
    return _scalar_or_block(raming(amounts, types, years, base, series))


def kernorganisatie_tabel(kn: Kadernota) -> np.ndarray:
    """The Kosten kernorganisatie table as the document lays it out, unrounded, with a header row."""
    u = bereken(kn)
    header = ["Kosten kernorganisatie", "Index", f"Begroting {u.jaren[0]}"] + [f"Raming {y}" for y in u.jaren[1:]]
    rows: list[list[object]] = [header]
    kosten = [i for i, g in enumerate(kn.groepen) if g == "kosten"]
    doorbelasting = [i for i, g in enumerate(kn.groepen) if g != "kosten"]
    rows += [[kn.regels[i], kn.types[i], *u.raming[i].tolist()] for i in kosten]
    rows.append(["Totaal", "", *u.totaal_kosten.tolist()])
    rows += [[kn.regels[i], kn.types[i], *u.raming[i].tolist()] for i in doorbelasting]
    rows.append(["Totaal doorbelasting van kosten en overige baten", "", *u.totaal_doorbelasting.tolist()])
    rows.append(["Kosten 'Kernorganisatie'", "", *u.kosten_kernorganisatie.tolist()])
    return np.array(rows, dtype=object)


def _cost_base(bedragen: object, indextypes: object) -> tuple[np.ndarray, np.ndarray]:
    amounts = inputs.numbers(bedragen, "bedragen")
    codes = inputs.types_for(indextypes, amounts.size, "indextypes", "bedragen")
    return amounts, codes


@excel_function(
    "VNG_GEWOGEN_INDEX",
    "Ontwikkeling van een kostenbasis van jaar-1 naar jaar: som van de ramingen in jaar gedeeld door die "
    "in jaar-1, min 1 (0,0207 voor de kernorganisatie in 2026). Onafgerond.",
    [
        Argument("bedragen", "Kolom met de bedragen van het basisjaar.", range=True),
        Argument("indextypes", 'Kolom met het indextype per regel ("A" of "B").', range=True),
        Argument("jaar", "Het jaar waarin de ontwikkeling gemeten wordt (na het basisjaar)."),
        _BASISJAAR,
        _INDEXEN,
    ],
    [
        ("=VNG_GEWOGEN_INDEX(B5:B14;C5:C14;2026)", "0,0207 (2,07%) voor de kernorganisatie"),
        ('=VNG_GEWOGEN_INDEX({39059724;2362584};{"A";"B"};2026)', "0,0202 (salarissen en personeelskosten)"),
    ],
)
def vng_gewogen_index(
    bedragen: object, indextypes: object, jaar: object, basisjaar: object = None, indexen: object = None
) -> float | np.ndarray:
    amounts, codes = _cost_base(bedragen, indextypes)
    base = inputs.year(basisjaar, "basisjaar", default=kadernota_2026().basisjaar)
    result = gewogen_index(amounts, codes, inputs.years(jaar), base, inputs.indexen(indexen))
    return _scalar_or_block(result[None, :])


def _ontwikkeling(jaren: np.ndarray, bedragen: object, indextypes: object, indexen: object) -> np.ndarray:
    """Cost development of the given cost base, or the Kadernota's kernorganisatie when omitted."""
    kn = kadernota_2026()
    if inputs.is_missing(bedragen) != inputs.is_missing(indextypes):
        missing = "indextypes" if inputs.is_missing(indextypes) else "bedragen"
        raise BadParameter(
            argument=missing,
            reason_nl="ontbreekt; geef bedragen en indextypes samen",
            reason_en="is missing; give bedragen and indextypes together",
        )
    if inputs.is_missing(bedragen):
        amounts, codes = kn.begroting, inputs.index_types(kn.types)
    else:
        amounts, codes = _cost_base(bedragen, indextypes)
    return gewogen_index(amounts, codes, jaren, kn.basisjaar, inputs.indexen(indexen))


@excel_function(
    "VNG_CONTRIBUTIE",
    "Contributiestijging: kostenontwikkeling afgerond op 0,1% plus ingroei (0,031 in 2026). "
    "Zonder bedragen en indextypes: de kernorganisatie van de Kadernota 2026.",
    [
        Argument("jaar", "Het jaar van de stijging (na 2025)."),
        Argument(
            "ingroei", "Optioneel: ingroei als fractie (standaard 0,01; 0 voor het voorstel 2026).", optional=True
        ),
        Argument("bedragen", "Optioneel: kolom met de bedragen van de kostenbasis in 2025.", optional=True, range=True),
        Argument("indextypes", 'Optioneel: kolom met het indextype per regel ("A" of "B").', optional=True, range=True),
        _INDEXEN,
    ],
    [("=VNG_CONTRIBUTIE(2026)", "0,031 (3,1%)"), ("=VNG_CONTRIBUTIE(2026;0)", "0,021 (het voorstel 2026)")],
)
def vng_contributie(
    jaar: object,
    ingroei: object = None,
    bedragen: object = None,
    indextypes: object = None,
    indexen: object = None,
) -> float | np.ndarray:
    extra = kadernota_2026().ingroei if inputs.is_missing(ingroei) else inputs.number(ingroei, "ingroei")
    result = contributie(_ontwikkeling(inputs.years(jaar), bedragen, indextypes, indexen), extra)
    return _scalar_or_block(result[None, :])


GGU_POSTEN = {
    "basisbegroting": "basisbegroting",
    "herprioritering": "herprioritering",
    "begroting": "begroting",
    "totaal begroting": "begroting",
    "fonds": "fonds",
    "huidig fonds": "fonds",
    "indexatie": "indexatie",
    "bijdrage": "bijdrage",
    "bijdrage leden": "bijdrage",
    "overbegroting": "overbegroting",
    "dekking": "dekking",
    "totale dekking": "dekking",
    "percentage": "indexatie_pct",
}
_POSTEN_HELP = (
    "basisbegroting, herprioritering, begroting, fonds, indexatie, bijdrage, overbegroting, dekking, "
    "percentage of een hoofdstuknummer 1-8"
)


def _ggu_parameters(fonds: object, overbegroting: object, hoofdstukken: object) -> GguParameters:
    base = kadernota_2026().ggu
    chapters = base.hoofdstukken
    if not inputs.is_missing(hoofdstukken):
        arr = inputs.block(hoofdstukken)
        if arr.shape[1] not in (2, 3):
            raise BadParameter(
                argument="hoofdstukken",
                reason_nl="verwacht kolommen nummer en bedrag (of nummer, structureel, ontwikkeling)",
                reason_en="expected columns number and amount (or number, structural, development)",
            )
        numbers = inputs.numbers(arr[:, 0], "hoofdstukken")
        amounts = sum(inputs.numbers(arr[:, c], "hoofdstukken") for c in range(1, arr.shape[1]))
        chapters = {int(n): float(a) for n, a in zip(numbers, amounts)}
    return GguParameters(
        hoofdstukken=chapters,
        fonds=base.fonds if inputs.is_missing(fonds) else inputs.number(fonds, "fonds"),
        overbegroting=base.overbegroting
        if inputs.is_missing(overbegroting)
        else inputs.year_values(overbegroting, "overbegroting"),
        basisjaar=base.basisjaar,
        namen=base.namen,
    )


@excel_function(
    "VNG_GGU",
    "Een bedrag van het Fonds GGU in € 1.000: " + _POSTEN_HELP + ". Optionele argumenten laten de "
    "parameters van de werkmap het fonds sturen.",
    [
        Argument("post", "Welk bedrag: " + _POSTEN_HELP + "."),
        Argument("jaar", "Het jaar (2026 tot en met het laatste jaar van de overbegroting)."),
        Argument(
            "fonds",
            "Optioneel: huidig fonds (stand vorig boekjaar) in 2026, in € 1.000 (standaard 82.055).",
            optional=True,
        ),
        Argument(
            "overbegroting",
            "Optioneel: 2 rijen, jaren en overbegroting als deel van de bijdrage leden.",
            optional=True,
            range=True,
        ),
        Argument(
            "hoofdstukken",
            "Optioneel: kolommen hoofdstuknummer en begroting 2026 in € 1.000 (of nummer, structureel, ontwikkeling).",
            optional=True,
            range=True,
        ),
        Argument(
            "indexatie",
            "Optioneel: 2 rijen, jaren en indexatiepercentage. Leeg: contributiestijging "
            "zonder ingroei, afgerond op 0,1%.",
            optional=True,
            range=True,
        ),
        _INDEXEN,
    ],
    [
        ('=VNG_GGU("bijdrage";2026)', "83.778"),
        ('=VNG_GGU("herprioritering";2029)', "-1.449"),
        ("=VNG_GGU(2;2027)", "29.728 (hoofdstuk 2 in 2027)"),
    ],
)
def vng_ggu(
    post: object,
    jaar: object,
    fonds: object = None,
    overbegroting: object = None,
    hoofdstukken: object = None,
    indexatie: object = None,
    indexen: object = None,
) -> float | np.ndarray:
    params = _ggu_parameters(fonds, overbegroting, hoofdstukken)
    last = max(params.overbegroting)
    jaren = np.arange(params.basisjaar, last + 1)
    if inputs.is_missing(indexatie):
        pct = contributie_zonder_ingroei(_ontwikkeling(jaren, None, None, indexen))
    else:
        given = inputs.year_values(indexatie, "indexatie")
        absent = [int(y) for y in jaren if int(y) not in given]
        if absent:
            raise BadParameter(
                argument="indexatie",
                reason_nl=f"geen percentage voor {absent[0]}",
                reason_en=f"no percentage for {absent[0]}",
            )
        pct = np.array([given[int(y)] for y in jaren])
    result = ggu_raming(params, jaren, pct)
    asked = inputs.years(jaar)
    outside = asked[(asked < jaren[0]) | (asked > jaren[-1])]
    if outside.size:
        raise BadParameter(
            argument="jaar",
            reason_nl=f"{outside[0]} valt buiten {jaren[0]}-{jaren[-1]}",
            reason_en=f"{outside[0]} is outside {jaren[0]}-{jaren[-1]}",
        )
    series = _ggu_post(result, post, params)
    return _scalar_or_block(series[asked - jaren[0]][None, :])


def _ggu_post(result, post: object, params: GguParameters) -> np.ndarray:
    allowed = _POSTEN_HELP
    if isinstance(post, (int, float, np.number)) and not isinstance(post, bool):
        if float(post).is_integer() and int(post) in result.hoofdstukken:
            return result.hoofdstukken[int(post)]
        raise UnknownPost(value=post, allowed="een hoofdstuk uit " + ", ".join(map(str, sorted(params.hoofdstukken))))
    key = post.strip().lower() if isinstance(post, str) else None
    if key is not None and key.isdigit() and int(key) in result.hoofdstukken:
        return result.hoofdstukken[int(key)]
    if key not in GGU_POSTEN:
        raise UnknownPost(value="" if post is None else post, allowed=allowed)
    return result.post(GGU_POSTEN[key])


@excel_function(
    "VNG_PER_INWONER",
    "Bedrag per inwoner in euro's, afgerond op drie decimalen zoals de Kadernota (€ 4,644).",
    [
        Argument("bedrag", "Het bedrag in euro's (let op: het Fonds GGU staat in € 1.000)."),
        Argument("inwoners", "Het aantal inwoners (groter dan 0); vermeld de bron in de werkmap."),
    ],
    [
        ('=VNG_PER_INWONER(VNG_GGU("bijdrage";2026)*1000;18000000)', "4,654 (bij 18 miljoen inwoners)"),
        ('=VNG_PER_INWONER(VNG_GGU("bijdrage";2026)*1000;Inwoners)', "de bijdrage GGU per inwoner"),
    ],
)
def vng_per_inwoner(bedrag: object, inwoners: object) -> float:
    amount = inputs.number(bedrag, "bedrag")
    count = inputs.number(inwoners, "inwoners")
    if count <= 0:
        raise BadParameter(argument="inwoners", reason_nl="moet groter dan 0 zijn", reason_en="must be above 0")
    return float(per_inwoner(amount, count))


@excel_function(
    "VNG_INDEXEN",
    "De indexen van de Kadernota 2026 (CPB, CEP 2025) als blok van 3 rijen: jaren, index A, index B.",
    [],
    [("=VNG_INDEXEN()", "het blok 2025-2029 dat als argument indexen kan dienen")],
)
def vng_indexen() -> np.ndarray:
    return np.array(kadernota_2026().indexen.to_block(), dtype=float)
