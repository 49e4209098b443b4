"""Read a built workbook's inputs back: the same positions the builders wrote, from vng_xl.workbook.positions.

The workbook carries its layout and its Shape (how many years, cost lines, index sets, ...) on the
hidden conf sheet, so the read-back reads exactly the cells the build wrote, in Excel (xlwings) and
headless alike. Bad values raise VngError with a Dutch message that names the input.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Protocol

import numpy as np

from vng_xl.errors import BadParameter, VngError
from vng_xl.functions import arguments as inputs
from vng_xl.model import GguParameters, Indexen
from vng_xl.model.indexen import index_types
from vng_xl.sources.gemeenten import Gemeente
from vng_xl.sources.indexsets import IndexSet
from vng_xl.workbook.content import CellValue
from vng_xl.workbook.gemeenten_sheet import blad as gemeenten_blad
from vng_xl.workbook.layout import Invoer, Layout, layout_from_text, standaard_invoer
from vng_xl.workbook.positions import (
    CONF_AREA,
    FIRST_VALUE_COL,
    FONDS,
    GEMEENTE_CODE_COL,
    GEMEENTE_INWONERS_COL,
    GEMEENTE_NAAM_COL,
    GEMEENTEN_BRON,
    GEMEENTEN_JAAR,
    GGU_LABEL_COL,
    GGU_ONTWIKKELING_COL,
    GGU_STRUCTUREEL_COL,
    INDEX_ROWS,
    INGROEI,
    INWONERS,
    KERN_BEGROTING_COL,
    KERN_LABEL_COL,
    KERN_TYPE_COL,
    LAYOUT_KEY,
    ONTWIKKELING_BASISJAAR,
    OVERBEGROTING_ROWS,
    PEILDATUM,
    SET_ROWS,
    SETS_ROW,
    SHAPE_KEY,
    Shape,
    block_ref,
    shape_of,
)

Block = list[list[CellValue]]
CONF_SHEET = "xlwings.conf"


class WorkbookTarget(Protocol):
    """Where the refresh reads and writes: an open workbook in Excel, or a file on disk."""

    user: str  # who runs the refresh
    how: str  # with what, for the herkomst

    def read(self, sheet: str, ref: str) -> Block:
        """The values of a block of cells, row by row (empty cells as None)."""
        ...

    def has_sheet(self, sheet: str) -> bool:
        """Whether the workbook has a sheet of that name."""
        ...

    def write(self, values, results) -> None:
        """Set plain cells (`values`) and show formula results (`results`), all in one step."""
        ...


class WorkbookLayoutMissing(VngError):
    """The workbook carries no definition of its own layout (not a workbook built by vng-xl build)."""

    nl_template = "dit is geen werkmap van vng-xl build (blad {sheet} ontbreekt of is leeg)"
    en_template = "not a workbook made by vng-xl build (sheet {sheet} missing or empty)"


class WorkbookShapeDamaged(VngError):
    """The record of where the workbook's inputs sit (its Shape, on the conf sheet) cannot be read."""

    nl_template = "de vorm van de werkmap op blad {sheet} is beschadigd; bouw haar opnieuw met vng-xl build"
    en_template = "the workbook's shape on sheet {sheet} is damaged; build it again with vng-xl build"


def _conf(target: WorkbookTarget, conf_sheet: str) -> dict[str, str]:
    """The key/value rows of the conf sheet that carry text."""
    try:
        rows = target.read(conf_sheet, CONF_AREA)
    except Exception as exc:  # noqa: BLE001 - a missing sheet surfaces differently per target
        raise WorkbookLayoutMissing(sheet=conf_sheet) from exc
    return {r[0]: r[1] for r in rows if len(r) > 1 and isinstance(r[0], str) and isinstance(r[1], str)}


