"""The Controle in the workbook: the explanation column, and `vng-xl controle WORKBOOK`.

The workbook's Controle sheet names a figure by table and line as the sheets lay it out; the check
in vng_xl.controle.bevindingen by the posts of the model's chain. `sleutel` maps the one to the other, so the
sheet shows the same explanations as the command, and the command can check a built workbook: its
published figures (sheet Gepubliceerd) against its computed ones, explained from its own inputs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from vng_xl.controle.bevindingen import Controle, Status, controleer
from vng_xl.controle.rekenketen import CONTRIBUTIE, GGU_BEGROTING, GGU_DEKKING, KERN, PER_INWONER, Sleutel, keten
from vng_xl.errors import VngError
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


class WerkmapOntbreekt(VngError):
    """A workbook path that does not exist."""

    nl_template = "{file}: bestand niet gevonden"
    en_template = "{file}: file not found"


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


def controle_met_verklaring(ctx: Context) -> Sheet:
    """The Controle sheet with the explanation column filled by the slip search."""
    c = controleer(keten(ctx.invoer.kn, ctx.gepubliceerd), inwoners=ctx.invoer.inwoners or None)
    rows = [
        replace(r, verklaring=verklaring(c, r.tabel, r.regel, r.jaar))
        for r in controle_rijen(ctx.figures, ctx.published)
    ]
    return controle_sheet_from_rows(ctx, rows)


def _split(ref: str) -> tuple[str, str]:
    """ "'Fonds GGU'!$E$5" -> ("Fonds GGU", "E5")."""
    sheet, _, cell = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cell.replace("$", "")


def controle_werkmap(path: Path | str, inwoners: float | None = None) -> Controle:
    """Check a built workbook: its Gepubliceerd sheet against its computed figures (cached values).

    The explanations come from the model run on the workbook's own inputs (sheet Parameters and the
    cost lines), so a changed input is checked as the workbook now holds it.
    """
    from vng_xl.workbook.build import workbook_content
    from vng_xl.workbook.headless import HeadlessTarget
    from vng_xl.workbook.refresh import layout_of, read_invoer

    if not Path(path).is_file():
        raise WerkmapOntbreekt(file=str(path))
    target = HeadlessTarget(Path(path))
    try:
        layout = layout_of(target)
        invoer = read_invoer(target, layout)
        ctx, _ = workbook_content(layout, invoer, {})

        def value(ref: str) -> object:
            sheet, cell = _split(ref)
            return target.read(sheet, f"{cell}:{cell}")[0][0]

        k = keten(invoer.kn, ctx.gepubliceerd)
        published = {key: dict(v) for key, v in k.gepubliceerd.items()}
        computed: dict[Sleutel, dict[int, float]] = {}
        for (tabel, regel, jaar), (ref, _) in ctx.published.items():
            key = sleutel(tabel, regel)
            v = value(ref)
            if key in published and jaar in published[key] and isinstance(v, (int, float)):
                published[key][jaar] = float(v)
        for f in ctx.figures:
            key = sleutel(f.tabel, f.regel)
            v = value(f.ref)
            if key is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
                computed.setdefault(key, {})[f.jaar] = float(v)
    finally:
        target.close()
    k = replace(k, gepubliceerd=published)
    # The per-inwoner figure is compared on the workbook's own count unless another is given.
    return controleer(k, berekend=computed, inwoners=inwoners or invoer.inwoners or None)
