"""The Scenario sheet, and the named index sets it reads on the Parameters sheet.

The Parameters sheet gets a block of index sets under its herkomst: the Kadernota's own (the Indexen
table above) and the ones in `workbooks/indexsets.toml`, each with a name, a source and years, A, B
as input cells. The Scenario sheet shows the key outcomes of every set side by side, each computed by
a VNG function with that set as its `indexen` argument, so Excel's own recalculation does the what-if,
and below them each outcome's difference against the Kadernota's own set.
"""

from __future__ import annotations

import numpy as np

from vng_xl.model.kadernota import Kadernota, bereken
from vng_xl.sources.indexsets import SALARISLIJN, IndexSet
from vng_xl.workbook.content import Chart, Context, Sheet, a1, area, col_letters, quote_sheet
from vng_xl.workbook.layout import indexsets_of
from vng_xl.workbook.positions import (
    FIRST_VALUE_COL,
    KERN_BEGROTING_COL,
    KERN_HEADER,
    KERN_LABEL_COL,
    KERN_TYPE_COL,
    SETS_ROW,
    Shape,
    shape_of,
)

# Scenario sheet rows (0-based).
NAME_ROW, YEAR_ROW = 3, 4
#: (key, label, style, style of its difference against the Kadernota)
OUTCOMES = (
    ("excl", "Contributiestijging excl. ingroei (indexatie)", "procent", "verschil_pp"),
    ("incl", "Contributiestijging incl. ingroei", "procent", "verschil_pp"),
    ("kosten", "Kosten 'Kernorganisatie' (€)", "euro", "verschil_bedrag"),
    ("salarissen", "Salarissen (€)", "euro", "verschil_bedrag"),
    ("indexatie", "Fonds GGU: indexatie (€ 1.000)", "duizend", "verschil_bedrag"),
    ("dekking", "Fonds GGU: totaal dekking (€ 1.000)", "duizend", "verschil_bedrag"),
    ("herprioritering", "Fonds GGU: herprioritering (€ 1.000)", "duizend_haakjes", "verschil_bedrag"),
)
DIFF_HEAD = YEAR_ROW + len(OUTCOMES) + 2  # "Verschil met de Kadernota", the same rows again below it
NOTES_ROW = DIFF_HEAD + len(OUTCOMES) + 2
BASE_ROW = NOTES_ROW + 4  # the cost base the contribution formulas weigh
KADERNOTA_SET = "Kadernota (CPB CEP 2025)"
#: What the sheet says of itself, of its differences and of the sign of the herprioritering.
UITLEG = (
    "Ter illustratie: elke kolomgroep rekent de begroting door met een andere indexset van het blad "
    "Parameters. De eerste groep rekent met de indexen van de Kadernota zelf; de andere zijn illustraties."
)
AANWIJZING = "Wijzig een indexset op het blad Parameters en de scenario's rekenen opnieuw."
NOTES = (
    "Verschil: de uitkomst van de indexset min die van de Kadernota; bij de stijgingen in procentpunten.",
    "Herprioritering: negatief (tussen haakjes) is de bezuiniging die nodig is om de begroting sluitend te "
    "maken; positief is ruimte, geen bezuiniging.",
)


def blad(ctx: Context, key: str, default: str) -> str:
    """A sheet's name from the layout, or the default when the layout predates the sheet."""
    return ctx.layout.raw.get("bladen", {}).get(key, default)


def _set_block(par: Sheet, shape: Shape, number: int, s: IndexSet, years: np.ndarray) -> str:
    """One index set on the Parameters sheet; returns the defined name of its 3-row block."""
    row = shape.set_row(number)
    par.put(row, 0, f"Indexset {number}: naam", style="label")
    par.put(row, FIRST_VALUE_COL, s.naam, style="invoer_tekst")
    par.put(row, shape.bron_col, s.bron or None, style="invoer_tekst")
    par.put(row + 1, 0, "Jaar", style="label")
    par.put(row + 2, 0, "A Loonontwikkeling", style="label")
    par.put(row + 3, 0, "B Prijsontwikkeling", style="label")
    by_year = dict(zip(s.indexen.years.tolist(), s.indexen.rates.T.tolist()))
    for i, year in enumerate(years.tolist()):
        a, b = by_year.get(year, (None, None))
        par.put(row + 1, FIRST_VALUE_COL + i, int(year), style="invoer_jaar")
        par.put(row + 2, FIRST_VALUE_COL + i, a, style="invoer_index")
        par.put(row + 3, FIRST_VALUE_COL + i, b, style="invoer_index")
    name = f"Indexset{number}"
    par.names[name] = area(row + 1, FIRST_VALUE_COL, row + 3, FIRST_VALUE_COL + len(years) - 1)
    return name