def layout_of(target: WorkbookTarget, conf_sheet: str = CONF_SHEET) -> Layout:
    """The layout the workbook was built with, read from its hidden conf sheet."""
    text = _conf(target, conf_sheet).get(LAYOUT_KEY)
    if text is None:
        raise WorkbookLayoutMissing(sheet=conf_sheet)
    try:
        return layout_from_text(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkbookLayoutMissing(sheet=conf_sheet) from exc


def shape_of_workbook(target: WorkbookTarget, layout: Layout) -> Shape:
    """The Shape the workbook was built in; a workbook built before it was recorded has the package's own."""
    conf_sheet = layout.raw.get("bladen", {}).get("conf", CONF_SHEET)
    text = _conf(target, conf_sheet).get(SHAPE_KEY)
    if text is not None:
        try:
            return Shape.from_text(text)
        except (ValueError, KeyError, TypeError) as exc:
            raise WorkbookShapeDamaged(sheet=conf_sheet) from exc
    shape = shape_of(standaard_invoer(layout))
    return replace(shape, indexsets=_count_sets(target, layout.blad("parameters")))


def _count_sets(target: WorkbookTarget, sheet: str, most: int = 100) -> int:
    """The index sets on Parameters, counted by their labels (for a workbook without a recorded Shape)."""
    labels = target.read(sheet, f"A{SETS_ROW + 1}:A{SETS_ROW + most * SET_ROWS}")
    n = 0
    while n < most and _is_set_label(_cell(labels, n * SET_ROWS, 0)):
        n += 1
    return n


def _is_set_label(value: CellValue) -> bool:
    return isinstance(value, str) and value.startswith("Indexset ")


def _cell(block: Block, row: int, col: int) -> CellValue:
    try:
        return block[row][col]
    except IndexError:
        return None


def _row(block: Block, row: int, count: int) -> list[CellValue]:
    """`count` cells of a row of years, from column B."""
    return [_cell(block, row, FIRST_VALUE_COL + i) for i in range(count)]


def _text(value: CellValue) -> str:
    """A text cell's value; a whole number typed there reads as Excel shows it (xlwings hands over 363.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_invoer(target: WorkbookTarget, layout: Layout, shape: Shape | None = None) -> Invoer:
    """The inputs as the workbook now holds them; bad values raise VngError with a Dutch message."""
    std = standaard_invoer(layout)
    kn = std.kn
    shape = shape or shape_of_workbook(target, layout)
    par = target.read(layout.blad("parameters"), block_ref(shape.parameters_end))
    block = [_row(par, r, shape.jaren) for r in INDEX_ROWS]
    indexen = Indexen.from_block(np.array(block, dtype=object), bron=_text(_cell(par, INDEX_ROWS[1], shape.bron_col)))
    ingroei = inputs.number(_cell(par, *INGROEI), "ingroei")
    ontwikkeling = inputs.number(_cell(par, *ONTWIKKELING_BASISJAAR), f"ontwikkeling {shape.basisjaar}")
    fonds = inputs.number(_cell(par, *FONDS), "huidig fonds")
    overbegroting = inputs.year_values(
        np.array([_row(par, r, shape.overbegroting) for r in OVERBEGROTING_ROWS], dtype=object), "overbegroting"
    )
    raw_inwoners = _cell(par, *INWONERS)
    inwoners = None if inputs.is_empty_cell(raw_inwoners) else inputs.number(raw_inwoners, "inwoners")
    if inwoners is not None and inwoners <= 0:
        raise BadParameter(argument="inwoners", reason_nl="moet groter dan 0 zijn", reason_en="must be above 0")

    kern = target.read(layout.blad("kernorganisatie"), block_ref(shape.kern_end))
    rows = shape.kern_rows()
    regels = tuple(_text(_cell(kern, r, KERN_LABEL_COL)) for r in rows)
    types = index_types(np.array([_cell(kern, r, KERN_TYPE_COL) for r in rows], dtype=object), "type")
    begroting = inputs.numbers(np.array([_cell(kern, r, KERN_BEGROTING_COL) for r in rows], dtype=object), "begroting")

    ggu = target.read(layout.blad("ggu"), block_ref(shape.ggu_end))
    hoofdstukken = {}
    for nr, r in zip(shape.hoofdstukken, shape.ggu_rows()):
        label, prefix = _text(_cell(ggu, r, GGU_LABEL_COL)), f"{nr}. "
        naam = label[len(prefix) :] if label.startswith(prefix) else std.hoofdstukken.get(nr, ("",))[0]
        structureel = inputs.number(_cell(ggu, r, GGU_STRUCTUREEL_COL), f"structureel hoofdstuk {nr}")
        ontw = inputs.number(_cell(ggu, r, GGU_ONTWIKKELING_COL), f"ontwikkeling hoofdstuk {nr}")
        hoofdstukken[nr] = (naam, structureel, ontw)

    new_kn = replace(
        kn,
        indexen=indexen,
        regels=regels,
        # The lines keep the keys the workbook was built with, whatever their names now say.
        ids=shape.regels if len(shape.regels) == len(regels) else kn.ids,
        types=tuple("AB"[int(t)] for t in types.tolist()),
        groepen=shape.groepen,
        begroting=begroting,
        basisjaar=shape.basisjaar,
        ingroei=ingroei,
        ggu=GguParameters(
            hoofdstukken={nr: s + o for nr, (_, s, o) in hoofdstukken.items()},
            fonds=fonds,
            overbegroting=overbegroting,
            basisjaar=shape.ggu_basisjaar,
            namen={nr: naam for nr, (naam, _, _) in hoofdstukken.items()},
        ),
        ggu_laatste_jaar=shape.ggu_laatste_jaar,
    )
    gemeenten, jaar, bron = _gemeenten(target, layout, shape)
    return replace(
        std,
        kn=new_kn,
        hoofdstukken=hoofdstukken,
        ontwikkeling_basisjaar=ontwikkeling,
        inwoners=inwoners,
        inwoners_bron=_text(_cell(par, *shape.inwoners_bron)),
        peildatum=_text(_cell(par, *PEILDATUM)),
        indexsets=_indexsets(par, shape),
        gemeenten=gemeenten,
        gemeenten_jaar=jaar,
        gemeenten_bron=bron,
    )


def _indexsets(par: Block, shape: Shape) -> tuple[IndexSet, ...]:
    """The index sets as the Parameters sheet now holds them, so the Scenario sheet follows edits."""
    out = []
    for k in range(1, shape.indexsets + 1):
        row = shape.set_row(k)
        block = [_row(par, row + 1 + r, shape.jaren) for r in range(3)]
        try:
            indexen = Indexen.from_block(np.array(block, dtype=object), bron=_text(_cell(par, row, shape.bron_col)))
        except VngError as exc:
            raise BadParameter(argument=f"Indexset {k}", reason_nl=exc.nl, reason_en=exc.en) from None
        out.append(IndexSet(_text(_cell(par, row, FIRST_VALUE_COL)) or f"Indexset {k}", indexen))
    return tuple(out)


def _gemeenten(
    target: WorkbookTarget, layout: Layout, shape: Shape
) -> tuple[tuple[Gemeente | None, ...], int | None, str]:
    """The Gemeenten sheet's list row by row (None: an empty row, trailing ones left off), year, source."""
    sheet = gemeenten_blad(layout.raw)
    if not target.has_sheet(sheet):
        return (), None, ""
    cells = target.read(sheet, block_ref(shape.gemeenten_end))
    rows: list[Gemeente | None] = []
    for r in shape.gemeente_rows():
        code, naam, aantal = (_cell(cells, r, c) for c in (GEMEENTE_CODE_COL, GEMEENTE_NAAM_COL, GEMEENTE_INWONERS_COL))
        if all(inputs.is_empty_cell(v) for v in (code, naam, aantal)):
            rows.append(None)
            continue
        wie = f"inwoners van {_text(naam) or _text(code)} (blad {sheet}, rij {r + 1})"
        inwoners = inputs.number(aantal, wie)
        if inwoners < 0:
            raise BadParameter(argument=wie, reason_nl="mag niet negatief zijn", reason_en="must not be negative")
        rows.append(Gemeente(_text(code), _text(naam), inwoners))
    while rows and rows[-1] is None:
        rows.pop()
    raw_jaar = _cell(cells, *GEMEENTEN_JAAR)
    first, last = shape.ggu_basisjaar, shape.ggu_laatste_jaar
    jaar = inputs.year(raw_jaar, f"jaar (blad {sheet})")
    if not first <= jaar <= last:
        raise BadParameter(
            argument=f"jaar (blad {sheet})",
            reason_nl=f"geen bijdrage leden voor {jaar}; kies {first}-{last}",
            reason_en=f"no bijdrage leden for {jaar}; choose {first}-{last}",
        )
    return tuple(rows), jaar, _text(_cell(cells, *GEMEENTEN_BRON))
