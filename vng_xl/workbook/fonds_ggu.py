"""The Fonds GGU sheet: begroting per chapter, herprioritering, dekking and the bijdrage per inwoner.

Every year's amount is a VNG_GGU formula that takes the defined names of the Parameters' ranges
(fund level, overbegroting path), the chapters' inputs and the fund's indexation row as arguments,
so a controller reads what each argument is and Excel recalculates when any of them changes.
"""

from __future__ import annotations

import math

import numpy as np

from vng_xl.data.cijfers import GGU_BEGROTING, GGU_DEKKING, PER_INWONER, Sleutel, hoofdstuk
from vng_xl.model import in_euro, per_inwoner
from vng_xl.model.ggu import DUIZEND
from vng_xl.model.kernorganisatie import AFRONDING_PERCENTAGE as PCT
from vng_xl.workbook.content import Chart, Context, Figure, Sheet, a1, area, col_letters, quote_sheet, row_series
from vng_xl.workbook.positions import (
    GGU_HEADER,
    GGU_LABEL_COL,
    GGU_NR_COL,
    GGU_ONTWIKKELING_COL,
    GGU_STRUCTUREEL_COL,
    shape_of,
)
from vng_xl.workbook.sheets import result_block

#: The note under the bijdrage per inwoner: where the count comes from, or that it is still missing.
VERWIJZING_INWONERS = "Aantal inwoners en bron: zie het blad Parameters."
GEEN_INWONERS = "Vul het aantal inwoners in op het blad Parameters: de Kadernota noemt haar telling niet."
#: The dekking rows' labels on the sheet (display only: the Controle joins on the posts' keys).
DEKKING_LABELS = {
    "fonds": "Huidig fonds (stand vorig boekjaar)",
    "indexatie": "Indexatie",
    "subtotaal": "Totaal inclusief indexatie",
    "bijdrage": "Bijdrage leden",
    "overbegroting": "Overbegroting",
    "dekking": "Totaal Dekking",
}


