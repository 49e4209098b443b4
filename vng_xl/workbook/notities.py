"""Notes on the document itself, where its figures are: what the Kadernota prints that does not add up.

Each note is worked out from the built-in data (the Kadernota's inputs and its published figures),
never typed: the index table's own figures for the prose that swaps them, the published chapters
against their published total for the rounding.
"""

from __future__ import annotations

import math

from vng_xl.data import kadernota_2026
from vng_xl.data.cijfers import GGU_BEGROTING, Gepubliceerd
from vng_xl.notation import bedrag, procent
from vng_xl.workbook.content import Context, Sheet
from vng_xl.workbook.positions import INDEX_ROWS
from vng_xl.workbook.sheets import gepubliceerd_sheet, parameters_sheet

AFRONDING = "Door afronding kunnen totalen afwijken"


def index_noot() -> str:
    """The prose of the Kadernota swaps loonvoet and HICP for 2026-2029 against its Indexaties table."""
    idx = kadernota_2026().indexen
    later = [int(j) for j in idx.years if j > idx.years[1]]
    a, b = (float(idx.rates[i][list(idx.years).index(later[0])]) for i in (0, 1))
    periode = f"{int(idx.years[1])}-{int(idx.years[-1])}"
    return (
        f"Let op: de tekst van de Kadernota noemt voor {periode} een loonvoet van {procent(b)} en een HICP van "
        f"{procent(a)}; haar tabel Indexaties geeft A (loon) {procent(a)} en B (prijs) {procent(b)} vanaf "
        f"{later[0]}. De tekst verwisselt de twee; de tabel geldt, ook hier."
    )


def afronding_noot(pub: Gepubliceerd) -> str:
    """The years in which the published chapters of the Fonds GGU do not add up to the published total."""
    tabel = pub.tabel(GGU_BEGROTING)
    hoofdstukken = [p for p in tabel.posten if p.startswith("hoofdstuk_")]
    totaal = pub.waarden[(GGU_BEGROTING, "basisbegroting")]
    verschillen = []
    for jaar, waarde in totaal.items():
        som = math.fsum(pub.waarden[(GGU_BEGROTING, p)][jaar] for p in hoofdstukken)
        if som != waarde:
            verschillen.append(f"in {jaar} tellen de hoofdstukken op tot {bedrag(som)}, het Totaal is {bedrag(waarde)}")
    if not verschillen:
        return f"{AFRONDING}."
    return f"{AFRONDING}, ook in de Kadernota zelf (Fonds GGU): " + "; ".join(verschillen) + "."


def parameters_met_noot(ctx: Context) -> Sheet:
    """The Parameters sheet with the note on the index figures under the index rows."""
    s = parameters_sheet(ctx)
    s.long_text(INDEX_ROWS[-1] + 1, index_noot(), max(s.widths), lines=1, style="bron")
    return s


def gepubliceerd_met_noten(ctx: Context) -> Sheet:
    """The Gepubliceerd sheet with the notes on the document under its tables."""
    s = gepubliceerd_sheet(ctx)
    row = max(r for r, _ in s.cells) + 2
    s.put(row, 0, "Opmerkingen bij de cijfers van de Kadernota", style="kop")
    for c in range(1, max(s.widths) + 1):
        s.put(row, c, None, style="kop")
    for text in (afronding_noot(ctx.gepubliceerd), index_noot()):
        row += 1
        s.long_text(row, text, max(s.widths), lines=3, style="tekst_lang")
    return s
