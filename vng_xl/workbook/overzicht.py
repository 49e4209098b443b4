"""The Overzicht sheet, the one the workbook opens on: key figures, the Controle's outcome, contents, legend.

Every figure is a formula referring to the computed sheets (never a typed value), so it follows a
change of the parameters in Excel and a headless refresh alike; its cached value is the same model
figure the referred cell holds.
"""

from __future__ import annotations

import math

from vng_xl.data.cijfers import CONTRIBUTIE, GGU_BEGROTING, GGU_DEKKING, KERN, PER_INWONER
from vng_xl.workbook.content import Context, Figure, Sheet, a1, quote_sheet
from vng_xl.workbook.layout import INVOERSOORTEN
from vng_xl.workbook.positions import HERKOMST_FIELDS, HERKOMST_ROW

#: The key figures: (table, post), label, style.
KERNCIJFERS = (
    ((CONTRIBUTIE, "stijging"), "Contributiestijging incl. loon- en prijsontwikkeling", "procent"),
    ((KERN, "kosten_kernorganisatie"), "Kosten 'Kernorganisatie' (€)", "euro"),
    ((GGU_BEGROTING, "begroting"), "Fonds GGU: totaal begroting (€ 1.000)", "duizend"),
    ((GGU_DEKKING, "dekking"), "Fonds GGU: totaal dekking (€ 1.000)", "duizend"),
    ((GGU_BEGROTING, "herprioritering"), "Fonds GGU: herprioritering (€ 1.000)", "duizend_haakjes"),
    ((PER_INWONER, "bijdrage"), "Bijdrage leden per inwoner (€)", "per_inwoner"),
)
#: The contents: sheet key and what it holds.
INHOUD = (
    ("parameters", "De invoer met de bron van elk gegeven; de herkomst"),
    ("kernorganisatie", "Kosten kernorganisatie en contributiestijging"),
    ("ggu", "Begroting per hoofdstuk, dekking, per inwoner"),
    ("gepubliceerd", "De cijfers zoals de Kadernota 2026 ze drukt"),
    ("scenario", "Ter illustratie: kerncijfers bij andere indexsets"),
    ("gemeenten", "Bijdrage Fonds GGU per gemeente"),
    ("controle", "Gepubliceerd naast berekend, met een oordeel"),
)
#: The legend: style of the sample cell, what it means; first the kinds of input, as on Parameters.
LEGENDA = (
    *((f"legenda_{key}", soort.legenda) for key, soort in INVOERSOORTEN.items()),
    ("euro", "Berekend door de werkmap: niet wijzigen"),
    ("euro_totaal", "Totaal"),
    ("legenda_afwijking", "Wijkt af van het cijfer in de Kadernota (zie het blad Controle)"),
)
ANDERS = " Andere parameters dan de Kadernota: de vergelijking geldt niet."
HERPRIORITERING = (
    "Herprioritering tussen haakjes: de bezuiniging die de begroting sluitend maakt "
    "(basisbegroting min totaal begroting)."
)
HERKOMST = dict((key, HERKOMST_ROW + i) for i, (key, _) in enumerate(HERKOMST_FIELDS))


def _figures(ctx: Context) -> dict[tuple[str, str, int], Figure]:
    return {f.sleutel: f for f in ctx.figures}


