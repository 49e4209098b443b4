"""The Kadernota's second Fonds GGU table, "Begroting en omvang Fonds GGU", on the Fonds GGU sheet.

The document prints the basisjaar once more: the Begroting 2026 per chapter (structureel,
ontwikkeling, totaal) and the "Dekking Begroting". Every figure here is a formula on the cells of
the sheet's main tables, and each is a computed figure the Controle compares with the second table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vng_xl.data.cijfers import GGU_OMVANG, hoofdstuk
from vng_xl.workbook.content import Context, Figure, Sheet, a1
from vng_xl.workbook.positions import GGU_LABEL_COL, GGU_ONTWIKKELING_COL, GGU_STRUCTUREEL_COL, shape_of

#: The table's columns, to the right of the main tables (which end in column H) after a narrow gap.
GAP_COL = 8
LABEL_COL, STRUCTUREEL_COL, ONTWIKKELING_COL, TOTAAL_COL = 9, 10, 11, 12
WIDTHS = {GAP_COL: 3, LABEL_COL: 40, STRUCTUREEL_COL: 12, ONTWIKKELING_COL: 13, TOTAAL_COL: 11}
#: The dekking's rows: (post, label, style of the label, style of the figure).
DEKKING = (
    ("fonds", "Huidig fonds (stand vorig boekjaar)", "label", "duizend"),
    ("indexatie", "Indexatie", "label", "duizend"),
    ("subtotaal", "Subtotaal", "label_totaal", "duizend_totaal"),
    ("bijdrage", "Bijdrage leden", "label", "duizend"),
    ("overbegroting", "Overbegroting / verwacht onderhanden werk", "label", "duizend"),
    ("dekking", "Totale Dekking", "label_eindtotaal", "duizend_eindtotaal"),
)
NOTE = (
    "Zoals in de Kadernota: de begroting en de dekking van het eerste jaar nog eens. De Kadernota noemt "
    "hier 'Totaal Begroting 2025', 'Huidig fonds (2025)' en 'Bijdrage Leden 2025'; het zijn de cijfers van {jaar}."
)


def omvang_tabel(
    ctx: Context,
    s: Sheet,
    top: int,
    chapter_rows: Sequence[int],
    herprioritering_row: int,
    dekking_rows: Mapping[str, int],
) -> int:
    """Write the table from row `top` down, right of the main tables; returns the row after its note.

    `chapter_rows`, `herprioritering_row` and `dekking_rows` are the main tables' rows; the basisjaar
    is their first year column.
    """
    g = ctx.uitkomsten.ggu
    jaar, first_year_col = int(g.jaren[0]), GGU_ONTWIKKELING_COL + 1
    waarden = {post: float(g.post(post)[0]) for post, *_ in DEKKING if post != "subtotaal"}
    waarden["subtotaal"] = float(g.fonds[0] + g.indexatie[0])

    def figure(post: str, row: int, col: int, value: float) -> None:
        ctx.figures.append(Figure((GGU_OMVANG, post), jaar, s.ref(row, col), value, "duizend"))

    s.widths.update(WIDTHS)

    s.put(top, LABEL_COL, f"Begroting en omvang Fonds GGU {jaar}", style="kop")
    columns = (STRUCTUREEL_COL, ONTWIKKELING_COL, TOTAAL_COL)
    for c, text in zip(columns, ("Structureel", "Ontwikkeling", "Totaal")):
        s.put(top, c, text, style="kop_rechts")
    row = top + 1
    for nr, src in zip(shape_of(ctx.invoer).hoofdstukken, chapter_rows):
        naam, structureel, ontwikkeling = ctx.invoer.hoofdstukken[nr]
        s.put(row, LABEL_COL, f"{nr}. {naam}", formula=f"={a1(src, GGU_LABEL_COL)}", style="label")
        for c, main, value in (
            (STRUCTUREEL_COL, GGU_STRUCTUREEL_COL, structureel),
            (ONTWIKKELING_COL, GGU_ONTWIKKELING_COL, ontwikkeling),
        ):
            s.put(row, c, float(value), formula=f"={a1(src, main)}", style="duizend")
        totaal = float(structureel) + float(ontwikkeling)
        s.put(
            row,
            TOTAAL_COL,
            totaal,
            formula=f"={a1(row, STRUCTUREEL_COL)}+{a1(row, ONTWIKKELING_COL)}",
            style="duizend",
        )
        figure(hoofdstuk(nr), row, TOTAAL_COL, totaal)
        row += 1
    first, last = top + 1, row - 1
    basis = row
    s.put(basis, LABEL_COL, "Basisbegroting", style="label_totaal")
    for c in (STRUCTUREEL_COL, ONTWIKKELING_COL, TOTAAL_COL):
        total = sum(float(s.cells[(r, c)].value) for r in range(first, last + 1))
        s.put(basis, c, total, formula=f"=SUM({a1(first, c)}:{a1(last, c)})", style="duizend_totaal")
    figure("basisbegroting", basis, TOTAAL_COL, float(s.cells[(basis, TOTAAL_COL)].value))
    herp = basis + 1
    s.put(herp, LABEL_COL, "Herprioritering (verlagen overbegroting)", style="label")
    value = float(g.herprioritering[0])
    s.put(herp, TOTAAL_COL, value, formula=f"={a1(herprioritering_row, first_year_col)}", style="duizend_haakjes")
    figure("herprioritering", herp, TOTAAL_COL, value)
    begr = herp + 1
    s.put(begr, LABEL_COL, "Totaal Begroting", style="label_eindtotaal")
    for c in (STRUCTUREEL_COL, ONTWIKKELING_COL):
        s.put(begr, c, None, style="label_eindtotaal")
    value = float(s.cells[(basis, TOTAAL_COL)].value) + float(g.herprioritering[0])
    formula = f"={a1(basis, TOTAAL_COL)}+{a1(herp, TOTAAL_COL)}"
    s.put(begr, TOTAAL_COL, value, formula=formula, style="duizend_eindtotaal")
    figure("begroting", begr, TOTAAL_COL, value)

    head = begr + 2
    s.put(head, LABEL_COL, "Dekking Begroting", style="kop")
    for c in (STRUCTUREEL_COL, ONTWIKKELING_COL):
        s.put(head, c, None, style="kop")
    s.put(head, TOTAAL_COL, jaar, style="kop_jaar")
    rows = {post: head + 1 + i for i, (post, *_) in enumerate(DEKKING)}
    formulas = {post: f"={a1(dekking_rows[post], first_year_col)}" for post in ("fonds", "indexatie", "bijdrage")}
    formulas["overbegroting"] = f"={a1(dekking_rows['overbegroting'], first_year_col)}"
    formulas["subtotaal"] = f"={a1(rows['fonds'], TOTAAL_COL)}+{a1(rows['indexatie'], TOTAAL_COL)}"
    formulas["dekking"] = f"={a1(rows['bijdrage'], TOTAAL_COL)}+{a1(rows['overbegroting'], TOTAAL_COL)}"
    for post, label, label_style, style in DEKKING:
        r = rows[post]
        s.put(r, LABEL_COL, label, style=label_style)
        if label_style != "label":
            for c in (STRUCTUREEL_COL, ONTWIKKELING_COL):
                s.put(r, c, None, style=label_style)
        s.put(r, TOTAAL_COL, waarden[post], formula=formulas[post], style=style)
        figure(post, r, TOTAAL_COL, waarden[post])
    note = rows["dekking"] + 1
    s.put(note, LABEL_COL, NOTE.format(jaar=jaar), style="subtitel")
    s.spans[(note, LABEL_COL)] = TOTAAL_COL - LABEL_COL
    s.heights[note] = 13.5 * 3
    return note + 1
