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

#: The table's columns from its label column on (label, structureel, ontwikkeling, totaal) and their widths.
LABEL, STRUCTUREEL, ONTWIKKELING, TOTAAL = 0, 1, 2, 3
WIDTHS = (40, 12, 13, 11)
GAP_WIDTH = 3
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
    # Right of the main tables' last year column, after a narrow gap: as many columns on as there are years.
    gap = first_year_col + len(g.jaren)
    label_col, structureel_col, ontwikkeling_col, totaal_col = (
        gap + 1 + i for i in (LABEL, STRUCTUREEL, ONTWIKKELING, TOTAAL)
    )
    waarden = {post: float(g.post(post)[0]) for post, *_ in DEKKING if post != "subtotaal"}
    waarden["subtotaal"] = float(g.fonds[0] + g.indexatie[0])

    def figure(post: str, row: int, col: int, value: float) -> None:
        ctx.figures.append(Figure((GGU_OMVANG, post), jaar, s.ref(row, col), value, "duizend"))

    s.widths[gap] = GAP_WIDTH
    s.widths.update({label_col + i: w for i, w in enumerate(WIDTHS)})

    s.put(top, label_col, f"Begroting en omvang Fonds GGU {jaar}", style="kop")
    columns = (structureel_col, ontwikkeling_col, totaal_col)
    for c, text in zip(columns, ("Structureel", "Ontwikkeling", "Totaal")):
        s.put(top, c, text, style="kop_rechts")
    row = top + 1
    for nr, src in zip(shape_of(ctx.invoer).hoofdstukken, chapter_rows):
        naam, structureel, ontwikkeling = ctx.invoer.hoofdstukken[nr]
        s.put(row, label_col, f"{nr}. {naam}", formula=f"={a1(src, GGU_LABEL_COL)}", style="label")
        for c, main, value in (
            (structureel_col, GGU_STRUCTUREEL_COL, structureel),
            (ontwikkeling_col, GGU_ONTWIKKELING_COL, ontwikkeling),
        ):
            s.put(row, c, float(value), formula=f"={a1(src, main)}", style="duizend")
        totaal = float(structureel) + float(ontwikkeling)
        s.put(
            row,
            totaal_col,
            totaal,
            formula=f"={a1(row, structureel_col)}+{a1(row, ontwikkeling_col)}",
            style="duizend",
        )
        figure(hoofdstuk(nr), row, totaal_col, totaal)
        row += 1
    first, last = top + 1, row - 1
    basis = row
    s.put(basis, label_col, "Basisbegroting", style="label_totaal")
    for c in (structureel_col, ontwikkeling_col, totaal_col):
        total = sum(float(s.cells[(r, c)].value) for r in range(first, last + 1))
        s.put(basis, c, total, formula=f"=SUM({a1(first, c)}:{a1(last, c)})", style="duizend_totaal")
    figure("basisbegroting", basis, totaal_col, float(s.cells[(basis, totaal_col)].value))
    herp = basis + 1
    s.put(herp, label_col, "Herprioritering (verlagen overbegroting)", style="label")
    value = float(g.herprioritering[0])
    s.put(herp, totaal_col, value, formula=f"={a1(herprioritering_row, first_year_col)}", style="duizend_haakjes")
    figure("herprioritering", herp, totaal_col, value)
    begr = herp + 1
    s.put(begr, label_col, "Totaal Begroting", style="label_eindtotaal")
    for c in (structureel_col, ontwikkeling_col):
        s.put(begr, c, None, style="label_eindtotaal")
    value = float(s.cells[(basis, totaal_col)].value) + float(g.herprioritering[0])
    formula = f"={a1(basis, totaal_col)}+{a1(herp, totaal_col)}"
    s.put(begr, totaal_col, value, formula=formula, style="duizend_eindtotaal")
    figure("begroting", begr, totaal_col, value)

    head = begr + 2
    s.put(head, label_col, "Dekking Begroting", style="kop")
    for c in (structureel_col, ontwikkeling_col):
        s.put(head, c, None, style="kop")
    s.put(head, totaal_col, jaar, style="kop_jaar")
    rows = {post: head + 1 + i for i, (post, *_) in enumerate(DEKKING)}
    formulas = {post: f"={a1(dekking_rows[post], first_year_col)}" for post in ("fonds", "indexatie", "bijdrage")}
    formulas["overbegroting"] = f"={a1(dekking_rows['overbegroting'], first_year_col)}"
    formulas["subtotaal"] = f"={a1(rows['fonds'], totaal_col)}+{a1(rows['indexatie'], totaal_col)}"
    formulas["dekking"] = f"={a1(rows['bijdrage'], totaal_col)}+{a1(rows['overbegroting'], totaal_col)}"
    for post, label, label_style, style in DEKKING:
        r = rows[post]
        s.put(r, label_col, label, style=label_style)
        if label_style != "label":
            for c in (structureel_col, ontwikkeling_col):
                s.put(r, c, None, style=label_style)
        s.put(r, totaal_col, waarden[post], formula=formulas[post], style=style)
        figure(post, r, totaal_col, waarden[post])
    note = rows["dekking"] + 1
    s.put(note, label_col, NOTE.format(jaar=jaar), style="subtitel")
    s.spans[(note, label_col)] = totaal_col - label_col
    s.heights[note] = 13.5 * 3
    return note + 1
