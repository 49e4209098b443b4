"""The sheet builders of the official workbook: Parameters, Kernorganisatie, Gepubliceerd, xlwings.conf.

Each builder takes the shared Context and returns a Sheet. Inputs sit in cells styled `invoer_*`
(the only unlocked ones); computed figures are formulas whose cached value is the model's result.
Positions that other code needs (the refresh reads inputs, writes herkomst and status) are the
module constants below.
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

# Parameters sheet (0-based rows/columns).
STATUS = (2, 1)  # B3
INDEX_ROWS = (5, 6, 7)  # jaren, A, B in rows 6-8, columns B..
INGROEI = (10, 1)  # B11
ONTWIKKELING_BASISJAAR = (11, 1)  # B12
FONDS = (14, 1)  # B15
OVERBEGROTING_ROWS = (15, 16)  # jaren, percentage in rows 16-17, columns B..
INWONERS = (19, 1)  # B20
INWONERS_BRON = (19, 6)  # G20
PEILDATUM = (20, 1)  # B21
LAYOUT_KEY = "vng_xl layout"  # conf sheet: the row that carries the workbook's own definition
HERKOMST_ROW = 23  # first row of the herkomst block (labels in A, values in B)
HERKOMST_FIELDS = (
    ("vernieuwd", "Vernieuwd op"),
    ("door", "Door"),
    ("hoe", "Met"),
    ("vng_xl", "vng_xl-versie"),
    ("xlwings", "xlwings-versie"),
    ("parameterset", "Parameterset"),
    ("bron", "Bron van de parameters"),
    ("hash", "Hash van de invoer (SHA-256)"),
)
BRON_COL = 6  # column G holds each parameter's source

# Kernorganisatie sheet.
KERN_HEADER = 3  # row 4: titles and years
KERN_FIRST = 4  # first cost line in row 5
KERN_BEGROTING_COL = 2  # C
KERN_TYPE_COL = 1  # B

# Fonds GGU sheet.
GGU_HEADER = 3
GGU_FIRST = 4
GGU_STRUCTUREEL_COL = 2  # C
GGU_ONTWIKKELING_COL = 3  # D


def kern_rows(groepen: tuple[str, ...]) -> list[int]:
    """The row of each cost line on the Kernorganisatie sheet, in the Kadernota's order.

    The "kosten" lines come first, then their Totaal and a sub-header, then the "doorbelasting" lines.
    """
    n_kosten = sum(g == "kosten" for g in groepen)
    rows, k, d = [], 0, 0
    for g in groepen:
        if g == "kosten":
            rows.append(KERN_FIRST + k)
            k += 1
        else:
            rows.append(KERN_FIRST + n_kosten + 2 + d)
            d += 1
    return rows


def _bron(sheet: Sheet, row: int, text: str) -> None:
    sheet.put(row, BRON_COL, text, style="bron")


def parameters_sheet(ctx: Context) -> Sheet:
    """The inputs of the model, each with its source; status cell, herkomst block and the refresh button."""
    inv, kn = ctx.invoer, ctx.invoer.kn
    s = Sheet("parameters", ctx.blad("parameters"))
    s.widths = {0: 46, 1: 13, 2: 11, 3: 11, 4: 11, 5: 11, 6: 80}
    s.pages_tall = 1
    s.put(0, 0, ctx.layout.raw["titel"], style="titel")
    s.put(
        1,
        0,
        "Parameters van de meerjarenraming. Gele cellen zijn invoer; de rest rekent de werkmap uit.",
        style="subtitel",
    )
    s.put(STATUS[0], 0, "Status", style="label")
    s.put(*STATUS, ctx.herkomst.get("status", ""), style="status")
    s.button = ("G1", "Vernieuwen", "Vernieuwen")

    s.put(4, 0, "Indexaties", style="kop")
    for c in range(1, 7):
        s.put(4, c, None, style="kop")
    s.put(4, BRON_COL, "Bron", style="kop")
    jaren, a_row, b_row = INDEX_ROWS
    s.put(jaren, 0, "Jaar", style="label")
    s.put(a_row, 0, "A Loonontwikkeling (loonvoet sector overheid)", style="label")
    s.put(b_row, 0, "B Prijsontwikkeling (CPI-index, HICP)", style="label")
    for i, year in enumerate(kn.indexen.years):
        s.put(jaren, 1 + i, int(year), style="invoer_jaar")
        s.put(a_row, 1 + i, float(kn.indexen.rates[0, i]), style="invoer_index")
        s.put(b_row, 1 + i, float(kn.indexen.rates[1, i]), style="invoer_index")
    last = len(kn.indexen.years)
    _bron(s, a_row, kn.indexen.bron)
    _bron(s, b_row, kn.indexen.bron)
    s.names["Indexen"] = area(jaren, 1, b_row, last)

    s.put(9, 0, "Contributie", style="kop")
    for c in range(1, 7):
        s.put(9, c, None, style="kop")
    s.put(*INGROEI, kn.ingroei, style="invoer_procent")
    s.put(INGROEI[0], 0, "Ingroei contributie per jaar", style="label")
    _bron(s, INGROEI[0], "Kadernota 2026, Contributieontwikkeling (meerjarige contributiesystematiek ALV)")
    s.put(
        ONTWIKKELING_BASISJAAR[0],
        0,
        f"Ontwikkeling kosten kernorganisatie {kn.basisjaar} (gegeven)",
        style="label",
    )
    s.put(*ONTWIKKELING_BASISJAAR, inv.ontwikkeling_basisjaar, style="invoer_procent")
    _bron(s, ONTWIKKELING_BASISJAAR[0], ctx.layout.raw.get("kernorganisatie", {}).get("ontwikkeling_bron", ""))
    s.names["Ingroei"] = area(*INGROEI, *INGROEI)
    s.names["Ontwikkeling_basisjaar"] = area(*ONTWIKKELING_BASISJAAR, *ONTWIKKELING_BASISJAAR)

    s.put(13, 0, "Fonds GGU (bedragen in € 1.000)", style="kop")
    for c in range(1, 7):
        s.put(13, c, None, style="kop")
    s.put(FONDS[0], 0, f"Huidig fonds {kn.ggu.basisjaar} (stand vorig boekjaar)", style="label")
    s.put(*FONDS, kn.ggu.fonds, style="invoer_duizend")
    _bron(s, FONDS[0], "Kadernota 2026, Meerjarig perspectief Fonds GGU, tabel Dekking")
    s.names["GGU_Fonds"] = area(*FONDS, *FONDS)
    ob_jaren, ob_pct = OVERBEGROTING_ROWS
    s.put(ob_jaren, 0, "Jaar", style="label")
    s.put(ob_pct, 0, "Overbegroting (deel van de bijdrage leden)", style="label")
    for i, (year, pct) in enumerate(sorted(kn.ggu.overbegroting.items())):
        s.put(ob_jaren, 1 + i, int(year), style="invoer_jaar")
        s.put(ob_pct, 1 + i, float(pct), style="invoer_procent")
    _bron(s, ob_pct, "Kadernota 2026: 'afgebouwd tot 1% in 2029'; het pad volgt uit de gepubliceerde tabel")
    s.names["Overbegroting"] = area(ob_jaren, 1, ob_pct, len(kn.ggu.overbegroting))

    s.put(18, 0, "Inwoners", style="kop")
    for c in range(1, 7):
        s.put(18, c, None, style="kop")
    s.put(INWONERS[0], 0, "Aantal inwoners (bijdrage per inwoner)", style="label")
    s.put(*INWONERS, inv.inwoners, style="invoer_getal")
    s.put(*INWONERS_BRON, inv.inwoners_bron, style="invoer_tekst")
    s.put(PEILDATUM[0], 0, "Peildatum van het aantal inwoners", style="label")
    s.put(*PEILDATUM, inv.peildatum, style="invoer_tekst")
    s.names["Inwoners"] = area(*INWONERS, *INWONERS)

    s.put(HERKOMST_ROW - 1, 0, "Herkomst (bijgewerkt door Vernieuwen)", style="kop")
    for c in range(1, 7):
        s.put(HERKOMST_ROW - 1, c, None, style="kop")
    for i, (key, label) in enumerate(HERKOMST_FIELDS):
        s.put(HERKOMST_ROW + i, 0, label, style="label")
        s.put(HERKOMST_ROW + i, 1, ctx.herkomst.get(key, ""), style="herkomst")
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
    s.put(
        1,
        0,
        "Ramingen met VNG_RAMING uit de Begroting, het indextype en de Indexen van het blad Parameters.",
        style="subtitel",
    )
    years = u.jaren
    last_col = 2 + len(years) - 1
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

    def block(first: int, lines: list[int]) -> int:
        end = first + len(lines) - 1
        for k, i in enumerate(lines):
            s.put(first + k, 0, kn.regels[i], style="label")
            s.put(first + k, 1, kn.types[i], style="invoer_type")
            s.put(first + k, 2, float(kn.begroting[i]), style="invoer_euro")
        formula = (
            f"=VNG_RAMING({area(first, 2, end, 2, False)},{area(first, 1, end, 1, False)},"
            f"{jaren_ref},{basis_ref},Indexen)"
        )
        result_block(
            s,
            first,
            3,
            u.raming[lines][:, 1:],
            "euro",
            vorm,
            formula,
            lambda r, c: (
                f"=VNG_RAMING(${col_letters(2)}{r + 1},${col_letters(1)}{r + 1},"
                f"{col_letters(c)}${h + 1},{basis_ref},Indexen)"
            ),
        )
        for k, i in enumerate(lines):
            for j, year in enumerate(years):
                ctx.figures.append(
                    Figure((KERN, kn.ids[i]), int(year), s.ref(first + k, 2 + j), float(u.raming[i, j]), "euro")
                )
        return end

    def total(row: int, post: str, label: str, formula_of, values: np.ndarray, style: str = "euro_totaal") -> None:
        label_style = "label_eindtotaal" if style.endswith("eindtotaal") else "label_totaal"
        s.put(row, 0, label, style=label_style)
        s.put(row, 1, None, style=label_style)
        for j, year in enumerate(years):
            s.put(row, 2 + j, float(values[j]), formula=formula_of(2 + j), style=style)
            ctx.figures.append(Figure((KERN, post), int(year), s.ref(row, 2 + j), float(values[j]), "euro"))

    end = block(KERN_FIRST, kosten)
    t1 = end + 1
    total(t1, "totaal", "Totaal", lambda c: f"=SUM({a1(KERN_FIRST, c)}:{a1(end, c)})", u.totaal_kosten)
    sub = t1 + 1
    s.put(sub, 0, "Doorbelasting van kosten en overige baten", style="kop")
    for c in range(1, last_col + 1):
        s.put(sub, c, None, style="kop")
    first2 = sub + 1
    end2 = block(first2, doorbelasting)
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
    s.names["Kernorganisatie_Begroting"] = area(KERN_FIRST, 2, end2, 2)

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
                row_series(s.name, "Totaal kosten", t1, 2, last_col, cats, "#8EA9DB"),
                row_series(s.name, "Kosten 'Kernorganisatie'", t3, 2, last_col, cats, "#1F3864"),
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
    s = Sheet("gepubliceerd", ctx.blad("gepubliceerd"))
    s.widths = {0: 52, 1: 14, 2: 14, 3: 14, 4: 14, 5: 14}
    s.put(0, 0, "Gepubliceerd: de cijfers zoals de Kadernota 2026 ze drukt", style="titel")
    s.put(
        1,
        0,
        f"Bron: {pub.bron}. Waarden, geen formules: de referentie voor het blad Controle.",
        style="subtitel",
    )
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
    s.put(len(ctx.layout.xlwings) + 1, 0, LAYOUT_KEY, style="tekst")
    s.put(len(ctx.layout.xlwings) + 1, 1, ctx.layout.text, style="tekst")
    return s
