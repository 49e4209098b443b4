"""`vng-xl raming`: the Kadernota tables as computed by the model, in the document's layout."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

import numpy as np

from vng_xl.cli.arguments import add_inwoners
from vng_xl.cli.text import table
from vng_xl.data import ggu_hoofdstukken_2026, kadernota_2026
from vng_xl.model import in_euro, per_inwoner
from vng_xl.model.kadernota import Kadernota, Uitkomsten, bereken
from vng_xl.notation import bedrag, procent
from vng_xl.sources.indexsets import IndexSet, kadernota_set, kerncijfers, kies, lees_indexen


def kernorganisatie_tekst(kn: Kadernota, u: Uitkomsten) -> str:
    jaren = u.jaren
    header = ["Kosten kernorganisatie", "Index", f"Begroting {jaren[0]}", *[f"Raming {y}" for y in jaren[1:]]]
    rows: list[list[str]] = []

    def add(name: str, typ: str, values: np.ndarray) -> None:
        rows.append([name, typ, *[bedrag(v) for v in values]])

    for i, g in enumerate(kn.groepen):
        if g == "kosten":
            add(kn.regels[i], kn.types[i], u.raming[i])
    add("Totaal", "", u.totaal_kosten)
    for i, g in enumerate(kn.groepen):
        if g != "kosten":
            add(kn.regels[i], kn.types[i], u.raming[i])
    add("Totaal doorbelasting van kosten en overige baten", "", u.totaal_doorbelasting)
    add("Kosten 'Kernorganisatie'", "", u.kosten_kernorganisatie)
    rows.append(["Verwachte ontwikkeling kosten kernorganisatie in %", "", *[procent(v) for v in u.ontwikkeling]])
    rows.append(["Ingroeipercentage contributie", "", "", *[procent(kn.ingroei) for _ in jaren[1:]]])
    rows.append(["Contributie stijging incl. loon- en prijsontwikkeling", "", *[procent(v) for v in u.contributie]])
    note = (
        f"\n(Het {jaren[0]}-cijfer van de ontwikkeling vraagt de kosten van {jaren[0] - 1}, die niet in het "
        "model zitten.)\n"
        f"Voorstel {jaren[1]}: contributie +{procent(u.zonder_ingroei[1])} zonder ingroei."
    )
    return table("Kosten kernorganisatie (bedragen in euro's)", header, rows) + note


def indexaties_tekst(kn: Kadernota) -> str:
    idx = kn.indexen
    header = ["Indexaties", "Index", *[str(y) for y in idx.years]]
    rows = [
        ["Loonontwikkeling", "A", *[procent(v, 2) for v in idx.rates[0]]],
        ["Prijsontwikkeling (CPI-index)", "B", *[procent(v, 2) for v in idx.rates[1]]],
    ]
    return table(f"Indexaties (bron: {idx.bron})", header, rows)


def ggu_tekst(kn: Kadernota, u: Uitkomsten) -> str:
    g = u.ggu
    names = ggu_hoofdstukken_2026()
    header = ["Hoofdstuk", "Structureel", "Ontwikkeling", *[str(y) for y in g.jaren]]
    rows = []
    for nr, values in g.hoofdstukken.items():
        naam, structureel, ontwikkeling = names.get(nr, (kn.ggu.namen.get(nr, ""), math.nan, math.nan))
        rows.append(
            [f"{nr}. {naam}", bedrag(structureel) or "-", bedrag(ontwikkeling) or "-", *[bedrag(v) for v in values]]
        )
    structureel = sum(v[1] for v in names.values())
    ontwikkeling = sum(v[2] for v in names.values())
    rows.append(["Totaal", bedrag(structureel), bedrag(ontwikkeling), *[bedrag(v) for v in g.basisbegroting]])
    rows.append(
        ["Herprioritering (verlagen overbegroting)", "", "", *[bedrag(v, brackets=True) for v in g.herprioritering]]
    )
    rows.append(["Totaal Begroting", "", "", *[bedrag(v) for v in g.begroting]])
    begroting = table(
        "Fonds GGU: begroting (bedragen in € 1.000)", header, [[c if c != "0" else "-" for c in r] for r in rows]
    )
    header = ["Dekking", *[str(y) for y in g.jaren]]
    rows = [
        ["Huidig fonds (stand vorig boekjaar)", *[bedrag(v) for v in g.fonds]],
        ["Indexatie", *[bedrag(v) for v in g.indexatie]],
        ["Totaal inclusief indexatie", *[bedrag(v) for v in g.bijdrage]],
        ["Bijdrage leden", *[bedrag(v) for v in g.bijdrage]],
        ["Overbegroting", *[bedrag(v) for v in g.overbegroting]],
        ["Totaal Dekking", *[bedrag(v) for v in g.dekking]],
        ["Indexatiepercentage", *[procent(v) for v in g.indexatie_pct]],
    ]
    return begroting + "\n\n" + table("Fonds GGU: dekking (bedragen in € 1.000)", header, rows)


def per_inwoner_tekst(u: Uitkomsten, inwoners: float | None, bron: str) -> str:
    g = u.ggu
    title = "Bijdrage Fonds GGU per inwoner"
    if not inwoners:
        return (
            f"{title}\n{'=' * len(title)}\n"
            "Geef het aantal inwoners op met --inwoners (en de bron met --inwoners-bron), bijvoorbeeld\n"
            "de bevolking op 1 januari volgens CBS StatLine. De Kadernota noemt haar telling niet,\n"
            "dus het pakket bevat geen eigen inwonertal."
        )
    header = ["Per inwoner", *[str(y) for y in g.jaren]]
    per = per_inwoner(in_euro(g.bijdrage), inwoners)
    rows = [["Bijdrage leden (€)", *[f"€ {bedrag(p, 3)}" for p in per]]]
    return table(f"{title} ({bedrag(inwoners)} inwoners; bron: {bron or 'niet opgegeven'})", header, rows)


def render(kn: Kadernota | None = None, inwoners: float | None = None, bron: str = "") -> str:
    """All tables of chapter 9 as text."""
    kn = kn or kadernota_2026()
    u = bereken(kn)
    parts = [
        f"{kn.naam}: meerjarenraming berekend met vng_xl",
        indexaties_tekst(kn),
        kernorganisatie_tekst(kn, u),
        ggu_tekst(kn, u),
        per_inwoner_tekst(u, inwoners, bron),
    ]
    return "\n\n".join(parts) + "\n"


def cmd_raming(args: argparse.Namespace) -> int:
    if not args.indexen:
        print(render(inwoners=args.inwoners, bron=args.inwoners_bron), end="")
        return 0

    kn = kadernota_2026()
    sets = lees_indexen(args.indexen, kn)
    chosen = kies(sets, args.scenario, args.indexen)
    print(render(kn.with_indexen(chosen.indexen), inwoners=args.inwoners, bron=args.inwoners_bron))
    print(vergelijking_tekst([kadernota_set(kn), *sets], kn))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("raming", help="print the Kadernota 2026 tables computed by the model")
    add_inwoners(p, "number of inhabitants for the contribution per inhabitant")
    p.add_argument("--inwoners-bron", default="", help="source of the number of inhabitants")
    p.add_argument(
        "--indexen",
        metavar="FILE",
        help="compute with the index set(s) in this .csv or .toml file (see docs/trust.md) and "
        "compare their key outcomes with the Kadernota's",
    )
    p.add_argument("--scenario", metavar="NAAM", help="which set of the file the tables use (default: the first)")
    p.set_defaults(func=cmd_raming)


def vergelijking_tekst(sets: list[IndexSet], kn: Kadernota | None = None) -> str:
    """The key outcomes of each set side by side, as text (for `vng-xl raming --indexen`)."""
    kn = kn or kadernota_2026()
    ks = [kerncijfers(s, kn) for s in sets]
    jaren = [int(y) for y in ks[0].jaren if y <= kn.ggu_laatste_jaar]
    header = ["Kerncijfer", "Set", *map(str, jaren)]
    rows = []

    def add(label: str, values: list[np.ndarray], years: list[np.ndarray], fmt: Callable[[float], str]) -> None:
        for k, v, ys in zip(ks, values, years):
            by_year = dict(zip(ys.tolist(), v.tolist()))
            rows.append([label, k.naam, *[fmt(by_year[y]) if y in by_year else "" for y in jaren]])
            label = ""

    add("Contributiestijging excl. ingroei", [k.ontwikkeling for k in ks], [k.jaren for k in ks], procent)
    add("Contributiestijging incl. ingroei", [k.contributie for k in ks], [k.jaren for k in ks], procent)
    add("Salarissen (€)", [k.salarissen for k in ks], [k.jaren for k in ks], bedrag)
    add("Kosten kernorganisatie (€)", [k.kosten_kernorganisatie for k in ks], [k.jaren for k in ks], bedrag)
    add("Fonds GGU indexatie (€ 1.000)", [k.ggu_indexatie for k in ks], [k.ggu_jaren for k in ks], bedrag)
    add(
        "Herprioritering (€ 1.000)",
        [k.herprioritering for k in ks],
        [k.ggu_jaren for k in ks],
        lambda v: bedrag(v, brackets=True),
    )
    bronnen = "\n".join(f"  {k.naam}: {s.bron or 'bron niet opgegeven'}" for k, s in zip(ks, sets))
    return table("Scenario's: kerncijfers per indexset", header, rows) + "\nBronnen:\n" + bronnen
