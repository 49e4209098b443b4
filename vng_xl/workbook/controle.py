"""The Controle sheet: each published figure beside its computed one, with the difference and a verdict.

One row per published figure, joined with the computed figure by its key (never by a label); a
published figure the workbook does not compute gets its row too, marked "niet berekend". A
difference within the document's rounding unit (a euro, € 1.000, 0,1%) is rounding; anything
larger is a real discrepancy and is marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from vng_xl.data.cijfers import Cijfer, code
from vng_xl.notation import bedrag, procent
from vng_xl.ooxml.sheet_xml import parse_ref
from vng_xl.workbook.content import Context, Sheet, a1, area
from vng_xl.workbook.sheets import PUBLISHED_STYLE

BINNEN = "binnen afronding"
AFWIJKING = "AFWIJKING"
NIET_BEREKEND = "niet berekend"  # the computed figure needs an input the workbook does not have yet
ANDERE_INVOER = "andere invoer"  # differs, but the inputs are not the Kadernota's: no discrepancy
KADERNOTA = (2, 7)  # "ja" when the inputs are the Kadernota's own; the verdicts and the marks read it
MELDING = (3, 4)  # what the comparison holds for, and which inputs differ
COLUMNS = (
    "Tabel",
    "Regel",
    "Jaar",
    "Berekend",
    "Gepubliceerd",
    "Verschil",
    "Afronding",
    "Oordeel",
    "Verklaring",
    "Sleutel",
)
FIRST_ROW = 6  # row 7: the first comparison
PRINT_LAST_COL = COLUMNS.index("Verklaring")  # the key column is for the tools, not the printed page
VERKLARING_WIDTH = 60
VERKLARING_CHARS = 62  # characters on a line of the explanation column, for the row height
DIFF_STYLE = {
    "euro": "verschil",
    "duizend": "verschil",
    "procent": "verschil_procent",
    "per_inwoner": "verschil_inwoner",
}


@dataclass(frozen=True)
class ControleRij:
    """One comparison: the published figure and the computed one (a cell reference and its value).

    `sleutel` is the figure's identity; `tabel` and `regel` are the labels shown.
    """

    sleutel: Cijfer
    tabel: str
    regel: str
    berekend_ref: str | None  # None: the workbook does not compute this figure
    berekend: float
    gepubliceerd_ref: str
    gepubliceerd: float
    eenheid: float
    style: str
    verklaring: str = ""
    vergelijkbaar: bool = True  # the inputs are the Kadernota's: a difference is a discrepancy

    @property
    def jaar(self) -> int:
        return self.sleutel[2]

    @property
    def verschil(self) -> float:
        return self.berekend - self.gepubliceerd

    @property
    def oordeel(self) -> str:
        """Within the rounding unit (with a little slack for binary fractions) or a real discrepancy."""
        if math.isnan(self.berekend):
            return NIET_BEREKEND
        if abs(self.verschil) <= self.eenheid * (1 + 1e-9):
            return BINNEN
        return AFWIJKING if self.vergelijkbaar else ANDERE_INVOER


def controle_rijen(ctx: Context) -> list[ControleRij]:
    """One row per published figure, in the document's order, with the computed figure of the same key."""
    pub = ctx.gepubliceerd
    computed = {f.sleutel: f for f in ctx.figures}
    rows = []
    for key in pub.cijfers():
        tabel, post, _ = key
        ref, value = ctx.published[key]
        f = computed.get(key)
        rows.append(
            ControleRij(
                key,
                pub.tabel(tabel).label,
                pub.label((tabel, post)),
                f.ref if f else None,
                f.value if f else math.nan,
                ref,
                value,
                pub.tabel(tabel).afronding,
                f.style if f else PUBLISHED_STYLE.get(tabel, "duizend"),
                vergelijkbaar=not ctx.afwijkend,
            )
        )
    return rows