def overzicht_sheet(ctx: Context) -> Sheet:
    """The front sheet, built after the others (it refers to them) and written first."""
    s = Sheet("overzicht", ctx.layout.raw.get("bladen", {}).get("overzicht", "Overzicht"), landscape=False)
    s.opens = True
    s.pages_tall = 1
    years = [int(y) for y in ctx.uitkomsten.ggu.jaren]
    last_col = len(years)
    s.widths = {0: 52, **{1 + i: 13 for i in range(len(years))}}
    s.put(0, 0, ctx.layout.raw["titel"], style="titel")
    s.long_text(
        1,
        "Overzicht voor het bestuur: de kerncijfers van de meerjarenraming, de uitkomst van de controle "
        "tegen de Kadernota en de inhoud van deze werkmap.",
        last_col,
    )
    par = ctx.sheets["parameters"]
    row = 3
    for key, label in (("parameterset", "Parameterset"), ("vernieuwd", "Stand van de cijfers (vernieuwd op)")):
        s.put(row, 0, label, style="label")
        s.put(row, 1, ctx.herkomst.get(key, ""), formula=f"={par.ref(HERKOMST[key], 1)}", style="herkomst")
        row += 1

    row += 1
    s.put(row, 0, "Kerncijfers", style="kop")
    for i, year in enumerate(years):
        s.put(row, 1 + i, year, style="kop_jaar")
    found = _figures(ctx)
    for post, label, style in KERNCIJFERS:
        row += 1
        s.put(row, 0, label, style="label")
        for i, year in enumerate(years):
            f = found.get((*post, year))
            if f is None:
                s.put(row, 1 + i, None, style=style)
                continue
            value = "" if math.isnan(f.value) else f.value
            s.put(row, 1 + i, value, formula=f'=IF(ISNUMBER({f.ref}),{f.ref},"")', style=style)
    ggu = ctx.sheets["ggu"]
    note = next((rc for rc, c in ggu.cells.items() if c.formula and "ISNUMBER(Inwoners)" in c.formula and rc[1] == 0))
    row += 1
    s.put(row, 0, ggu.cells[note].value, formula=f"={ggu.ref(*note)}", style="bron")
    row += 1
    s.put(row, 0, HERPRIORITERING, style="bron")

    row += 2
    controle = ctx.sheets["controle"]
    vergeleken, afwijkingen = controle.cells[(2, 2)].value, controle.cells[(4, 2)].value
    s.put(row, 0, "Controle", style="kop")
    for c in range(1, last_col + 1):
        s.put(row, c, None, style="kop")
    row += 1
    v, n = controle.ref(2, 2), controle.ref(4, 2)
    flag = controle.ref(*controle.marks["kadernota"])
    s.put(
        row,
        0,
        uitkomst(int(vergeleken), int(afwijkingen), not ctx.afwijkend),
        formula=f'={v}&" cijfers vergeleken met de Kadernota: "&{n}&IF({n}=1," afwijking"," afwijkingen")'
        f'&" (zie het blad Controle)."&IF({flag}="ja","","{ANDERS}")',
        style="oordeel",
    )
    s.spans[(row, 0)] = last_col
    s.highlight.append((a1(row, 0), f"={n}>0"))

    row += 2
    s.put(row, 0, "Inhoud", style="kop")
    for c in range(1, last_col + 1):
        s.put(row, c, None, style="kop")
    for key, text in INHOUD:
        if key not in ctx.sheets:
            continue
        row += 1
        name = ctx.sheets[key].name
        cell = s.put(row, 0, name, style="link")
        cell.link = f"{quote_sheet(name)}!A1"
        s.put(row, 1, text, style="tekst")
        s.spans[(row, 1)] = last_col - 1

    row += 2
    s.put(row, 0, "Kleuren (alleen invoercellen zijn te wijzigen; daarna: Vernieuwen)", style="kop")
    for c in range(1, last_col + 1):
        s.put(row, c, None, style="kop")
    for style, text in LEGENDA:
        row += 1
        s.put(row, 0, text, style="label")
        sample = style.removeprefix("legenda_")
        s.put(row, 1, INVOERSOORTEN[sample].naam if sample in INVOERSOORTEN else None, style=style)
    return s


def uitkomst(vergeleken: int, afwijkingen: int, kadernota: bool = True) -> str:
    """The Controle's outcome in one line, as the Overzicht's formula writes it."""
    woord = "afwijking" if afwijkingen == 1 else "afwijkingen"
    line = f"{vergeleken} cijfers vergeleken met de Kadernota: {afwijkingen} {woord} (zie het blad Controle)."
    return line + ("" if kadernota else ANDERS)
