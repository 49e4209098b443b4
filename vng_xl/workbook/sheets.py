"""The sheet builders of the official workbook: Parameters, Kernorganisatie, Gepubliceerd, xlwings.conf.

Each builder takes the shared Context and returns a Sheet. Inputs sit in cells styled `invoer_*`
(the only unlocked ones); computed figures are formulas whose cached value is the model's result.
Every input's position comes from vng_xl.workbook.positions, which the read-back uses as well.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vng_xl.data.cijfers import CONTRIBUTIE, KERN
from vng_xl.model import contributie
from vng_xl.model.kernorganisatie import AFRONDING_PERCENTAGE as PCT
from vng_xl.workbook.content import (
    Chart,
    Context,
    Figure,
    Sheet,
    a1,
    area,
    col_letters,
    quote_sheet,
    row_series,
)
from vng_xl.workbook.layout import INVOERSOORTEN
from vng_xl.workbook.positions import (
    BUTTON,
    CONTRIBUTIE_HEADER,
    FIRST_VALUE_COL,
    FONDS,
    GGU_PARAMETERS_HEADER,
    HERKOMST_FIELDS,
    HERKOMST_ROW,
    INDEX_HEADER,
    INDEX_ROWS,
    INGROEI,
    INWONERS,
    INWONERS_HEADER,
    KERN_BEGROTING_COL,
    KERN_HEADER,
    KERN_LABEL_COL,
    KERN_TYPE_COL,
    LAYOUT_KEY,
    LEGEND_ROW,
    ONTWIKKELING_BASISJAAR,
    OVERBEGROTING_ROWS,
    PEILDATUM,
    SHAPE_KEY,
    STATUS,
    shape_of,
)
from vng_xl.workbook.vergelijking import voluit

#: For whoever maintains the workbook, beside the herkomst: the commands; the board's texts name none.
TECHNISCH = (
    "Gemaakt met: vng-xl build",
    "Vernieuwen zonder Excel: vng-xl refresh WERKMAP (invoer wijzigen: --set BLAD!CEL=WAARDE)",
    "Gemeentelijst inlezen: vng-xl gemeenten CSV --werkmap WERKMAP",
    "Kenmerk van de invoer: SHA-256 van alle invoer (gelijke invoer, gelijk kenmerk)",
    "Versies: vng_xl (rekenmodel) en xlwings (koppeling met Excel)",
)


def legend(s: Sheet, row: int, bron_col: int) -> None:
    """One row naming the kinds of input in their own fills: in B:C, D:E and F, the last in the source column.

    Columns B to F are there for any number of years (the source column is G or further right).
    """
    s.put(row, 0, "Soort invoer (kleur van de cel)", style="label")
    places = ((FIRST_VALUE_COL, 1), (FIRST_VALUE_COL + 2, 1), (FIRST_VALUE_COL + 4, 0), (bron_col, 0))
    for (key, soort), (col, span) in zip(INVOERSOORTEN.items(), places, strict=True):
        s.put(row, col, soort.naam, style=f"legenda_{key}")
        if span:
            s.spans[(row, col)] = span


def parameters_sheet(ctx: Context) -> Sheet:
    """The inputs of the model, each with its source; status cell, herkomst block and the refresh button."""
    inv, kn = ctx.invoer, ctx.invoer.kn
    shape = shape_of(inv)
    bron_col = shape.bron_col
    s = Sheet("parameters", ctx.blad("parameters"))
    s.widths = {0: 46, **{c: 13 if c == 1 else 11 for c in range(1, bron_col)}, bron_col: 80}
    s.pages_tall = 1
    s.put(0, 0, ctx.layout.raw["titel"], style="titel")
    s.long_text(
        1,
        "Parameters van de meerjarenraming. Cellen met een rand zijn invoer, hun kleur zegt welke soort "
        "(zie Soort invoer); de rest rekent de werkmap uit. Na een wijziging: klik op Vernieuwen.",
        bron_col,
        lines=1,
    )
    legend(s, LEGEND_ROW, bron_col)
    s.put(STATUS[0], 0, "Status", style="label")
    s.put(*STATUS, ctx.herkomst.get("status", ""), style="status")
    s.aanwijzingen += [(1, 0), STATUS]
    s.button = (BUTTON, "Vernieuwen", "Vernieuwen")

    def kop(row: int, text: str, bron: str | None = None) -> None:
        s.put(row, 0, text, style="kop")
        for c in range(1, bron_col):
            s.put(row, c, None, style="kop")
        s.put(row, bron_col, bron, style="kop")

    def bron(row: int, text: str) -> None:
        s.put(row, bron_col, text, style="invoer_tekst")

    def year_row(row: int, years, style: str, values=None) -> None:
        for i, year in enumerate(years):
            s.put(row, FIRST_VALUE_COL + i, int(year) if values is None else float(values[i]), style=style)

    kop(INDEX_HEADER, "Indexaties", "Bron")
    jaren, a_row, b_row = INDEX_ROWS
    s.put(jaren, 0, "Jaar", style="label")
    s.put(a_row, 0, "A Loonontwikkeling (loonvoet sector overheid)", style="label")
    s.put(b_row, 0, "B Prijsontwikkeling (CPI-index, HICP)", style="label")
    years = kn.indexen.years
    year_row(jaren, years, "invoer_jaar")
    year_row(a_row, years, "invoer_index", kn.indexen.rates[0])
    year_row(b_row, years, "invoer_index", kn.indexen.rates[1])
    bron(a_row, kn.indexen.bron)
    # One source for both indexes (the read-back takes A's): B's shows it, and follows an edit.
    s.put(b_row, bron_col, kn.indexen.bron, formula=f"={a1(a_row, bron_col)}", style="bron")
    s.names["Indexen"] = area(jaren, FIRST_VALUE_COL, b_row, FIRST_VALUE_COL + len(years) - 1)

    kop(CONTRIBUTIE_HEADER, "Contributie")
    s.put(*INGROEI, kn.ingroei, style="invoer_ingroei")
    s.put(INGROEI[0], 0, "Ingroei contributie per jaar", style="label")
    bron(INGROEI[0], "Kadernota 2026, Contributieontwikkeling (meerjarige contributiesystematiek ALV)")
    s.put(
        ONTWIKKELING_BASISJAAR[0],
        0,
        f"Ontwikkeling kosten kernorganisatie {kn.basisjaar} (gegeven)",
        style="label",
    )
    s.put(*ONTWIKKELING_BASISJAAR, inv.ontwikkeling_basisjaar, style="invoer_procent")
    bron(ONTWIKKELING_BASISJAAR[0], ctx.layout.raw.get("kernorganisatie", {}).get("ontwikkeling_bron", ""))
    s.names["Ingroei"] = area(*INGROEI, *INGROEI)
    s.names["Ontwikkeling_basisjaar"] = area(*ONTWIKKELING_BASISJAAR, *ONTWIKKELING_BASISJAAR)

    kop(GGU_PARAMETERS_HEADER, "Fonds GGU (bedragen in € 1.000)")
    s.put(FONDS[0], 0, f"Huidig fonds {kn.ggu.basisjaar} (stand vorig boekjaar)", style="label")
    s.put(*FONDS, kn.ggu.fonds, style="invoer_duizend")
    bron(FONDS[0], "Kadernota 2026, Meerjarig perspectief Fonds GGU, tabel Dekking")
    s.names["GGU_Fonds"] = area(*FONDS, *FONDS)
    ob_jaren, ob_pct = OVERBEGROTING_ROWS
    s.put(ob_jaren, 0, "Jaar", style="label")
    s.put(ob_pct, 0, "Overbegroting (deel van de bijdrage leden)", style="label")
    path = sorted(kn.ggu.overbegroting.items())
    year_row(ob_jaren, [y for y, _ in path], "invoer_jaar")
    year_row(ob_pct, [y for y, _ in path], "invoer_overbegroting", [p for _, p in path])
    bron(ob_pct, "Kadernota 2026: 'afgebouwd tot 1% in 2029'; het pad volgt uit de gepubliceerde tabel")
    s.names["Overbegroting"] = area(ob_jaren, FIRST_VALUE_COL, ob_pct, FIRST_VALUE_COL + len(path) - 1)

    kop(INWONERS_HEADER, "Inwoners")
    s.put(INWONERS[0], 0, "Aantal inwoners (bijdrage per inwoner)", style="label")
    s.put(*INWONERS, inv.inwoners, style="invoer_getal")
    s.put(*shape.inwoners_bron, inv.inwoners_bron, style="invoer_tekst")
    s.put(PEILDATUM[0], 0, "Peildatum van het aantal inwoners", style="label")
    s.put(*PEILDATUM, inv.peildatum, style="invoer_tekst")
    s.names["Inwoners"] = area(*INWONERS, *INWONERS)

    kop(HERKOMST_ROW - 1, "Herkomst van de cijfers", "Technisch (voor beheer)")
    for i, (key, label) in enumerate(HERKOMST_FIELDS):
        s.put(HERKOMST_ROW + i, 0, label, style="label")
        value = voluit(ctx.afwijkend) if key == "afwijkend" else ctx.herkomst.get(key, "")
        s.put(HERKOMST_ROW + i, 1, value, style="herkomst")
    for i, text in enumerate(TECHNISCH):
        s.put(HERKOMST_ROW + i, bron_col, text, style="bron")
    s.names["Herkomst"] = area(HERKOMST_ROW, 0, HERKOMST_ROW + len(HERKOMST_FIELDS) - 1, 1)
    s.names["Status"] = area(*STATUS, *STATUS)
    return s


def result_block(
    s: Sheet,
    row: int,
    col: int,
    values: np.ndarray,
    style: str,
    vorm: str,
    table_formula: str,
    cell_formula: Callable[[int, int], str],
) -> None:
    """A block of VNG results at (row, col): one array formula ("tabel") or one formula per cell ("cel").

    LibreOffice recalculates array formulas when it opens a file, and cannot run our functions;
    one formula per cell keeps every cached value visible there, at one Python call per cell in Excel.
    """
    values = np.atleast_2d(values)
    rows, cols = values.shape
    if vorm == "tabel":
        s.put(row, col, float(values[0, 0]), formula=table_formula, style=style, spill=(rows, cols))
    for r in range(rows):
        for c in range(cols):
            if vorm == "tabel":
                if r or c:
                    s.put(row + r, col + c, float(values[r, c]), style=style, computed=True)
            else:
                s.put(row + r, col + c, float(values[r, c]), formula=cell_formula(row + r, col + c), style=style)


def kernorganisatie_sheet(ctx: Context) -> Sheet:
    """Kosten kernorganisatie: cost lines as inputs, the raming as VNG_RAMING blocks, totals, contributie."""
    kn, u = ctx.invoer.kn, ctx.uitkomsten
    vorm = ctx.layout.formulevorm
    s = Sheet("kernorganisatie", ctx.blad("kernorganisatie"), pages_tall=1)
    s.widths = {0: 52, 1: 7, 2: 14, 3: 14, 4: 14, 5: 14, 6: 14}
    s.freeze = (KERN_HEADER + 1, 1)
    s.put(0, 0, "Kosten kernorganisatie (bedragen in euro's)", style="titel")
    years = u.jaren
    last_col = 2 + len(years) - 1
    s.long_text(
        1,
        "Elke kostenregel groeit vanaf de begroting met de loon- (A) of prijsindex (B) van het blad "
        "Parameters; de totalen en de contributiestijging volgen daaruit.",
        last_col,
    )
    h = KERN_HEADER
    s.put(h, 0, "Kosten 'Kernorganisatie'", style="kop")
    s.put(h, 1, "Index", style="kop_midden")
    s.put(h, 2, int(years[0]), style="kop_begroting")
    for i, year in enumerate(years[1:]):
        s.put(h, 3 + i, int(year), style="kop_raming")
    jaren_ref = area(h, 3, h, last_col)
    basis_ref = a1(h, 2, absolute=True)

    kosten = [i for i, g in enumerate(kn.groepen) if g == "kosten"]
    doorbelasting = [i for i, g in enumerate(kn.groepen) if g != "kosten"]
    line_rows = shape_of(ctx.invoer).kern_rows()
    bc, tc = KERN_BEGROTING_COL, KERN_TYPE_COL

    def block(lines: list[int]) -> tuple[int, int]:
        """The cost lines `lines` (contiguous rows) with their raming; returns the first and last row."""
        first, end = line_rows[lines[0]], line_rows[lines[-1]]
        for i in lines:
            s.put(line_rows[i], KERN_LABEL_COL, kn.regels[i], style="label")
            s.put(line_rows[i], tc, kn.types[i], style="invoer_type")
            s.put(line_rows[i], bc, float(kn.begroting[i]), style="invoer_euro")
        formula = (
            f"=VNG_RAMING({area(first, bc, end, bc, False)},{area(first, tc, end, tc, False)},"
            f"{jaren_ref},{basis_ref},Indexen)"
        )
        result_block(
            s,
            first,
            bc + 1,
            u.raming[lines][:, 1:],
            "euro",
            vorm,
            formula,
            lambda r, c: (
                f"=VNG_RAMING(${col_letters(bc)}{r + 1},${col_letters(tc)}{r + 1},"
                f"{col_letters(c)}${h + 1},{basis_ref},Indexen)"
            ),
        )
        for i in lines:
            for j, year in enumerate(years):
                ctx.figures.append(
                    Figure((KERN, kn.ids[i]), int(year), s.ref(line_rows[i], bc + j), float(u.raming[i, j]), "euro")
                )
        return first, end

    def total(row: int, post: str, label: str, formula_of, values: np.ndarray, style: str = "euro_totaal") -> None:
        label_style = "label_eindtotaal" if style.endswith("eindtotaal") else "label_totaal"
        s.put(row, 0, label, style=label_style)
        s.put(row, 1, None, style=label_style)
        for j, year in enumerate(years):
            s.put(row, 2 + j, float(values[j]), formula=formula_of(2 + j), style=style)
            ctx.figures.append(Figure((KERN, post), int(year), s.ref(row, 2 + j), float(values[j]), "euro"))

    first, end = block(kosten)
    t1 = end + 1
    total(t1, "totaal", "Totaal", lambda c: f"=SUM({a1(first, c)}:{a1(end, c)})", u.totaal_kosten)
    sub = t1 + 1
    s.put(sub, 0, "Doorbelasting van kosten en overige baten", style="kop")
    for c in range(1, last_col + 1):
        s.put(sub, c, None, style="kop")
    first2, end2 = block(doorbelasting)
    t2 = end2 + 1
    total(
        t2,
        "totaal_doorbelasting",
        "Totaal doorbelasting van kosten en overige baten",
        lambda c: f"=SUM({a1(first2, c)}:{a1(end2, c)})",
        u.totaal_doorbelasting,
    )
    t3 = t2 + 1
    total(
        t3,
        "kosten_kernorganisatie",
        "Kosten 'Kernorganisatie'",
        lambda c: f"={a1(t1, c)}+{a1(t2, c)}",
        u.kosten_kernorganisatie,
        style="euro_eindtotaal",
    )
    s.names["Kernorganisatie_Raming"] = area(h, 0, t3, last_col)
    s.names["Kernorganisatie_Begroting"] = area(first, bc, end2, bc)

    # Cost development and contribution growth.
    o, g, c_row, v_row = t3 + 2, t3 + 3, t3 + 4, t3 + 5
    s.put(o, 0, "Verwachte ontwikkeling kosten kernorganisatie in %", style="label")
    s.put(g, 0, "Ingroeipercentage contributie", style="label")
    s.put(c_row, 0, "Contributie stijging incl. loon- en prijsontwikkeling", style="label_totaal")
    s.put(c_row, 1, None, style="label_totaal")
    s.put(v_row, 0, f"Voorstel {years[1]}: contributie zonder ingroei (afgerond op 0,1%)", style="label")
    ingroei = kn.ingroei
    base_dev = ctx.invoer.ontwikkeling_basisjaar
    s.put(o, 2, base_dev, formula="=Ontwikkeling_basisjaar", style="procent")
    s.put(g, 2, ingroei, formula="=Ingroei", style="procent")
    # The basisjaar's development is stated, not computed (it needs the costs of the year before).
    ontwikkeling = np.concatenate([[base_dev], u.ontwikkeling[1:]])
    stijging = np.concatenate([contributie(base_dev, ingroei)[None], u.contributie[1:]])
    s.put(
        c_row,
        2,
        float(stijging[0]),
        formula=f"=ROUND({a1(o, 2)},{PCT})+{a1(g, 2)}",
        style="procent_totaal",
    )
    for j in range(1, len(years)):
        col = 2 + j
        s.put(o, col, float(u.ontwikkeling[j]), formula=f"={a1(t3, col)}/{a1(t3, col - 1)}-1", style="procent")
        s.put(g, col, ingroei, formula="=Ingroei", style="procent")
        s.put(
            c_row,
            col,
            float(u.contributie[j]),
            formula=f"=ROUND({a1(o, col)},{PCT})+{a1(g, col)}",
            style="procent_totaal",
        )
    for j, year in enumerate(years):
        for post, row, values in (("ontwikkeling", o, ontwikkeling), ("stijging", c_row, stijging)):
            ctx.figures.append(Figure((CONTRIBUTIE, post), int(year), s.ref(row, 2 + j), float(values[j]), "procent"))
        ctx.figures.append(Figure((CONTRIBUTIE, "ingroei"), int(year), s.ref(g, 2 + j), float(ingroei), "procent"))
    voorstel = float(u.zonder_ingroei[1])
    s.put(v_row, 3, voorstel, formula=f"=ROUND({a1(o, 3)},{PCT})", style="procent")
    ctx.figures.append(Figure((CONTRIBUTIE, "voorstel"), int(years[1]), s.ref(v_row, 3), voorstel, "procent"))
    s.names["Contributie"] = area(o, 0, v_row, last_col)
    s.names["Kernorganisatie_Ontwikkeling"] = area(o, 3, o, last_col)
    s.marks["ontwikkeling"] = (o, 2)  # the basisjaar's column; later years follow
    # Chart: the meerjarenraming.
    cats = f"={quote_sheet(s.name)}!{area(h, 2, h, last_col)}"
    s.charts.append(
        Chart(
            "column",
            "Meerjarenraming kosten kernorganisatie",
            [
                row_series(s.name, t1, 2, last_col, cats, "#8EA9DB"),
                row_series(s.name, t3, 2, last_col, cats, "#1F3864"),
            ],
            anchor=a1(v_row + 2, 0),
            y_title="euro",
            size=(720, 300),
        )
    )
    return s


#: How each published table's figures are shown (the cell style of its scale).
PUBLISHED_STYLE = {"kern": "euro", "contributie": "procent", "per_inwoner": "per_inwoner"}


def gepubliceerd_sheet(ctx: Context) -> Sheet:
    """The published figures of chapter 9 as plain values: the reference the Controle compares with.

    Each table of the published data in its order; posts with other years (the voorstel 2026) get
    their own header row of years.
    """
    pub = ctx.gepubliceerd
    s = Sheet("gepubliceerd", ctx.blad("gepubliceerd"), landscape=False, pages_tall=1)
    s.widths = {0: 52, 1: 14, 2: 14, 3: 14, 4: 14, 5: 14}
    s.put(0, 0, "Gepubliceerd: de cijfers zoals de Kadernota 2026 ze drukt", style="titel")
    s.long_text(1, f"Bron: {pub.bron}. Overgenomen waarden: de referentie voor het blad Controle.", 5)
    row = 3
    for tabel in pub.tabellen:
        style = PUBLISHED_STYLE.get(tabel.id, "duizend")
        years: list[int] | None = None
        for post in tabel.posten:
            waarden = pub.waarden[(tabel.id, post)]
            if list(waarden) != years:
                if years is not None:
                    row += 1
                years = list(waarden)
                s.put(row, 0, tabel.titel, style="kop")
                for i, year in enumerate(years):
                    s.put(row, 1 + i, year, style="kop_jaar")
                row += 1
            s.put(row, 0, pub.label((tabel.id, post)), style="label")
            for i, (year, value) in enumerate(waarden.items()):
                s.put(row, 1 + i, value, style=style)
                ctx.published[(tabel.id, post, year)] = (s.ref(row, 1 + i), float(value))
            row += 1
        row += 1
    s.names["Gepubliceerd"] = area(3, 0, row - 2, 5)
    return s


def conf_sheet(ctx: Context) -> Sheet:
    """The hidden xlwings.conf sheet: where xlwings finds the UDFs (read from A1 down to an empty row)."""
    s = Sheet("conf", ctx.blad("conf"), protect=False, hidden=True, landscape=False)
    s.widths = {0: 30, 1: 24, 3: 90}
    for row, (key, value) in enumerate(ctx.layout.xlwings.items()):
        s.put(row, 0, key, style="tekst")
        s.put(row, 1, value, style="tekst")
    notes = [
        "Instellingen van xlwings voor deze werkmap; ze gaan voor het configuratiebestand van de gebruiker.",
        "De Python-interpreter staat hier bewust niet: xlwings neemt hem uit",
        "%USERPROFILE%\\.xlwings\\xlwings.conf",
        "(`xlwings config create`) of gebruikt python van het PATH, zodat de werkmap overal werkt.",
        "Gebruikt u conda: vul Conda Path en Conda Env in dat bestand in, niet hier.",
    ]
    for i, note in enumerate(notes):
        s.put(i, 3, note, style="bron")
    # After an empty row, which ends what xlwings reads: the layout this workbook was built with,
    # so a refresh (in Excel or headless) lays out the same sheets without the repository at hand.
    # Next to it the Shape, which says where the inputs sit however many there are.
    s.put(len(ctx.layout.xlwings) + 1, 0, LAYOUT_KEY, style="tekst")
    s.put(len(ctx.layout.xlwings) + 1, 1, ctx.layout.text, style="tekst")
    s.put(len(ctx.layout.xlwings) + 2, 0, SHAPE_KEY, style="tekst")
    s.put(len(ctx.layout.xlwings) + 2, 1, shape_of(ctx.invoer).to_text(), style="tekst")
    return s