def controle_sheet_from_rows(ctx: Context, rows: Sequence[ControleRij]) -> Sheet:
    """Lay out the comparisons with live formulas (cached values from the model) and a summary on top."""
    s = Sheet("controle", ctx.blad("controle"))
    s.widths = {0: 27, 1: 40, 2: 6, 3: 13, 4: 13, 5: 11, 6: 9, 7: 15, 8: VERKLARING_WIDTH, 9: 34}
    s.freeze = (FIRST_ROW, 3)
    s.put(0, 0, "Controle: berekend tegen gepubliceerd", style="titel")
    s.long_text(
        1,
        "Binnen afronding: het verschil is hooguit de afrondingseenheid van de Kadernota (een euro, "
        "€ 1.000 of 0,1%). Een AFWIJKING is een echt verschil.",
        PRINT_LAST_COL,
        lines=1,
    )
    last = FIRST_ROW + len(rows) - 1
    verdicts = area(FIRST_ROW, 7, last, 7, absolute=True)
    n_off = sum(r.oordeel == AFWIJKING for r in rows)
    s.put(2, 0, "Vergeleken cijfers", style="label")
    s.put(2, 2, len(rows), formula=f"=COUNTA({verdicts})", style="getal")
    s.put(3, 0, "Binnen afronding", style="label")
    s.put(3, 2, sum(r.oordeel == BINNEN for r in rows), formula=f'=COUNTIF({verdicts},"{BINNEN}")', style="getal")
    s.put(3, 3, None, style="tekst")
    s.put(4, 0, "Afwijkingen", style="label_totaal")
    s.put(4, 1, None, style="label_totaal")
    s.put(4, 2, n_off, formula=f'=COUNTIF({verdicts},"{AFWIJKING}")', style="getal_totaal")
    s.put(KADERNOTA[0], 4, "Parameters van de Kadernota", style="label")
    s.put(*KADERNOTA, "nee" if ctx.afwijkend else "ja", style="oordeel")
    s.put(*MELDING, melding(ctx.afwijkend), style="subtitel")
    s.spans[MELDING] = PRINT_LAST_COL - MELDING[1]
    s.heights[MELDING[0]] = 27
    s.marks["kadernota"], s.marks["melding"] = KADERNOTA, MELDING
    flag = a1(*KADERNOTA, absolute=True)
    for c, title in enumerate(COLUMNS):
        s.put(FIRST_ROW - 1, c, title, style="kop" if c < 3 or c > 6 else "kop_rechts")
    for i, r in enumerate(rows):
        row = FIRST_ROW + i
        s.put(row, 0, r.tabel, style="tekst")
        s.put(row, 1, r.regel, style="tekst")
        s.put(row, 2, r.jaar, style="jaar")
        missing = math.isnan(r.berekend)
        s.put(
            row,
            3,
            NIET_BEREKEND if missing else r.berekend,
            formula=f'=IF(ISNUMBER({r.berekend_ref}),{r.berekend_ref},"{NIET_BEREKEND}")' if r.berekend_ref else None,
            style=r.style,
        )
        s.put(row, 4, r.gepubliceerd, formula=f"={r.gepubliceerd_ref}", style=r.style)
        s.put(
            row,
            5,
            "" if missing else r.verschil,
            formula=f'=IF(ISNUMBER({a1(row, 3)}),{a1(row, 3)}-{a1(row, 4)},"")',
            style=DIFF_STYLE.get(r.style, "verschil"),
        )
        s.put(row, 6, r.eenheid, style="eenheid_procent" if r.style == "procent" else "eenheid")
        s.put(
            row,
            7,
            r.oordeel,
            formula=f'=IF(ISNUMBER({a1(row, 3)}),IF(ABS({a1(row, 5)})<={a1(row, 6)}*(1+1E-9),"{BINNEN}",'
            f'IF({flag}="ja","{AFWIJKING}","{ANDERE_INVOER}")),"{NIET_BEREKEND}")',
            style="oordeel",
        )
        s.put(row, 8, r.verklaring or None, style="tekst_lang")
        if r.verklaring:  # neither program grows a row for wrapped text on opening: give it the lines
            s.heights[row] = 13.0 * max(1, math.ceil(len(r.verklaring) / VERKLARING_CHARS))
        s.put(row, 9, code(r.sleutel), style="tekst")
    s.highlight.append(
        (
            area(FIRST_ROW, 0, last, len(COLUMNS) - 1, absolute=False),
            f'=${a1(FIRST_ROW, 7)[0]}{FIRST_ROW + 1}="{AFWIJKING}"',
        )
    )
    s.highlight.append((a1(4, 2), f"={a1(4, 2)}>0"))
    s.print_titles = (FIRST_ROW - 1, FIRST_ROW - 1)
    s.print_end = (last, PRINT_LAST_COL)
    mark_where_computed(ctx, rows, f'{s.ref(*KADERNOTA)}="ja"')
    s.names["Controle"] = area(FIRST_ROW - 1, 0, last, len(COLUMNS) - 1)
    s.names["Controle_Afwijkingen"] = a1(4, 2, absolute=True)
    return s


