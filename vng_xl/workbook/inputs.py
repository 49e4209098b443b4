"""Typed changes to a workbook's inputs (`vng-xl refresh --set SHEET!CELL=VALUE`), all checked before any write.

Only the input cells the sheet builders make (style `invoer_*`) can be set, and each kind of input
reads its text through vng_xl.notation, in Dutch notation: a count for the inhabitants, a rate for
an index or percentage (3,0% or 0,03), an amount, a year, an index type, or text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vng_xl.errors import VngError
from vng_xl.model.indexen import index_types
from vng_xl.notation import parse_count, parse_number, parse_rate, parse_year
from vng_xl.ooxml.sheet_xml import parse_ref
from vng_xl.workbook.build import herkomst, workbook_content
from vng_xl.workbook.content import CellValue, a1
from vng_xl.workbook.layout import INVOERSTIJLEN, standaard_invoer
from vng_xl.workbook.refresh import WorkbookTarget, layout_of, read_invoer

SYNTAX = "SHEET!CELL=VALUE, e.g. Parameters!C7=3,0%"
EMPTY_NL, EMPTY_EN = "leeg; --set maakt geen cel leeg", "empty; --set clears no cells"


class BadSet(VngError):
    """A --set that cannot be applied; nothing is written."""

    nl_template = "--set {item}: {reason_nl}; er is niets geschreven"
    en_template = "--set {item}: {reason_en}; nothing was written"


def _type(text: str, where: str) -> str:
    index_types([text], where)  # the model's rule for an index type: A, B, loon, prijs
    return text.strip()


def _text(text: str, where: str) -> str:
    return text


#: How each kind of input cell reads typed text (its bounds: vng_xl.workbook.layout.INVOERSTIJLEN).
READERS: dict[str, Callable[[str, str], CellValue]] = {
    "invoer_getal": lambda text, where: parse_count(text, "nl", where),
    "invoer_procent": lambda text, where: parse_rate(text, "nl", where),
    "invoer_index": lambda text, where: parse_rate(text, "nl", where),
    "invoer_ingroei": lambda text, where: parse_rate(text, "nl", where),
    "invoer_overbegroting": lambda text, where: parse_rate(text, "nl", where),
    "invoer_euro": lambda text, where: parse_number(text, "nl", where),
    "invoer_duizend": lambda text, where: parse_number(text, "nl", where),
    "invoer_jaar": lambda text, where: parse_year(text, where),
    "invoer_type": _type,
    "invoer_tekst": _text,
}


@dataclass(frozen=True)
class Assignment:
    """One --set argument taken apart: sheet, cell (A1, upper case) and the value as typed."""

    sheet: str
    cell: str
    text: str


def parse_assignment(item: str) -> Assignment:
    """'Parameters!C7=3,0%' -> Assignment; a missing `=` or `!`, or a cell outside the grid, is refused."""
    ref, equals, text = item.partition("=")
    sheet, bang, cell = ref.strip().rpartition("!")
    sheet = sheet.strip()
    if len(sheet) > 1 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    if not equals or not bang or not sheet or not cell.strip():
        raise BadSet(item=item, reason_nl=f"verwacht {SYNTAX}", reason_en=f"expected {SYNTAX}")
    try:
        row, col = parse_ref(cell)
    except ValueError:
        raise BadSet(
            item=item,
            reason_nl=f'"{cell.strip()}" is geen cel (A1 tot en met XFD1048576)',
            reason_en=f'"{cell.strip()}" is not a cell (A1 to XFD1048576)',
        ) from None
    return Assignment(sheet, a1(row - 1, col - 1), text)


def input_cells(target: WorkbookTarget) -> dict[str, dict[str, str]]:
    """Per sheet name, the workbook's input cells (A1) and their kind, from the layout it was built with."""
    layout = layout_of(target)
    try:
        invoer = read_invoer(target, layout)  # its own index sets decide the rows of the Parameters sheet
    except VngError:
        invoer = standaard_invoer(layout)  # inputs that do not read now can still be set right
    _, sheets = workbook_content(layout, invoer, herkomst(invoer, "", "", "", ""))
    return {
        s.name: {a1(r, c): cell.style for (r, c), cell in s.cells.items() if cell.style.startswith("invoer_")}
        for s in sheets
    }


def set_updates(items: Sequence[str], target: WorkbookTarget) -> dict[str, dict[str, CellValue]]:
    """Every --set checked and read, or BadSet (or the notation's refusal) for the first that is wrong."""
    cells = input_cells(target)
    by_fold = {name.casefold(): name for name in cells}
    updates: dict[str, dict[str, CellValue]] = {}
    for item in items:
        a = parse_assignment(item)
        sheet = by_fold.get(a.sheet.casefold())
        if sheet is None:
            names = ", ".join(n for n, c in cells.items() if c)
            raise BadSet(
                item=item,
                reason_nl=f'de werkmap heeft geen blad "{a.sheet}" met invoercellen; invoer staat op {names}',
                reason_en=f'the workbook has no sheet "{a.sheet}" with input cells; inputs are on {names}',
            )
        kind = cells[sheet].get(a.cell)
        if kind is None:
            raise BadSet(
                item=item,
                reason_nl=f"{a.cell} is geen invoercel van blad {sheet} (de cellen met een rand en blauwe tekst)",
                reason_en=f"{a.cell} is not an input cell of sheet {sheet} (the cells with a border and blue text)",
            )
        if a.cell in updates.get(sheet, {}):
            raise BadSet(item=item, reason_nl="twee keer gegeven", reason_en="given twice")
        if not a.text.strip():
            raise BadSet(item=item, reason_nl=EMPTY_NL, reason_en=EMPTY_EN)
        try:
            value = READERS[kind](a.text, f"{sheet}!{a.cell}")
        except VngError as exc:  # the notation's or the model's refusal, which names the cell first
            raise BadSet(item=item, reason_nl=_after_where(exc.nl), reason_en=_after_where(exc.en)) from None
        grens = INVOERSTIJLEN[kind].grens
        if grens is not None and not grens.toelaat(value):  # the bounds the workbook's data validation has
            raise BadSet(item=item, reason_nl=f"verwacht {grens.nl}", reason_en=f"expected {grens.en}")
        updates.setdefault(sheet, {})[a.cell] = value
    return updates


def _after_where(message: str) -> str:
    """The notation's message without its leading 'where: ' (BadSet names the argument itself)."""
    return message.partition(": ")[2] or message
