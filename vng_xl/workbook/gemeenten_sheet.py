"""The Gemeenten sheet: each municipality's inhabitants and what it pays into the Fonds GGU.

The sheet holds the list as input cells and computes with formulas: the bijdrage leden of the year
(VNG_GGU), the bijdrage per inwoner over the list's total (VNG_PER_INWONER), each municipality's
bill and the totals against the bijdrage leden. A build has no list (the package holds no population
figures); `vng-xl gemeenten CSV --werkmap` writes one in through the project's lossless writer.
"""

from __future__ import annotations

from collections.abc import Sequence

from vng_xl.model import in_euro
from vng_xl.sources.gemeenten import BadGemeenten, Gemeente, Rekening, rekening
from vng_xl.workbook.content import CellValue, Context, Sheet, a1, area
from vng_xl.workbook.positions import GEMEENTE_BIJDRAGE_COL as BILL_COL
from vng_xl.workbook.positions import GEMEENTE_CODE_COL as CODE_COL
from vng_xl.workbook.positions import GEMEENTE_INWONERS_COL as INWONERS_COL
from vng_xl.workbook.positions import GEMEENTE_NAAM_COL as NAAM_COL
from vng_xl.workbook.positions import GEMEENTEN_BIJDRAGE as BIJDRAGE
from vng_xl.workbook.positions import GEMEENTEN_BRON as BRON
from vng_xl.workbook.positions import GEMEENTEN_FIRST as FIRST
from vng_xl.workbook.positions import GEMEENTEN_HEADER as HEADER
from vng_xl.workbook.positions import GEMEENTEN_INWONERS as INWONERS
from vng_xl.workbook.positions import GEMEENTEN_JAAR as JAAR
from vng_xl.workbook.positions import GEMEENTEN_PER_INWONER as PER_INWONER
from vng_xl.workbook.positions import GEMEENTEN_TOTAAL as TOTAAL
from vng_xl.workbook.positions import GEMEENTEN_VERSCHIL as VERSCHIL
from vng_xl.workbook.positions import MAX_GEMEENTEN, shape_of

DEFAULT_JAAR = 2026


def blad(raw_layout: dict, default: str = "Gemeenten") -> str:
    """The sheet's name from the layout, or the default when the layout predates the sheet."""
    return raw_layout.get("bladen", {}).get("gemeenten", default)


def print_last_row(listed: int) -> int:
    """The last printed row: the last municipality listed, or one empty row under the headings."""
    return FIRST + max(listed, 1) - 1


def _bill(row: int) -> str:
    count = a1(row, INWONERS_COL)
    return f'=IF({count}="","",ROUND({a1(*PER_INWONER, absolute=True)}*{count},2))'


def _listed(gemeenten: Sequence[Gemeente | None]) -> list[Gemeente]:
    return [g for g in gemeenten if g is not None]


def _bills(gemeenten: Sequence[Gemeente | None], r: Rekening | None) -> list[CellValue]:
    """The bill of each row, "" for an empty row: the values the bill formulas give."""
    bills = iter(r.bedragen if r else ())
    return ["" if g is None else next(bills) for g in gemeenten]


