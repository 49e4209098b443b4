"""The Controle sheet: each computed figure beside its published one, with the difference and a verdict.

A difference within the document's rounding unit (a euro, € 1.000, 0,1%) is rounding; anything
larger is a real discrepancy and is marked. The builder takes rows, so a later column (Verklaring)
is one more field of ControleRij.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from vng_xl.workbook.content import Context, Figure, Sheet, a1, area

BINNEN = "binnen afronding"
AFWIJKING = "AFWIJKING"
NIET_BEREKEND = "niet berekend"  # the computed figure needs an input the workbook does not have yet
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
)
FIRST_ROW = 6  # row 7: the first comparison
DIFF_STYLE = {
    "euro": "verschil",
    "duizend": "verschil",
    "procent": "verschil_procent",
    "per_inwoner": "verschil_inwoner",
}


@dataclass(frozen=True)
class ControleRij:
    """One comparison: the computed figure (a cell reference and its value) and the published one."""

    tabel: str
    regel: str
    jaar: int
    berekend_ref: str
    berekend: float
    gepubliceerd_ref: str
    gepubliceerd: float
    eenheid: float
    style: str
    verklaring: str = ""

    @property
    def verschil(self) -> float:
        return self.berekend - self.gepubliceerd

    @property
    def oordeel(self) -> str:
        """Within the rounding unit (with a little slack for binary fractions) or a real discrepancy."""
        if math.isnan(self.berekend):
            return NIET_BEREKEND
        return BINNEN if abs(self.verschil) <= self.eenheid * (1 + 1e-9) else AFWIJKING


def controle_rijen(
    figures: Sequence[Figure], published: dict[tuple[str, str, int], tuple[str, float]]
) -> list[ControleRij]:
    """Pair each computed figure with its published counterpart (figures without one are left out)."""
    rows = []
    for f in figures:
        found = published.get((f.tabel, f.regel, f.jaar))
        if found is None:
            continue
        ref, value = found
        rows.append(ControleRij(f.tabel, f.regel, f.jaar, f.ref, f.value, ref, value, f.eenheid, f.style))
    return rows


def controle_sheet_from_rows(ctx: Context, rows: Sequence[ControleRij]) -> Sheet:
    """Lay out the comparisons with live formulas (cached values from the model) and a summary on top."""
    s = Sheet("controle", ctx.blad("controle"))
    s.widths = {0: 22, 1: 46, 2: 7, 3: 14, 4: 14, 5: 11, 6: 10, 7: 16, 8: 50}
    s.freeze = (FIRST_ROW, 3)
    s.put(0, 0, "Controle: berekend tegen gepubliceerd", style="titel")
    s.put(
        1,
        0,
        "Binnen afronding: het verschil is hooguit de afrondingseenheid van de Kadernota (een euro, "
        "€ 1.000 of 0,1%). Een AFWIJKING is een echt verschil.",
        style="subtitel",
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
            formula=f'=IF(ISNUMBER({r.berekend_ref}),{r.berekend_ref},"{NIET_BEREKEND}")',
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
            f'"{AFWIJKING}"),"{NIET_BEREKEND}")',
            style="oordeel",
        )
        s.put(row, 8, r.verklaring or None, style="tekst")
    s.highlight.append(
        (
            area(FIRST_ROW, 0, last, len(COLUMNS) - 1, absolute=False),
            f'=${a1(FIRST_ROW, 7)[0]}{FIRST_ROW + 1}="{AFWIJKING}"',
        )
    )
    s.highlight.append((a1(4, 2), f"={a1(4, 2)}>0"))
    s.names["Controle"] = area(FIRST_ROW - 1, 0, last, len(COLUMNS) - 1)
    s.names["Controle_Afwijkingen"] = a1(4, 2, absolute=True)
    return s


def controle_sheet(ctx: Context) -> Sheet:
    """The Controle for everything earlier builders computed and the Gepubliceerd sheet holds."""
    return controle_sheet_from_rows(ctx, controle_rijen(ctx.figures, ctx.published))