def scenario_sheet(ctx: Context, sets: list[IndexSet] | None = None) -> Sheet:
    """Add the index sets to Parameters and build the Scenario sheet that compares them."""
    inv = ctx.invoer
    kn = inv.kn
    if sets is None:
        sets = list(indexsets_of(inv))
    shape = shape_of(inv)
    par = ctx.sheets["parameters"]
    years = kn.indexen.years
    par.put(SETS_ROW - 1, 0, "Indexsets voor de scenario's (blad Scenario)", style="kop")
    for c in range(1, shape.bron_col + 1):
        par.put(SETS_ROW - 1, c, None, style="kop")
    par.put(SETS_ROW - 1, shape.bron_col, "Bron", style="kop")
    # Set 0 is the Kadernota's own: the Indexen table at the top of the sheet.
    columns: list[tuple[str, str, Kadernota]] = [(KADERNOTA_SET, "Indexen", kn)]
    for k, s in enumerate(sets, start=1):
        name = _set_block(par, shape, k, s, years)
        columns.append((f"={par.ref(shape.set_row(k), FIRST_VALUE_COL)}", name, kn.with_indexen(s.indexen)))

    s = Sheet("scenario", blad(ctx, "scenario", "Scenario"))
    kern = ctx.sheets["kernorganisatie"]
    ggu_years = [int(y) for y in ctx.uitkomsten.ggu.jaren]
    n = len(ggu_years)
    # Four year columns per set, a narrow gap between the sets.
    s.widths = {0: 44, **{1 + i: 2.0 if i % (n + 1) == n else 11.5 for i in range((n + 1) * len(columns))}}
    s.freeze = (YEAR_ROW + 1, 1)
    s.put(0, 0, "Scenario's: de kerncijfers per indexset", style="titel")
    s.long_text(1, UITLEG, max(s.widths) - 1, lines=1)
    s.long_text(2, AANWIJZING, max(s.widths) - 1, lines=1)
    s.aanwijzingen.append((2, 0))
    # The cost base the contribution weighs: the cost lines of the Kernorganisatie sheet, contiguous.
    rows = shape.kern_rows()
    s.put(BASE_ROW - 1, 0, "Kostenbasis (van het blad Kernorganisatie)", style="kop")
    s.put(BASE_ROW - 1, 1, "Index", style="kop_midden")
    s.put(BASE_ROW - 1, 2, f"Begroting {kn.basisjaar}", style="kop_rechts")
    for i, r in enumerate(rows):
        s.put(BASE_ROW + i, 0, kn.regels[i], formula=f"={kern.ref(r, KERN_LABEL_COL)}", style="label")
        s.put(BASE_ROW + i, 1, kn.types[i], formula=f"={kern.ref(r, KERN_TYPE_COL)}", style="getal_midden")
        s.put(BASE_ROW + i, 2, float(kn.begroting[i]), formula=f"={kern.ref(r, KERN_BEGROTING_COL)}", style="euro")
    end = BASE_ROW + len(rows) - 1
    bedragen, types = area(BASE_ROW, 2, end, 2), area(BASE_ROW, 1, end, 1)
    salaris = kn.ids.index(SALARISLIJN)
    sal_row = rows[salaris]
    sal_bedrag = kern.ref(sal_row, KERN_BEGROTING_COL)
    sal_type = kern.ref(sal_row, KERN_TYPE_COL)
    basisjaar = kern.ref(KERN_HEADER, KERN_BEGROTING_COL)  # the Begroting's year, given explicitly

    for label_row, (_, label, _style, _diff) in enumerate(OUTCOMES, start=YEAR_ROW + 1):
        s.put(label_row, 0, label, style="label")
        s.put(DIFF_HEAD + 1 + label_row - (YEAR_ROW + 1), 0, label, style="label")
    s.put(DIFF_HEAD, 0, "Verschil met de Kadernota", style="kop")
    for i, text in enumerate(NOTES):
        s.long_text(NOTES_ROW + i, text, max(s.widths) - 1, lines=1, style="bron")
    s.put(NAME_ROW, 0, "Indexset", style="kop")
    s.put(YEAR_ROW, 0, "Jaar", style="kop")
    for k, (naam, ref, kn_set) in enumerate(columns):
        first = 1 + k * (n + 1)
        u = bereken(kn_set)
        pct = u.zonder_ingroei[np.searchsorted(u.jaren, ggu_years)]
        incl = u.contributie[np.searchsorted(u.jaren, ggu_years)]
        at = np.searchsorted(u.jaren, ggu_years)
        values = {
            "excl": pct,
            "incl": incl,
            "kosten": u.kosten_kernorganisatie[at],
            "salarissen": u.raming[salaris][at],
            "indexatie": u.ggu.indexatie,
            "dekking": u.ggu.dekking,
            "herprioritering": u.ggu.herprioritering,
        }
        if k == 0:
            kadernota_values = values
        shown = naam if not naam.startswith("=") else None
        s.put(NAME_ROW, first, shown if shown else _set_name(ctx, k), formula=naam if not shown else None, style="kop")
        for c in range(1, n):
            s.put(NAME_ROW, first + c, None, style="kop")
        s.put(NAME_ROW, first + n - 1, "uitgangspunt" if k == 0 else "ter illustratie", style="kop_rechts")
        for c in range(n):
            s.put(DIFF_HEAD, first + c, ggu_years[c], style="kop_jaar")
        for i, year in enumerate(ggu_years):
            col = first + i
            yref = f"{col_letters(col)}${YEAR_ROW + 1}"
            s.put(YEAR_ROW, col, year, style="kop_jaar")
            ggu_tail = (
                f"{yref},GGU_Fonds,Overbegroting,GGU_Hoofdstukken,"
                f"{area(YEAR_ROW, first, YEAR_ROW + 1, first + n - 1)},{ref})"
            )
            formulas = {
                "excl": f"=VNG_CONTRIBUTIE({yref},0,{bedragen},{types},{ref})",
                "kosten": f"=SUM(VNG_RAMING({bedragen},{types},{yref},{basisjaar},{ref}))",
                "dekking": f'=VNG_GGU("dekking",{ggu_tail}',
                "incl": f"=VNG_CONTRIBUTIE({yref},Ingroei,{bedragen},{types},{ref})",
                "salarissen": f"=VNG_RAMING({sal_bedrag},{sal_type},{yref},{basisjaar},{ref})",
                "indexatie": (
                    f'=VNG_GGU("indexatie",{yref},GGU_Fonds,Overbegroting,GGU_Hoofdstukken,'
                    f"{area(YEAR_ROW, first, YEAR_ROW + 1, first + n - 1)},{ref})"
                ),
                "herprioritering": (
                    f'=VNG_GGU("herprioritering",{yref},GGU_Fonds,Overbegroting,GGU_Hoofdstukken,'
                    f"{area(YEAR_ROW, first, YEAR_ROW + 1, first + n - 1)},{ref})"
                ),
            }
            for r, (key, _, style, diff_style) in enumerate(OUTCOMES, start=YEAR_ROW + 1):
                s.put(r, col, float(values[key][i]), formula=formulas[key], style=style)
                verschil = float(values[key][i] - kadernota_values[key][i])
                d = DIFF_HEAD + 1 + r - (YEAR_ROW + 1)
                s.put(d, col, verschil, formula=f"={a1(r, col)}-{a1(r, 1 + i)}", style=diff_style)
    s.names["Scenario"] = area(NAME_ROW, 0, YEAR_ROW + len(OUTCOMES), len(columns) * (n + 1) - 1)
    incl_row = YEAR_ROW + 2
    s.charts.append(
        Chart(
            "line",
            "Contributiestijging incl. ingroei per indexset",
            [
                {
                    "name": f"={quote_sheet(s.name)}!{a1(NAME_ROW, 1 + k * (n + 1), absolute=True)}",
                    "categories": f"={quote_sheet(s.name)}!{area(YEAR_ROW, 1, YEAR_ROW, n)}",
                    "values": f"={quote_sheet(s.name)}!{area(incl_row, 1 + k * (n + 1), incl_row, k * (n + 1) + n)}",
                    "marker": {"type": "circle"},
                }
                for k in range(len(columns))
            ],
            anchor=a1(BASE_ROW - 1, 4),
            y_title="stijging",
            y_format="0.0%",
            size=(620, 300),
        )
    )
    return s


def _set_name(ctx: Context, k: int) -> str:
    """The cached value of a set's name cell on the Parameters sheet."""
    par = ctx.sheets["parameters"]
    return str(par.cells[(shape_of(ctx.invoer).set_row(k), FIRST_VALUE_COL)].value)