def _published_text(r: ControleRij) -> str:
    """The published figure as the document prints it (Dutch notation)."""
    if r.style == "procent":
        return procent(r.gepubliceerd)
    return bedrag(r.gepubliceerd, 3 if r.style == "per_inwoner" else 0)


def melding(afwijkend: Sequence[str]) -> str:
    """What the comparison holds for: the Kadernota's parameters, or which inputs differ from them."""
    if not afwijkend:
        return "Gerekend met de parameters van de Kadernota: elk verschil hieronder is een verschil met het document."
    return (
        "Gerekend met andere parameters dan de Kadernota. De vergelijking met de gepubliceerde cijfers geldt "
        "alleen voor de parameterset van de Kadernota; een verschil heet hier 'andere invoer', geen afwijking. "
        f"Afwijkende invoer: {'; '.join(afwijkend)}."
    )


def mark_where_computed(ctx: Context, rows: Sequence[ControleRij], comparable: str) -> None:
    """Mark each computed figure on its own sheet when it differs from the published one beyond rounding.

    A conditional format compares the cell with its Gepubliceerd cell, so it follows every recalculation;
    a figure that differs in the build, or that the Controle explains, gets a note with the published figure.
    """
    by_name = {s.name: s for s in ctx.sheets.values()}
    for r in rows:
        if r.berekend_ref is None:
            continue
        sheet_ref, _, cell = r.berekend_ref.rpartition("!")
        sheet = by_name.get(sheet_ref.strip("'").replace("''", "'"))
        if sheet is None:
            continue
        row, col = parse_ref(cell)
        own = a1(row - 1, col - 1, absolute=True)
        tolerance = f"{r.eenheid!r}*(1+1E-9)"
        test = f"=AND({comparable},ISNUMBER({own}),ABS({own}-{r.gepubliceerd_ref})>{tolerance})"
        sheet.highlight.append((own, test))
        differs = r.oordeel == BINNEN and abs(r.verschil) > r.eenheid * 1e-6
        if r.oordeel == AFWIJKING or (r.verklaring and differs):
            hoe = "Wijkt af van" if r.oordeel == AFWIJKING else "Binnen afronding, maar anders dan"
            waarom = f" Verklaring: {r.verklaring}." if r.verklaring else ""
            sheet.notes[(row - 1, col - 1)] = (
                f"{hoe} de Kadernota, die {_published_text(r)} drukt.{waarom} Zie het blad Controle."
            )


def controle_sheet(ctx: Context) -> Sheet:
    """The Controle for everything earlier builders computed and the Gepubliceerd sheet holds."""
    return controle_sheet_from_rows(ctx, controle_rijen(ctx))