def gemeenten_sheet(ctx: Context, gemeenten: list[Gemeente] | None = None, bron: str = "") -> Sheet:
    """The Gemeenten sheet with the inputs' list (row by row), or `gemeenten`; cached values: the bill."""
    inv = ctx.invoer
    rows: Sequence[Gemeente | None] = gemeenten if gemeenten is not None else inv.gemeenten
    bron = bron or inv.gemeenten_bron
    g = ctx.uitkomsten.ggu
    jaar = inv.gemeenten_jaar or (DEFAULT_JAAR if DEFAULT_JAAR in g.jaren else int(g.jaren[0]))
    leden = float(in_euro(g.bijdrage[list(g.jaren).index(jaar)]))
    listed = _listed(rows)
    r = rekening(listed, leden, jaar) if listed else None
    room = shape_of(inv).gemeente_rows()
    if len(rows) > len(room):
        raise _too_many(len(rows), len(room))
    last = room[-1]
    s = Sheet("gemeenten", blad(ctx.layout.raw))
    s.widths = {0: 40, 1: 30, 2: 14, 3: 18}
    s.freeze = (FIRST, 0)
    s.landscape = False
    s.put(0, 0, "Bijdrage Fonds GGU per gemeente", style="titel")
    s.long_text(
        1,
        "Bijdrage per gemeente: de bijdrage per inwoner maal het aantal inwoners. De lijst (gemeentecode, "
        "naam, inwoners) komt uit de CBS-gemeentelijst; de werkmap bevat zelf geen inwonertallen.",
        BILL_COL,
    )
    labels = {
        JAAR: "Jaar",
        BIJDRAGE: "Bijdrage leden (€)",
        INWONERS: "Inwoners (totaal van de lijst)",
        PER_INWONER: "Bijdrage per inwoner (€)",
        TOTAAL: "Totaal van de gemeenten (€)",
        VERSCHIL: "Verschil met de bijdrage leden (€)",
        BRON: "Bron van de lijst",
    }
    for cell, label in labels.items():
        s.put(cell[0], 0, label, style="label_totaal" if cell == VERSCHIL else "label")
    list_inwoners = area(FIRST, INWONERS_COL, last, INWONERS_COL)
    s.put(*JAAR, jaar, style="invoer_jaar")
    s.put(
        *BIJDRAGE,
        leden,
        formula=f'=VNG_GGU("bijdrage",{a1(*JAAR)},GGU_Fonds,Overbegroting,GGU_Hoofdstukken,GGU_Indexatie,Indexen)*1000',
        style="euro",
    )
    s.put(*INWONERS, r.totaal_inwoners if r else 0, formula=f"=SUM({list_inwoners})", style="getal")
    s.put(
        *PER_INWONER,
        r.per_inwoner if r else "",
        formula=f'=IF({a1(*INWONERS)}>0,VNG_PER_INWONER({a1(*BIJDRAGE)},{a1(*INWONERS)}),"")',
        style="per_inwoner",
    )
    s.put(*TOTAAL, r.totaal if r else 0, formula=f"=SUM({area(FIRST, BILL_COL, last, BILL_COL)})", style="verschil")
    s.put(
        *VERSCHIL,
        r.verschil if r else "",
        formula=f'=IF({a1(*INWONERS)}>0,{a1(*TOTAAL)}-{a1(*BIJDRAGE)},"")',
        style="verschil",
    )
    s.put(*BRON, bron or None, style="invoer_tekst")
    titles = {CODE_COL: "Gemeentecode", NAAM_COL: "Gemeente", INWONERS_COL: "Inwoners", BILL_COL: "Bijdrage (€)"}
    for c, title in titles.items():
        s.put(HEADER, c, title, style="kop" if c in (CODE_COL, NAAM_COL) else "kop_rechts")
    bills = _bills(rows, r)
    for i, row in enumerate(room):
        item = rows[i] if i < len(rows) else None
        s.put(row, CODE_COL, item.code if item else None, style="invoer_tekst")
        s.put(row, NAAM_COL, item.naam if item else None, style="invoer_tekst")
        s.put(row, INWONERS_COL, item.inwoners if item else None, style="invoer_getal")
        s.put(row, BILL_COL, bills[i] if i < len(bills) else "", formula=_bill(row), style="verschil")
    s.names["Gemeenten"] = area(HEADER, CODE_COL, last, BILL_COL)
    s.print_titles = (HEADER, HEADER)
    s.print_end = (print_last_row(len(listed)), BILL_COL)
    s.names["Gemeenten_Verschil"] = a1(*VERSCHIL, absolute=True)
    s.highlight.append((a1(*VERSCHIL), f"=ABS({a1(*VERSCHIL)})>1000"))
    return s


def _too_many(n: int, room: int) -> BadGemeenten:
    return BadGemeenten(
        file="--werkmap",
        reason_nl=f"{n} gemeenten; het blad heeft plaats voor {room}",
        reason_en=f"{n} municipalities; the sheet has room for {room}",
    )


def gemeenten_updates(
    gemeenten: list[Gemeente], leden: float, jaar: int, bron: str = "", room: int = MAX_GEMEENTEN
) -> dict[str, CellValue]:
    """The cells `vng-xl gemeenten --werkmap` writes: the list, and the formulas' values for it."""
    if len(gemeenten) > room:
        raise _too_many(len(gemeenten), room)
    r = rekening(gemeenten, leden, jaar)
    cells: dict[str, CellValue] = {
        a1(*INWONERS): r.totaal_inwoners,
        a1(*PER_INWONER): r.per_inwoner,
        a1(*TOTAAL): r.totaal,
        a1(*VERSCHIL): r.verschil,
        a1(*BRON): bron or None,
    }
    for i in range(room):
        row = FIRST + i
        item = gemeenten[i] if i < len(gemeenten) else None
        cells[a1(row, CODE_COL)] = item.code if item else None
        cells[a1(row, NAAM_COL)] = item.naam if item else None
        cells[a1(row, INWONERS_COL)] = item.inwoners if item else None
        cells[a1(row, BILL_COL)] = r.bedragen[i] if item else ""
    return cells
