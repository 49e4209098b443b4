"""The Controle in the workbook: the explanation column, and `vng-xl controle WORKBOOK`.

The workbook's Controle sheet names a figure by table and line as the sheets lay it out; the check
in vng_xl.controle.bevindingen by the posts of the model's chain. `sleutel` maps the one to the other, so the
sheet shows the same explanations as the command, and the command can check a built workbook: its
published figures (sheet Gepubliceerd) against its computed ones, explained from its own inputs.
"""

from __future__ import annotations

import re
from dataclasses import replace

from vng_xl.controle.bevindingen import Bevinding, Controle, Status, controleer
from vng_xl.controle.rekenketen import CONTRIBUTIE, GGU_BEGROTING, GGU_DEKKING, KERN, PER_INWONER, Sleutel, keten
from vng_xl.workbook.content import Context, Sheet
from vng_xl.workbook.controle import controle_rijen, controle_sheet_from_rows

#: The workbook's (table, line) for the Fonds GGU and contribution figures -> the chain's post.
POSTEN = {
    ("Contributie", "Verwachte ontwikkeling kosten kernorganisatie"): (CONTRIBUTIE, "ontwikkeling"),
    ("Contributie", "Contributie stijging"): (CONTRIBUTIE, "stijging"),
    ("Fonds GGU", "Basisbegroting (Totaal)"): (GGU_BEGROTING, "basisbegroting"),
    ("Fonds GGU", "Herprioritering"): (GGU_BEGROTING, "herprioritering"),
    ("Fonds GGU", "Totaal Begroting"): (GGU_BEGROTING, "begroting"),
    ("Fonds GGU", "Huidig fonds"): (GGU_DEKKING, "fonds"),
    ("Fonds GGU", "Indexatie"): (GGU_DEKKING, "indexatie"),
    ("Fonds GGU", "Bijdrage leden"): (GGU_DEKKING, "bijdrage"),
    ("Fonds GGU", "Overbegroting"): (GGU_DEKKING, "overbegroting"),
    ("Fonds GGU", "Totaal Dekking"): (GGU_DEKKING, "dekking"),
    ("Per inwoner", "Bijdrage GGU per inwoner"): (PER_INWONER, "bijdrage per inwoner"),
}


def sleutel(tabel: str, regel: str) -> Sleutel | None:
    """The chain's post for a figure as the workbook names it; None for figures the check does not hold."""
    if tabel == KERN:
        return (KERN, regel)
    match = re.fullmatch(r"Hoofdstuk (\d+)", regel)
    if tabel == "Fonds GGU" and match:
        return (GGU_BEGROTING, match.group(1))
    return POSTEN.get((tabel, regel))


def verklaring(c: Controle, tabel: str, regel: str, jaar: int) -> str:
    """The Dutch explanation of a figure that is not reproduced exactly; empty otherwise."""
    key = sleutel(tabel, regel)
    if key is None:
        return ""
    try:
        b = c.vind(*key, jaar)
    except KeyError:
        return ""
    return "" if b.status is Status.GELIJK else b.verklaring_nl


def controle_van(ctx: Context) -> Controle:
    """The check on the workbook's own inputs: what the Controle sheet explains and the commands count."""
    return controleer(keten(ctx.invoer.kn, ctx.gepubliceerd), inwoners=ctx.invoer.inwoners or None)


def blad_verschil(ctx: Context, c: Controle) -> tuple[list[str], list[Bevinding]]:
    """How the Controle sheet's rows differ from the check's findings, so the commands can name them.

    Returns the sheet's rows the check does not hold ("regel jaar") and the findings the sheet has no
    row for (figures the sheets do not compute, such as those of the year before the base year).
    """
    rows = controle_rijen(ctx.figures, ctx.published)
    extra = [f"{r.regel} {r.jaar}" for r in rows if sleutel(r.tabel, r.regel) is None]
    on_sheet = {(sleutel(r.tabel, r.regel), r.jaar) for r in rows}
    missing = [b for b in c.bevindingen if ((b.tabel, b.post), b.jaar) not in on_sheet]
    return extra, missing


def controle_met_verklaring(ctx: Context) -> Sheet:
    """The Controle sheet with the explanation column filled by the slip search."""
    c = controle_van(ctx)
    rows = [
        replace(r, verklaring=verklaring(c, r.tabel, r.regel, r.jaar))
        for r in controle_rijen(ctx.figures, ctx.published)
    ]
    return controle_sheet_from_rows(ctx, rows)