def ggu_sheet(ctx: Context) -> Sheet:
    """Fonds GGU: begroting per chapter (VNG_GGU), herprioritering, dekking, bijdrage per inwoner."""
    g, inv = ctx.uitkomsten.ggu, ctx.invoer
    kern = ctx.sheets["kernorganisatie"]
    vorm = ctx.layout.formulevorm
    s = Sheet("ggu", ctx.blad("ggu"), pages_tall=1)
    s.widths = {0: 44, 1: 5, 2: 12, 3: 13, 4: 11, 5: 11, 6: 11, 7: 11}
    s.freeze = (GGU_HEADER + 1, 1)
    s.put(0, 0, "Fonds GGU: meerjarig perspectief (bedragen in € 1.000)", style="titel")
    s.long_text(
        1,
        "De begroting 2026 per hoofdstuk is invoer; de volgende jaren volgen uit de indexatie en de "
        "parameters van het blad Parameters. Door afronding kunnen totalen afwijken.",
        max(s.widths),
    )
    years = [int(y) for y in g.jaren]
    n = len(years)
    h = GGU_HEADER
    for c, text in enumerate(["Hoofdstuk", "Nr", "Structureel", "Ontwikkeling"]):
        s.put(h, c, text, style="kop" if c == 0 else "kop_rechts")
    for i, year in enumerate(years):
        s.put(h, 4 + i, year, style="kop_jaar")
    jaren_ref = area(h, 4, h, 3 + n)
    shape = shape_of(inv)
    chapters, chapter_rows = shape.hoofdstukken, shape.ggu_rows()
    first, end = chapter_rows[0], chapter_rows[-1]
    hoofdstukken_ref = area(first, GGU_NR_COL, end, GGU_ONTWIKKELING_COL)
    # Indexatie block (years, rate) further down; its position is fixed before the formulas need it.
    tot, herp, begr = end + 1, end + 2, end + 3
    d_head = begr + 2
    d_rows = {
        k: d_head + 1 + i
        for i, k in enumerate(["fonds", "indexatie", "subtotaal", "bijdrage", "overbegroting", "dekking"])
    }
    ix_jaren, ix_pct = d_rows["dekking"] + 2, d_rows["dekking"] + 3
    indexatie_ref = area(ix_jaren, 4, ix_pct, 3 + n)
    # The defined names, not their ranges: a controller reads what each argument is.
    tail = "GGU_Fonds,Overbegroting,GGU_Hoofdstukken,GGU_Indexatie,Indexen)"

    def ggu_row(row: int, post: str, values: np.ndarray, style: str, key: Sleutel) -> None:
        result_block(
            s,
            row,
            4,
            values[None, :],
            style,
            vorm,
            f'=VNG_GGU("{post}",{jaren_ref},{tail}',
            lambda r, c: f'=VNG_GGU("{post}",{col_letters(c)}${h + 1},{tail}',
        )
        for i, year in enumerate(years):
            ctx.figures.append(Figure(key, year, s.ref(row, 4 + i), float(values[i]), "duizend"))

    for nr, row in zip(chapters, chapter_rows):
        naam, structureel, ontwikkeling = inv.hoofdstukken[nr]
        s.put(row, GGU_LABEL_COL, f"{nr}. {naam}", style="label")
        s.put(row, GGU_NR_COL, nr, style="getal_midden")
        s.put(row, GGU_STRUCTUREEL_COL, float(structureel), style="invoer_duizend")
        s.put(row, GGU_ONTWIKKELING_COL, float(ontwikkeling), style="invoer_duizend")
        values = g.hoofdstukken[nr]
        result_block(
            s,
            row,
            4,
            values[None, :],
            "duizend",
            vorm,
            f"=VNG_GGU({a1(row, GGU_NR_COL)},{jaren_ref},{tail}",
            lambda r, c: f"=VNG_GGU(${col_letters(GGU_NR_COL)}{r + 1},{col_letters(c)}${h + 1},{tail}",
        )
        for i, year in enumerate(years):
            ctx.figures.append(
                Figure((GGU_BEGROTING, hoofdstuk(nr)), year, s.ref(row, 4 + i), float(values[i]), "duizend")
            )
    s.put(tot, 0, "Totaal", style="label_totaal")
    s.put(tot, 1, None, style="label_totaal")
    for c, k in ((GGU_STRUCTUREEL_COL, 1), (GGU_ONTWIKKELING_COL, 2)):
        col_sum = sum(v[k] for v in inv.hoofdstukken.values())
        s.put(tot, c, float(col_sum), formula=f"=SUM({a1(first, c)}:{a1(end, c)})", style="duizend_totaal")
    for i, year in enumerate(years):
        c = 4 + i
        s.put(
            tot,
            c,
            float(g.basisbegroting[i]),
            formula=f"=SUM({a1(first, c)}:{a1(end, c)})",
            style="duizend_totaal",
        )
        ctx.figures.append(
            Figure((GGU_BEGROTING, "basisbegroting"), year, s.ref(tot, c), float(g.basisbegroting[i]), "duizend")
        )
    s.put(herp, 0, "Herprioritering (verlagen overbegroting)", style="label")
    ggu_row(herp, "herprioritering", g.herprioritering, "duizend_haakjes", (GGU_BEGROTING, "herprioritering"))
    s.put(begr, 0, "Totaal Begroting", style="label_eindtotaal")
    s.put(begr, 1, None, style="label_eindtotaal")
    for c in (GGU_STRUCTUREEL_COL, GGU_ONTWIKKELING_COL):
        s.put(begr, c, None, style="label_eindtotaal")
    for i, year in enumerate(years):
        c = 4 + i
        s.put(begr, c, float(g.begroting[i]), formula=f"={a1(tot, c)}+{a1(herp, c)}", style="duizend_eindtotaal")
        ctx.figures.append(Figure((GGU_BEGROTING, "begroting"), year, s.ref(begr, c), float(g.begroting[i]), "duizend"))
    s.names["GGU_Begroting"] = area(h, 0, begr, 3 + n)
    s.names["GGU_Hoofdstukken"] = hoofdstukken_ref

    s.put(d_head, 0, "Dekking", style="kop")
    for c in range(GGU_NR_COL, GGU_ONTWIKKELING_COL + 1):
        s.put(d_head, c, None, style="kop")
    for i, year in enumerate(years):
        s.put(d_head, 4 + i, year, style="kop_jaar")
    for key, row in d_rows.items():
        total_row = key in ("subtotaal", "dekking")
        label_style = "label_eindtotaal" if key == "dekking" else "label_totaal"
        s.put(row, 0, DEKKING_LABELS[key], style=label_style if total_row else "label")
        if total_row:
            for c in range(GGU_NR_COL, GGU_ONTWIKKELING_COL + 1):
                s.put(row, c, None, style=label_style)
    for post in ("fonds", "indexatie", "bijdrage", "overbegroting"):
        ggu_row(d_rows[post], post, g.post(post), "duizend", (GGU_DEKKING, post))
    for i, year in enumerate(years):
        c = 4 + i
        s.put(
            d_rows["subtotaal"],
            c,
            float(g.fonds[i] + g.indexatie[i]),
            formula=f"={a1(d_rows['fonds'], c)}+{a1(d_rows['indexatie'], c)}",
            style="duizend_totaal",
        )
        s.put(
            d_rows["dekking"],
            c,
            float(g.dekking[i]),
            formula=f"={a1(d_rows['bijdrage'], c)}+{a1(d_rows['overbegroting'], c)}",
            style="duizend_eindtotaal",
        )
        ctx.figures.append(
            Figure((GGU_DEKKING, "dekking"), year, s.ref(d_rows["dekking"], c), float(g.dekking[i]), "duizend")
        )
    s.names["GGU_Dekking"] = area(d_head, 0, d_rows["dekking"], 3 + n)

    s.put(ix_jaren, 0, "Indexatie van het fonds: jaar", style="label")
    s.put(ix_pct, 0, "Indexatiepercentage (contributiestijging zonder ingroei, op 0,1%)", style="label")
    o_row, o_col = kern.marks["ontwikkeling"]
    for i, year in enumerate(years):
        c = 4 + i
        s.put(ix_jaren, c, year, formula=f"={a1(d_head, c)}", style="jaar")
        kern_col = o_col + (year - int(ctx.uitkomsten.jaren[0]))
        s.put(
            ix_pct,
            c,
            float(g.indexatie_pct[i]),
            formula=f"=ROUND({kern.ref(o_row, kern_col, absolute=False)},{PCT})",
            style="procent",
        )
    s.names["GGU_Indexatie"] = indexatie_ref

    pi = ix_pct + 2
    s.put(pi, 0, "Bijdrage leden per inwoner (€)", style="label_totaal")
    for c in range(GGU_NR_COL, GGU_ONTWIKKELING_COL + 1):
        s.put(pi, c, None, style="label_totaal")
    for i, year in enumerate(years):
        c = 4 + i
        value = float(per_inwoner(in_euro(g.bijdrage[i]), inv.inwoners)) if inv.inwoners else math.nan
        s.put(
            pi,
            c,
            "" if math.isnan(value) else value,
            formula=f'=IF(ISNUMBER(Inwoners),VNG_PER_INWONER({a1(d_rows["bijdrage"], c)}*{DUIZEND:g},Inwoners),"")',
            style="per_inwoner",
        )
        ctx.figures.append(Figure((PER_INWONER, "bijdrage"), year, s.ref(pi, c), value, "per_inwoner"))
    s.put(
        pi + 1,
        0,
        VERWIJZING_INWONERS if inv.inwoners else GEEN_INWONERS,
        formula=f'=IF(ISNUMBER(Inwoners),"{VERWIJZING_INWONERS}","{GEEN_INWONERS}")',
        style="bron",
    )
    s.names["GGU_Per_inwoner"] = area(pi, 4, pi, 3 + n)

    cats = f"={quote_sheet(s.name)}!{jaren_ref}"
    last, bijdrage_row = 3 + n, d_rows["bijdrage"]
    s.charts.append(
        Chart(
            "column",
            "Fonds GGU: begroting en dekking per jaar",
            [
                row_series(s.name, tot, 4, 3 + n, cats, "#8EA9DB"),
                row_series(s.name, bijdrage_row, 4, last, cats, "#1F3864"),
                row_series(s.name, d_rows["dekking"], 4, last, cats, "#C9A227"),
            ],
            anchor=a1(pi + 3, 0),
            y_title="€ 1.000",
            size=(720, 300),
        )
    )
    return s
